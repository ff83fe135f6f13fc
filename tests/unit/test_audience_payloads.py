"""The ``audience`` key of channel notices, and rows queued when it was called ``surface``."""

from __future__ import annotations

from cases.audience import Audience, channel_audience


def test_a_channel_notice_goes_to_the_team_its_audience_names() -> None:
    assert channel_audience({"template": "digest", "audience": "directors"}) is Audience.DIRECTORS
    assert channel_audience({"template": "digest", "audience": "cs"}) is Audience.CUSTOMER_SERVICES


def test_rows_queued_before_the_rename_still_reach_their_team() -> None:
    assert channel_audience({"template": "alert", "surface": "directors"}) is Audience.DIRECTORS
    assert channel_audience({"template": "alert"}) is Audience.CUSTOMER_SERVICES
