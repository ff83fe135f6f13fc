"""Attaching correspondence (a message, an email forwarded into chat, files) to a case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cases.access import may_see_personal_data
from cases.errors import IntakeInvalid, NotAllowed
from cases.lifecycle import record
from cases.model import Case
from cases.usecases.common import DeskBase, text_field

MAX_ATTACHED_TEXT = 3000
MAX_FILES = 20


@dataclass(frozen=True)
class AttachedFile:
    """A file stays where it is (e.g. in Slack); the case keeps its name and link."""

    name: str
    link: str


class Attachments(DeskBase):
    def attach_correspondence(self, case_id: int, *, actor: str, text: str | None,
                              files: Sequence[AttachedFile], source: str) -> Case:
        """Keep the text and the files' names and links on the case, for need-to-know."""
        body = text_field(text, "attached_text", required=False, limit=MAX_ATTACHED_TEXT)
        if not body and not files:
            raise IntakeInvalid({"attached_text": "there is no text or file to attach"})
        now = self._now()
        with self.uow() as uow:
            case, roles = uow.cases.get_with_roles(case_id, actor)
            if not may_see_personal_data(actor, case, roles):
                raise NotAllowed(f"Correspondence on {case.reference} is only for the people "
                                 "who need to know.")
            record(case, "attached", actor=actor, at=now, details={
                "text": body, "source": source[:300],
                "files": [{"name": f.name[:300], "link": f.link[:1000]}
                          for f in files[:MAX_FILES]]})
            uow.cases.append_history(case)
            uow.commit()
            return case
