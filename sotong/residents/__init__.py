"""Residents across channels: web devices (signed cookies), aliases and one-time link codes.

Rasa-free and FastAPI-free: the web app (web/resident_auth.py, web/me.py) and the
action server (actions/link_device.py) are thin adapters around it.
"""
