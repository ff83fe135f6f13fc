"""The service layer: ``ComplaintsDesk``, the one object every adapter calls to change a case.

The use cases live by part of the procedure in ``cases.usecases``; this module joins
them and keeps the names adapters and tests import.
"""

from __future__ import annotations

from cases.usecases.attachments import Attachments
from cases.usecases.casefile import CaseFiles, Finding
from cases.usecases.common import (
    MAX_HOW,
    MAX_NOTE,
    MAX_REASONS,
    MAX_REMEDY,
    MAX_RESPONSE,
    REPORT_ROLES,
    PersonalDetails,
    card,
    direct,
    timeline,
)
from cases.usecases.corrections import Corrections
from cases.usecases.letters import Correspondence
from cases.usecases.new_complaint import NewComplaint
from cases.usecases.people import PeopleDesk
from cases.usecases.queries import AnyTime, Queries
from cases.usecases.queues import WorkQueues
from cases.usecases.records import Records
from cases.usecases.reports import Reports
from cases.usecases.reviews import QuarterlyReviews
from cases.usecases.stage_one import StageOne
from cases.usecases.stage_two import StageTwoReview, final_letter

__all__ = [
    "MAX_HOW", "MAX_NOTE", "MAX_REASONS", "MAX_REMEDY", "MAX_RESPONSE", "REPORT_ROLES",
    "ComplaintsDesk", "PersonalDetails", "card", "direct", "final_letter", "timeline",
]


class ComplaintsDesk(NewComplaint, StageOne, StageTwoReview, AnyTime, Queries, Reports,
                     CaseFiles, Finding, WorkQueues, Corrections, Attachments,
                     Correspondence, PeopleDesk, Records, QuarterlyReviews):
    """The service layer. Construct once with its dependencies; call from any adapter."""
