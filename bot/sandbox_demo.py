"""`complaints-bot sandbox --seed-demo`: a few example complaints, logged as staff would log them.

They go through the desk's own use cases (intake validation, deadlines, the outbox), so the
cards the page shows are the bot's own. Seeding twice adds nothing: each has an intake key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cases.people import AccountKind

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from sandbox.clock import DemoClock

EXAMPLES: tuple[dict[str, Any], ...] = (
    {"complainant_name": "Ada Example", "email": "ada@example.com", "phone": "01482 123456",
     "relationship": "customer", "channel": "phone", "category": "product",
     "facts": "The tracker stopped reporting its position after two days.",
     "remedy_sought": "A replacement unit."},
    {"complainant_name": "Ben Sample", "email": "ben@example.org", "relationship": "customer",
     "channel": "email", "category": "billing",
     "facts": "I was charged twice for the March subscription.",
     "remedy_sought": "A refund of the second charge."},
    {"complainant_name": "Cleo Test", "organisation": "Hull Couriers Ltd",
     "email": "cleo@example.net", "relationship": "partner", "channel": "letter",
     "category": "delivery", "facts": "Three parcels of trackers arrived a week late.",
     "remedy_sought": "An explanation and a discount.", "subject_user_id": "U0PATSUBJ1"},
)


def seed(runtime: Runtime, clock: DemoClock) -> None:
    """Log the examples (received an hour ago) as the seeded staff member (idempotent)."""
    from bot.sandbox_cli import STAFF

    desk = runtime.container.desk

    def person(slack_id: str) -> str:  # the desk records people, as the Slack edge maps them
        return desk.person_for_account(AccountKind.SLACK, slack_id).id

    for number, example in enumerate(EXAMPLES, 1):
        data = {**example, "received_at": clock.now() - timedelta(hours=1),
                **({"subject_user_id": person(example["subject_user_id"])}
                   if example.get("subject_user_id") else {}),
                "staff_grievance": False,
                "checklist": {"referred_to_procedure": True, "feedback_form_sent": True,
                              "told_next_steps": True}}
        # The same intake key again is the same complaint: a second seeding adds nothing.
        desk.log_complaint(data, logged_by=person(STAFF), intake_key=f"sandbox-demo-{number}")
    runtime.dispatcher.wake()
