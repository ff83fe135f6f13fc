"""Conversation references per surface (``conversation_refs``): save, load, list."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from cases.clock import Clock
from storage.conversation_rows import ConversationRefRow
from storage.db import upsert_insert
from storage.readers import read_only

MAX_KEY = 255


class SqlConversationRefs:
    """One surface's conversation references; each call is its own short transaction."""

    def __init__(self, engine: Engine, surface: str, clock: Clock) -> None:
        self.surface = surface
        self.clock = clock
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
        self._reads = sessionmaker(bind=read_only(engine), expire_on_commit=False,
                                   autoflush=False)

    def save(self, key: str, reference: dict[str, Any]) -> None:
        """Record (or replace) the reference kept under ``key``."""
        if not key or len(key) > MAX_KEY:
            raise ValueError(f"a conversation key has 1 to {MAX_KEY} characters")
        now: datetime = self.clock.now()
        with self._sessions.begin() as session:
            ins = upsert_insert(session)
            stmt = ins(ConversationRefRow).values(
                surface=self.surface, key=key, reference=json.dumps(reference, sort_keys=True),
                updated_at=now)
            session.execute(stmt.on_conflict_do_update(
                index_elements=[ConversationRefRow.surface, ConversationRefRow.key],
                set_={"reference": stmt.excluded.reference,
                      "updated_at": stmt.excluded.updated_at}))

    def load(self, key: str) -> dict[str, Any] | None:
        """The reference kept under ``key``, if any."""
        with self._reads() as session:
            found = session.scalar(select(ConversationRefRow.reference).where(
                ConversationRefRow.surface == self.surface, ConversationRefRow.key == key))
        return None if found is None else dict(json.loads(found))

    def all(self, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        """Every (key, reference) whose key starts with ``prefix``, by key."""
        with self._reads() as session:
            rows = session.execute(
                select(ConversationRefRow.key, ConversationRefRow.reference)
                .where(ConversationRefRow.surface == self.surface,
                       ConversationRefRow.key.startswith(prefix, autoescape=True))
                .order_by(ConversationRefRow.key)).all()
        return [(str(k), dict(json.loads(r))) for k, r in rows]
