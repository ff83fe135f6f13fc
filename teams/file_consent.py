"""A posted letter's PDFs in the sender's personal chat, through Teams' file-consent flow.

The bot posts one consent card per PDF (its name, size and a context naming the letter by
its key in the letters log and the file by its name: nothing the sender could not see).
Teams answers ``fileConsent/invoke``. On *Allow* (``accept``) the person is checked as the
letter was sent (its sender, still one of the people who need to know, through the core's
``letters_of``), the PDF is rendered again from the log and PUT to the upload URL Teams
gave (one PUT with ``Content-Range``), and a file-info card is posted. On *Decline*, or if
the upload fails, a line says so with a fresh consent card: nothing recorded is lost, and
the file can be saved later from that card.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext

from cases.communications import view_from_payload
from cases.company import CompanyDetails
from cases.errors import DomainError, NotAllowed
from cases.letters import LETTER_LABELS, DeliveryMethod, LetterWriter
from cases.services import ComplaintsDesk
from teams.cards import escape
from teams.connector import text_activity
from teams.deps import TeamsDeps, answer_invoke
from teams.people import BadActivity

log = logging.getLogger(__name__)
CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
UPLOAD_TIMEOUT = 30.0  # seconds; Teams waits for the invoke's answer while the PUT runs
REFUSED = ("Only the person who sent this letter, while they still need to know about the "
           "case, may save its PDFs.")
SAVE_HINT = "Press Allow on each file to save it to your OneDrive and open it from there."


@dataclass(frozen=True)
class LetterFile:
    """One PDF of a posted letter, as its sender may have it."""

    key: str
    name: str
    description: str
    data: bytes


def consent_card(file: LetterFile) -> dict[str, Any]:
    """The consent card asking to save ``file`` in the person's OneDrive."""
    context = {"letter": file.key, "file": file.name}
    return {"contentType": CONSENT, "name": file.name, "content": {
        "description": file.description, "sizeInBytes": len(file.data),
        "acceptContext": context, "declineContext": context}}


def letter_files(desk: ComplaintsDesk, letters: LetterWriter | None, company: CompanyDetails,
                 key: str, actor: str | None = None) -> list[LetterFile]:
    """The letter's PDFs, rendered from the log; with ``actor``, only if they sent it and
    still need to know (NotAllowed otherwise). Blocking."""
    if letters is None:
        raise NotAllowed("This desk writes no letters (no letters surface).")
    entry = desk.letter_entry(key)
    if actor is not None:
        try:
            desk.letters_of(entry.case_id, actor=actor)  # the need-to-know rule
        except NotAllowed:
            raise NotAllowed(REFUSED) from None
        if entry.sent_by != actor:
            raise NotAllowed(REFUSED)
    if entry.method is not DeliveryMethod.POST:
        raise NotAllowed("Only a posted letter's PDFs are saved from here.")
    view = view_from_payload(entry.view, company)
    title = LETTER_LABELS[entry.kind]
    return [LetterFile(key, name, _describe(title, view.reference, name, first=i == 0), data)
            for i, (name, data) in enumerate(letters.attachments(view, entry.text))]


def _describe(title: str, reference: str, name: str, *, first: bool) -> str:
    if first:
        return f"“{title}” for {reference}, to print and post"
    return f"{name}, to enclose with “{title}” for {reference}"


def one_file(deps: TeamsDeps, key: str, name: str, actor: str) -> LetterFile:
    for file in letter_files(deps.desk, deps.letters, deps.policy.company, key, actor):
        if file.name == name:
            return file
    raise BadActivity("this card names no file of that letter")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _context(activity: Any) -> tuple[str, str, str, Mapping[str, Any]]:
    value = activity.value if isinstance(activity.value, dict) else {}
    context = _mapping(value.get("context"))
    info = _mapping(value.get("uploadInfo"))
    key, name = context.get("letter"), context.get("file")
    action = value.get("action")
    if not isinstance(key, str) or not isinstance(name, str) or action not in (
            "accept", "decline"):
        raise BadActivity("this file card names no letter")
    return str(action), key, name, info


async def put_file(url: str, data: bytes) -> str | None:
    """PUT ``data`` to the upload URL in one request; None, or why it failed."""
    if not url.startswith(("https://", "http://")):
        return "the upload URL is not a web address"
    size = len(data)
    headers = {"Content-Length": str(size), "Content-Range": f"bytes 0-{size - 1}/{size}"}
    try:
        async with aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT)) as session, \
                session.put(url, data=data, headers=headers) as response:
            if 200 <= response.status < 300:
                return None
            return f"HTTP {response.status}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return type(exc).__name__


def file_info(info: Mapping[str, Any]) -> Activity:
    """The file-info card for the file now in the person's OneDrive."""
    return Activity(type="message", attachments=[{
        "contentType": FILE_INFO, "contentUrl": str(info.get("contentUrl") or ""),
        "name": str(info.get("name") or ""),
        "content": {"uniqueId": str(info.get("uniqueId") or ""),
                    "fileType": str(info.get("fileType") or "")}}])


def again(line: str, file: LetterFile) -> Activity:
    """``line`` with a fresh consent card for ``file``."""
    return Activity(type="message", text=escape(line), text_format="markdown",
                    attachments=[consent_card(file)])


async def handle_file_consent(deps: TeamsDeps, context: TurnContext) -> None:
    """``fileConsent/invoke``: Allow (upload) or Decline on a consent card."""
    activity = context.activity
    try:
        action, key, name, info = _context(activity)
        actor = await deps.run(deps.people.actor, activity)
        file = await deps.run(one_file, deps, key, name, actor)
    except (DomainError, BadActivity) as exc:
        await answer_invoke(context, None)
        await context.send_activity(text_activity(escape(deps.refusal(exc))))
        return
    if action == "decline":
        await answer_invoke(context, None)
        await context.send_activity(again(
            f"{name} was not saved. To save it after all, press Allow on the card below; "
            "the letter stays in the communications log.", file))
        return
    failed = await put_file(str(info.get("uploadUrl") or ""), file.data)
    await answer_invoke(context, None)
    if failed is not None:
        log.warning("saving %s of letter %s to OneDrive failed: %s", name, key, failed)
        await context.send_activity(again(
            f"The upload of {name} to your OneDrive failed, so it was not saved. Nothing "
            "is lost: press Allow again on the card below (or the one above) to try "
            "again.", file))
        return
    await context.send_activity(file_info(info))
