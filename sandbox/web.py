"""The sandbox's one WSGI app: the page, its clicks, the Slack stand-in's Web API, and the bot.

``/api/<method>`` is the stand-in (the bot's SLACK_API_URL points here); ``/ui/*`` turns the
page's clicks into signed Slack payloads for the bot; every other path goes to the bot's own
WSGI app (``/slack/events``, ``/healthz``), exactly as production serves it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Protocol
from urllib.parse import parse_qs, quote

from sandbox import payloads
from sandbox.files import UPLOAD_PATH
from sandbox.page import Page
from sandbox.payloads import BotLink
from sandbox.state import state_values
from sandbox.workspace import Workspace

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# The shortcuts' callback ids, as app_manifest.yml declares them to Slack.
LOG_MESSAGE, LOG_COMPLAINT = "log_message_as_complaint", "log_complaint"


class DemoControls(Protocol):
    """The demo clock, as the page moves it (built by the composition root)."""

    def label(self) -> str: ...

    def move(self, how: str) -> None: ...


class Sandbox:
    """The page and the stand-in around ``workspace``, in front of the bot's ``bot_app``."""

    def __init__(self, workspace: Workspace, bot_app: WsgiApp, link: BotLink,
                 controls: DemoControls) -> None:
        self.ws, self.bot_app, self.link, self.controls = workspace, bot_app, link, controls
        self.first = workspace.people[0].id
        self.default_place = next(iter(workspace.channels))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path.startswith("/api/"):
            return self._api(path[len("/api/"):], environ, start_response)
        if path.startswith(UPLOAD_PATH) and method == "POST":
            found = self.ws.receive_upload(path[len(UPLOAD_PATH):], _body(environ))
            return _send(start_response, "200 OK" if found else "404 Not Found",
                         b"OK" if found else b"no such upload", "text/plain")
        if path == "/" and method == "GET":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            viewer = self._viewer(query)
            place = (query.get("at") or [self.default_place])[0]
            html = Page(self.ws, viewer, place, self.controls.label()).html()
            return _send(start_response, "200 OK", html.encode(), "text/html; charset=utf-8")
        if path == "/ui/version":
            since_text = (parse_qs(environ.get("QUERY_STRING", "")).get("since") or ["0"])[0]
            since = int(since_text) if since_text.isdigit() else -1
            version = self.ws.wait_change(since, 20)
            return _send(start_response, "200 OK", json.dumps({"version": version}).encode(),
                         "application/json")
        if path.startswith("/ui/") and method == "POST":
            form = parse_qs(_body(environ).decode(), keep_blank_values=True)
            place = self._click(path[len("/ui/"):], form)
            target = f"/?as={self._viewer(form)}&at={quote(place, safe='')}"
            start_response("303 See Other", [("Location", target), ("Content-Length", "0")])
            return [b""]
        return self.bot_app(environ, start_response)

    def _viewer(self, query: dict[str, list[str]]) -> str:
        user = (query.get("as") or [self.first])[0]
        return user if self.ws.person(user) else self.first

    def _api(self, method: str, environ: dict[str, Any], start_response: Callable[..., Any]
             ) -> Iterable[bytes]:
        raw = _body(environ).decode("utf-8", "replace")
        if "json" in environ.get("CONTENT_TYPE", ""):
            try:
                body = json.loads(raw or "{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                answer = {"ok": False, "error": "invalid_json"}
                return _send(start_response, "200 OK", json.dumps(answer).encode(),
                             "application/json")
        else:
            body = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        answer = self.ws.call(method, body, token or str(body.get("token") or ""))
        if str(answer.get("upload_url") or "").startswith(UPLOAD_PATH):
            host = environ.get("HTTP_HOST") or f"127.0.0.1:{environ.get('SERVER_PORT')}"
            answer["upload_url"] = f"http://{host}{answer['upload_url']}"
        return _send(start_response, "200 OK", json.dumps(answer).encode(), "application/json")

    # ---- the page's clicks -------------------------------------------------------------------

    def _click(self, what: str, form: dict[str, list[str]]) -> str:
        """Act on one click; the place to show next."""
        user = self._viewer(form)
        place = (form.get("at") or [self.default_place])[0]
        first = {k: v[0] for k, v in form.items() if v}
        if what == "command":
            self._command(user, place, first.get("text", ""))
        elif what == "action":
            self._action(user, place, first, form)
        elif what == "submit":
            self._submit(user, place, first.get("view_id", ""), form)
        elif what == "close":
            self.ws.close(first.get("view_id", ""))
        elif what == "shortcut":
            self._shortcut(user, place, first.get("ts", ""))
        elif what == "global":
            self.link.interaction(payloads.shortcut(user, self.ws.issue_trigger(user),
                                                    LOG_COMPLAINT))
        elif what == "home":
            self.link.event(payloads.app_home_opened(user))
            return "home"
        elif what == "clock":
            self.controls.move(first.get("move", ""))
        return place

    def _command(self, user: str, place: str, text: str) -> None:
        text = text.strip()
        if not text.startswith("/"):
            self.ws.post_as(user, place, text)
            return
        command, _, rest = text.partition(" ")
        if command != "/complaint":
            self.ws.note(user, place, f"{command} is not a command here; try /complaint help")
            return
        channel_name = self.ws.channels.get(place, "directmessage")
        fields = payloads.slash_command(user, place, channel_name, rest.strip(),
                                        self.ws.issue_trigger(user))
        answer = self.link.command(fields)
        if answer.body.get("text") or answer.body.get("blocks"):
            self.ws.note(user, place, str(answer.body.get("text") or ""),
                         answer.body.get("blocks"))

    def _action(self, user: str, place: str, first: dict[str, str],
                form: dict[str, list[str]]) -> None:
        trigger = self.ws.issue_trigger(user)
        if "modal_action" in first:  # a button inside a modal, with the modal's state
            block_id, action_id, value = (first["modal_action"].split("::", 2) + ["", ""])[:3]
            open_view = self.ws.find_view(first.get("view_id", ""))
            if open_view is None:
                return
            view = {**open_view.view, "state": {"values": state_values(open_view.view, form)}}
            click = {"type": "button", "block_id": block_id, "action_id": action_id,
                     "value": value}
            self.link.interaction(payloads.block_actions(user, trigger, click, view=view))
            return
        action: dict[str, Any] = {"type": first.get("action_type", "button"),
                  "block_id": first.get("block_id", ""), "action_id": first.get("action_id", "")}
        if "value" in first:
            action["value"] = first["value"]
        if "selected" in first:
            action["selected_option"] = {"value": first["selected"]}
            action["selected_user"] = first["selected"]
        message = self._message_payload(place, first.get("ts"), action["block_id"])
        channel = place if place != "home" else None
        self.link.interaction(payloads.block_actions(user, trigger, action, message=message,
                                                     channel=channel))

    def _message_payload(self, place: str, ts: str | None, block_id: str
                         ) -> dict[str, Any] | None:
        posted = self.ws.messages.get((place, ts or ""))
        if posted is None:
            return None
        return {"type": "message", "ts": posted.ts, "user": posted.user, "text": posted.text,
                "blocks": posted.blocks or []}

    def _submit(self, user: str, place: str, view_id: str, form: dict[str, list[str]]
                ) -> None:
        open_view = self.ws.find_view(view_id)
        if open_view is None:
            return
        values = state_values(open_view.view, form)
        payload = payloads.view_submission(user, self.ws.issue_trigger(user), open_view.view,
                                           values)
        answer = self.link.interaction(payload)
        if answer.status != 200:
            self.ws.note(user, place, f"The bot answered HTTP {answer.status}.")
            return
        self.ws.after_submission(view_id, answer.body)

    def _shortcut(self, user: str, place: str, ts: str) -> None:
        posted = self.ws.messages.get((place, ts))
        if posted is None:
            return
        message = {"type": "message", "ts": posted.ts, "user": posted.user,
                   "text": posted.text}
        self.link.interaction(payloads.message_action(
            user, self.ws.issue_trigger(user), LOG_MESSAGE, place, message))


def _body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    return body


def _send(start_response: Callable[..., Any], status: str, body: bytes, kind: str
          ) -> Iterable[bytes]:
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]
