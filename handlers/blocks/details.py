"""View details: the complainant's personal data, for someone the need-to-know rule allows.

Built as plain Block Kit JSON (``handlers.blocks.plain``), not ``slack_sdk.models``
objects: every View details click opens this modal, and writing those objects out cost
more than everything else in building it (see that module).
"""

from __future__ import annotations

from cases.intake import LABELS
from cases.services import PersonalDetails
from cases.views import DisplayCalendar, format_when
from handlers.blocks._common import clip, escape
from handlers.blocks.inputs import CHECKLIST_LABELS
from handlers.blocks.plain import JSONBlock, JSONView, context, modal, section, sections
from handlers.ids import CallbackId


def details_modal(details: PersonalDetails, calendar: DisplayCalendar) -> JSONView:
    """The complainant's personal data, for someone the need-to-know rule allows."""
    i = details.intake

    def row(label: str, value: str | None) -> str:
        return f"*{label}:* {escape(value) if value else '_not given_'}"

    relationship = LABELS[i.relationship.value]
    if i.relationship_other:
        relationship += f" ({i.relationship_other})"
    checklist = ", ".join(label for key, label in CHECKLIST_LABELS.items()
                          if getattr(i.checklist, key)) or "none"
    blocks: list[JSONBlock] = [
        context(f"Case *{details.reference}* · personal data: this view is recorded in the "
                "case history. Do not copy it into channels."),
        section("\n".join([
            row("Name", i.complainant_name),
            row("Organisation", i.organisation),
            row("Email", str(i.email) if i.email else None),
            row("Phone", i.phone),
            row("Relationship", relationship),
            row("Received", f"{format_when(i.received_at, calendar)} by "
                            f"{LABELS[i.channel.value].lower()}"),
            row("Category", LABELS[i.category.value]),
            f"*About staff member:* <@{i.subject_user_id}>" if i.subject_user_id
            else row("About staff member", None),
            row("Checklist", checklist),
        ])),
        *_whole("Postal address", i.postal_address),
        *_whole("Facts", i.facts),
        *_whole("What they would like us to do", i.remedy_sought),
    ]
    if i.late_reason:
        blocks += _whole("Logged late because", i.late_reason)
    if details.review_request_how or details.review_late_reason:
        lines = ["*Stage Two request*"]
        if details.review_request_how:
            lines.append("How they asked: " + escape(clip(details.review_request_how, 300)))
        if details.review_late_reason:
            label = ("Accepted outside the review window because: "
                     if details.review_outside_window else "Note on the request: ")
            lines.append(label + escape(clip(details.review_late_reason, 2000)))
        blocks.append(section("\n".join(lines)))
    if details.person_response is not None and details.person_responded_at is not None:
        blocks += sections(f"*Response of <@{i.subject_user_id}>* "
                           f"({format_when(details.person_responded_at, calendar)})\n"
                           + escape(details.person_response))
    return modal(CallbackId.DETAILS, "Complainant details", blocks, "", submit=None,
                 close="Close")


def _whole(label: str, text: str | None) -> list[JSONBlock]:
    """A heading and what someone typed, across as many sections as it takes: never cut."""
    return list(sections(f"*{label}*\n" + (escape(text) if text else "_not given_")))
