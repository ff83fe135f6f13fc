"""What happens before the bot serves: logging that keeps personal data out, Slack checks."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.settings import Settings

log = logging.getLogger(__name__)

# Libraries that log request and response bodies (personal data, tokens) below WARNING,
# alembic's nine INFO lines per command, and WeasyPrint's and fontTools' progress lines for
# every letter rendered. Their warnings and errors still show.
NOISY = ("slack_bolt", "slack_sdk", "alembic", "apscheduler", "cheroot", "urllib3",
         "weasyprint", "fontTools")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{6,}")


# bolt reads SLACK_BOT_TOKEN from the environment itself and warns that it is unused,
# although the client it is given was built from the same token.
_TOKEN_UNUSED = "As you gave `client` as well, `token` will be unused."


class LibraryNoise(logging.Filter):
    """Drop library records below WARNING (bolt's loggers copy the root level)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(NOISY):
            return True
        return record.levelno >= logging.WARNING and record.msg != _TOKEN_UNUSED


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr; the app's own debug lines with -v, never libraries' bodies."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, LibraryNoise) for f in handler.filters):
            handler.addFilter(LibraryNoise())
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or exc.response.status_code)


def slack_problems(client: WebClient, settings: Settings) -> list[str]:
    """Why the bot could not work with Slack as configured (empty when it can)."""
    try:
        auth: Any = client.auth_test()
    except SlackApiError as exc:
        return [f"SLACK_BOT_TOKEN: Slack refused it ({_error(exc)}); it must be the app's "
                "Bot User OAuth Token (xoxb-...) from OAuth & Permissions"]
    except (SlackClientError, OSError) as exc:
        where = "SLACK_API_URL" if settings.slack_api_url else "the network"
        return [f"cannot reach Slack ({type(exc).__name__}: {exc}); check {where}"]
    log.info("Slack token is good: bot %s in %s", auth.get("user_id"), auth.get("team"))
    problems = []
    for setting, channel in (("COMPLAINTS_CS_CHANNEL", settings.complaints_cs_channel),
                             ("COMPLAINTS_DIRECTORS_CHANNEL",
                              settings.complaints_directors_channel)):
        problem = _channel_problem(client, channel or "")
        if problem:
            problems.append(f"{setting}: {problem}")
    return problems


def _channel_problem(client: WebClient, channel: str) -> str | None:
    if not CHANNEL_ID.fullmatch(channel):
        return (f"{channel!r} is not a channel id; use the id (C...) shown at the bottom "
                "of the channel's details in Slack, not its name")
    try:
        info: Any = client.conversations_info(channel=channel)
    except SlackApiError as exc:
        error = _error(exc)
        if error == "missing_scope":
            log.warning("cannot check that the bot is in %s: the app lacks channels:read / "
                        "groups:read; messages there fail if it is not", channel)
            return None
        return f"Slack cannot find channel {channel} for the bot ({error})"
    found = info.get("channel") or {}
    if found.get("is_archived"):
        return f"channel {channel} is archived; the bot cannot post there"
    if found.get("is_member") is False:
        return f"the bot is not in channel {channel}; invite it there (/invite @Complaints Desk)"
    return None
