"""One core call per event: the chat that files or cancels gets its own stage message
marked as shown by that same call, with nothing left for the adapter to do."""

from __future__ import annotations

from sotong.complaints import service
from sotong.db import session_scope


def _file(s, who, now, key="k1", shown=True):
    return service.file_complaint(
        s,
        who,
        category="illegal_dumping",
        address="서곶로 1 앞",
        description="쓰레기",
        idempotency_key=key,
        now=now,
        shown_in_chat=shown,
    )


def test_filing_from_chat_leaves_no_received_message_pending(core_db, resident, now):
    with session_scope(core_db) as s:
        filed = _file(s, resident, now)
    with session_scope(core_db) as s:
        assert service.pending_in_chat(s, resident) == []
        # still queued for 알림톡/the log: only the chat copy counts as shown
        outbox = service.list_notifications(s, receipt_no=filed.complaint.receipt_no)
        assert [(n.stage, n.status, n.delivered_in_chat_at is not None) for n in outbox] == [
            ("received", "queued", True)
        ]


def test_filing_elsewhere_leaves_the_received_message_for_the_chat(core_db, resident, now):
    with session_scope(core_db) as s:
        _file(s, resident, now, shown=False)
    with session_scope(core_db) as s:
        assert [m.stage for m in service.pending_in_chat(s, resident)] == ["received"]


def test_a_retried_filing_from_chat_marks_the_first_ones_message(core_db, resident, now):
    with session_scope(core_db) as s:
        first = _file(s, resident, now, shown=False)  # the first answer never reached the resident
    with session_scope(core_db) as s:
        again = _file(s, resident, now)
        assert not again.created and again.complaint.receipt_no == first.complaint.receipt_no
    with session_scope(core_db) as s:
        assert service.pending_in_chat(s, resident) == []


def test_cancelling_from_chat_leaves_no_cancelled_message_pending(core_db, resident, now):
    with session_scope(core_db) as s:
        receipt = _file(s, resident, now).complaint.receipt_no
    with session_scope(core_db) as s:
        service.cancel(s, receipt, resident, now=now, shown_in_chat=True)
    with session_scope(core_db) as s:
        assert service.pending_in_chat(s, resident) == []


def test_the_view_says_where_a_new_complaint_goes(core_db, resident, now):
    with session_scope(core_db) as s:
        view = _file(s, resident, now).complaint
        summary = service.category_summary(s, "illegal_dumping")
    assert view.department_name is None and view.routed_department_name == summary.department_name
    assert summary.name == view.category_name and summary.processing_days >= 1


def test_one_notifications_query_for_cli_and_api(core_db, resident, now):
    with session_scope(core_db) as s:
        receipts = [_file(s, resident, now, key=k).complaint.receipt_no for k in ("a", "b", "c")]
    with session_scope(core_db) as s:
        every = service.list_notifications(s)
        newest_two = service.list_notifications(s, limit=2)
    assert [n.receipt_no for n in every][-3:] == receipts
    assert [n.id for n in newest_two] == [n.id for n in every][-2:]  # the newest, oldest first
