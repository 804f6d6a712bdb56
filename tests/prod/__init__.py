"""Fault tests against the production profile (`make run-prod`: nginx, two Rasa replicas, PostgreSQL, Redis)."""
