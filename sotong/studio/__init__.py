"""The training studio (issue 12): staff teach the bot and publish models safely.

Imports nothing from rasa or web: Rasa runs in subprocesses (scripts/studio_train.py) or
is reached over its HTTP API."""
