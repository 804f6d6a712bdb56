"""`sotong complaints ...`: the officer operations from the command line (before the console)."""

from __future__ import annotations

import json

from sotong.complaints import service
from sotong.complaints.views import ComplaintView
from sotong.db import session_scope


def _actor(name: str) -> service.Actor:
    """'kim' -> staff kim; 'staff:kim' and 'system' as written; a resident is refused
    (one error line, exit 1): staff never act in a resident's name."""
    return service.Actor.parse_staff(name)


def _label(status: str) -> str:
    label = service.status_labels().get(status)
    return f"{status} ({label})" if label else status


def _line(v: ComplaintView) -> str:
    flag = " OVERDUE" if v.overdue else ""
    who = v.officer_name or v.department_name or "-"
    return f"{v.receipt_no}  {v.status:<16} {v.category_code:<16} due {v.due_text}{flag}  {who}  {v.address}"


def _show(v: ComplaintView) -> str:
    lines = [
        f"{v.receipt_no}  {v.category_name} [{v.category_code}]",
        f"  status      {_label(v.status)}",
        f"  address     {v.address}" + (f"  ({v.lat}, {v.lng})" if v.lat is not None else ""),
        f"  description {v.description}",
    ]
    if v.seen_at:
        lines.append(f"  seen        {v.seen_at}")
    if v.photo_url:
        lines.append(f"  photo       {v.photo_url}")
    lines += [
        f"  department  {v.department_name or '-'}" + (f" ({v.department_phone})" if v.department_phone else ""),
        f"  officer     {v.officer_name or '-'}" + (f" ({v.officer_phone})" if v.officer_phone else ""),
        f"  filed       {v.created_at:%Y-%m-%d %H:%M}",
        f"  due         {v.due_text}" + ("  OVERDUE" if v.overdue else ""),
    ]
    if v.rejection_reason:
        lines += [f"  reason      {v.rejection_reason}", f"  appeal      {v.appeal_info}"]
    lines.append("  history")
    for e in v.timeline:
        what = "correction" if e.kind == "correction" else e.status
        lines.append(f"    {e.at:%Y-%m-%d %H:%M}  {what:<16} {e.actor}" + (f"  — {e.note}" if e.note else ""))
    return "\n".join(lines)


def _print(views: list[ComplaintView], as_json: bool) -> None:
    if as_json:
        print(json.dumps([v.as_dict() for v in views], ensure_ascii=False, indent=2))
    else:
        for v in views:
            print(_line(v))


def _list(args) -> int:
    with session_scope() as s:
        views = service.list_complaints(s, status=args.status, overdue=args.overdue, department=args.department)
    _print(views, args.json)
    if not args.json:
        print(f"({len(views)} complaint{'s' if len(views) != 1 else ''})")
    return 0


def _show_cmd(args) -> int:
    with session_scope() as s:
        view = service.get_complaint(s, args.receipt)
    print(json.dumps(view.as_dict(), ensure_ascii=False, indent=2) if args.json else _show(view))
    return 0


def _done(view: ComplaintView) -> int:
    print(f"{view.receipt_no}: now {_label(view.status)}")
    return 0


def _assign(args) -> int:
    with session_scope() as s:
        if args.officer:
            view = service.assign_officer(s, args.receipt, args.officer, actor=_actor(args.actor), note=args.note)
        else:
            view = service.assign_department(s, args.receipt, args.department, actor=_actor(args.actor), note=args.note)
    return _done(view)


def _advance(args) -> int:
    with session_scope() as s:
        view = service.advance(s, args.receipt, args.status, actor=_actor(args.actor), note=args.note)
    return _done(view)


def _reject(args) -> int:
    appeal = args.appeal or service.default_appeal_info()
    with session_scope() as s:
        view = service.reject(s, args.receipt, reason=args.reason, appeal_info=appeal, actor=_actor(args.actor))
    return _done(view)


def _transfer(args) -> int:
    with session_scope() as s:
        view = service.transfer(s, args.receipt, args.department, actor=_actor(args.actor), note=args.note)
    return _done(view)


def _file(args) -> int:
    with session_scope() as s:
        result = service.file_complaint(
            s,
            service.ResidentKey(args.channel, args.user),
            category=args.category,
            address=args.address,
            description=args.description,
            photo_url=args.photo_url,
            seen_at=args.seen_at,
            idempotency_key=args.idempotency_key,
        )
    v = result.complaint
    print(f"{v.receipt_no}: {'filed' if result.created else 'already filed'}, due {v.due_text}")
    return 0


def _status_choices() -> list[str]:
    return list(service.STATUS_NAMES)


def register(subparsers) -> None:
    p = subparsers.add_parser("complaints", help="list, inspect and move complaints (officer operations)")
    sub = p.add_subparsers(dest="complaints_command", required=True)

    c = sub.add_parser("list", help="complaints, oldest due first")
    c.add_argument("--status", choices=_status_choices())
    c.add_argument("--overdue", action="store_true", help="only open complaints past their due date")
    c.add_argument("--department", help="department code")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_list)

    c = sub.add_parser("show", help="one complaint with its history")
    c.add_argument("receipt")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_show_cmd)

    c = sub.add_parser("assign", help="route to a department or name the officer in charge")
    c.add_argument("receipt")
    target = c.add_mutually_exclusive_group(required=True)
    target.add_argument("--department", help="department code, e.g. cleaning")
    target.add_argument("--officer", help="officer code, e.g. cleaning-kim")
    c.add_argument("--actor", required=True, help="who does it, e.g. kim (recorded as staff:kim), or system")
    c.add_argument("--note")
    c.set_defaults(func=_assign)

    c = sub.add_parser("advance", help="move to on_site_check, under_review or completed")
    c.add_argument("receipt")
    c.add_argument("status", choices=_status_choices())
    c.add_argument("--actor", required=True)
    c.add_argument("--note")
    c.set_defaults(func=_advance)

    c = sub.add_parser("reject", help="reject, with the reason and how to appeal")
    c.add_argument("receipt")
    c.add_argument("--reason", required=True)
    c.add_argument("--appeal", help="how to appeal (default: the district's wording in complaints.yml)")
    c.add_argument("--actor", required=True)
    c.set_defaults(func=_reject)

    c = sub.add_parser("transfer", help="transfer to another department")
    c.add_argument("receipt")
    c.add_argument("--department", required=True)
    c.add_argument("--actor", required=True)
    c.add_argument("--note")
    c.set_defaults(func=_transfer)

    c = sub.add_parser("file", help="file a complaint on a resident's behalf (e.g. taken by phone; demos)")
    c.add_argument("--channel", default="staff")
    c.add_argument("--user", required=True, help="the resident's id on that channel")
    c.add_argument("--category", required=True)
    c.add_argument("--address", required=True)
    c.add_argument("--description", required=True)
    c.add_argument("--photo-url")
    c.add_argument("--seen-at")
    c.add_argument("--idempotency-key", required=True)
    c.set_defaults(func=_file)
