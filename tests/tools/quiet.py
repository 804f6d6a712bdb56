"""Silence rasa.shared's data-loading warnings while a checker runs, and only then."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def rasa_loading_quiet() -> Iterator[None]:
    # A module-level logging.disable() would mute every test that runs after the import.
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


def quietly(check: Callable[[list[str] | None], int]) -> Callable[[list[str] | None], int]:
    def main(argv: list[str] | None = None) -> int:
        with rasa_loading_quiet():
            return check(argv)

    return main
