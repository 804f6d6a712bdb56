"""What every action needs: the district profile and the shared response variables."""
from __future__ import annotations

from typing import Any, Dict, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from sotong.district import DistrictProfile, load_profile


def profile() -> DistrictProfile:
    return load_profile()


def district_vars(p: Optional[DistrictProfile] = None, department: Optional[str] = None) -> Dict[str, Any]:
    """Variables every response may use: district name, main phone, a department's name/phone."""
    p = p or profile()
    dept = p.department(department)
    return {
        "district_name": p.name,
        "main_phone": p.main_phone,
        "department_name": dept.name,
        "department_phone": dept.phone,
    }


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def utter_sample_notice(dispatcher: CollectingDispatcher, is_sample: bool, p: Optional[DistrictProfile] = None) -> None:
    """Sample data must never pass for official facts: say so whenever an answer used it."""
    if is_sample:
        dispatcher.utter_message(response="utter_sample_data_notice", **district_vars(p))
