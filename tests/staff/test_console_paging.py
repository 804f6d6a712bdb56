"""The complaint queue in pages of 100 over real HTTP (SQLite and PostgreSQL): more than 200
complaints are all reachable, page links keep the filters, pages never overlap, and a
hostile page number is a 400 or the nearest page, never a 500."""

from __future__ import annotations

import html
import re

from sotong.staff import work
from tests.staff.conftest import file, make_account

DUMPED = 205


def receipts(page_html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/console/complaints/([^"]+)">', page_html)


def links(page_html: str) -> list[str]:
    nav = re.search(r'<nav class="pager".*?</nav>', page_html, re.S)
    assert nav, "no page links"
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', nav.group(0))]


def test_more_than_200_complaints_in_pages_that_keep_the_filters(core_db, new_client):
    make_account(core_db, "admin", role="admin", department=None)
    dumped = {file(core_db, "illegal_dumping") for _ in range(DUMPED)}
    for _ in range(3):
        file(core_db, "noise")
    admin = new_client().signed_in("admin")

    first = admin.get("/console/complaints?category=illegal_dumping&status=received")
    assert first.status_code == 200
    assert len(receipts(first.text)) == work.PAGE_SIZE and "모두 205건 중 1–100번째" in first.text
    hrefs = links(first.text)
    assert all("category=illegal_dumping" in h and "status=received" in h for h in hrefs), hrefs
    assert "?status=received&category=illegal_dumping&page=3" in hrefs and 'rel="next"' in first.text

    seen: list[str] = []
    for number in (1, 2, 3):
        page = admin.get(f"/console/complaints?category=illegal_dumping&status=received&page={number}")
        seen += receipts(page.text)
    assert len(seen) == DUMPED and set(seen) == dumped  # every one, none twice
    assert 'aria-current="page"' in page.text and "(3/3쪽)" in page.text and 'rel="prev"' in page.text

    everything = admin.get("/console/complaints?page=3")  # no filter: 208 in all
    assert len(receipts(everything.text)) == 8 and all("category" not in h for h in links(everything.text))
    overdue = admin.get("/console/complaints?overdue=1&category=noise")  # filed in September: all overdue
    assert len(receipts(overdue.text)) == 3 and '<nav class="pager"' not in overdue.text  # one page, no links
    overdue = admin.get("/console/complaints?overdue=1&page=2")
    assert len(receipts(overdue.text)) == 100 and all("overdue=1" in h for h in links(overdue.text))


def test_hostile_page_numbers(core_db, new_client):
    make_account(core_db, "kim", officer="cleaning-kim")
    for _ in range(3):
        file(core_db, "illegal_dumping")
    kim = new_client().signed_in("kim")
    assert len(receipts(kim.get("/console/complaints?page=999999").text)) == 3  # past the end: the last page
    assert len(receipts(kim.get("/console/complaints?page=0").text)) == 3
    for hostile in ("abc", "-1", "1e3", "9" * 40, "%00", "1;DROP TABLE complaint"):
        assert kim.get(f"/console/complaints?page={hostile}").status_code == 400
    assert kim.get("/console/complaints?page=1&category=" + "x" * 5000).status_code in (400, 414, 431)
