"""``sotong open311 key create|list|revoke``: the API keys Open311 clients file with.

The key is printed once, at creation; only its hash is stored, so a lost key is
revoked and replaced, never recovered.
"""

from __future__ import annotations

import sys

from sotong.db import session_scope
from sotong.open311 import keys


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _create(args) -> int:
    try:
        client = keys.check_client_name(args.client)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with session_scope() as session:
        view, key = keys.create_key(session, client)
    print(f"created key {view.id} for {view.client}; give the client this key (it is not shown again):")
    print(key)
    return 0


def _list(args) -> int:
    with session_scope() as session:
        found = keys.list_keys(session)
    if not found:
        print("no Open311 API keys")
    for k in found:
        state = "active" if k.active else f"revoked {_when(k.revoked_at)}"
        print(
            f"{k.id}\t{k.client}\t{k.key_prefix}…\tcreated {_when(k.created_at)}\tlast used {_when(k.last_used_at)}\t{state}"
        )
    return 0


def _revoke(args) -> int:
    try:
        with session_scope() as session:
            view = keys.revoke_key(session, args.id)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"key {view.id} of {view.client} revoked at {_when(view.revoked_at)}")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("open311", help="Open311 GeoReport v2: API keys of client applications")
    sub = parser.add_subparsers(dest="open311_command", required=True)
    key = sub.add_parser("key", help="create, list or revoke API keys").add_subparsers(
        dest="key_command", required=True
    )
    create = key.add_parser("create", help="a new key for a client (printed once)")
    create.add_argument("--client", required=True, help="who gets it, e.g. fixmystreet-seogu (a-z, 0-9, . _ -)")
    create.set_defaults(func=_create)
    key.add_parser("list", help="every key: client, prefix, created, last used, revoked").set_defaults(func=_list)
    revoke = key.add_parser("revoke", help="stop a key at once")
    revoke.add_argument("id", type=int, help="the key's id (from `list`)")
    revoke.set_defaults(func=_revoke)
