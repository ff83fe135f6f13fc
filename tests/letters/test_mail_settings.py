"""Mail settings: COMPLAINTS_SMTP_URL and COMPLAINTS_MAIL_FROM read once, checked at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.letters_wiring import build_letters, letter_deliverers
from bot.settings import Settings
from cases.delivery import EMAIL
from cases.policy import Policy
from letters.errors import LettersUnavailable
from letters.mail import MailSettingsError, message_id, parse_smtp_url


def test_an_smtp_url_gives_host_port_credentials_and_tls() -> None:
    plain = parse_smtp_url("smtp://ann:p%40ss@mail.example.co.uk:587?starttls=1",
                           "complaints@example.co.uk")
    assert (plain.host, plain.port, plain.username, plain.password) == (
        "mail.example.co.uk", 587, "ann", "p@ss")
    assert plain.starttls and not plain.tls
    tls = parse_smtp_url("smtps://mail.example.co.uk", "complaints@example.co.uk")
    assert (tls.port, tls.tls, tls.starttls) == (465, True, False)
    assert message_id("letter-1", tls.domain) == "<letter-1@example.co.uk>"


@pytest.mark.parametrize(("url", "sender", "says"), [
    ("http://mail", "a@b.c", "smtp://"),
    ("smtp://", "a@b.c", "no host"),
    ("smtp://mail:25", None, "COMPLAINTS_MAIL_FROM"),
])
def test_unusable_mail_settings_stop_the_start_saying_which(url: str, sender: str | None,
                                                            says: str) -> None:
    with pytest.raises(MailSettingsError, match=says):
        parse_smtp_url(url, sender)


def test_no_smtp_means_no_email_surface_and_a_url_adds_it() -> None:
    letters = build_letters(Settings(_env_file=None), Policy())
    assert letter_deliverers(Settings(_env_file=None), letters) == {}
    settings = Settings(_env_file=None, complaints_smtp_url="smtp://127.0.0.1:2525",
                        complaints_mail_from="complaints@example.co.uk")
    assert list(letter_deliverers(settings, letters)) == [EMAIL]


def test_a_bad_template_folder_stops_the_start_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "resolution.txt.j2").write_text("{{ complainant_nme }}")
    settings = Settings(_env_file=None, complaints_templates_dir=str(tmp_path))
    with pytest.raises(LettersUnavailable, match="resolution.txt.j2.*complainant_nme"):
        build_letters(settings, Policy())
