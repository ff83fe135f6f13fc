"""Issue 10 item 10: how late a receipt may be is the policy's, marked as our reading."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cases.errors import IntakeInvalid
from cases.policy import Policy, policy_from_mapping, policy_summary
from cases.services import ComplaintsDesk
from scheduling.calendar import UKWorkingCalendar
from tests.fakes import intake_data
from tests.unit.test_services import CS, World


def test_the_default_is_30_days_and_marked_as_interpretation() -> None:
    assert Policy().intake.max_days_late == 30
    lines = policy_summary(Policy())
    assert "Intake [interpretation: this company's choice, not the procedure's]:" in lines
    assert "  intake.max_days_late = 30" in lines


def test_the_policy_file_sets_it_and_intake_follows() -> None:
    policy = policy_from_mapping({"intake": {"max_days_late": 60}})
    assert policy.intake.max_days_late == 60
    world = World()
    desk = ComplaintsDesk(world.uow, world.clock, UKWorkingCalendar(), policy)
    received = (world.clock.now() - timedelta(days=45)).isoformat()
    assert desk.log_complaint(intake_data(received_at=received), logged_by=CS).id is not None
    with pytest.raises(IntakeInvalid) as refused:
        world.desk.log_complaint(intake_data(received_at=received), logged_by=CS)
    assert "more than 30 days ago" in refused.value.errors["received_at"]
