"""Stable names the Teams surface puts in cards and reads back: verbs, dialog kinds, keys."""

from __future__ import annotations

from enum import StrEnum

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


class Verb(StrEnum):
    """``Action.Execute`` verbs (answered with the refreshed card)."""

    REFRESH = "refresh"
    APPROVE = "approve"


class Dialog(StrEnum):
    """What a ``task/fetch`` opens (``data.dialog``) and a ``task/submit`` carries back."""

    INTAKE = "intake"
    STEP = "step"
    DETAILS = "details"
    CASE_FILE = "case_file"   # a page of the case file (and its Older / Newer buttons)
    EDIT = "edit"             # Edit details, from the case file
    REASSIGN = "reassign"     # Reassign, from the case file
    FINAL_LETTER = "final_letter"  # Send final letter: the approved decision's letter
    RESEND = "resend"         # Resend a letter that bounced or may have been lost


# Keys of conversation references kept in the store.
CHANNEL_KEY = "channel:"    # + channel conversation id: {reference, name, team}
MEMBER_KEY = "member:"      # + aadObjectId: {id (29:…), tenant, service_url, name}
PERSONAL_KEY = "personal:"  # + aadObjectId: the personal chat's conversation reference
