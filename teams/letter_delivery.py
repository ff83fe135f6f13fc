"""The Teams side of letters, delivered from the outbox after the step's commit: a posted
letter's PDFs to its sender's personal chat, and a letter the mail server refused told to
the owner there with a Resend button. As ``handlers/letter_delivery.py`` does on Slack,
from the same words."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from microsoft_agents.activity import Activity, Attachment

from cases.communications import refused_words, to_post_words, view_from_payload
from cases.delivery import PermanentFailure
from cases.letters import LETTER_LABELS, LetterWriter
from cases.model import Case
from cases.policy import Policy
from cases.services import ComplaintsDesk
from cases.wording import Template, template_of
from teams.cards import card, escape, text
from teams.connector import card_activity
from teams.letter_actions import resend_button

LETTER_TEMPLATES = frozenset({Template.LETTER_TO_POST, Template.LETTER_REFUSED})
PDF = "application/pdf"


def pdf_attachment(name: str, data: bytes) -> Attachment:
    """One file as a Bot Connector attachment (its bytes inline, as a data URL)."""
    encoded = base64.b64encode(data).decode("ascii")
    return Attachment(content_type=PDF, name=name, content_url=f"data:{PDF};base64,{encoded}")


class TeamsLetterMessages:
    """The activity for a direct message about a letter (None: not about a letter)."""

    def __init__(self, desk: ComplaintsDesk, policy: Policy,
                 letters: LetterWriter | None) -> None:
        self.desk, self.policy, self.letters = desk, policy, letters

    def activity(self, case: Case, payload: Mapping[str, Any]) -> Activity | None:
        template = template_of(payload)
        if template not in LETTER_TEMPLATES:
            return None
        entry = self.desk.letter_entry(str(payload["letter"]))
        title = LETTER_LABELS[entry.kind]
        if template is Template.LETTER_REFUSED:
            words = refused_words(case.reference, title, str(payload.get("error") or ""))
            return card_activity(card([text(f"⚠ {escape(words)}", wrap=True)], [
                resend_button(case.id, entry.key, in_dialog=False)]), words)
        if self.letters is None:
            raise PermanentFailure("this bot has no letters surface to render the PDF with")
        view = view_from_payload(entry.view, self.policy.company)
        files = self.letters.attachments(view, entry.text)
        return Activity(type="message", text_format="markdown",
                        text=escape(to_post_words(view.reference, title,
                                                  encloses_procedure=view.encloses_procedure)),
                        attachments=[pdf_attachment(name, data) for name, data in files])
