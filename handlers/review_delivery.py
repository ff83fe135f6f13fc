"""Delivering Phase Three's notices: the quarterly review (report, charts, Record review)
to the HR manager and the directors channel, and review actions' DMs to their owners."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from cases.model import NoticeKind
from cases.services import ComplaintsDesk
from cases.wording import Template, template_of
from handlers import blocks
from handlers.blocks._common import plain, section
from handlers.ids import ActionId
from handlers.report_files import dm_channel, upload_charts

REVIEW_TEMPLATES = frozenset({Template.QUARTERLY_REVIEW, Template.REVIEW_ACTION_ASSIGNED,
                              Template.REVIEW_ACTION_REMINDER})
_REMINDER_WORDS = {"due_soon": "is due soon", "due_today": "is due today",
                   "overdue": "is overdue"}


class Deliverer(Protocol):
    desk: ComplaintsDesk
    client: Any

    def _slack_account(self, person_id: str) -> str: ...

    def directors_channel(self) -> str: ...


def is_review_notice(payload: dict[str, Any]) -> bool:
    """A notice this module delivers."""
    return template_of(payload) in REVIEW_TEMPLATES


def deliver_review_notice(d: Deliverer, kind: NoticeKind, payload: dict[str, Any]) -> None:
    """Post one Phase Three notice (raises the Web API's errors for the outbox to judge)."""
    template = template_of(payload)
    if template is Template.QUARTERLY_REVIEW:
        _quarterly_review(d, kind, payload)
        return
    person = str(payload["user"])
    channel = d._slack_account(person)
    due = date.fromisoformat(str(payload["due_on"]))
    what = str(payload.get("what", ""))[:500]
    if template is Template.REVIEW_ACTION_ASSIGNED:
        text = (f"An action from the complaints review ({payload.get('quarter')}) is yours: "
                f"{what} — due {due:%a %d %b %Y}. Mark it done here when it is.")
    else:
        words = _REMINDER_WORDS.get(str(payload.get("kind")), "is due")
        text = f"Your action from the complaints review {words}: {what} — due {due:%a %d %b %Y}."
    button = ButtonElement(text=plain("Mark done"), action_id=ActionId.REVIEW_ACTION_DONE,
                           value=str(payload["action_id"]), style="primary")
    d.client.chat_postMessage(channel=channel, text=text, blocks=[
        section(text).to_dict(), ActionsBlock(elements=[button]).to_dict()])


def _quarterly_review(d: Deliverer, kind: NoticeKind, payload: dict[str, Any]) -> None:
    start = date.fromisoformat(str(payload["start"]))
    end = date.fromisoformat(str(payload["end"]))
    if kind is NoticeKind.DIRECT:
        person = str(payload["user"])
        d._slack_account(person)  # no Slack account: refused for good, with the reason
        report = d.desk.report_for_viewer(
            d.desk.trends_report_as_operator(start=start, end=end), person)
        channel, private = dm_channel(d.client, person), True
    else:
        report = d.desk.channel_report(start=start, end=end)
        channel, private = d.directors_channel(), False
    quarter = payload.get("quarter", "")
    upload_charts(d.client, channel, report,
                  comment=f"Quarterly complaints review, {quarter}: the charts.")
    text, report_blocks = blocks.report_message(report, review=True, private=private)
    d.client.chat_postMessage(channel=channel, text=f"Quarterly complaints review, {quarter}. "
                                                    + text,
                              blocks=[b.to_dict() for b in report_blocks])
