"""What the Teams surface needs from the composition root: a conversation store, a directory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class ConversationStore(Protocol):
    """Conversation references kept in the database (``storage.conversations``)."""

    def save(self, key: str, reference: dict[str, Any]) -> None: ...

    def load(self, key: str) -> dict[str, Any] | None: ...

    def all(self, prefix: str = "") -> list[tuple[str, dict[str, Any]]]: ...


class Directory(Protocol):
    """The people a dialog may offer (owner, investigator, delegate, subject)."""

    def choices(self) -> Sequence[tuple[str, str]]:
        """(person id, display name) of everyone who can be chosen, by name."""
        ...
