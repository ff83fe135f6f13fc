"""The letters surface, built from Settings: templates checked at start, email if set up."""

from __future__ import annotations

from bot.settings import Settings
from cases.clock import Clock
from cases.delivery import EMAIL, Deliverer
from cases.policy import Policy
from letters.mail import EmailDelivery, parse_smtp_url
from letters.surface import Letters, start_letters


def build_letters(settings: Settings, policy: Policy) -> Letters:
    """Every letter template checked (and PDF support): a problem stops the start here."""
    return start_letters(policy.company, settings.complaints_templates_dir)


def letter_deliverers(settings: Settings, letters: Letters,
                      clock: Clock | None = None) -> dict[str, Deliverer]:
    """The email surface's deliverer when COMPLAINTS_SMTP_URL is set; else none."""
    if settings.complaints_smtp_url is None:
        return {}
    config = parse_smtp_url(settings.complaints_smtp_url.get_secret_value(),
                            settings.complaints_mail_from)
    return {EMAIL: EmailDelivery(config, letters, clock)}
