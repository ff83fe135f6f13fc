"""The sandbox page: channels, threads, DMs, App Home, ephemerals and modals, server-rendered."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from sandbox.assets import SCRIPT, STYLE
from sandbox.mailpage import MAILBOX, mail_of, mail_view, mailbox_list
from sandbox.model import OpenView, Posted
from sandbox.render import Renderer, text_obj
from sandbox.workspace import Workspace

NOT_SLACK = ("Sandbox: this is not Slack. Nothing leaves this machine: every message, "
             "modal and letter stays in this process and its local database.")

class Page:
    """Renders what ``viewer`` sees at ``place`` (a channel id, a DM, "home", the mailbox).

    The parts marked ``data-live`` (clock, API calls, mail count, feed, modal overlay) are
    what the page's script swaps in place when something changes (sandbox/assets.py).
    """

    def __init__(self, workspace: Workspace, viewer: str, place: str, clock: str) -> None:
        self.ws, self.viewer, self.place, self.clock = workspace, viewer, place, clock
        people = [(p.id, p.name) for p in workspace.people]
        self.hidden = (f'<input type="hidden" name="as" value="{escape(viewer)}">'
                       f'<input type="hidden" name="at" value="{escape(place)}">')
        self.renderer = Renderer(self.name, people, self.hidden)

    def name(self, user: str) -> str:
        person = self.ws.person(user)
        return person.name if person else ("Complaints Desk" if user.startswith("USAND")
                                           else user)

    def html(self) -> str:
        title = "Complaints Desk sandbox (not Slack)"
        return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
                f"<style>{STYLE}</style></head><body>"
                f'<div class="banner" role="note">{NOT_SLACK}</div>{self.header()}'
                f'<div class="layout">{self.nav()}<main>{self.main()}</main></div>'
                f'<div id="overlay" data-live>{self.modal()}</div>'
                f"<script>{SCRIPT % self.ws.version}</script></body></html>")

    def header(self) -> str:
        options = "".join(
            f'<option value="{p.id}"{" selected" if p.id == self.viewer else ""}>'
            f"{escape(p.name)} ({escape(p.title)})</option>" for p in self.ws.people)
        clock = (f'<form method="post" action="/ui/clock">{self.hidden}'
                 '<span>Demo clock: <time id="demo-clock" data-live>'
                 f"{escape(self.clock)}</time></span> "
                 '<button class="btn" name="move" value="next-morning">Next working day 09:00'
                 '</button> <button class="btn" name="move" value="plus-day">+1 working day'
                 "</button></form>")
        return (f'<header><form method="get" action="/"><label for="as">You are</label> '
                f'<select id="as" name="as" onchange="this.form.submit()">{options}</select>'
                f'<input type="hidden" name="at" value="{escape(self.place)}">'
                f"<noscript><button>Switch</button></noscript></form>{clock}</header>")

    def nav(self) -> str:
        links = [(cid, f"# {name}") for cid, name in self.ws.channels.items()]
        links.append((self.ws.dm(self.viewer), "Complaints Desk (DM)"))
        here = MAILBOX if self.place.startswith("mail") else self.place
        html = "".join(
            f'<a href="/?as={self.viewer}&amp;at={cid}"'
            f'{" class=here" if cid == here else ""}>{escape(label)}</a>'
            for cid, label in links)
        count = len(self.ws.mailbox.all())
        html += (f'<a href="/?as={self.viewer}&amp;at={MAILBOX}"'
                 f'{" class=here" if here == MAILBOX else ""}>Mailbox '
                 f'<span id="mail-count" data-live>({count})</span></a>')
        home = (f'<form method="post" action="/ui/home">{self.hidden}'
                '<button class="btn">App Home</button></form>'
                f'<form method="post" action="/ui/global">{self.hidden}'
                '<button class="btn" title="Global shortcut">Shortcut: Log a complaint'
                "</button></form>")
        return f"<nav>{html}{home}{self.calls()}</nav>"

    def calls(self) -> str:
        rows = []
        for call in self.ws.calls[-8:]:
            state = (f'<span class="refused">refused: {escape(call.error)}</span>'
                     if call.error else "ok")
            detail = "".join(f"<div>{escape(d)}</div>" for d in call.detail[:3])
            rows.append(f"<li>{escape(call.method)} {state}{detail}</li>")
        return (f'<div class="calls" id="calls" data-live><p>Web API calls (latest)</p>'
                f'<ul>{"".join(rows)}</ul></div>')

    def main(self) -> str:
        """The heading, the part that changes live (``feed``), and the composer."""
        if self.place == "home":
            return f"<h2>App Home</h2>{_feed(self.home())}"
        if self.place == MAILBOX or self.place.startswith("mail:"):
            mail = mail_of(self.place, self.ws.mailbox)
            shown = mail_view(mail, self.viewer) if mail else mailbox_list(self.ws.mailbox,
                                                                           self.viewer)
            note = ('<p class="hint">The letters the desk sent by email. In the sandbox they '
                    "come here, to a mail server on this machine, and go no further.</p>")
            return f"<h2>Mailbox</h2>{note}{_feed(shown)}"
        name = self.ws.channels.get(self.place)
        heading = f"# {escape(name)}" if name else "Complaints Desk (direct messages)"
        composer = (f'<form class="composer" method="post" action="/ui/command">{self.hidden}'
                    '<label for="composer">Message</label>'
                    '<input id="composer" name="text" placeholder="/complaint new" '
                    'autocomplete="off"><button class="btn">Send</button></form>')
        return f"<h2>{heading}</h2>{_feed(self.conversation())}{composer}"

    def home(self) -> str:
        home = self.ws.homes.get(self.viewer)
        return self.renderer.blocks(home.get("blocks")) if home else \
            "<p>The Home tab is empty.</p>"

    def conversation(self) -> str:
        """A channel's or DM's messages with their threads, then what only you can see."""
        messages = "".join(self.message(m) for m in self.ws.channel_messages(self.place))
        mine = "".join(
            f'<div class="ephemeral"><div class="edited">Only visible to you</div>'
            f"{self.renderer.blocks(e.blocks) or self.renderer_text(e.text)}</div>"
            for e in self.ws.ephemerals_for(self.viewer, self.place))
        return f"{messages or '<p>No messages yet.</p>'}{mine}"

    def renderer_text(self, text: str) -> str:
        return text_obj({"type": "mrkdwn", "text": text}, self.name)

    def message(self, posted: Posted, reply: bool = False) -> str:
        self.renderer.extra = f'<input type="hidden" name="ts" value="{posted.ts}">'
        body = self.renderer.blocks(posted.blocks) if posted.blocks else \
            self.renderer_text(posted.text)
        edited = ' <span class="edited">(edited)</span>' if posted.edited else ""
        body += "".join(self.file(shared) for shared in posted.files)
        shortcut = ("" if reply else
                    f'<form method="post" action="/ui/shortcut" class="inline">{self.hidden}'
                    f'<input type="hidden" name="ts" value="{posted.ts}">'
                    '<button class="btn" title="Message shortcut">Log as complaint</button>'
                    "</form>")
        replies = "" if reply else "".join(
            self.message(r, reply=True) for r in self.ws.replies(posted.channel, posted.ts))
        thread = f'<div class="thread">{replies}</div>' if replies else ""
        return (f'<article class="message" data-ts="{posted.ts}"><span class="who">'
                f"{escape(self.name(posted.user))}</span>{edited}<div>{body}</div>"
                f"{shortcut}{thread}</article>")

    def file(self, shared: dict[str, Any]) -> str:
        """A file shared in a message: its title, to open in a new tab, and its size."""
        href = f"/files/{quote(str(shared.get('id')))}/{quote(str(shared.get('name')))}"
        size = int(shared.get("size") or 0)
        kind = str(shared.get("filetype") or "file").upper()
        return (f'<div class="file"><a href="{escape(href)}" target="_blank" rel="noopener">'
                f"{escape(str(shared.get('title') or shared.get('name')))}</a> "
                f'<span class="hint">{escape(kind)}, {max(1, round(size / 1024))} KB</span>'
                "</div>")

    def modal(self) -> str:
        stack = self.ws.stack(self.viewer)
        if not stack:
            return ""
        top = stack[-1]
        below = "".join(f'<div class="stacked">Under this: {self._title(v)}</div>'
                        for v in stack[:-1])
        return f'<div class="overlay">{self._dialog(top, below)}</div>'

    def _title(self, open_view: OpenView) -> str:
        return text_obj(open_view.view.get("title"), self.name)

    def _dialog(self, open_view: OpenView, below: str) -> str:
        view = open_view.view
        renderer = Renderer(self.name, self.renderer.people, self.hidden, in_modal=True,
                            errors=open_view.errors)
        submit = view.get("submit")
        close = text_obj(view.get("close"), self.name) or "Close"
        buttons = (f'<button class="btn primary">{text_obj(submit, self.name)}</button>'
                   if submit else "")
        buttons += (f'<button class="btn" formaction="/ui/close" formnovalidate>{close}'
                    "</button>")
        title = self._title(open_view)
        return (f'<div class="modal" role="dialog" aria-modal="true" aria-label="{title}">'
                f"{below}<h2>{title}</h2>"
                f'<form method="post" action="/ui/submit">{self.hidden}'
                f'<input type="hidden" name="view_id" value="{open_view.id}">'
                f"{renderer.blocks(view.get('blocks'))}<div>{buttons}</div></form></div>")


def _feed(html: str) -> str:
    """The part of ``main`` the page's script replaces in place when the workspace changes."""
    return f'<div id="feed" data-live>{html}</div>'
