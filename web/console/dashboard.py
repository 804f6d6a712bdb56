"""GET /console/dashboard: counts by status, category and department, the median time
from receipt to completion, the overdue list and the last 8 weeks (KST) as server-made
SVG charts, each beside a table with the same figures for screen readers.

The figures are the core's (sotong.staff.dashboard → sotong.complaints.stats), scoped
like the queue: an officer sees their department, an admin every one. No personal data
is shown (no address or report), so a view is not written to the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sotong.complaints import service
from sotong.db import session_scope
from sotong.staff import dashboard
from sotong.staff.sessions import ActiveSession
from web.console.charts import bar_chart, trend_chart
from web.console.pages import render, signed_in, staff_context

router = APIRouter(prefix="/console", include_in_schema=False)


def _duration(hours: float | None) -> dict[str, int] | None:
    """Whole days, hours and minutes for the template to word."""
    if hours is None:
        return None
    minutes = round(hours * 60)
    return {"days": minutes // 1440, "hours": minutes % 1440 // 60, "minutes": minutes % 60}


@router.get("/dashboard")
def dashboard_page(request: Request, active: ActiveSession = Depends(signed_in)) -> Response:
    with session_scope() as s:
        f = dashboard.figures(s, active.principal)
    names = service.status_labels()
    context = {
        **staff_context(active),
        "f": f,
        "median": _duration(f.median_hours),
        "status_chart": bar_chart([(names.get(c.code, c.code), c.count) for c in f.by_status]),
        "category_chart": bar_chart([(c.name, c.count) for c in f.by_category]),
        "department_chart": bar_chart([(c.name, c.count) for c in f.by_department]),
        "trend_chart": trend_chart([(w.start, w.filed, w.completed) for w in f.weeks]),
    }
    return render(request, "console/dashboard.html", context)
