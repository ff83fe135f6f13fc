"""Block Kit as HTML: what Slack would draw for the blocks the bot sends, close enough to judge.

Messages' interactive elements are small forms posting to ``/ui/action``; a modal's inputs
are fields of the modal's one form (named ``block_id::action_id``), its buttons post the
form to ``/ui/action`` too, so the view's state travels with them as Slack's would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_TOKEN = re.compile(r"<([^<>]+)>")
_EMPHASIS = ((re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])"), "strong"),
             (re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])"), "em"),
             (re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])"), "del"),
             (re.compile(r"`([^`\n]+)`"), "code"))

Names = Callable[[str], str]
# The shortcodes the bot uses, as symbols every font has (a coloured dot for the traffic
# lights), so the page reads the same in any browser; any other shortcode stays as typed.
EMOJI = {"arrow_double_up": "⇑", "arrow_forward": "▶", "busts_in_silhouette": "☺☺",
         "calendar": "▦", "clipboard": "☰", "envelope_with_arrow": "✉", "eyes": "◉",
         "handshake": "⚭", "heavy_minus_sign": "−", "hourglass": "◷", "inbox_tray": "⇣",
         "leftwards_arrow_with_hook": "↩", "lock": "⚷", "mag": "⌕", "memo": "✎",
         "no_entry_sign": "⊘", "outbox_tray": "⇡", "rotating_light": "‼",
         "speech_balloon": "❝", "tada": "★", "warning": "⚠", "white_circle": "○",
         "white_check_mark": '<span style="color:#2eb67d">✔</span>',
         "large_green_circle": '<span style="color:#2eb67d">●</span>',
         "large_yellow_circle": '<span style="color:#ecb22e">●</span>',
         "red_circle": '<span style="color:#e01e5a">●</span>'}
_SHORTCODE = re.compile(r":([a-z0-9_+-]+):")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _token(inner: str, names: Names) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f'<span class="mention">@{escape(names(target[1:]))}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{escape(label or target[1:])}</span>'
    if target.startswith("!date^"):
        parts = target.split("^")
        try:
            when = datetime.fromtimestamp(int(parts[1]), tz=UTC).astimezone(LONDON)
            return f"<time>{when:%a %d %b %Y %H:%M}</time>"
        except (IndexError, ValueError):
            return escape(_unescape(label))
    if target.startswith("!"):
        return f"<strong>@{escape(label or target[1:])}</strong>"
    return (f'<a href="{escape(_unescape(target))}" rel="noreferrer">'
            f"{escape(_unescape(label or target))}</a>")


def mrkdwn(text: str, names: Names) -> str:
    """Slack mrkdwn as HTML: emphasis, code, mentions, links, dates, line breaks."""
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        out.append(_plain_spans(text[last:match.start()]))
        out.append(_token(match.group(1), names))
        last = match.end()
    out.append(_plain_spans(text[last:]))
    return "".join(out).replace("\n", "<br>")


def _plain_spans(text: str) -> str:
    html = escape(_unescape(text), quote=False)
    html = _SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), html)
    for pattern, tag in _EMPHASIS:
        html = pattern.sub(rf"<{tag}>\1</{tag}>", html)
    return html


def text_obj(obj: Any, names: Names) -> str:
    """A text object (plain_text or mrkdwn) as HTML."""
    if not isinstance(obj, dict):
        return ""
    value = str(obj.get("text", ""))
    return mrkdwn(value, names) if obj.get("type") == "mrkdwn" else escape(value)


class Renderer:
    """Blocks to HTML for one viewer; ``hidden`` are the form fields every click carries."""

    def __init__(self, names: Names, people: list[tuple[str, str]], hidden: str,
                 in_modal: bool = False, errors: dict[str, str] | None = None) -> None:
        self.names, self.people, self.hidden = names, people, hidden
        self.in_modal, self.errors = in_modal, errors or {}
        self.extra = ""  # hidden fields naming the message being drawn

    def blocks(self, blocks: list[Any] | None) -> str:
        return "".join(self.block(b) for b in blocks or [] if isinstance(b, dict))

    def block(self, block: dict[str, Any]) -> str:
        kind = block.get("type")
        if kind == "header":
            return f'<h3 class="bk-header">{text_obj(block.get("text"), self.names)}</h3>'
        if kind == "divider":
            return "<hr>"
        if kind == "context":
            parts = [text_obj(e, self.names) for e in block.get("elements") or []]
            return f'<div class="bk-context">{" ".join(parts)}</div>'
        if kind == "section":
            return self._section(block)
        if kind == "actions":
            inner = "".join(self.element(e, block) for e in block.get("elements") or [])
            return f'<div class="bk-actions">{inner}</div>'
        if kind == "input":
            return self._input(block)
        return f'<div class="bk-unknown">[{escape(str(kind))} block]</div>'

    def _section(self, block: dict[str, Any]) -> str:
        html = f'<div class="bk-text">{text_obj(block.get("text"), self.names)}</div>'
        fields = "".join(f"<div>{text_obj(f, self.names)}</div>"
                         for f in block.get("fields") or [])
        if fields:
            html += f'<div class="bk-fields">{fields}</div>'
        if isinstance(block.get("accessory"), dict):
            html += f'<div class="bk-accessory">{self.element(block["accessory"], block)}</div>'
        return f'<div class="bk-section">{html}</div>'

    def _input(self, block: dict[str, Any]) -> str:
        element = block.get("element") or {}
        name = f"{block.get('block_id', '')}::{element.get('action_id', '')}"
        field_id = "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)
        label = escape(str((block.get("label") or {}).get("text", "")))
        optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
        hint = block.get("hint")
        error = self.errors.get(str(block.get("block_id")))
        html = f'<label for="{field_id}">{label}</label>{optional}'
        html += self.field(element, name, field_id, label)
        if hint:
            html += f'<div class="hint">{text_obj(hint, self.names)}</div>'
        if error:
            html += f'<div class="field-error" role="alert">{escape(error)}</div>'
        return f'<div class="bk-input">{html}</div>'

    def field(self, element: dict[str, Any], name: str, field_id: str, label: str) -> str:
        """One input element of a modal, filled with its initial value."""
        kind = element.get("type")
        attrs = f'name="{escape(name)}" id="{field_id}"'
        if kind in ("plain_text_input", "email_text_input", "number_input", "url_text_input"):
            value = escape(str(element.get("initial_value") or ""))
            if element.get("multiline"):
                return f"<textarea {attrs} rows=4>{value}</textarea>"
            kinds = {"email_text_input": "email", "url_text_input": "url"}
            return f'<input {attrs} type="{kinds.get(str(kind), "text")}" value="{value}">'
        if kind == "datepicker":
            return f'<input {attrs} type="date" value="{escape(str(element.get("initial_date") or ""))}">'  # noqa: E501
        if kind == "timepicker":
            return f'<input {attrs} type="time" value="{escape(str(element.get("initial_time") or ""))}">'  # noqa: E501
        if kind == "datetimepicker":
            value = ""
            if element.get("initial_date_time"):
                at = datetime.fromtimestamp(int(element["initial_date_time"]), tz=UTC)
                value = f"{at.astimezone(LONDON):%Y-%m-%dT%H:%M}"
            return f'<input {attrs} type="datetime-local" value="{value}">'
        if kind in ("static_select", "users_select"):
            return f"<select {attrs}>{self._options(element)}</select>"
        if kind in ("checkboxes", "radio_buttons"):
            return self._choices(element, name, field_id, label)
        return f'<span class="bk-unknown">[{escape(str(kind))}]</span>'

    def _options(self, element: dict[str, Any]) -> str:
        if element.get("type") == "users_select":
            chosen = element.get("initial_user")
            pairs = self.people
        else:
            chosen = (element.get("initial_option") or {}).get("value")
            pairs = [(str(o.get("value")), str((o.get("text") or {}).get("text", "")))
                     for o in element.get("options") or []]
        out = ['<option value="">Choose…</option>']
        for value, text in pairs:
            selected = " selected" if value == chosen else ""
            out.append(f'<option value="{escape(value)}"{selected}>{escape(text)}</option>')
        return "".join(out)

    def _choices(self, element: dict[str, Any], name: str, field_id: str, label: str) -> str:
        multi = element.get("type") == "checkboxes"
        initial = element.get("initial_options") if multi else [element.get("initial_option")]
        chosen = {o.get("value") for o in initial or [] if isinstance(o, dict)}
        out = []
        for i, option in enumerate(element.get("options") or []):
            value = escape(str(option.get("value")))
            checked = " checked" if option.get("value") in chosen else ""
            out.append(f'<label class="choice"><input type="{"checkbox" if multi else "radio"}"'
                       f' name="{escape(name)}" value="{value}" id="{field_id}-{i}"{checked}> '
                       f"{text_obj(option.get('text'), self.names)}</label>")
        return f'<fieldset id="{field_id}" aria-label="{label}">{"".join(out)}</fieldset>'

    def element(self, element: Any, block: dict[str, Any]) -> str:
        """An interactive element of an actions block or a section's accessory."""
        if not isinstance(element, dict):
            return ""
        kind = element.get("type")
        common = (f'<input type="hidden" name="block_id" value="{escape(str(block.get("block_id", "")))}">'  # noqa: E501
                  f'<input type="hidden" name="action_id" value="{escape(str(element.get("action_id", "")))}">'  # noqa: E501
                  f'<input type="hidden" name="action_type" value="{escape(str(kind))}">')
        if kind == "button":
            if self.in_modal:
                packed = "::".join((str(block.get("block_id", "")),
                                    str(element.get("action_id", "")),
                                    str(element.get("value") or "")))
                label = escape(str((element.get("text") or {}).get("text", "")))
                return (f'<button class="btn" name="modal_action" value="{escape(packed)}" '
                        f'formaction="/ui/action">{label}</button>')
            return self._button(element, common)
        if kind in ("static_select", "users_select", "overflow"):
            if kind == "overflow":
                element = {**element, "type": "static_select"}
            select = f'<select name="selected" onchange="this.form.submit()" aria-label="' \
                     f'{escape(str((element.get("placeholder") or {}).get("text", "Choose")))}">' \
                     f"{self._options(element)}</select>"
            return self._form(common + select)
        return f'<span class="bk-unknown">[{escape(str(kind))}]</span>'

    def _button(self, element: dict[str, Any], common: str) -> str:
        label = escape(str((element.get("text") or {}).get("text", "")))
        if element.get("url"):
            return f'<a class="btn" href="{escape(str(element["url"]))}">{label}</a>'
        style = escape(str(element.get("style") or "default"))
        confirm = element.get("confirm")
        onclick = ""
        if isinstance(confirm, dict):
            question = (f'{(confirm.get("title") or {}).get("text", "")}: '
                        f'{(confirm.get("text") or {}).get("text", "")}')
            onclick = f' onclick="return confirm({escape(repr(question))})"'
        value = escape(str(element.get("value") or ""))
        button = f'<button class="btn {style}" name="value" value="{value}"{onclick}>{label}' \
                 "</button>"
        return self._form(common + button)

    def _form(self, inner: str) -> str:
        return (f'<form method="post" action="/ui/action" class="inline">{self.hidden}'
                f"{self.extra}{inner}</form>")
