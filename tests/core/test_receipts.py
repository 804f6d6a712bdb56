"""Receipt numbers: short, from the unambiguous alphabet, unique, not sequential."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sotong.complaints.models import Complaint
from sotong.complaints.receipt import ALPHABET, is_receipt_no, new_receipt_no, normalize_receipt_no
from sotong.db import session_scope
from tests.core.helpers import file

FORMAT = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$")


def test_format_and_alphabet():
    assert set(ALPHABET).isdisjoint("01OIL")
    for _ in range(500):
        assert FORMAT.match(new_receipt_no())


def test_many_are_unique_and_not_in_sequence():
    numbers = [new_receipt_no() for _ in range(5000)]
    assert len(set(numbers)) == len(numbers)
    assert numbers != sorted(numbers)
    # every position uses (nearly) the whole alphabet: nothing fixed or counter-like
    for pos in [0, 1, 2, 3, 5, 6, 7, 8]:
        assert len({n[pos] for n in numbers}) >= len(ALPHABET) - 1


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("ab2c-3def", "AB2C-3DEF"),
        ("AB2C3DEF", "AB2C-3DEF"),
        (" ab2c 3def ", "AB2C-3DEF"),
        ("AB2C-3DE", None),
        ("AB2C-3DEO", None),
        ("", None),
        (None, None),
        ("민원 AB2C-3DEF", "AB2C-3DEF"),
    ],
)
def test_normalize_what_residents_type(typed, expected):
    assert normalize_receipt_no(typed) == expected


def test_is_receipt_no():
    assert is_receipt_no("AB2C-3DEF") and not is_receipt_no("ab2c-3def")


def test_filed_complaints_get_distinct_receipts_and_the_database_enforces_it(core_db, resident, now, monkeypatch):
    # One resident files 20 here: lift the per-resident filing limit for this test only.
    monkeypatch.setenv("SOTONG_FILING_LIMIT_PER_HOUR", "0")
    monkeypatch.setenv("SOTONG_FILING_LIMIT_PER_DAY", "0")
    receipts = {file(core_db, resident, now) for _ in range(20)}
    assert len(receipts) == 20 and all(FORMAT.match(r) for r in receipts)
    with pytest.raises(IntegrityError):
        with session_scope(core_db) as s:
            a, b = s.execute(select(Complaint).limit(2)).unique().scalars().all()
            b.receipt_no = a.receipt_no
