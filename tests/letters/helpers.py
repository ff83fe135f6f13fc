"""Cases and text extraction shared by the letters tests."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from cases.intake import parse_intake
from cases.model import Case

RECEIVED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def a_case(email: str | None = "sian@example.cymru", reference: str = "CMP-2026-0001") -> Case:
    intake = parse_intake({
        "complainant_name": "Siân Llŷr", "email": email, "phone": None,
        "postal_address": "1 Heol y Coed\nCardiff\nCF10 1AA", "relationship": "customer",
        "channel": "email", "received_at": RECEIVED, "facts": "The tracker stopped.",
        "category": "product",
        "checklist": {"referred_to_procedure": True, "feedback_form_sent": True,
                      "told_next_steps": True}})
    return Case(reference=reference, intake=intake, received_at=RECEIVED,
                effective_receipt=date(2026, 12, 1), logged_by="U1", logged_at=RECEIVED, id=1)


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, pages joined."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
