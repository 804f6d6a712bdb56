"""Sotong (소통): a civic chatbot platform for Korean district offices.

The civic core (directory, complaints, notifications, deadlines) lives here and
imports nothing from Rasa; ``actions/``, ``connectors/`` and the web app are thin
adapters around it. The one exception is ``sotong.nlu.korean_tokenizer``, which
*is* a Rasa component and is only imported by Rasa itself.
"""
