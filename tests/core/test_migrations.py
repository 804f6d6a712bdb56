"""The Alembic migrations create exactly the tables the models describe (on both backends)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sotong.db import Base, import_models


def test_models_and_migrations_agree(core_engine):
    import_models()
    with core_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models differ from migrations/ — add a migration: {diff}"


def test_directory_and_core_tables_exist(core_engine):
    tables = set(inspect(core_engine).get_table_names())
    assert {
        "bulky_waste_fee",
        "waste_bag_vendor",
        "resident",
        "department",
        "officer",
        "complaint_category",
        "complaint",
        "complaint_status_change",
        "notification",
        "alembic_version",
    } <= tables


def test_phone_needs_consent_in_the_database(core_db):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from sotong.complaints.models import Resident
    from sotong.db import session_scope
    from sotong.deadlines import now_utc, to_db

    with pytest.raises(IntegrityError):
        with session_scope(core_db) as s:
            s.add(Resident(channel="kakao", channel_user_id="x", phone="01012345678", created_at=to_db(now_utc())))
