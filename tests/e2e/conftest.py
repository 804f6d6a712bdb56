"""End-to-end tests use the `rasa_stack` fixture from tests/conftest.py."""
