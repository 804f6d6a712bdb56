"""Search over the services a resident can open (the chat's menu, report categories, FAQ topics).

Rasa-free: the web app calls ``search(text)``; the index is rebuilt only when the
catalogue's files change.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sotong.search.catalogue import Service, ServiceCatalogue, load_services
from sotong.search.index import MAX_QUERY, Hit, SearchIndex

__all__ = ["Hit", "MAX_QUERY", "SearchIndex", "Service", "ServiceCatalogue", "load_services", "search", "search_index"]

_indexes: dict[int, SearchIndex] = {}
_lock = threading.Lock()


def search_index(district_dir: Path | None = None) -> SearchIndex:
    """The index of the current catalogue (kept per catalogue object, so edits rebuild it)."""
    catalogue = load_services(district_dir)
    with _lock:
        index = _indexes.get(id(catalogue))
        if index is None or index.catalogue is not catalogue:
            _indexes.clear()  # one district per process: drop the stale index
            index = _indexes[id(catalogue)] = SearchIndex(catalogue)
        return index


def search(query: str, limit: int = 10, district_dir: Path | None = None) -> list[Hit]:
    return search_index(district_dir).search(query, limit)
