"""The letters surface: the complainant's letters as text, HTML, PDF and email.

A sibling adapter of ``handlers/`` (DESIGN.md, "Surfaces"): it reads view models from
``cases.letters`` and renders them with Jinja2 and WeasyPrint; it sends email with the
standard library's ``smtplib``. It never imports storage, Slack or the composition root.
"""
