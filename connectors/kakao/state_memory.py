"""The one-process state (`make run`): the in-memory Mailbox, and no ledger to share.

Retries are joined by the process's own JobRegistry (jobs.py), so the ledger
methods have nothing to do: every claim succeeds, nobody else delivers.
"""

from __future__ import annotations

from connectors.kakao.mailbox import Mailbox
from connectors.kakao.state_store import LedgerEntry, Messages, Response


class MemoryState:
    shared = False

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def hold(self, sender_id: str, messages: Messages) -> None:
        self.mailbox.hold(sender_id, messages)

    async def restore(self, sender_id: str, messages: Messages) -> None:
        self.mailbox.restore(sender_id, messages)

    async def take_held(self, sender_id: str) -> Messages:
        return self.mailbox.take_held(sender_id)

    async def has_held(self, sender_id: str) -> bool:
        return self.mailbox.has_held(sender_id)

    async def keep_pages(self, sender_id: str, token: str, pages: list[Response]) -> None:
        self.mailbox.keep_pages(sender_id, token, pages)

    async def page(self, sender_id: str, more: str) -> Response | None:
        return self.mailbox.page(sender_id, more)

    async def claim(self, key: str) -> LedgerEntry | None:
        return None

    async def release(self, key: str) -> None:
        return None

    async def mark_deferred(self, key: str, callback_url: str | None, received_at: float) -> bool:
        return True

    async def start_delivery(self, key: str) -> tuple[str | None, float | None]:
        return None, None

    async def finish(self, key: str, deferred: bool, response: Response | None, messages: Messages) -> None:
        return None

    async def set_response(self, key: str, response: Response | None) -> None:
        return None

    async def entry(self, key: str) -> LedgerEntry | None:
        return None

    async def close(self) -> None:
        return None
