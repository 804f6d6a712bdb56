"""The typed district profile: every section checked at load, errors name the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sotong.district import DistrictProfile, ProfileError, load_profile
from sotong.office_hours import hours_on
from tests.e2e.stack import ROOT

SHIPPED = ROOT / "district" / "incheon-seogu"


def broken_copy(tmp_path: Path, edit) -> Path:
    """A copy of the shipped district folder whose profile.yml went through ``edit``."""
    folder = tmp_path / "district"
    shutil.copytree(SHIPPED, folder)
    raw = yaml.safe_load((folder / "profile.yml").read_text(encoding="utf-8"))
    edit(raw)
    (folder / "profile.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return folder


def test_shipped_profile_is_typed():
    p = load_profile(SHIPPED)
    assert isinstance(p, DistrictProfile)
    assert p.district == "서구" and p.is_sample and p.main_phone
    assert p.department("cleaning").name == "자원순환과"
    assert p.department("nope").phone == p.main_phone  # unknown code: the main line
    assert p.passport.fees[0].fee.endswith("원") and p.passport.documents
    assert p.bulky_waste.appliance_categories == ("가전류",)
    assert p.links["jobs"].url.startswith("https://")
    assert p.section("privacy")["retention_days"] == 365  # untyped sections stay readable
    with pytest.raises(TypeError):
        p.passport.place = "elsewhere"  # frozen: nobody edits the district at run time


@pytest.mark.parametrize(
    "edit, key",
    [
        (lambda r: r["passport"]["fees"][0].pop("fee"), "passport.fees.0.fee"),
        (lambda r: r.update(pasport=r.pop("passport")), "pasport"),
        (lambda r: r["office_hours"].update(weekdays="9시-6시"), "office_hours.weekdays"),
        (lambda r: r["office_hours"]["extended"][0].update(day="thursday"), "office_hours.extended.0.day"),
        (lambda r: r["departments"][1].pop("phone"), "departments.1.phone"),
        (lambda r: r["bulky_waste"].update(max_suggestions="many"), "bulky_waste.max_suggestions"),
        (lambda r: r.pop("name"), "name"),
    ],
)
def test_broken_profile_names_file_and_key(tmp_path, edit, key):
    folder = broken_copy(tmp_path, edit)
    with pytest.raises(ProfileError) as err:
        load_profile(folder)
    message = str(err.value)
    assert str(folder / "profile.yml") in message
    assert f"{key}:" in message


def test_unreadable_profile_is_a_clear_error(tmp_path):
    with pytest.raises(ProfileError, match="profile.yml"):
        load_profile(tmp_path)  # no profile.yml at all
    (tmp_path / "profile.yml").write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(tmp_path)


def test_office_hours_per_day_and_service():
    hours = load_profile(SHIPPED).office_hours.hours()
    assert hours_on(hours, "thu", "passport").text() == "09:00~20:00"  # the passport desk's late Thursday
    assert hours_on(hours, "thu").text() == "09:00~18:00"
    assert not hours_on(hours, "sat", "passport").open
    assert not hours_on(hours, "holiday").open and not hours_on(hours, "weekend").open
    assert hours_on(hours, "weekday").text() == "09:00~18:00"
