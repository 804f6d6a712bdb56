"""The `sotong` command line for staff and operators: ``python -m sotong.cli --help``.

Each area registers its own subcommands: a module listed in ``COMMAND_MODULES`` has a
``register(subparsers)`` function that adds a parser and sets ``func(args) -> int``.
Adding an area means adding its module name here, nothing else.

Bad input (an unknown receipt number, a refused transition) prints one line on
stderr and exits 1; no tracebacks unless SOTONG_DEBUG=1.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from sqlalchemy.exc import SQLAlchemyError

from sotong import logmask
from sotong.complaints.errors import ComplaintError
from sotong.notifications.masking import PhoneMaskingFilter

COMMAND_MODULES = (
    "sotong.complaints.cli",
    "sotong.notifications.cli",
    "sotong.directory.cli",
    "sotong.privacy.cli",
    "sotong.staff.cli",
    "sotong.open311.cli",
)


class CommandError(Exception):
    """A command cannot do what was asked; the message is for the operator."""


def _db_upgrade(args) -> int:
    from sotong.db import create_schema, get_engine

    create_schema(get_engine())
    print("database schema is up to date")
    return 0


def _db_seed(args) -> int:
    from sotong.complaints import service
    from sotong.db import session_scope

    with session_scope() as session:
        report = service.seed_district(session)
    print(f"seeded {report.departments} departments, {report.officers} officers, {report.categories} categories")
    return 0


def _check_district_answers() -> int:
    """Refuse to start on a FAQ catalogue or department directory that does not load: the servers
    would keep running without them (urgent words unanswered, every FAQ question refused) and
    only log an error per message. Staff edits made while running keep the last good file."""
    from sotong.faq import CatalogueError, load_catalogue
    from sotong.faq.departments import DirectoryError, load_directory
    from sotong.settings import load_settings

    district = load_settings().district_dir
    try:
        catalogue = load_catalogue(district)
        directory = load_directory(district)
    except (CatalogueError, DirectoryError, OSError, UnicodeDecodeError) as exc:
        print(f"not starting: the district's answers in {district} cannot be read: {exc}", file=sys.stderr)
        return 1
    urgent = [d for d in directory.departments if d.urgent] if directory else []
    # an urgent department answers with its topic: without one, 119/112 would never be said
    missing = [f"{d.code} -> {d.topic}" for d in urgent if catalogue.topic(d.topic or "") is None]
    if missing:
        print(
            f"not starting: urgent departments name topics the catalogue lacks: {', '.join(missing)}", file=sys.stderr
        )
        return 1
    print(f"district answers read ({len(urgent)} urgent departments)")
    return 0


def _setup(args) -> int:
    """Everything a fresh install needs before the servers start; safe to repeat."""
    from sotong.directory.cli import load_district_files

    status = _check_district_answers() or _db_upgrade(args) or _db_seed(args)
    return status or load_district_files()


def _register_db(subparsers) -> None:
    subparsers.add_parser("setup", help="db upgrade + db seed + directory load-district (idempotent)").set_defaults(
        func=_setup
    )
    db = subparsers.add_parser("db", help="database schema and sample data")
    sub = db.add_subparsers(dest="db_command", required=True)
    sub.add_parser("upgrade", help="apply the Alembic migrations (alembic upgrade head)").set_defaults(func=_db_upgrade)
    sub.add_parser("seed", help="load departments, officers and categories from the district folder").set_defaults(
        func=_db_seed
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sotong", description="Sotong civic core: staff and operator commands")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress (phone numbers masked)")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _register_db(subparsers)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists but is broken: say so
                raise
            continue
        module.register(subparsers)
    return parser


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(PhoneMaskingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True)


def main(argv: list[str] | None = None) -> int:
    logmask.install()  # every record masked, whoever adds a handler (the notification worker runs here)
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return int(args.func(args) or 0)
    except (ComplaintError, CommandError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        if os.environ.get("SOTONG_DEBUG") == "1":
            raise
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(
            f"database error: {first}\n(is the schema up to date? run: python -m sotong.cli db upgrade)",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:
        if os.environ.get("SOTONG_DEBUG") == "1":
            raise
        print(f"error: {type(exc).__name__}: {exc} (SOTONG_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
