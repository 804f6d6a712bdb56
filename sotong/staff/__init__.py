"""Staff accounts and the console's core: who may sign in, what they may see and do.

Rasa- and FastAPI-free like the rest of ``sotong``; the console (web/console) and the
staff JSON API (web/staff_api.py) are thin adapters around ``sotong.staff.service``.
"""
