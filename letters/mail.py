"""The email surface: letters from the outbox to the complainant, by SMTP (stdlib smtplib).

``COMPLAINTS_SMTP_URL`` is ``smtp://user:password@host:port`` (``smtps://`` for TLS from
the start, ``?starttls=1`` to upgrade a plain connection) and ``COMPLAINTS_MAIL_FROM`` the
sender. Each letter has a stable ``Message-ID`` (from its log key), so a retry after a
crash is the same message. A temporary refusal (4xx) or an unreachable server is
``RetryLater``; a permanent one (5xx) is ``PermanentFailure``, which the dispatcher
dead-letters for the owner to see.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formatdate
from urllib.parse import parse_qs, unquote, urlsplit

from cases.clock import Clock
from cases.communications import view_from_payload
from cases.delivery import DeliveryItem, PermanentFailure, RetryLater
from letters.errors import LettersUnavailable
from letters.surface import Letters

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
_TRUE = {"1", "true", "yes", "on"}


class MailSettingsError(LettersUnavailable):
    """COMPLAINTS_SMTP_URL or COMPLAINTS_MAIL_FROM cannot be used; says which and why."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    mail_from: str
    username: str | None = None
    password: str | None = None
    tls: bool = False        # smtps://: TLS from the first byte
    starttls: bool = False   # smtp://…?starttls=1: upgrade after EHLO
    timeout: float = 20.0

    @property
    def domain(self) -> str:
        """The sender's domain: the right-hand side of every Message-ID."""
        return self.mail_from.rpartition("@")[2] or "complaints-desk.invalid"


def parse_smtp_url(url: str, mail_from: str | None) -> SmtpConfig:
    """An SmtpConfig from COMPLAINTS_SMTP_URL and COMPLAINTS_MAIL_FROM."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise MailSettingsError("COMPLAINTS_SMTP_URL must start smtp:// or smtps://, "
                                f"not {parts.scheme or '(nothing)'}://")
    if not parts.hostname:
        raise MailSettingsError("COMPLAINTS_SMTP_URL names no host, e.g. smtp://mail:25")
    if not mail_from or "@" not in mail_from:
        raise MailSettingsError("COMPLAINTS_MAIL_FROM must be the sender's address, e.g. "
                                "complaints@example.co.uk, when COMPLAINTS_SMTP_URL is set")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise MailSettingsError("COMPLAINTS_SMTP_URL has a port that is not a number") from None
    query = parse_qs(parts.query)
    starttls = any(v.lower() in _TRUE for v in query.get("starttls", []))
    return SmtpConfig(host=parts.hostname, port=port, mail_from=mail_from,
                      username=unquote(parts.username) if parts.username else None,
                      password=unquote(parts.password) if parts.password else None,
                      tls=parts.scheme == "smtps", starttls=starttls)


def message_id(letter_key: str, domain: str) -> str:
    """The letter's Message-ID: the same on every attempt to send it."""
    return f"<{letter_key}@{domain}>"


class EmailDelivery:
    """``cases.delivery.Deliverer`` for the "email" surface: one letter per outbox row."""

    def __init__(self, config: SmtpConfig, letters: Letters, clock: Clock | None = None) -> None:
        self.config = config
        self.letters = letters
        # The Date header reads the desk's clock (the sandbox's demo clock, a test's).
        self.clock = clock

    def build(self, item: DeliveryItem) -> EmailMessage:
        """The email for one queued letter: text and HTML parts, the PDFs attached."""
        payload = item.payload
        view = view_from_payload(payload["view"], self.letters.company)
        text = str(payload["text"])
        rendered = self.letters.render(view, text)
        message = EmailMessage()
        message["Subject"] = rendered.subject
        message["From"] = f"{self.letters.company.name} <{self.config.mail_from}>"
        message["To"] = str(payload["to"])
        message["Reply-To"] = self.letters.company.email
        message["Date"] = (formatdate(localtime=False) if self.clock is None
                           else format_datetime(self.clock.now()))
        message["Message-ID"] = message_id(str(payload["letter"]), self.config.domain)
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        for filename, data in self.letters.attachments(view, text):
            message.add_attachment(data, maintype="application", subtype="pdf",
                                   filename=filename)
        return message

    def deliver(self, item: DeliveryItem) -> None:
        """Send the letter; RetryLater or PermanentFailure as the server answers."""
        message = self.build(item)
        try:
            with self._connect() as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            _raise_for(min(codes) if codes else 550, str(exc.recipients))
        except smtplib.SMTPResponseException as exc:
            _raise_for(exc.smtp_code, _text(exc.smtp_error))
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            raise RetryLater(f"mail server unreachable: {type(exc).__name__}: {exc}") from None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        smtp: smtplib.SMTP
        if cfg.tls:
            smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        try:
            if cfg.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if cfg.username:
                smtp.login(cfg.username, cfg.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


def _text(error: bytes | str) -> str:
    return error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)


def _raise_for(code: int, error: str) -> None:
    if 500 <= code < 600:
        raise PermanentFailure(f"mail server refused the letter ({code}): {error}")
    raise RetryLater(f"mail server deferred the letter ({code}): {error}")
