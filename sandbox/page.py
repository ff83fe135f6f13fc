"""The sandbox page: channels, threads, DMs, App Home, ephemerals and modals, server-rendered."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from sandbox.model import OpenView, Posted
from sandbox.render import Renderer, text_obj
from sandbox.workspace import Workspace

NOT_SLACK = ("Sandbox: this is not Slack. Nothing leaves this machine: every message, "
             "modal and letter stays in this process and its local database.")

STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#1d1c1d}
.banner{background:#ffe08a;padding:6px 12px;font-weight:600}
header{display:flex;gap:16px;align-items:center;padding:8px 12px;background:#3f0e40;color:#fff}
header form{display:inline}
.layout{display:flex;min-height:80vh}
nav{width:220px;background:#f4ede4;padding:10px}
nav a{display:block;padding:3px 6px;color:#1d1c1d}
nav a.here{background:#1164a3;color:#fff}
main{flex:1;padding:10px 16px;max-width:900px}
.message{border-bottom:1px solid #eee;padding:8px 0}
.who{font-weight:700}.edited,.optional,.bk-context,.hint{color:#616061;font-size:13px}
.thread{margin-left:28px;border-left:3px solid #ddd;padding-left:10px}
.ephemeral{background:#f8f8f8;border-left:3px solid #1264a3;padding:6px;margin:6px 0}
.bk-fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin:4px 0}
.bk-actions{display:flex;gap:6px;flex-wrap:wrap;margin:6px 0}
.btn{border:1px solid #bbb;background:#fff;border-radius:4px;padding:3px 10px;cursor:pointer}
.btn.primary{background:#007a5a;color:#fff}.btn.danger{background:#e01e5a;color:#fff}
form.inline{display:inline}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
.overlay{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;
 align-items:flex-start;justify-content:center;overflow:auto}
.modal{background:#fff;margin:40px;padding:16px 20px;border-radius:8px;width:560px}
.bk-input{margin:10px 0}.bk-input label{font-weight:700;display:block}
.bk-input input[type=text],.bk-input input[type=email],textarea,select{width:100%}
.choice{display:block;font-weight:400!important}
.field-error{color:#e01e5a}.stacked{color:#616061;font-size:13px}
.composer{margin-top:12px;display:flex;gap:6px}.composer input{flex:1;padding:6px}
.file{border:1px solid #ddd;border-radius:6px;padding:6px 10px;margin:6px 0;
 display:inline-block}
.calls{font-size:12px;color:#616061}.refused{color:#e01e5a}
"""

SCRIPT = """
(function(){var v=%d,dirty=false;
document.addEventListener('input',function(){dirty=true});
function poll(){fetch('/ui/version?since='+v).then(function(r){return r.json()})
.then(function(d){if(d.version!==v){v=d.version;
 var f=document.activeElement;
 if(!dirty&&!(f&&f.tagName==='INPUT'&&f.value)){location.reload();return}}
 poll()}).catch(function(){setTimeout(poll,2000)})}
poll()})();
"""


class Page:
    """Renders what ``viewer`` sees at ``place`` (a channel id, a DM, or "home")."""

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
                f"{self.modal()}<script>{SCRIPT % self.ws.version}</script></body></html>")

    def header(self) -> str:
        options = "".join(
            f'<option value="{p.id}"{" selected" if p.id == self.viewer else ""}>'
            f"{escape(p.name)} ({escape(p.title)})</option>" for p in self.ws.people)
        clock = (f'<form method="post" action="/ui/clock">{self.hidden}'
                 f'<span>Demo clock: <time id="demo-clock">{escape(self.clock)}</time></span> '
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
        html = "".join(
            f'<a href="/?as={self.viewer}&amp;at={cid}"'
            f'{" class=here" if cid == self.place else ""}>{escape(label)}</a>'
            for cid, label in links)
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
        return f'<div class="calls"><p>Web API calls (latest)</p><ul>{"".join(rows)}</ul></div>'

    def main(self) -> str:
        if self.place == "home":
            home = self.ws.homes.get(self.viewer)
            body = self.renderer.blocks(home.get("blocks")) if home else \
                "<p>The Home tab is empty.</p>"
            return f"<h2>App Home</h2>{body}"
        name = self.ws.channels.get(self.place)
        heading = f"# {escape(name)}" if name else "Complaints Desk (direct messages)"
        messages = "".join(self.message(m) for m in self.ws.channel_messages(self.place))
        mine = "".join(
            f'<div class="ephemeral"><div class="edited">Only visible to you</div>'
            f"{self.renderer.blocks(e.blocks) or self.renderer_text(e.text)}</div>"
            for e in self.ws.ephemerals_for(self.viewer, self.place))
        composer = (f'<form class="composer" method="post" action="/ui/command">{self.hidden}'
                    '<label for="composer">Message</label>'
                    '<input id="composer" name="text" placeholder="/complaint new" '
                    'autocomplete="off"><button class="btn">Send</button></form>')
        return f"<h2>{heading}</h2>{messages or '<p>No messages yet.</p>'}{mine}{composer}"

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
