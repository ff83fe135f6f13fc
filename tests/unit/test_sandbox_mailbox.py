"""The sandbox's mailbox keeps what the desk emails, and the page's live updates arrive as
Server-Sent Events."""

from __future__ import annotations

import http.client
import smtplib
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate

from sandbox.mailbox import Mailbox, MailServer
from sandbox.page import Page
from tests.unit import sandbox_server
from tests.unit.sandbox_server import STAFF

LETTER_PDF = b"%PDF-1.7\n% the letter\n%%EOF\n"
PROCEDURE_PDF = b"%PDF-1.7\n% the procedure\n%%EOF\n"


def _letter() -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "Your complaint TT-2026-0001"
    message["From"] = "Tiny Tracker <complaints-desk@sandbox.invalid>"
    message["To"] = "ada@example.com"
    message["Date"] = formatdate(localtime=False)
    # A line starting with a dot goes dot-stuffed over SMTP and must come back as written.
    message.set_content("Dear Ada Example,\n.this line starts with a dot\nYours, Casey\n")
    message.add_attachment(LETTER_PDF, maintype="application", subtype="pdf",
                           filename="TT-2026-0001-letter.pdf")
    message.add_attachment(PROCEDURE_PDF, maintype="application", subtype="pdf",
                           filename="complaints-procedure.pdf")
    return message


def test_a_letter_sent_by_smtp_is_kept_whole_and_read_on_the_page() -> None:
    with sandbox_server.served() as ws:
        mail = MailServer(ws.mailbox).start()
        try:
            with smtplib.SMTP("127.0.0.1", mail.port, timeout=10) as smtp:
                refused = smtp.send_message(_letter())
        finally:
            mail.stop()
        assert refused == {}
        [kept] = ws.mailbox.all()
        assert kept.recipients == ("ada@example.com",)
        assert kept.text().splitlines()[1] == ".this line starts with a dot"

        listed = Page(ws, STAFF, "mailbox", "now").html()
        assert "ada@example.com" in listed and "Your complaint TT-2026-0001" in listed
        assert 'href="/?as=U0SAMSTAFF&amp;at=mail%3A1"' in listed
        assert "Mailbox <span id=\"mail-count\" data-live>(1)</span>" in listed

        read = Page(ws, STAFF, "mail:1", "now").html()
        assert "Dear Ada Example," in read
        for index, name in enumerate(("TT-2026-0001-letter.pdf", "complaints-procedure.pdf")):
            assert f'href="/mail/1/{index}/{name}"' in read
        with urllib.request.urlopen(f"{ws.base_url}/mail/1/1/complaints-procedure.pdf") as got:
            assert got.headers["Content-Type"] == "application/pdf"
            assert got.read() == PROCEDURE_PDF


def test_the_smtp_server_keeps_to_the_order_of_a_conversation() -> None:
    mailbox = Mailbox()
    mail = MailServer(mailbox).start()
    try:
        with smtplib.SMTP("127.0.0.1", mail.port, timeout=10) as smtp:
            assert smtp.docmd("RCPT", "TO:<a@example.com>")[0] == 503  # no MAIL FROM yet
            smtp.ehlo()
            assert smtp.docmd("DATA")[0] == 503  # nobody to send it to
            assert smtp.docmd("VRFY", "a@example.com")[0] == 502
            assert smtp.has_extn("8bitmime") and smtp.has_extn("size")
    finally:
        mail.stop()
    assert mailbox.all() == []


def test_the_page_hears_of_each_change_as_a_server_sent_event() -> None:
    with sandbox_server.served() as ws:
        port = int(ws.base_url.rpartition(":")[2])
        seen = ws.version
        stream = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        stream.request("GET", f"/ui/events?since={seen}")
        answer = stream.getresponse()
        assert answer.status == 200
        assert answer.getheader("Content-Type", "").startswith("text/event-stream")
        assert answer.readline() == b"retry: 1000\n"
        assert answer.readline() == b"\n"
        ws.post_as(STAFF, sandbox_server.CS, "Customer rang.")  # a change
        event = [answer.readline() for _ in range(3)]
        assert event == [f"id: {seen + 1}\n".encode(), f"data: {seen + 1}\n".encode(), b"\n"]
        stream.close()
        # A reconnecting EventSource names the last event it had: it hears of what it missed.
        ws.post_as(STAFF, sandbox_server.CS, "Missed while away.")
        again = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        again.request("GET", "/ui/events?since=0", headers={"Last-Event-ID": str(seen + 1)})
        answer = again.getresponse()
        lines = [answer.readline() for _ in range(4)]
        assert lines[2] == f"id: {seen + 2}\n".encode()
        again.close()
