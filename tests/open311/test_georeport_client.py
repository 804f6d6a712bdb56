"""A real Open311 client, the ``georeport`` package (PyPI, Apache-2.0), reads our XML from
the real server — the format the spec requires and the one clients fall back to.

georeport has no POST; requests are filed over HTTP as any client would.
"""

from __future__ import annotations

import pytest

from tests.open311.conftest import V2

georeport = pytest.importorskip("georeport", reason="georeport is not installed (pip install georeport==0.3.1)")


def test_georeport_reads_services_definitions_and_requests_as_xml(client):
    reader = georeport.GeoReport(client.base + V2, output_format="xml")
    services = reader.get_service_list()
    assert [s["service_code"] for s in services][:2] == ["illegal_dumping", "illegal_parking"]
    assert services[1]["service_name"] == "불법주정차" and services[1]["type"] == "realtime"

    definition = reader.get_service_definition("illegal_parking")
    assert definition["service_code"] == "illegal_parking"
    assert [a["code"] for a in definition["attributes"]["attribute"]] == ["plate_number", "when"]

    first = client.file(description="첫째 <b>&</b>")
    second = client.file(service_code="noise", description="둘째 010-1234-5678")
    listed = reader.get_service_requests(status="open")
    assert [r["service_request_id"] for r in listed] == [second, first]
    assert listed[0]["description"] == "둘째 010-****-5678"
    assert listed[1]["description"] == "첫째 <b>&</b>"

    one = reader.get_service_request(first)
    assert one["service_request_id"] == first and one["status"] == "open"
    assert one["expected_datetime"].endswith("+09:00")

    json_reader = georeport.GeoReport(client.base + V2, output_format="json")
    assert json_reader.get_service_request(first)["service_request_id"] == first
