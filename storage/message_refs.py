"""``cases.delivery.MessageRefs``: where each surface put each case's messages, per slot."""

from __future__ import annotations

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import sessionmaker

from storage.db import upsert_insert
from storage.models import MessageRefRow
from storage.readers import read_only


class SqlMessageRefs:
    """Opaque per-surface references; each call is its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
        # Lookups that only read do not queue for SQLite's write lock behind intakes; see
        # storage.readers.read_only.
        self._reads = sessionmaker(bind=read_only(engine), expire_on_commit=False,
                                   autoflush=False)

    def message_ref(self, surface: str, case_id: int, slot: str) -> str | None:
        """The reference of the case's message in ``slot`` on ``surface``, if any."""
        with self._reads() as session:
            return session.scalar(
                select(MessageRefRow.ref)
                .where(MessageRefRow.case_id == case_id, MessageRefRow.surface == surface,
                       MessageRefRow.slot == slot))

    def remember_message_ref(self, surface: str, case_id: int, slot: str, ref: str) -> None:
        """Record (or move) the case's message in ``slot`` on ``surface``."""
        with self._sessions.begin() as session:
            ins = upsert_insert(session)
            stmt = ins(MessageRefRow).values(case_id=case_id, surface=surface, slot=slot,
                                             ref=ref)
            session.execute(stmt.on_conflict_do_update(
                index_elements=[MessageRefRow.case_id, MessageRefRow.surface,
                                MessageRefRow.slot],
                set_={"ref": stmt.excluded.ref}))

    def forget_message_ref(self, surface: str, case_id: int, slot: str) -> None:
        """The message is gone (deleted by someone): the slot is empty again."""
        with self._sessions.begin() as session:
            session.execute(delete(MessageRefRow).where(
                MessageRefRow.case_id == case_id, MessageRefRow.surface == surface,
                MessageRefRow.slot == slot))
