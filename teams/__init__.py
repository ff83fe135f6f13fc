"""The Microsoft Teams surface: Bot Framework activities in, Adaptive Cards out.

A sibling of ``handlers/`` (Slack): it parses what Teams sends into the same use cases
(``cases.services.ComplaintsDesk``), renders the same view models as Adaptive Cards, and
delivers the outbox rows named ``teams``. It never imports another surface or storage; the
composition root (``bot/``) hands it a conversation store and a people directory.
"""

TEAMS = "teams"
