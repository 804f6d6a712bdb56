"""When a handoff can be answered live: the district's office hours (weekdays, not public
holidays), read through sotong.office_hours; outside them the request is a callback ticket."""

from __future__ import annotations

import os
from datetime import datetime

from sotong.office_hours import KST, now_in_seoul

# Development and tests only (ignored when SOTONG_MODE=production): a fixed "now" for the
# action server, so an end-to-end test of a live handoff does not depend on the day it runs.
FIXED_NOW_ENV = "SOTONG_HANDOFF_NOW"


def handoff_now() -> datetime:
    from sotong.settings import production_mode

    fixed = os.environ.get(FIXED_NOW_ENV, "").strip()
    if fixed and not production_mode():
        moment = datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=KST)
    return now_in_seoul()
