"""The page's Mailbox: the letters the desk emailed, as the sandbox's SMTP server kept them.

A list (to, subject, date, newest first) and one letter at a time: its headers, its text and
its attachments, each a link that opens the file itself (a PDF shows in the browser).
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from sandbox.mailbox import Mail, Mailbox

MAILBOX = "mailbox"  # the page's place for the list; "mail:<id>" is one letter


def mail_place(mail_id: int) -> str:
    return f"mail:{mail_id}"


def mail_of(place: str, mailbox: Mailbox) -> Mail | None:
    """The letter a ``mail:<id>`` place names (None for any other place)."""
    head, _, number = place.partition(":")
    return mailbox.get(int(number)) if head == "mail" and number.isdigit() else None


def attachment_href(mail: Mail, index: int, filename: str) -> str:
    return f"/mail/{mail.id}/{index}/{quote(filename)}"


def mailbox_list(mailbox: Mailbox, viewer: str) -> str:
    """Every letter the desk emailed, newest first, each a link to read it."""
    mails = list(reversed(mailbox.all()))
    if not mails:
        return ("<p>No letters yet. A letter sent by email (for instance with an "
                "acknowledgement) lands here instead of leaving the machine.</p>")
    rows = "".join(
        f"<tr><td>{escape(', '.join(m.recipients))}</td>"
        f'<td><a href="/?as={quote(viewer)}&amp;at={quote(mail_place(m.id))}">'
        f"{escape(m.header('Subject') or '(no subject)')}</a></td>"
        f"<td>{escape(m.date_text())}</td></tr>" for m in mails)
    return ('<table class="mail"><thead><tr><th scope="col">To</th><th scope="col">Subject'
            f'</th><th scope="col">Date</th></tr></thead><tbody>{rows}</tbody></table>')


def mail_view(mail: Mail, viewer: str) -> str:
    """One letter: who it is from and to, when, its words, and its attachments."""
    heads = "".join(f"<dt>{name}</dt><dd>{escape(mail.header(name))}</dd>"
                    for name in ("From", "To", "Reply-To", "Subject"))
    heads += f"<dt>Date</dt><dd>{escape(mail.date_text())}</dd>"
    files = "".join(
        f'<li><a href="{escape(attachment_href(mail, i, a.filename))}" target="_blank" '
        f'rel="noopener">{escape(a.filename)}</a> <span class="hint">'
        f"{escape(a.content_type)}, {max(1, round(len(a.data) / 1024))} KB</span></li>"
        for i, a in enumerate(mail.attachments()))
    attached = (f'<h3>Attachments</h3><ul class="attachments">{files}</ul>' if files
                else "<p>No attachments.</p>")
    back = f'<p><a href="/?as={quote(viewer)}&amp;at={MAILBOX}">All letters</a></p>'
    return (f'{back}<article class="letter" aria-label="Letter">'
            f'<dl class="mail-headers">{heads}</dl>'
            f'<div class="mail-body">{escape(mail.text())}</div>{attached}</article>')
