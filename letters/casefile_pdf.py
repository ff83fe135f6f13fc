"""A case file as a readable PDF, for a subject-access export (``cases.records.CaseFilePdf``).

Rendered from the case file's JSON (``cases.casefile.case_file_json``), so the PDF says
exactly what the export's JSON holds, in words, with WeasyPrint like the letters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, StrictUndefined

from letters.pdf import html_to_pdf

_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{{ f.reference }}</title>
<style>
@page { size: A4; margin: 18mm 16mm; }
body { font-family: sans-serif; font-size: 10pt; line-height: 1.35; }
h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 0.3pt solid #999; padding: 1mm 2mm; text-align: left;
         vertical-align: top; }
th { width: 32%; font-weight: normal; color: #444; }
.text { white-space: pre-wrap; margin: 1mm 0 2mm 4mm; }
.event { margin: 0 0 2mm; page-break-inside: avoid; }
</style></head><body>
<h1>Case file {{ f.reference }}</h1>
<p>{{ f.summary }}. {{ f.state_label }} (Stage {{ f.stage }}). Received {{ f.received_at }};
logged by {{ f.logged_by }}.</p>
<h2>People on the case</h2>
<table>{% for part, who in f.people.items() %}
<tr><th>{{ part|capitalize }}</th><td>{{ who or "-" }}</td></tr>{% endfor %}</table>
{% if f.intake %}<h2>What was recorded at intake</h2><table>
{% for key, value in f.intake.items() if value not in (None, "") and key != "checklist" %}
<tr><th>{{ key|replace("_", " ")|capitalize }}</th><td class="text">{{ value }}</td></tr>
{% endfor %}</table>{% endif %}
{% if f.deadlines %}<h2>Deadlines</h2><table>
<tr><th>Deadline</th><td>Due; met or retired</td></tr>
{% for d in f.deadlines %}<tr><th>{{ d.label }}</th><td>{{ d.due_at }};
{{ d.met_at or d.retired_at or "open" }}</td></tr>{% endfor %}</table>{% endif %}
<h2>Letters sent</h2>
{% for l in letters %}<div class="event"><b>{{ l.label }}</b>, {{ l.method }},
{{ l.sent_at }}{% if l.recipient %}, to {{ l.recipient }}{% endif %} ({{ l.state }})
<div class="text">{{ l.text }}</div></div>{% else %}<p>None.</p>{% endfor %}
<h2>History</h2>
{% for e in f.history %}<div class="event"><b>{{ e.seq }}. {{ e.label }}</b>,
{{ e.at }}, by {{ e.actor }}{% if e.to_state %} (now {{ e.to_state }}){% endif %}
{% for key, value in e.details.items() if value not in (None, "", [], {}) %}
<div class="text">{{ key|replace("_", " ")|capitalize }}: {{ value }}</div>{% endfor %}
</div>{% endfor %}
</body></html>
"""

_ENV = Environment(autoescape=True, undefined=StrictUndefined)
_TEMPLATE = _ENV.from_string(_PAGE)


def case_file_html(case_file: Mapping[str, Any], letters: Sequence[Mapping[str, Any]]) -> str:
    """The case file and its letters as one HTML page (escaped)."""
    return _TEMPLATE.render(f=case_file, letters=letters)


class CaseFilePdfRenderer:
    """``cases.records.CaseFilePdf`` with WeasyPrint."""

    def case_file_pdf(self, case_file: Mapping[str, Any],
                      letters: Sequence[Mapping[str, Any]]) -> bytes:
        """The case file and its letters as an A4 PDF."""
        return html_to_pdf(case_file_html(case_file, letters))
