"""A posted letter's PDFs reach its sender in Teams through the file-consent flow, end to
end through the real endpoint: a consent card per PDF in the sender's personal chat; Allow
uploads the PDF to the URL Teams gives (the fake's, on 127.0.0.1) and posts the file's card;
Decline and a failed upload say so and offer the card again; nobody else can have it."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from cases.communications import view_from_payload
from cases.letters import LetterKind
from cases.roles import Role
from cases.step_letters import LETTER_METHOD
from letters.pdf import PROCEDURE_PDF
from teams.file_consent import CONSENT, FILE_INFO
from teams.package import package
from tests.letters.helpers import pdf_text
from tests.teams.driver import TeamsDriver
from tests.teams.walk import CASEY, DANA, SAM, card_now, chat, done, log_case, press, staff

CORA = "aad-cora"  # a second member of customer services


def in_chat(teams: TeamsDriver, aad: str, content_type: str) -> list[dict[str, Any]]:
    """The attachments of ``content_type`` the bot sent in ``aad``'s personal chat (posted
    by the outbox, or in answer to a press there), oldest first."""
    return [a for c in teams.fake.calls if c.kind in ("send", "reply")
            and c.conversation == chat(aad) for a in c.body.get("attachments") or []
            if a.get("contentType") == content_type]


def lines(teams: TeamsDriver, aad: str) -> list[str]:
    return [str(c.body.get("text") or "") for c in teams.fake.calls
            if c.kind in ("send", "reply") and c.conversation == chat(aad)]


def posted_letter(teams: TeamsDriver, **answers: Any) -> tuple[dict[str, str], int]:
    """A case acknowledged with its letter by post (the procedure enclosed); delivered."""
    people = staff(teams)
    case = log_case(teams)
    done(press(teams, CASEY, card_now(teams), "Acknowledge",
               {"owner": people[CASEY], LETTER_METHOD: "post", **answers}))
    teams.deliver()
    return people, case.id or 0


def rendered(teams: TeamsDriver, people: dict[str, str], case_id: int) -> dict[str, bytes]:
    """The letter's PDFs as the letters surface renders them from the log now."""
    [entry] = teams.desk.letters_of(case_id, actor=people[CASEY])
    letters = teams.runtime.teams.deps.letters
    assert letters is not None
    view = view_from_payload(entry.view, teams.runtime.container.policy.company)
    return dict(letters.attachments(view, entry.text))


def test_a_posted_letter_is_offered_as_one_consent_card_per_pdf(teams: TeamsDriver) -> None:
    people, case_id = posted_letter(teams, procedure_attached="true")
    cards = in_chat(teams, CASEY, CONSENT)
    files = rendered(teams, people, case_id)
    assert [c["name"] for c in cards] == list(files) and PROCEDURE_PDF in files
    [entry] = teams.desk.letters_of(case_id, actor=people[CASEY])
    assert entry.kind is LetterKind.STAGE_ONE_ACKNOWLEDGEMENT
    for card in cards:
        content = card["content"]
        assert content["sizeInBytes"] == len(files[card["name"]])
        context = {"letter": entry.key, "file": card["name"]}
        assert content["acceptContext"] == content["declineContext"] == context
    said = lines(teams, CASEY)
    assert any("to print and post" in t and "Allow" in t for t in said), said
    # Nothing about the complainant on the cards: the address stays in the PDF.
    assert "Example Street" not in json.dumps(cards) and "Ada" not in json.dumps(cards)
    assert in_chat(teams, CASEY, "application/pdf") == []  # no inline files any more
    assert teams.fake.uploads == []  # nothing leaves before the person allows it


def test_a_letter_without_the_procedure_has_one_card(teams: TeamsDriver) -> None:
    people = staff(teams)
    log_case(teams)
    done(press(teams, CASEY, card_now(teams), "Acknowledge",
               {"owner": people[CASEY], "procedure_attached": "true",
                LETTER_METHOD: "phone"}))
    teams.deliver()
    assert in_chat(teams, CASEY, CONSENT) == []  # told by phone: no file
    done(press(teams, CASEY, card_now(teams), "Resolve",
               {"resolution": "Sent a replacement tracker.", LETTER_METHOD: "post"}))
    teams.deliver()
    [card] = in_chat(teams, CASEY, CONSENT)
    assert card["name"] != PROCEDURE_PDF and card["name"].endswith(".pdf")
    assert "to print and post" in card["content"]["description"]


def test_allow_uploads_the_pdf_and_posts_its_file_card(teams: TeamsDriver) -> None:
    people, case_id = posted_letter(teams, procedure_attached="true")
    files = rendered(teams, people, case_id)
    for card in in_chat(teams, CASEY, CONSENT):
        status, _ = teams.consent(CASEY, card)
        assert status == 200
    assert [u.path for u in teams.fake.uploads] == list(files)
    for upload in teams.fake.uploads:
        data = files[upload.path]
        assert upload.data == data and data.startswith(b"%PDF")
        n = len(data)
        assert upload.headers["Content-Length"] == str(n)
        assert upload.headers["Content-Range"] == f"bytes 0-{n - 1}/{n}"
    [letter] = [u.data for u in teams.fake.uploads if u.path != PROCEDURE_PDF]
    assert "Ada Lovelace" in pdf_text(letter)
    infos = in_chat(teams, CASEY, FILE_INFO)
    assert [i["name"] for i in infos] == list(files)
    assert infos[0]["contentUrl"] == f"{teams.fake.base_url}/files/{infos[0]['name']}"
    assert infos[0]["content"] == {"uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
                                   "fileType": "pdf"}


def test_decline_uploads_nothing_and_says_how_to_have_it_later(teams: TeamsDriver) -> None:
    posted_letter(teams)
    [card, *_] = in_chat(teams, CASEY, CONSENT)
    status, _ = teams.consent(CASEY, card, "decline")
    assert status == 200
    assert teams.fake.uploads == [] and in_chat(teams, CASEY, FILE_INFO) == []
    assert any(f"{card['name']} was not saved" in t and "press Allow on the card below" in t
               for t in lines(teams, CASEY)), lines(teams, CASEY)
    offered_again = in_chat(teams, CASEY, CONSENT)[-1]
    assert offered_again["content"]["acceptContext"] == card["content"]["acceptContext"]
    teams.consent(CASEY, offered_again)  # changed their mind: saved after all
    assert [u.path for u in teams.fake.uploads] == [card["name"]]


def test_a_failed_upload_is_told_and_allowing_again_saves_it(
        teams: TeamsDriver, caplog: pytest.LogCaptureFixture) -> None:
    posted_letter(teams)
    [card, *_] = in_chat(teams, CASEY, CONSENT)
    teams.fake.fail_uploads(503)
    status, _ = teams.consent(CASEY, card)
    assert status == 200 and in_chat(teams, CASEY, FILE_INFO) == []
    assert any("upload" in t and "failed" in t and "press Allow again" in t
               for t in lines(teams, CASEY)), lines(teams, CASEY)
    # Unreachable (nothing listens there): told the same way.
    status, _ = teams.consent(CASEY, card, upload_url="http://127.0.0.1:9/upload/x.pdf")
    assert status == 200 and in_chat(teams, CASEY, FILE_INFO) == []
    assert sum("failed" in t for t in lines(teams, CASEY)) == 2
    logged = [r.getMessage() for r in caplog.records if r.name == "teams.file_consent"]
    assert len(logged) == 2 and "HTTP 503" in logged[0], logged
    status, _ = teams.consent(CASEY, card)  # the same card, allowed again
    assert status == 200
    [info] = in_chat(teams, CASEY, FILE_INFO)
    assert info["name"] == card["name"]
    assert teams.fake.uploads[-1].data.startswith(b"%PDF")


def test_nobody_but_the_sender_who_needs_to_know_can_have_the_file(
        teams: TeamsDriver) -> None:
    posted_letter(teams)
    [card, *_] = in_chat(teams, CASEY, CONSENT)
    for other in (SAM, DANA):  # the person complained about; a director who did not send it
        status, _ = teams.consent(other, card)
        assert status == 200
        assert in_chat(teams, other, FILE_INFO) == [] and in_chat(teams, other, CONSENT) == []
        assert any("Only the person who sent this letter" in t
                   for t in lines(teams, other)), lines(teams, other)
    assert teams.fake.uploads == []


def test_the_app_package_says_the_bot_handles_files() -> None:
    # Without supportsFiles Teams shows no consent card and never sends fileConsent/invoke.
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(package("app-0001"))).read(
        "manifest.json"))
    assert manifest["bots"][0]["supportsFiles"] is True


def test_a_sender_who_no_longer_needs_to_know_is_refused(teams: TeamsDriver) -> None:
    people = staff(teams)
    cora = teams.grant(CORA, Role.CUSTOMER_SERVICES, "Cora Colleague")
    teams.say(CORA, "help")
    log_case(teams)
    done(press(teams, CORA, card_now(teams), "Acknowledge",
               {"owner": people[CASEY], LETTER_METHOD: "post"}))
    teams.deliver()
    [card, *_] = in_chat(teams, CORA, CONSENT)
    with teams.desk.uow() as uow:  # Cora moves on: no longer in customer services
        uow.roles.revoke(cora, Role.CUSTOMER_SERVICES)
        uow.commit()
    status, _ = teams.consent(CORA, card)
    assert status == 200 and teams.fake.uploads == []
    assert any("Only the person who sent this letter" in t for t in lines(teams, CORA))
    assert in_chat(teams, CORA, FILE_INFO) == []
