"""`sotong directory ...`: load the district's own CSV files into the directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from sotong.db import create_schema, session_scope
from sotong.directory.importer import ImportFileError, ImportReport, import_file
from sotong.district import load_profile

# CSV file names inside the district folder, by kind
DISTRICT_FILES = {"fees": "bulky_waste_fees.csv", "vendors": "waste_bag_vendors.csv"}


def register(subparsers) -> None:
    p = subparsers.add_parser("directory", help="bulky-waste fees and waste-bag shops")
    sub = p.add_subparsers(dest="directory_cmd", required=True)

    imp = sub.add_parser("import", help="import a CSV (UTF-8 or CP949, public-data portal layout)")
    imp.add_argument(
        "kind", choices=sorted(DISTRICT_FILES), help="fees = 대형폐기물 수수료, vendors = 종량제봉투 판매소"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--district", help="시군구명 for rows that lack one (default: the profile's short_name)")
    imp.add_argument("--sample", action="store_true", help="mark rows as sample data")
    imp.set_defaults(func=_cmd_import)

    load = sub.add_parser("load-district", help="import the CSV files shipped in the district folder")
    load.set_defaults(func=_cmd_load_district)


def _print_report(report: ImportReport) -> None:
    print(f"{report.path}: {report.imported} rows imported, {len(report.skipped)} skipped")
    for line in report.skipped[:20]:
        print(f"  skipped {line}")


def _cmd_import(args: argparse.Namespace) -> int:
    profile = load_profile()
    create_schema()
    if not args.file.is_file():
        print(f"error: no such file: {args.file}")
        return 2
    try:
        with session_scope() as session:
            report = import_file(
                session, args.kind, args.file, default_district=args.district or profile.district, sample=args.sample
            )
    except ImportFileError as exc:
        print(f"error: {args.file}: {exc}")
        return 2
    _print_report(report)
    return 0


def _cmd_load_district(args: argparse.Namespace) -> int:
    return load_district_files()


def load_district_files() -> int:
    """Import the CSV files shipped in the district folder (replacing the district's rows)."""
    profile = load_profile()
    create_schema()
    status = 0
    for kind, name in DISTRICT_FILES.items():
        path = profile.data_file(name)
        if not path.is_file():
            print(f"{path}: not present, skipped")
            continue
        try:
            with session_scope() as session:
                report = import_file(session, kind, path, default_district=profile.district, sample=profile.is_sample)
            _print_report(report)
        except ImportFileError as exc:
            print(f"error: {path}: {exc}")
            status = 2
    return status
