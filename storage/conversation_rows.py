"""The table of conversation references: where a surface can post without being asked first.

A surface (Teams) learns a conversation when someone talks to it or installs it; it keeps
the reference here so proactive posts (cards, alerts, direct messages) work after a restart
and from any replica. The reference is opaque JSON that only the surface reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ConversationRefRow(Base):
    """One conversation a surface may post to, by a key of that surface's choosing."""

    __tablename__ = "conversation_refs"

    surface: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    reference: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
