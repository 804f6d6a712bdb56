"""The web app: a thin HTTP adapter around the civic core (``sotong``).

Owns routing, authentication, JSON shapes and HTTP error mapping only; every rule
about complaints lives in ``sotong.complaints``. Start it with ``python -m web``.
"""
