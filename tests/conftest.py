"""Fixtures every test folder may use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.letters.smtp_server import Mailbox, Server


@pytest.fixture
def smtp() -> Iterator[tuple[Server, Mailbox]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and the mailbox it fills."""
    mailbox = Mailbox()
    server = Server(mailbox)
    server.start()
    yield server, mailbox
    server.stop()
