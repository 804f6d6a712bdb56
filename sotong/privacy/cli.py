"""`sotong privacy purge [--dry-run]`: the retention purge by hand (the worker runs it daily)."""

from __future__ import annotations

import argparse

from sotong.privacy.retention import PurgeReport, purge_personal_data


def _days(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def describe(report: PurgeReport, dry_run: bool = False) -> str:
    verb = "would" if dry_run else "did"
    e = report.events
    return (
        f"retention purge (cutoff {report.cutoff:%Y-%m-%d %H:%M} UTC) {verb}: "
        f"anonymise {report.complaints_anonymised} closed complaint(s), "
        f"delete {report.phones_deleted} phone number(s), {report.verifications_deleted} expired code(s), "
        f"{report.link_codes_deleted} expired web link code(s), {report.devices_deleted} signed-out web device(s), "
        f"{e.conversations_deleted} conversation(s) ({e.events_deleted} events), "
        f"anonymise {e.events_anonymised} old event(s)"
    )


def purge_and_print(dry_run: bool = False, days=None) -> None:
    print(describe(purge_personal_data(days=days, dry_run=dry_run), dry_run), flush=True)


def _purge(args) -> int:
    purge_and_print(dry_run=args.dry_run, days=args.days)
    return 0


def register(subparsers) -> None:
    if "privacy" in subparsers.choices:  # registered already (by the notification commands)
        return
    p = subparsers.add_parser("privacy", help="personal data: the retention purge")
    sub = p.add_subparsers(dest="privacy_command", required=True)
    c = sub.add_parser("purge", help="delete/anonymise personal data older than the retention period")
    c.add_argument("--dry-run", action="store_true", help="count what would go, change nothing")
    c.add_argument("--days", type=_days, help="retention in days (default: SOTONG_RETENTION_DAYS or the profile)")
    c.set_defaults(func=_purge)
