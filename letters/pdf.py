"""Letters and the procedure as A4 PDFs, with WeasyPrint (HTML and CSS in, PDF out).

WeasyPrint needs Pango (a system library). ``check_pdf_support`` is called at start: where
Pango is missing the desk says what to install instead of failing on the first letter.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from cases.company import CompanyDetails
from cases.letters import LetterView
from letters.errors import LettersUnavailable
from letters.templates import LetterTemplates

PROCEDURE_PDF = "complaints-procedure.pdf"

INSTALL_HINT = (
    "letters need WeasyPrint's system libraries (Pango): on Debian or Ubuntu "
    "`apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0`, on Fedora "
    "`dnf install pango`, on macOS `brew install pango`; then start the desk again"
)


class PdfUnavailable(LettersUnavailable):
    """WeasyPrint or its system libraries are missing; the message says what to install."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except ImportError as exc:
        raise PdfUnavailable(f"{INSTALL_HINT} (and `pip install weasyprint`): {exc}") from None
    except OSError as exc:  # the Python package is there, Pango is not
        raise PdfUnavailable(f"{INSTALL_HINT}: {exc}") from None
    return weasyprint


@cache
def check_pdf_support() -> None:
    """Render a tiny document (once per process); PdfUnavailable says what to install."""
    html_to_pdf("<p>Complaints Desk</p>")


@cache
def _font_config() -> Any:
    # One font configuration for the process: WeasyPrint makes a new one per document
    # otherwise, and memory grows with every letter (fontconfig's caches are not freed).
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


_RENDER_LOCK = threading.Lock()


def html_to_pdf(html: str) -> bytes:
    """One HTML document (with its own CSS) as PDF bytes."""
    weasyprint = _weasyprint()
    # The shared font configuration is not documented as thread-safe: one render at a time.
    with _RENDER_LOCK:
        pdf: bytes = weasyprint.HTML(string=html).write_pdf(font_config=_font_config())
    return pdf


def letter_filename(view: LetterView) -> str:
    """The PDF's name: the letter's kind and the case reference."""
    return f"{view.kind.value.replace('_', '-')}-{view.reference}.pdf"


class PdfRenderer:
    """Letter PDFs on demand; the procedure's PDF rendered once per company and kept."""

    def __init__(self, templates: LetterTemplates) -> None:
        self.templates = templates
        self._procedure: dict[CompanyDetails, bytes] = {}
        self._lock = threading.Lock()

    def letter(self, view: LetterView, text: str | None = None) -> bytes:
        """The letter (``text``: its edited words) as an A4 PDF with its address blocks."""
        return html_to_pdf(self.templates.html(view, text))

    def procedure(self, company: CompanyDetails) -> bytes:
        """``complaints-procedure.pdf``: the procedure the package ships, as a PDF."""
        with self._lock:
            pdf = self._procedure.get(company)
            if pdf is None:
                pdf = html_to_pdf(self.templates.procedure_html(company))
                self._procedure[company] = pdf
            return pdf

    def attachments(self, view: LetterView, text: str | None = None
                    ) -> list[tuple[str, bytes]]:
        """What goes with the letter: its own PDF, and the procedure where it is enclosed."""
        files = [(letter_filename(view), self.letter(view, text))]
        if view.encloses_procedure:
            files.append((PROCEDURE_PDF, self.procedure(view.company)))
        return files
