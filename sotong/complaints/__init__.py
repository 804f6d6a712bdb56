"""Complaints (민원): filing, the status lifecycle, corrections, officer operations.

Callers (Rasa actions, the web app, the CLI) use ``sotong.complaints.service``;
nothing here imports Rasa. User-facing wording lives in the district's YAML files.
"""
