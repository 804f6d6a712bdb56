"""The FAQ tests reuse the offline action fixtures (domain with data/responses, trackers)."""

from tests.actions.conftest import domain  # noqa: F401  (a fixture, registered by import)
