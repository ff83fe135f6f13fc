"""The Teams app package: ``manifest.json`` and two icons in a zip, ready to upload."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from typing import Any

MANIFEST_SCHEMA = ("https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/"
                   "MicrosoftTeams.schema.json")
COMMANDS = (("new", "Log a complaint (opens the intake form)"),
            ("list", "Cases you can see: list mine, list overdue, list open"),
            ("show", "One case's card: show REF"),
            ("find", "Find cases by name, organisation, email, phone: find TEXT"),
            ("note", "Add a note to a case's history: note REF TEXT"),
            ("report", "Trends and effectiveness: report [FROM [TO]]"),
            ("help", "What the bot can do"))
BRAND = (0x1F, 0x4E, 0x79)  # the desk's blue


def manifest(app_id: str, *, domain: str | None = None, version: str = "1.0.0"
             ) -> dict[str, Any]:
    """The app manifest (v1.17): the bot in personal and team scopes, its commands, the
    message extension "Log a complaint"; ``supportsFiles`` for the posted letters' PDFs
    (file-consent cards in personal chat). No RSC permissions: the bot needs none."""
    commands = [{"title": t, "description": d} for t, d in COMMANDS]
    return {
        "$schema": MANIFEST_SCHEMA, "manifestVersion": "1.17", "version": version,
        "id": app_id,
        "developer": {"name": "Tiny Tracker", "websiteUrl": "https://www.tinytracker.co.uk",
                      "privacyUrl": "https://www.tinytracker.co.uk/privacy",
                      "termsOfUseUrl": "https://www.tinytracker.co.uk/terms"},
        "name": {"short": "Complaints Desk", "full": "Tiny Tracker Complaints Desk"},
        "description": {
            "short": "Runs the customer-complaints procedure in Teams.",
            "full": "Log complaints after a call, track every case on a card in the "
                    "customer-services channel, keep every deadline in UK working days, "
                    "and approve Stage Two decisions in the directors' channel."},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*BRAND),
        "bots": [{"botId": app_id, "scopes": ["personal", "team"],
                  "supportsFiles": True, "isNotificationOnly": False,
                  "commandLists": [{"scopes": ["personal", "team"], "commands": commands}]}],
        "composeExtensions": [{
            "botId": app_id,
            "commands": [{"id": "logComplaint", "type": "action", "title": "Log a complaint",
                          "description": "Log this message as a complaint",
                          "context": ["message", "compose", "commandBox"],
                          "fetchTask": True}]}],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain] if domain else [],
    }


def png(size: int, colour: tuple[int, int, int, int], mark: tuple[int, int, int, int]
        ) -> bytes:
    """A square PNG: ``colour`` with a centred ``mark`` square (no imaging library)."""
    lo, hi = size // 4, size - size // 4
    rows = b"".join(
        b"\x00" + b"".join(bytes(mark if lo <= x < hi and lo <= y < hi else colour)
                           for x in range(size))
        for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def package(app_id: str, *, domain: str | None = None) -> bytes:
    """The zip Teams takes: manifest.json, color.png (192×192), outline.png (32×32)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest(app_id, domain=domain), indent=2))
        zf.writestr("color.png", png(192, (*BRAND, 255), (255, 255, 255, 255)))
        zf.writestr("outline.png", png(32, (0, 0, 0, 0), (255, 255, 255, 255)))
    return out.getvalue()
