"""PDFs: the procedure as the package ships it, and every letter, escaping included."""

from __future__ import annotations

from typing import Any

import pytest

from cases.company import CompanyDetails
from cases.letters import LetterKind, sample_views
from letters.pdf import (
    PROCEDURE_PDF,
    PdfRenderer,
    PdfUnavailable,
    check_pdf_support,
    html_to_pdf,
)
from letters.procedure import procedure_headings
from letters.templates import LetterTemplates
from tests.letters.helpers import pdf_text

COMPANY = CompanyDetails()


def test_the_procedure_pdf_carries_every_heading_of_the_procedure() -> None:
    check_pdf_support()
    text = pdf_text(PdfRenderer(LetterTemplates()).procedure(COMPANY))
    flat = " ".join(text.split())
    for heading in procedure_headings():
        assert heading in flat
    assert "within three working days" in flat


def test_every_letter_becomes_a_pdf_with_its_awkward_characters_intact() -> None:
    renderer = PdfRenderer(LetterTemplates())
    for view in sample_views(COMPANY):
        files = renderer.attachments(view)
        names = [name for name, _ in files]
        assert (PROCEDURE_PDF in names) == (view.kind is LetterKind.STAGE_ONE_ACKNOWLEDGEMENT)
        flat = " ".join(pdf_text(files[0][1]).split())
        assert "Siân Llŷr-O'Brien & Zoë < Måns>" in flat
        assert view.reference in flat


def test_missing_pango_stops_the_start_saying_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pango(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    with pytest.raises(PdfUnavailable) as caught:
        html_to_pdf("<p>x</p>")
    assert "apt-get install libpango-1.0-0" in str(caught.value)
    assert "libpango-1.0-0'" in str(caught.value)
