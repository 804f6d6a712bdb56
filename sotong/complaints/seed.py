"""Loading the district's departments, officers and complaint categories into the database.

Departments come from profile.yml (the district's one list) plus any extra ones in
complaints.yml. Rows are matched by code and updated, never deleted: complaints may
still point at them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.complaints.categories import category_infos
from sotong.complaints.district import complaints_config
from sotong.complaints.models import ComplaintCategory, Department, Officer
from sotong.district import load_profile


@dataclass
class SeedReport:
    departments: int = 0
    officers: int = 0
    categories: int = 0


def _upsert(session: Session, model, code: str, **values):
    row = session.execute(select(model).where(model.code == code)).unique().scalar_one_or_none()
    if row is None:
        row = model(code=code)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    return row


def seed_district(session: Session, district_dir: Path | None = None) -> SeedReport:
    prof, data = load_profile(district_dir).raw, complaints_config(district_dir)
    sample = bool(prof.get("sample")) or bool(data.get("sample"))
    report = SeedReport()
    departments: dict[str, Department] = {}
    for entry in list(prof.get("departments") or []) + list(data.get("departments") or []):
        departments[entry["code"]] = _upsert(
            session, Department, entry["code"], name=entry["name"], phone=entry.get("phone"), sample=sample
        )
        report.departments += 1
    session.flush()

    def department(code: str) -> Department:
        if code not in departments:
            raise ValueError(f"complaints.yml refers to unknown department {code!r}")
        return departments[code]

    for entry in data.get("officers") or []:
        _upsert(
            session,
            Officer,
            entry["code"],
            name=entry["name"],
            phone=entry.get("phone"),
            department=department(entry["department"]),
            active=entry.get("active", True),
            sample=sample,
        )
        report.officers += 1
    # Parsed by sotong.complaints.categories: a bad entry (no department, a question the
    # file does not define, days < 1) stops the seed before anything half-loads.
    for info in category_infos(district_dir, include_inactive=True):
        _upsert(
            session,
            ComplaintCategory,
            info.code,
            name=info.name,
            department=department(info.department),
            processing_days=info.processing_days,
            active=info.active,
            sample=sample,
        )
        report.categories += 1
    session.flush()
    return report
