"""The FAQ tests reuse the offline action fixtures (domain with data/responses, trackers), and
get a private copy of the sample district when a test edits or breaks its files."""

import shutil

import pytest

from sotong.district import _load
from sotong.settings import PROJECT_ROOT
from tests.actions.conftest import domain  # noqa: F401  (a fixture, registered by import)

DISTRICT = PROJECT_ROOT / "district" / "incheon-seogu"


@pytest.fixture
def district(tmp_path, monkeypatch):
    """A private copy of the sample district, so a test may break or edit its files."""
    copy = tmp_path / "district"
    shutil.copytree(DISTRICT, copy)
    monkeypatch.setenv("SOTONG_DISTRICT_DIR", str(copy))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    _load.cache_clear()
    yield copy
    _load.cache_clear()
