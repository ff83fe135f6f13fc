"""Every Adaptive Card the bot sent in a Stage One run is valid under the official Adaptive
Cards 1.5 schema (card_schema.py; the fake and the driver check every card too); the app
package holds a manifest and two icons."""

from __future__ import annotations

import io
import json
import struct
import zipfile

from teams.package import package
from tests.teams.card_schema import validate
from tests.teams.driver import TeamsDriver
from tests.teams.test_stage_one import CASEY, log_one


def test_every_card_and_dialog_is_adaptive_cards_1_5(teams: TeamsDriver) -> None:
    card = log_one(teams)
    ack = next(a for a in card["actions"] if a["title"] == "Acknowledge")
    dialog = teams.fetch(CASEY, ack["data"])
    validate(dialog["task"]["value"]["card"]["content"])
    validate(teams.fetch(CASEY, {"dialog": "intake"})["task"]["value"]["card"]["content"])
    teams.submit(CASEY, dialog, {"owner": teams.person(CASEY),
                                 "promised_reply_by": "2026-07-10",
                                 "procedure_attached": "true"})
    teams.deliver()
    sent = [*teams.fake.cards("send"), *teams.fake.cards("update"), *teams.fake.cards("reply")]
    assert len(sent) >= 3
    for each in sent:
        validate(each)


def test_the_package_has_the_manifest_and_both_icons() -> None:
    zf = zipfile.ZipFile(io.BytesIO(package("app-0001", domain="desk.example.co.uk")))
    assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["id"] == manifest["bots"][0]["botId"] == "app-0001"
    assert manifest["validDomains"] == ["desk.example.co.uk"]
    commands = {c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]}
    assert {"new", "list", "show", "find", "note", "report", "help"} <= commands
    assert manifest["composeExtensions"][0]["commands"][0]["title"] == "Log a complaint"
    for name, size in (("color.png", 192), ("outline.png", 32)):
        data = zf.read(name)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)
