""""Attach to case" on a message: pick the case, keep the text and the files' links."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from cases.errors import IntakeInvalid
from cases.usecases.attachments import AttachedFile
from handlers.answers import answer_submission
from handlers.blocks.attach import attach_modal
from handlers.deps import HandlerDeps
from handlers.forms.fields import Text
from handlers.forms.reading import Form, parse_form
from handlers.identity import actor_of
from handlers.ids import CallbackId
from handlers.payloads import BadPayload, part, text_of, trigger_of
from handlers.routes import Routes


class AttachForm(Form):
    case_reference: Text = None
    attached_text: Text = None


def files_of(message: Any) -> list[AttachedFile]:
    """The message's files as names and links (what the desk keeps; files stay in Slack)."""
    found = []
    files = part(message, "files")
    for f in files if isinstance(files, list) else []:
        if isinstance(f, dict):
            name = f.get("name") or f.get("title") or "file"
            link = f.get("permalink") or f.get("url_private") or ""
            found.append(AttachedFile(str(name), str(link)))
    return found


def metadata_of(body: Any) -> tuple[str, list[AttachedFile]]:
    try:
        data = json.loads(text_of(body, "view", "private_metadata"))
        files = [AttachedFile(str(name), str(link)) for name, link in data["files"]]
        return str(data["source"]), files
    except (ValueError, KeyError, TypeError) as exc:
        raise BadPayload("this form does not say which message to attach") from exc


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.shortcut(CallbackId.SHORTCUT_ATTACH.value)
    def handle_shortcut_attach_to_case(ack: Ack, body: dict[str, Any],
                                       client: WebClient) -> None:
        ack()
        message = part(body, "message")
        source = (f"slack:{text_of(body, 'channel', 'id')}/"
                  f"{text_of(body, 'message', 'ts')}")
        text = text_of(body, "message", "text")
        client.views_open(trigger_id=trigger_of(body),
                          view=attach_modal(text, files_of(message), source))

    @app.view(CallbackId.ATTACH.value, answers_last=True)
    def handle_submission_attach(ack: Ack, body: dict[str, Any]) -> None:
        def run() -> object:
            user = actor_of(body, deps.people)
            source, files = metadata_of(body)
            form = parse_form(AttachForm, part(body, "view"))
            if not form.case_reference:
                raise IntakeInvalid({"case_reference": "give the case's reference"})
            case = deps.desk.find_case(form.case_reference, viewer=user)
            assert case.id is not None
            return deps.desk.attach_correspondence(case.id, actor=user,
                                                   text=form.attached_text, files=files,
                                                   source=source)
        answer_submission(ack, deps, run)
