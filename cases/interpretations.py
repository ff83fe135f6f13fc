"""Every rule that is this company's reading rather than the procedure's words.

Fed by the policy's own marks (a rule's ``source``/``unit_source``, a section's
``SECTION_SOURCES``) plus the readings the code applies that are not numbers. The
README's table of interpretations lists exactly these keys (a test holds it to them).
"""

from __future__ import annotations

from cases.policy import RULE_NAMES, SECTION_SOURCES, Policy, Source

# The policy's sections that are all this company's choice, in words.
SECTION_READINGS: dict[str, str] = {
    "alerts": "when the desk warns and escalates (the procedure sets no alerts)",
    "report": "the trends report's 'needs attention' thresholds",
    "calendar": "working days: the time zone, the nation's bank holidays, closures, 17:00",
    "stage_two": "whether a sole director may approve their own draft (recorded if so)",
    "intake": "how late a receipt may be logged without a reason (the procedure sets no limit)",
    "retention": "personal data kept six years after a case closes, then anonymised "
                 "(the procedure says only: follow data protection requirements)",
    "learning": "the root causes a closing step chooses from (the procedure names none)",
    "review": "the quarterly review's day and hour, and its actions' reminders",
}

# Readings that are rules of the code, not numbers in the policy file.
READINGS: dict[str, str] = {
    "approval_by_another_director":
        "the decision is given by a Director: approved by a director other than its drafter",
    "suitably_senior":
        "a review is delegated only to a director or someone with the `senior` role",
    "named_person_takes_no_other_part":
        "the person a complaint is about only responds: no other part, no view of the case",
    "named_person_sees_the_facts":
        "their response form shows the facts and the Stage One outcome, never contact details",
    "no_decision_while_they_may_respond":
        "no decision is drafted while the named person's time to respond is open",
    "review_outside_the_window":
        "a request before the Stage One reply or after the window needs a director and a reason",
    "progress_update_date":
        "a progress update promises a working day after today, not before the original date",
    "staff_conduct_names_the_person":
        "a staff-conduct complaint names the person, or says it is not about a named person",
}


def interpretations(policy: Policy | None = None) -> dict[str, str]:
    """Key to reading, for every rule marked as the company's: the policy's, then the code's."""
    policy = policy or Policy()
    found: dict[str, str] = {}
    for name in RULE_NAMES:
        rule = policy.rule_for(name)
        if Source.INTERPRETATION in (rule.source, rule.unit_source):
            found[name] = rule.basis
    for section, source in SECTION_SOURCES.items():
        if source is Source.INTERPRETATION:
            found[section] = SECTION_READINGS.get(section, f"the [{section}] settings")
    found.update(READINGS)
    return found
