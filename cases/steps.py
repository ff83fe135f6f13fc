"""What one step of the procedure is checked and applied with: the attempt and its rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from cases.model import Case, DeadlineKind
from cases.policy import Policy
from cases.ports import WorkingCalendar
from cases.roles import Role

if TYPE_CHECKING:
    from cases.lifecycle import Action, Transition


@dataclass(frozen=True)
class Rules:
    """The policy in force and the working-day calendar it is counted in."""

    policy: Policy
    calendar: WorkingCalendar


@dataclass(frozen=True)
class Given:
    """What the step's form or command named, for its guards and deadline effects."""

    person: str | None = None           # the investigator or delegate being named
    day: date | None = None             # a reply date promised (or a new one)
    received_at: datetime | None = None  # when a review request reached us
    reason: str | None = None           # why a review is accepted outside the window
    person_roles: frozenset[Role] = frozenset()  # the organisation roles of ``person``


@dataclass(frozen=True)
class Attempt:
    """One person trying one table row on one case, now."""

    case: Case
    action: Action
    row: Transition
    actor: str
    roles: frozenset[Role]
    at: datetime
    rules: Rules
    given: Given = field(default_factory=Given)


@dataclass(frozen=True)
class DeadlineEffects:
    """Which deadlines a step opens, meets, retires and postpones, in that order of kinds.

    Meets come first, then retires (so a met deadline stays met), then opens. An opened
    deadline counts from the event its policy rule names (``Rule.starts``).
    """

    meets: tuple[DeadlineKind, ...] = ()
    retires: tuple[DeadlineKind, ...] = ()
    opens: tuple[DeadlineKind, ...] = ()
    postpones: tuple[DeadlineKind, ...] = ()


EVERY_DEADLINE: tuple[DeadlineKind, ...] = tuple(DeadlineKind)
NO_EFFECTS = DeadlineEffects()
