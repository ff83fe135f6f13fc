"""SlackDelivery.deliver: network-level failures are transient (RetryLater), not bugs."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime
from typing import Any

import pytest

from cases.clock import FrozenClock
from cases.policy import Policy
from handlers.delivery import Channels, Pacer, RetryLater, SlackDelivery, slack_position, slack_ref
from storage.outbox import OutboxItem


class _Client:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def chat_postMessage(self, **kwargs: Any) -> Any:
        raise self.error


def _delivery(error: Exception) -> SlackDelivery:
    # A channel post without a case touches neither the desk, the card positions nor the
    # calendar: only the client.
    return SlackDelivery(_Client(error), desk=None, refs=None,  # type: ignore[arg-type]
                         channels=Channels("C0CS", "C0DIR"),
                         clock=FrozenClock(datetime(2026, 5, 5, 9, 30, tzinfo=UTC)),
                         calendar=None, policy=Policy(),  # type: ignore[arg-type]
                         pacer=Pacer(sleep=lambda _: None))


_ITEM = OutboxItem(id=1, case_id=None, kind="channel", payload={"text": "hello"}, attempts=1)


@pytest.mark.parametrize("error", [
    http.client.IncompleteRead(b"{\"ok\": tr", 40),  # the answer cut short: not an OSError
    http.client.RemoteDisconnected("Remote end closed connection without response"),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError("The read operation timed out"),
])
def test_a_broken_connection_is_retried_later(error: Exception) -> None:
    with pytest.raises(RetryLater, match="Slack unreachable") as raised:
        _delivery(error).deliver(_ITEM)
    assert raised.value.seconds is None  # the dispatcher's backoff
    assert raised.value.__cause__ is error


def test_an_unexpected_error_is_not_disguised_as_transient() -> None:
    with pytest.raises(KeyError):
        _delivery(KeyError("blocks")).deliver(_ITEM)


def test_a_slack_message_reference_gives_back_its_channel_and_ts() -> None:
    ref = slack_ref("C0CS00001", "1714550400.000100")
    assert slack_position(ref) == ("C0CS00001", "1714550400.000100")
    for broken in ("C0CS00001", ":1714550400.000100", "C0CS00001:"):
        with pytest.raises(ValueError, match="not a Slack message reference"):
            slack_position(broken)
