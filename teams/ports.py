"""What the Teams surface needs from the composition root: a conversation store, a directory,
a recorder of the team's members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RosterCount:
    """What recording a team's members changed among the desk's people."""

    added: int = 0
    renamed: int = 0


class TeamMembers(Protocol):
    """Records a team's members as people with a Teams account (``teams:<aadObjectId>``)."""

    def record(self, members: Sequence[tuple[str, str]]) -> RosterCount:
        """Create or rename the person of each (aadObjectId, display name); never merge
        with someone who lacks that account, whatever their name."""
        ...
