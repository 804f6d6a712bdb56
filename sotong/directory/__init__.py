"""The district's reference data behind the answers: bulky-waste fees and waste-bag shops."""
