"""Check requirements.lock against a local copy of the PyPA advisory database (offline).

District networks are closed and pip-audit needs an online advisory service, so this
reads a checkout of https://github.com/pypa/advisory-database (OSV records, one YAML
file per advisory under vulns/<package>/) instead:

    git clone --depth 1 https://github.com/pypa/advisory-database /opt/advisory-database
    make audit ADVISORY_DB=/opt/advisory-database

A package is reported when its pinned version is listed in an advisory's `versions`
or falls inside one of its ECOSYSTEM ranges. Exit status: 0 clean, 1 findings,
2 when the database is missing (with the reason printed, never a silent pass).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    fixed: str
    summary: str


def read_lock(path: Path) -> dict:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def _in_range(version: Version, events: list) -> bool:
    """OSV ECOSYSTEM events: introduced/fixed/last_affected, in order."""
    affected = False
    for event in events:
        try:
            if "introduced" in event:
                affected = event["introduced"] == "0" or version >= Version(str(event["introduced"]))
            elif (
                "fixed" in event
                and affected
                and version >= Version(str(event["fixed"]))
                or "last_affected" in event
                and affected
                and version > Version(str(event["last_affected"]))
            ):
                affected = False
        except InvalidVersion:
            continue
    return affected


def check(package: str, pinned: str, record: dict) -> Finding | None:
    version = Version(pinned)
    for affected in record.get("affected", []):
        hit = pinned in {str(v) for v in affected.get("versions", [])}
        fixed = []
        for rng in affected.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM":
                hit = hit or _in_range(version, rng.get("events", []))
                fixed += [str(e["fixed"]) for e in rng.get("events", []) if "fixed" in e]
        if hit:
            ids = [record.get("id", "?")] + [a for a in record.get("aliases", []) if a.startswith("CVE-")]
            summary = " ".join(str(record.get("summary") or record.get("details", "")).split())[:140]
            return Finding(package, pinned, ", ".join(ids), ", ".join(fixed) or "none", summary)
    return None


def audit(db: Path, lock: Path) -> list:
    findings = []
    for package, pinned in sorted(read_lock(lock).items()):
        folder = db / "vulns" / package
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            finding = check(package, pinned, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
            if finding:
                findings.append(finding)
    return findings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="checkout of pypa/advisory-database")
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    args = parser.parse_args(argv)
    if not (args.db / "vulns").is_dir():
        print(
            f"audit: no advisory database at {args.db} (expected {args.db}/vulns/). "
            "Clone https://github.com/pypa/advisory-database and pass ADVISORY_DB=<path>.",
            file=sys.stderr,
        )
        return 2
    findings = audit(args.db, args.lock)
    for f in findings:
        print(f"{f.package}=={f.version}  {f.advisory}  fixed in: {f.fixed}\n    {f.summary}")
    print(f"audit: {len(read_lock(args.lock))} pinned packages, {len(findings)} advisories match")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
