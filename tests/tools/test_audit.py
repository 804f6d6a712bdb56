"""The offline dependency audit (scripts/audit.py) matches OSV ranges the way OSV means them."""

from __future__ import annotations

import yaml

from scripts.audit import audit, main


def _advisory(db, package, name, events, versions=()):
    folder = db / "vulns" / package
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "id": name,
        "aliases": ["CVE-2099-0001"],
        "summary": "test advisory",
        "affected": [
            {
                "package": {"name": package},
                "versions": list(versions),
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
    }
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(record), encoding="utf-8")


def test_ranges_versions_and_fixed(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# header\nalpha==1.4.0\nbeta==2.0.0\ngamma==0.9\nDelta_Pkg==3.1\n", encoding="utf-8")
    _advisory(tmp_path, "alpha", "A-1", [{"introduced": "0"}, {"fixed": "1.5.0"}])  # affected
    _advisory(tmp_path, "alpha", "A-2", [{"introduced": "0"}, {"fixed": "1.3.0"}])  # fixed before
    _advisory(tmp_path, "beta", "B-1", [{"introduced": "2.1"}])  # introduced after
    _advisory(tmp_path, "gamma", "G-1", [{"introduced": "0"}, {"last_affected": "0.9"}])  # last affected
    _advisory(tmp_path, "delta-pkg", "D-1", [], versions=["3.1"])  # listed version
    found = {f.advisory.split(",")[0] for f in audit(tmp_path, lock)}
    assert found == {"A-1", "G-1", "D-1"}


def test_missing_database_is_not_a_silent_pass(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "nowhere")]) == 2
    assert "no advisory database" in capsys.readouterr().err
