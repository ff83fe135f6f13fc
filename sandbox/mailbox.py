"""The sandbox's mailbox: a local SMTP server that keeps every letter the desk emails.

The bot sends letters by SMTP exactly as in production (letters/mail.py, through the
outbox); in the sandbox its COMPLAINTS_SMTP_URL points here, at 127.0.0.1 on a port of its
own, and nothing is relayed anywhere: each message is kept whole, to be read on the page's
Mailbox with its attachments.

The server speaks the part of SMTP (RFC 5321) that a client handing over mail uses: EHLO or
HELO, MAIL FROM, RCPT TO, DATA (with the dot-stuffing undone), RSET, NOOP and QUIT, each in
its order (503 otherwise); any other command is 502. Standard library only.
"""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

from sandbox.render import LONDON

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
_MAX_LINE = 64 * 1024


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    """One message as the server received it: envelope and the raw message."""

    id: int
    sender: str
    recipients: tuple[str, ...]
    raw: bytes

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def header(self, name: str) -> str:
        return str(self.message().get(name) or "")

    def date_text(self) -> str:
        """The Date header in London time, as the page shows it."""
        raw = self.header("Date")
        try:
            return f"{parsedate_to_datetime(raw).astimezone(LONDON):%a %d %b %Y %H:%M}"
        except (TypeError, ValueError):
            return raw

    def text(self) -> str:
        """The plain-text body (what a mail client shows first)."""
        body = self.message().get_body(preferencelist=("plain",))
        return str(body.get_content()).replace("\r\n", "\n") if body is not None else ""

    def attachments(self) -> list[Attachment]:
        found = []
        for part in self.message().iter_attachments():
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                found.append(Attachment(part.get_filename() or "attachment",
                                        part.get_content_type(), data))
        return found


class Mailbox:
    """Every message the sandbox's SMTP server accepted, oldest first; thread-safe."""

    def __init__(self, on_change: Callable[[], None] = lambda: None) -> None:
        self._lock = threading.Lock()
        self._mails: list[Mail] = []
        self.on_change = on_change

    def deliver(self, sender: str, recipients: list[str], raw: bytes) -> Mail:
        with self._lock:
            mail = Mail(len(self._mails) + 1, sender, tuple(recipients), raw)
            self._mails.append(mail)
        self.on_change()
        return mail

    def all(self) -> list[Mail]:
        with self._lock:
            return list(self._mails)

    def get(self, mail_id: int) -> Mail | None:
        with self._lock:
            return next((m for m in self._mails if m.id == mail_id), None)


def _address(argument: str, keyword: str) -> str | None:
    """The address in ``FROM:<a@b> SIZE=1`` (``keyword`` FROM or TO), or None if malformed."""
    head, colon, rest = argument.partition(":")
    if not colon or head.strip().upper() != keyword:
        return None
    rest = rest.strip()
    if rest.startswith("<"):
        inside, closed, _ = rest[1:].partition(">")
        return inside if closed else None
    return rest.split(" ", 1)[0] or None


class _Session(socketserver.StreamRequestHandler):
    """One SMTP conversation."""

    mailbox: Mailbox

    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.say("220 complaints-sandbox mailbox (not a mail server: nothing is relayed)")
        sender: str | None = None
        recipients: list[str] = []
        greeted = False
        while line := self.rfile.readline(_MAX_LINE):
            verb, _, argument = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                greeted, sender, recipients = True, None, []
                if verb == "HELO":
                    self.say("250 complaints-sandbox")
                for reply in ("250-complaints-sandbox", "250-8BITMIME", "250-SMTPUTF8",
                              f"250 SIZE {MAX_MESSAGE_BYTES}") if verb == "EHLO" else ():
                    self.say(reply)
            elif verb == "MAIL":
                sender = _address(argument, "FROM") if greeted else None
                recipients = []
                self.say("250 OK" if sender is not None else "503 say EHLO, then MAIL FROM:<…>")
            elif verb == "RCPT":
                to = _address(argument, "TO") if sender is not None else None
                if to:
                    recipients.append(to)
                self.say("250 OK" if to else "503 MAIL FROM first, then RCPT TO:<…>")
            elif verb == "DATA":
                if sender is None or not recipients:
                    self.say("503 MAIL FROM and RCPT TO first")
                    continue
                self.say("354 end with <CRLF>.<CRLF>")
                self.say(self._data(sender, recipients))
                sender, recipients = None, []
            elif verb in ("RSET", "NOOP"):
                if verb == "RSET":
                    sender, recipients = None, []
                self.say("250 OK")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say(f"502 {verb or '(nothing)'} is not a command here")

    def _data(self, sender: str, recipients: list[str]) -> str:
        lines: list[bytes] = []
        size = 0
        while (line := self.rfile.readline(_MAX_LINE)) not in (b".\r\n", b".\n", b""):
            size += len(line)
            lines.append(line[1:] if line.startswith(b".") else line)
        if not line:
            return "451 the message ended early"
        if size > MAX_MESSAGE_BYTES:
            return "552 the message is too big"
        mail = self.mailbox.deliver(sender, recipients, b"".join(lines))
        return f"250 OK: kept as message {mail.id}"


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class MailServer:
    """The SMTP server on 127.0.0.1 (``port`` 0: any free one), keeping mail in ``mailbox``."""

    def __init__(self, mailbox: Mailbox, port: int = 0) -> None:
        session: Any = type("Session", (_Session,), {"mailbox": mailbox})
        self._server = _Server(("127.0.0.1", port), session)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="sandbox-smtp", daemon=True)

    @property
    def url(self) -> str:
        """What COMPLAINTS_SMTP_URL is in the sandbox."""
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> MailServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
