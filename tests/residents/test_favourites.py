"""Favourites, page taps and the recommendations switch in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sotong.db import session_scope
from sotong.residents.activity import MAX_TAPS, recent_taps, recommendations_on, record_tap, set_recommendations
from sotong.residents.devices import mint_device
from sotong.residents.favourites import (
    MAX_FAVOURITES,
    BadOrder,
    FavouritesFull,
    UnknownService,
    add_favourite,
    list_favourites,
    remove_favourite,
    reorder_favourites,
)
from sotong.search.catalogue import load_services


@pytest.fixture
def catalogue():
    return load_services()


@pytest.fixture
def resident_id(core_db, secret) -> int:
    with session_scope(core_db) as s:
        return int(mint_device(s, secret).device.resident_id)


def test_add_is_ordered_idempotent_and_per_resident(core_db, secret, catalogue, resident_id):
    with session_scope(core_db) as s:
        add_favourite(s, resident_id, "ask_passport", catalogue)
        add_favourite(s, resident_id, "faq:move_in_report", catalogue)
        assert add_favourite(s, resident_id, "ask_passport", catalogue) == ["ask_passport", "faq:move_in_report"]
        someone_else = int(mint_device(s, secret).device.resident_id)
        assert list_favourites(s, someone_else) == []


def test_unknown_service_refused(core_db, catalogue, resident_id):
    with session_scope(core_db) as s:
        for bad in ("ask_nothing", "faq:no_such_topic", "", "x" * 500):
            with pytest.raises(UnknownService):
                add_favourite(s, resident_id, bad, catalogue)
        assert list_favourites(s, resident_id) == []


def test_bounded(core_db, catalogue, resident_id):
    ids = [s.id for s in catalogue.services][: MAX_FAVOURITES + 1]
    with session_scope(core_db) as s:
        for sid in ids[:MAX_FAVOURITES]:
            add_favourite(s, resident_id, sid, catalogue)
        with pytest.raises(FavouritesFull):
            add_favourite(s, resident_id, ids[-1], catalogue)
        assert len(list_favourites(s, resident_id)) == MAX_FAVOURITES


def test_remove_and_reorder(core_db, catalogue, resident_id):
    with session_scope(core_db) as s:
        for sid in ("ask_passport", "ask_jobs", "ask_news"):
            add_favourite(s, resident_id, sid, catalogue)
        assert reorder_favourites(s, resident_id, ["ask_news", "ask_passport", "ask_jobs"]) == [
            "ask_news",
            "ask_passport",
            "ask_jobs",
        ]
        for bad in (
            ["ask_news"],
            ["ask_news", "ask_news", "ask_jobs"],
            ["ask_news", "ask_passport", "ask_bulky_waste"],
        ):
            with pytest.raises(BadOrder):
                reorder_favourites(s, resident_id, bad)
        assert remove_favourite(s, resident_id, "ask_passport") == ["ask_news", "ask_jobs"]
        assert remove_favourite(s, resident_id, "ask_passport") == ["ask_news", "ask_jobs"]  # twice: harmless
        # A new pin goes last even after a removal left a gap.
        assert add_favourite(s, resident_id, "ask_passport", catalogue)[-1] == "ask_passport"


def test_kept_across_sessions(core_db, catalogue, resident_id):
    with session_scope(core_db) as s:
        add_favourite(s, resident_id, "ask_jobs", catalogue)
    with session_scope(core_db) as s:
        assert list_favourites(s, resident_id) == ["ask_jobs"]


def test_taps_deduplicated_and_bounded(core_db, resident_id, now):
    with session_scope(core_db) as s:
        record_tap(s, resident_id, "ask_jobs", now)
        record_tap(s, resident_id, "ask_jobs", now + timedelta(minutes=5))
        assert recent_taps(s, resident_id, now - timedelta(days=1)) == [
            ("ask_jobs", (now + timedelta(minutes=5)).replace(tzinfo=None))
        ]
        for i in range(MAX_TAPS + 10):
            record_tap(s, resident_id, f"svc{i}", now + timedelta(minutes=10 + i))
        taps = recent_taps(s, resident_id, now - timedelta(days=1))
        assert len(taps) == MAX_TAPS and taps[0][0] == f"svc{MAX_TAPS + 9}"


def test_recommendations_switch(core_db, resident_id):
    with session_scope(core_db) as s:
        assert recommendations_on(s, resident_id) is True
        set_recommendations(s, resident_id, False)
    with session_scope(core_db) as s:
        assert recommendations_on(s, resident_id) is False
        set_recommendations(s, resident_id, True)
        assert recommendations_on(s, resident_id) is True


def test_linking_merges_favourites_and_prefs(core_db, secret, catalogue, resident_id):
    from sotong.residents.links import merge_residents

    with session_scope(core_db) as s:
        other_id = int(mint_device(s, secret).device.resident_id)
        add_favourite(s, resident_id, "ask_jobs", catalogue)
        add_favourite(s, other_id, "ask_jobs", catalogue)  # both pinned it: kept once
        add_favourite(s, other_id, "ask_news", catalogue)
        set_recommendations(s, resident_id, False)
        set_recommendations(s, other_id, True)
        record_tap(s, other_id, "ask_jobs")
        merge_residents(s, resident_id, other_id)
    with session_scope(core_db) as s:
        assert sorted(list_favourites(s, resident_id)) == ["ask_jobs", "ask_news"]
        assert recommendations_on(s, resident_id) is False  # the surviving resident's choice stays
