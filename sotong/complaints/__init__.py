"""Complaints (민원): filing, the status lifecycle, corrections, officer operations, and the
outbox of stage messages each recorded event queues.

Callers (Rasa actions, the web app, the CLIs) use ``sotong.complaints.service`` (plus
``errors`` and ``views``); nothing here imports Rasa or the notification delivery.
User-facing wording lives in the district's YAML files.
"""
