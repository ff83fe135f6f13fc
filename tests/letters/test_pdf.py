"""PDFs: the procedure as the package ships it, and every letter, escaping included."""

from __future__ import annotations

from cases.company import CompanyDetails
from cases.letters import LetterKind, sample_views
from letters.pdf import PROCEDURE_PDF, PdfRenderer, check_pdf_support
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
