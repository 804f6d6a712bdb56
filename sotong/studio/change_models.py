"""Tables of the studio's teaching side. Times are naive UTC, as everywhere in the core.

``studio_change`` is one edit staff made to the project's files through the studio: who,
when, what (``kind`` and a structured ``payload`` that is enough to undo it), the files it
touched with their versions before and after, and whether it needs a new model to take
effect (``needs_training``: examples do, a FAQ answer does not — the bot reads those at run
time). A revert is a change of its own (``reverts_id``); the reverted one then points at it
(``reverted_by_id``). ``published_at``/``release_ref`` are filled by the publish side
(sotong.studio.changes.mark_published) when a model trained on it goes live.

``studio_review`` says an inbox message has been dealt with: taught (with the change) or
dismissed. It names Rasa's ``events`` row by id; the row may be purged later, the review
row then simply matches nothing.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String

from sotong.db import Base

TAUGHT, DISMISSED = "taught", "dismissed"


class StudioChange(Base):
    __tablename__ = "studio_change"

    id = Column(Integer, primary_key=True)
    kind = Column(String(30), nullable=False, index=True)
    summary = Column(String(300), nullable=False)  # one line for the change list, personal data masked
    payload = Column(JSON, nullable=False)  # what the edit did, enough to undo it
    files = Column(JSON, nullable=False)  # [{"path": "data/nlu/passport.yml", "before": <version>, "after": <version>}]
    needs_training = Column(Boolean, nullable=False)
    created_by = Column(String(40), nullable=False)  # staff username
    created_at = Column(DateTime, nullable=False, index=True)
    reverts_id = Column(Integer, ForeignKey("studio_change.id"), nullable=True)
    reverted_by_id = Column(Integer, ForeignKey("studio_change.id"), nullable=True)
    published_at = Column(DateTime, nullable=True, index=True)
    release_ref = Column(String(60), nullable=True)


class StudioReview(Base):
    __tablename__ = "studio_review"
    __table_args__ = (CheckConstraint("decision IN ('taught', 'dismissed')", name="decision_known"),)

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, nullable=False, unique=True)  # Rasa's events.id
    decision = Column(String(12), nullable=False)
    change_id = Column(Integer, ForeignKey("studio_change.id"), nullable=True)
    reviewed_by = Column(String(40), nullable=False)
    reviewed_at = Column(DateTime, nullable=False)
