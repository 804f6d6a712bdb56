"""민원 dialogue: file, track, correct and cancel complaints through sotong.complaints.service."""
