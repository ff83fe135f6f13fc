"""The letters surface as the composition root builds it: templates and PDFs, checked once.

``start_letters`` runs when the desk starts: a template with an unknown placeholder, or
missing PDF libraries, stop the start with a message that says which file or what to
install, rather than failing later when a complainant is waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cases.company import CompanyDetails
from cases.letters import LetterView
from letters.pdf import PdfRenderer, check_pdf_support
from letters.templates import LetterTemplates, RenderedLetter


@dataclass
class Letters:
    """Renders letters for every surface that needs them (previews, email, post)."""

    company: CompanyDetails
    templates: LetterTemplates
    pdfs: PdfRenderer
    # Set by the composition root when an email deliverer is registered.
    mail_configured: bool = False

    def text(self, view: LetterView) -> str:
        """The letter's words as its template says them (the preview staff may edit)."""
        return self.templates.text(view)

    def render(self, view: LetterView, text: str | None = None) -> RenderedLetter:
        """Subject, text and HTML; ``text`` is the words as staff edited them."""
        return self.templates.render(view, text)

    def attachments(self, view: LetterView, text: str | None = None
                    ) -> list[tuple[str, bytes]]:
        """The letter's PDF, and the procedure's where the letter encloses it."""
        return self.pdfs.attachments(view, text)


def start_letters(company: CompanyDetails, templates_dir: Path | None = None, *,
                  check_pdf: bool = True) -> Letters:
    """Load and check every template (and PDF support); raises naming what is wrong."""
    templates = LetterTemplates(templates_dir)
    templates.check(company)
    if check_pdf:
        check_pdf_support()
    return Letters(company=company, templates=templates, pdfs=PdfRenderer(templates))
