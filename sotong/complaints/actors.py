"""Who acts on a complaint: a resident, a member of staff, or the system itself.

Parsed once where a caller enters the core (the chat's ResidentKey, the CLI's
``--actor``, the staff API's ``X-Staff-Name``); inside the core an ``Actor`` is a value,
never a string checked by prefix. The history stores ``str(actor)``:
``resident:kakao:abc``, ``staff:kim`` or ``system``. Rows written before staff had one
prefix say ``officer:kim``; they read back as staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sotong.complaints.errors import InvalidComplaintInput
from sotong.complaints.limits import MAX_ACTOR

if TYPE_CHECKING:  # only for the type: residents.py imports this module
    from sotong.complaints.residents import ResidentKey

RESIDENT = "resident"
STAFF = "staff"
SYSTEM = "system"
_LEGACY_STAFF = "officer"  # the CLI's prefix before staff had one


@dataclass(frozen=True)
class Actor:
    kind: str  # resident | staff | system
    name: str  # 'kakao:abc' for a resident, 'kim' for staff, '' for the system

    def __post_init__(self):
        if self.kind not in (RESIDENT, STAFF, SYSTEM):
            raise InvalidComplaintInput("actor", f"unknown kind of actor {self.kind!r}")
        if self.kind != SYSTEM and not self.name.strip():
            raise InvalidComplaintInput("actor", "every change must say who made it")
        if len(str(self)) > MAX_ACTOR:
            raise InvalidComplaintInput("actor", f"at most {MAX_ACTOR} characters", limit=MAX_ACTOR)

    # --- building --------------------------------------------------------------
    @classmethod
    def resident(cls, key: "ResidentKey") -> "Actor":
        return cls(RESIDENT, f"{key.channel}:{key.user_id}")

    @classmethod
    def staff(cls, name: str) -> "Actor":
        return cls(STAFF, (name or "").strip())

    @classmethod
    def system(cls) -> "Actor":
        return cls(SYSTEM, "")

    @classmethod
    def parse(cls, text: str | "Actor") -> "Actor":
        """'resident:kakao:abc', 'staff:kim' (or the old 'officer:kim'), 'system'."""
        if isinstance(text, Actor):
            return text
        raw = (text or "").strip()
        if raw == SYSTEM:
            return cls.system()
        kind, sep, name = raw.partition(":")
        if not sep:
            raise InvalidComplaintInput("actor", "expected resident:<channel>:<id>, staff:<name> or system")
        if kind == _LEGACY_STAFF:
            kind = STAFF
        if kind == RESIDENT and ":" not in name:
            raise InvalidComplaintInput("actor", "a resident is resident:<channel>:<id>")
        return cls(kind, name.strip())

    @classmethod
    def parse_staff(cls, text: str) -> "Actor":
        """What a staff tool may act as: a plain name ('kim'), 'staff:kim' or 'system' —
        never a resident (only the resident withdraws or corrects their complaint)."""
        raw = (text or "").strip()
        actor = cls.parse(raw) if (":" in raw or raw == SYSTEM) else cls.staff(raw)
        if actor.is_resident:
            raise InvalidComplaintInput("actor", "staff cannot act as a resident")
        return actor

    # --- reading ---------------------------------------------------------------
    @property
    def is_resident(self) -> bool:
        return self.kind == RESIDENT

    @property
    def is_staff(self) -> bool:
        return self.kind == STAFF

    @property
    def is_system(self) -> bool:
        return self.kind == SYSTEM

    def __str__(self) -> str:
        return SYSTEM if self.kind == SYSTEM else f"{self.kind}:{self.name}"
