"""The letters' Jinja2 templates: shipped in the package, overridable from a folder.

One plain-text template per letter (``<kind>.txt.j2``: the words, which staff may edit
before sending), one HTML layout (``letter.html.j2``: the same words with the company's
and the complainant's address blocks, for the email's HTML part and the PDF) and the
procedure's layout (``procedure.html.j2``). A company overrides any of them by putting a
file of the same name in ``COMPLAINTS_TEMPLATES_DIR``.

Every placeholder is strict: ``check`` renders every template with sample data when the
desk starts, so an unknown name fails then, naming the file and the name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from cases.company import CompanyDetails
from cases.letters import LetterKind, LetterView, sample_views
from letters.errors import LettersUnavailable
from letters.procedure import ProcedureBlock, procedure_blocks

LAYOUT = "letter.html.j2"
PROCEDURE = "procedure.html.j2"
STYLE = "letter.css"


def text_template(kind: LetterKind) -> str:
    """The file name of a letter's plain-text template."""
    return f"{kind.value}.txt.j2"


KNOWN_TEMPLATES = frozenset({LAYOUT, PROCEDURE, STYLE, *(text_template(k) for k in LetterKind)})


class LetterTemplateError(LettersUnavailable):
    """A template cannot be used: names the file and what is wrong with it."""


@dataclass(frozen=True)
class RenderedLetter:
    """A letter as sent: its subject, plain text and HTML."""

    subject: str
    text: str
    html: str


def paragraphs(text: str) -> list[list[str]]:
    """Plain text as paragraphs (blank-line separated) of lines, for the HTML layout."""
    blocks = [block.strip("\n") for block in text.replace("\r\n", "\n").split("\n\n")]
    return [[line.rstrip() for line in block.split("\n")] for block in blocks if block.strip()]


class LetterTemplates:
    """Renders letter views with the shipped templates or a company's overrides."""

    def __init__(self, override_dir: Path | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("letters", "templates")]
        if override_dir is not None:
            if not override_dir.is_dir():
                raise LetterTemplateError(
                    f"COMPLAINTS_TEMPLATES_DIR {override_dir}: not a folder")
            unknown = sorted(p.name for p in override_dir.iterdir()
                             if p.is_file() and p.name not in KNOWN_TEMPLATES)
            if unknown:
                raise LetterTemplateError(
                    f"COMPLAINTS_TEMPLATES_DIR {override_dir}: {', '.join(unknown)} "
                    "is not a template the desk uses (it knows "
                    f"{', '.join(sorted(KNOWN_TEMPLATES))})")
            loaders.insert(0, jinja2.FileSystemLoader(str(override_dir)))
        self.override_dir = override_dir
        loader = jinja2.ChoiceLoader(loaders)
        # Letters' words are plain text: nothing to escape. The layouts are HTML: escape all.
        self._text = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                                        autoescape=False, keep_trailing_newline=True)
        self._html = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                                        autoescape=True)

    def _render(self, env: jinja2.Environment, name: str, context: dict[str, object]) -> str:
        try:
            return env.get_template(name).render(context)
        except jinja2.UndefinedError as exc:
            raise LetterTemplateError(f"letter template {self._where(name)}: unknown "
                                      f"placeholder ({exc.message})") from None
        except jinja2.TemplateSyntaxError as exc:
            raise LetterTemplateError(f"letter template {self._where(exc.name or name)} "
                                      f"line {exc.lineno}: {exc.message}") from None

    def _where(self, name: str) -> str:
        if self.override_dir is not None and (self.override_dir / name).is_file():
            return str(self.override_dir / name)
        return f"{name} (shipped with the desk)"

    def text(self, view: LetterView) -> str:
        """The letter's words, as the template says them (what staff may then edit)."""
        return self._render(self._text, text_template(view.kind), view.context()).strip() + "\n"

    def html(self, view: LetterView, text: str | None = None) -> str:
        """The letter as HTML with its address blocks; ``text`` is the (edited) words."""
        words = self.text(view) if text is None else text
        return self._render(self._html, LAYOUT, {**view.context(),
                                                 "paragraphs": paragraphs(words)})

    def render(self, view: LetterView, text: str | None = None) -> RenderedLetter:
        """Subject, text and HTML of one letter; ``text`` overrides the template's words."""
        words = self.text(view) if text is None else text
        return RenderedLetter(subject=view.subject, text=words, html=self.html(view, words))

    def procedure_html(self, company: CompanyDetails,
                       blocks: Iterable[ProcedureBlock] | None = None) -> str:
        """The complaints procedure (the text the package ships) as an HTML document."""
        return self._render(self._html, PROCEDURE, {
            "company": company, "blocks": list(blocks or procedure_blocks())})

    def check(self, company: CompanyDetails) -> None:
        """Render every template with sample data; LetterTemplateError names what fails."""
        for view in sample_views(company):
            self.render(view)
        self.procedure_html(company)
