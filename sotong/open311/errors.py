"""The one error of the Open311 side: an HTTP status and a description for the client.

The spec's error body is a list of ``{code, description}``; ``code`` here is the HTTP
status (400 bad input, 403 bad api_key, 404 unknown service or request, 429 the
client's filing limit, 503 database unavailable).
"""

from __future__ import annotations


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description
