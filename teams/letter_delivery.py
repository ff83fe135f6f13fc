"""The Teams side of letters, delivered from the outbox after the step's commit: a posted
letter's PDFs offered to its sender in personal chat (a file-consent card per PDF), and a
letter the mail server refused told to the owner there with a Resend button. As
``handlers/letter_delivery.py`` does on Slack, from the same words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microsoft_agents.activity import Activity

from cases.communications import refused_words, to_post_words, view_from_payload
from cases.delivery import PermanentFailure
from cases.letters import LETTER_LABELS, LetterWriter
from cases.model import Case
from cases.policy import Policy
from cases.services import ComplaintsDesk
from cases.wording import Template, template_of
from teams.cards import card, escape, text
from teams.connector import card_activity
from teams.file_consent import SAVE_HINT, consent_card, letter_files
from teams.letter_actions import resend_button

LETTER_TEMPLATES = frozenset({Template.LETTER_TO_POST, Template.LETTER_REFUSED})


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
        files = letter_files(self.desk, self.letters, self.policy.company, entry.key)
        # One consent card per PDF: Teams saves each in the sender's OneDrive on Allow
        # (teams/file_consent.py), as Microsoft documents a bot's files in personal chat.
        words = to_post_words(view.reference, title, encloses_procedure=view.encloses_procedure)
        return Activity(type="message", text_format="markdown",
                        text=f"{escape(words)} {SAVE_HINT}",
                        attachments=[consent_card(file) for file in files])
