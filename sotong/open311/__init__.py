"""Open311 GeoReport v2 for the district: the civic core side, with no web framework.

What other civic tools read and file through the open standard
(https://wiki.open311.org/GeoReport_v2, frozen spec):

- ``catalog``: services from the complaint categories (complaints.yml), attributes from
  each category's form questions;
- ``records``: complaints as public service requests (status open/closed, status_notes,
  agency_responsible, expected_datetime = the legal due date), filtered as the spec allows;
- ``filing``: ``POST requests`` through ``sotong.complaints.service`` as the client's own
  resident, so rate limits, deadlines and the lifecycle are the same as for a chat report;
- ``keys``: one API key per client, stored as a SHA-256 hash, revocable;
- ``render``: the XML the spec requires and its JSON mapping; ``public``: what may leave.

The web adapter is web/open311.py; the key commands are ``sotong open311 key ...``.
"""
