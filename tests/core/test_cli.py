"""The `sotong` CLI in-process (its real main()), against the test database."""

from __future__ import annotations

import json

import pytest

from sotong.cli import build_parser, main
from sotong.complaints import service
from sotong.db import session_scope
from tests.core.helpers import file

STAGES = ["received", "assigned", "officer_assigned", "on_site_check", "under_review", "completed"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_every_stage_from_the_cli_produces_every_notification(core_db, resident, capsys):
    code, out, _ = run(
        capsys,
        "complaints",
        "file",
        "--channel",
        "kakao",
        "--user",
        resident.user_id,
        "--category",
        "illegal_dumping",
        "--address",
        "인천 서구 청라동 1-1",
        "--description",
        "무단투기",
        "--idempotency-key",
        "cli-1",
    )
    assert code == 0
    receipt = out.split(":")[0]
    steps = [
        ("complaints", "assign", receipt, "--department", "cleaning", "--actor", "kim"),
        ("complaints", "assign", receipt, "--officer", "cleaning-kim", "--actor", "kim"),
        ("complaints", "advance", receipt, "on_site_check", "--actor", "kim", "--note", "현장 출동"),
        ("complaints", "advance", receipt, "under_review", "--actor", "kim"),
        ("complaints", "advance", receipt, "completed", "--actor", "kim", "--note", "수거 완료"),
    ]
    for argv in steps:
        code, out, err = run(capsys, *argv)
        assert code == 0, err
    code, out, _ = run(capsys, "complaints", "show", receipt, "--json")
    shown = json.loads(out)
    assert shown["status"] == "completed"
    assert [e["status"] for e in shown["timeline"]] == STAGES
    assert shown["timeline"][-1]["actor"] == "staff:kim" and shown["timeline"][-1]["note"] == "수거 완료"

    code, out, _ = run(capsys, "notifications", "list")
    assert [line.split()[2] for line in out.splitlines() if receipt in line] == STAGES
    code, out, _ = run(capsys, "notifications", "deliver")
    assert code == 0 and "logged 6" in out
    with session_scope(core_db) as s:
        assert [m.stage for m in service.pending_in_chat(s, resident)] == STAGES


def test_list_filters(core_db, resident, now, capsys):
    receipt = file(core_db, resident, now)  # due 2026-10-01, long past by the real clock
    code, out, _ = run(capsys, "complaints", "list", "--overdue")
    assert receipt in out and "OVERDUE" in out
    code, out, _ = run(capsys, "complaints", "list", "--status", "completed")
    assert receipt not in out and "(0 complaints)" in out
    code, out, _ = run(capsys, "complaints", "list", "--status", "received", "--json")
    assert json.loads(out)[0]["receipt_no"] == receipt


@pytest.mark.parametrize(
    "argv,message",
    [
        (("complaints", "show", "ZZZZ-ZZZZ"), "no such complaint"),
        (("complaints", "advance", "ZZZZ-ZZZZ", "completed", "--actor", "kim"), "no such complaint"),
        (("complaints", "advance", "{r}", "completed", "--actor", "kim"), "cannot move a complaint from received"),
        (("complaints", "advance", "{r}", "cancelled", "--actor", "kim"), "only the resident"),
        (("complaints", "assign", "{r}", "--department", "nowhere", "--actor", "kim"), "unknown department"),
        (("complaints", "assign", "{r}", "--officer", "nobody", "--actor", "kim"), "unknown officer"),
        (("complaints", "transfer", "{r}", "--department", "roads", "--actor", "kim"), "cannot move"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_1(core_db, resident, now, capsys, argv, message):
    receipt = file(core_db, resident, now)
    code, out, err = run(capsys, *[a.replace("{r}", receipt) for a in argv])
    assert code == 1
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_reject_uses_the_districts_appeal_wording(core_db, resident, now, capsys):
    receipt = file(core_db, resident, now)
    code, _, _ = run(capsys, "complaints", "reject", receipt, "--reason", "사유 없음", "--actor", "kim")
    assert code == 0
    with session_scope(core_db) as s:
        view = service.get_complaint(s, receipt)
    assert view.status == "rejected" and "국민신문고" in view.appeal_info


def test_transfer_from_the_cli(core_db, resident, now, capsys):
    receipt = file(core_db, resident, now)
    assert run(capsys, "complaints", "advance", receipt, "assigned", "--actor", "kim")[0] == 0
    code, out, _ = run(capsys, "complaints", "transfer", receipt, "--department", "roads", "--actor", "lee")
    assert code == 0 and "transferred" in out


def test_db_seed_is_repeatable(core_db, capsys):
    assert run(capsys, "db", "seed")[0] == 0
    code, out, _ = run(capsys, "db", "seed")
    assert code == 0 and "11 categories" in out  # every category in district/incheon-seogu/complaints.yml


def test_database_without_schema_is_a_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, _, err = run(capsys, "complaints", "list")
    assert code == 1 and "db upgrade" in err


def test_db_upgrade_on_a_new_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert run(capsys, "db", "upgrade")[0] == 0
    assert run(capsys, "db", "upgrade")[0] == 0  # idempotent
    assert run(capsys, "db", "seed")[0] == 0


def test_setup_refuses_to_start_on_a_broken_department_directory(tmp_path, monkeypatch, capsys):
    """A directory that does not load would leave urgent words (119/112, the crisis lines)
    unanswered while every server runs: setup stops before anything starts."""
    import shutil

    from sotong.settings import load_settings

    district, sample = tmp_path / "district", load_settings().district_dir
    shutil.copytree(sample, district)
    monkeypatch.setenv("SOTONG_DISTRICT_DIR", str(district))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'setup.db'}")
    (district / "departments.yml").write_text("departments: [{name: 소방, keywords: 불났", encoding="utf-8")
    code, out, err = run(capsys, "setup")
    assert code == 1 and "not starting" in err and "departments.yml" in err
    assert "schema" not in out  # nothing else ran

    shutil.copy(sample / "departments.yml", district / "departments.yml")
    code, out, _ = run(capsys, "setup")
    assert code == 0 and "urgent departments" in out and "(0 urgent" not in out

    # an urgent department whose topic the catalogue lost would never say 119/112
    faq = next(p for p in (district / "faq").glob("*.yml") if "id: emergency_calls" in p.read_text(encoding="utf-8"))
    faq.write_text(
        faq.read_text(encoding="utf-8").replace("id: emergency_calls", "id: emergency_lines"), encoding="utf-8"
    )
    code, _, err = run(capsys, "setup")
    assert code == 1 and "topics the catalogue lacks" in err and "emergency_calls" in err


def test_subcommands_are_registered_per_area():
    commands = build_parser()._subparsers._group_actions[0].choices
    assert {"db", "complaints", "notifications"} <= set(commands)


@pytest.mark.parametrize("actor", ["resident:kakao:someone", "resident:rest:x"])
def test_staff_cannot_act_as_a_resident_from_the_cli(core_db, resident, now, capsys, actor):
    receipt = file(core_db, resident, now)
    code, out, err = run(capsys, "complaints", "advance", receipt, "assigned", "--actor", actor)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and "resident" in err
    with session_scope(core_db) as s:
        assert service.get_complaint(s, receipt).status == "received"
