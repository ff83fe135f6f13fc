"""The Slack side of letters, delivered from the outbox after the step's commit.

A posted letter's PDF (rendered here, never while Slack waits for a modal's answer) goes
to its sender's direct messages to print; a letter the mail server refused is told to the
owner with a Resend button.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from cases.communications import (
    refused_words,
    to_post_words,
    view_from_payload,
)
from cases.delivery import PermanentFailure
from cases.letters import LETTER_LABELS, LetterWriter, intake_script
from cases.model import Case
from cases.policy import Policy
from cases.services import ComplaintsDesk
from cases.wording import Template, template_of
from handlers.blocks.letters import letter_refused_message

# The final letter's prompt is an ordinary direct message (``cases.messages``).
LETTER_TEMPLATES = frozenset({Template.LETTER_TO_POST, Template.LETTER_REFUSED})


class LetterMessages:
    """Direct messages about letters; ``client`` names people by person id."""

    def __init__(self, client: Any, raw_client: Any, desk: ComplaintsDesk, policy: Policy,
                 letters: LetterWriter | None, wait: Callable[[str], None]) -> None:
        self.client = client
        # The PDFs' bytes go to Slack's upload URLs as they are: no person ids in them.
        self.raw_client = raw_client
        self.desk = desk
        self.policy = policy
        self.letters = letters
        self.wait = wait

    def deliver(self, case: Case | None, payload: Mapping[str, Any], slack_user: str) -> bool:
        """Send the message if it is about a letter (True), else leave it (False)."""
        template = template_of(payload)
        if template not in LETTER_TEMPLATES:
            return False
        if case is None or case.id is None:
            raise PermanentFailure(f"letter message {payload.get('template')!r} has no case")
        person = str(payload["user"])
        if template is Template.LETTER_TO_POST:
            self._to_post(person, str(payload["letter"]))
            return True
        entry = self.desk.letter_entry(str(payload["letter"]))
        text, blocks = letter_refused_message(
            refused_words(case.reference, LETTER_LABELS[entry.kind],
                          str(payload.get("error") or "")), case.id, entry.key)
        self.wait(slack_user)
        self.client.chat_postMessage(channel=person, text=text,
                                     blocks=[b.to_dict() for b in blocks])
        return True

    def _to_post(self, person: str, key: str) -> None:
        """The letter and any enclosure as PDFs, shared in the sender's DM to print."""
        if self.letters is None:
            raise PermanentFailure("this bot has no letters surface to render the PDF with")
        entry = self.desk.letter_entry(key)
        view = view_from_payload(entry.view, self.policy.company)
        files = self.letters.attachments(view, entry.text)
        channel = self.client.conversations_open(users=person)["channel"]["id"]
        self.wait(channel)
        self.raw_client.files_upload_v2(
            channel=channel,
            file_uploads=[{"content": data, "filename": name, "title": name}
                          for name, data in files],
            initial_comment=to_post_words(view.reference, LETTER_LABELS[entry.kind],
                                          encloses_procedure=view.encloses_procedure))

    def intake_script(self, case: Case, today: date) -> str | None:
        """The company's call script for a case just logged (its ``intake_script``
        template, which a company may override), or None without the letters surface."""
        if self.letters is None:
            return None
        view = intake_script(case, self.policy.company, today,
                             timezone=self.policy.calendar.timezone,
                             reply_days=self.policy.stage_one_reply.days)
        return self.letters.text(view)
