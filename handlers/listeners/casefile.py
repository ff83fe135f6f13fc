"""The case file: the "Case file" button opens it, "Older" / "Newer" page through it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack
from slack_sdk import WebClient

from cases.errors import IntakeInvalid
from cases.usecases.casefile import FileRead
from handlers.answers import refused_or
from handlers.blocks.casefile import case_file_modal, found_message
from handlers.deps import HandlerDeps
from handlers.identity import actor_of
from handlers.ids import ActionId, decode_page_ref
from handlers.payloads import BadPayload, button_value, case_ref_of, text_of, trigger_of
from handlers.routes import Routes

if TYPE_CHECKING:
    from handlers.listeners.commands import Complaint, ComplaintCommand

FIND_USAGE = ("Use `/complaint find TEXT`: a reference, the complainant's name, "
              "organisation, email or phone.")


def find_command(answer: ComplaintCommand, command: Complaint) -> None:
    """`/complaint find TEXT`: matching cases the user may see, privately."""
    query = command.text.split(None, 1)[1] if command.args else ""
    try:
        found = answer.deps.desk.find_cases(query, viewer=answer.user)
    except IntakeInvalid as exc:
        answer.ack(text=f"{exc.errors.get('text', exc)} {FIND_USAGE}")
        return
    text, blocks = found_message(query, found, answer.deps.calendar)
    answer.ack(text=text, blocks=blocks)


# `/complaint` verbs answered here: verb -> (answer, how many words it needs after it)
CASEFILE_VERBS = {"find": (find_command, 1)}


def page_ref_of(body: Any) -> tuple[int, int, str]:
    """The case, the page and the open view a paging button names; BadPayload if not."""
    try:
        ref = decode_page_ref(button_value(body))
    except ValueError as exc:
        raise BadPayload("this button does not name a page of a case file") from exc
    view_id = text_of(body, "view", "id")
    if not view_id:
        raise BadPayload("this button is not in an open case file")
    return ref.case_id, ref.page, view_id


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.action(ActionId.CASE_FILE.value)
    def handle_button_case_file(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = actor_of(body, deps.people)

        def read() -> tuple[str, FileRead]:
            ref = case_ref_of(button_value(body))
            trigger = trigger_of(body)
            return trigger, deps.desk.case_file(ref.case_id, viewer=user)

        got = refused_or(client, body, user, deps.calendar, read)
        if got is None:
            return
        trigger, opened = got
        client.views_open(trigger_id=trigger, view=case_file_modal(
            opened.file, deps.calendar, tools=opened.may_correct))

    def page(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = actor_of(body, deps.people)

        def read() -> tuple[int, str, FileRead]:
            case_id, number, view_id = page_ref_of(body)
            # Access is checked again; the opening of this file was already recorded.
            return number, view_id, deps.desk.case_file(case_id, viewer=user,
                                                        record_view=False)

        got = refused_or(client, body, user, deps.calendar, read)
        if got is None:
            return
        number, view_id, opened = got
        client.views_update(view_id=view_id,
                            view=case_file_modal(opened.file, deps.calendar, number,
                                                 tools=opened.may_correct))

    @app.action(ActionId.CASE_FILE_OLDER.value)
    def handle_button_case_file_older(ack: Ack, body: dict[str, Any],
                                      client: WebClient) -> None:
        page(ack, body, client)

    @app.action(ActionId.CASE_FILE_NEWER.value)
    def handle_button_case_file_newer(ack: Ack, body: dict[str, Any],
                                      client: WebClient) -> None:
        page(ack, body, client)
