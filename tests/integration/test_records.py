"""Records under UK GDPR on SQLite and PostgreSQL: nothing of an anonymised complainant
lingers in any table (nor, on SQLite, in the file's bytes after VACUUM); holds stop
retention and erasure; the daily job runs once across replicas; exports round-trip."""

from __future__ import annotations

import io
import json
import threading
import zipfile

import pytest
from sqlalchemy import Engine, text

from cases.casefile import case_file_json
from cases.errors import InvalidTransition, NotAllowed
from cases.policy import Policy, RetentionPolicy
from cases.records import MatchBy, export_zip
from letters.surface import Letters, start_letters
from scheduling.retention import RetentionJob
from tests.integration.records_flow import (
    DIR,
    EMAIL,
    HR,
    NAME,
    OLD_PHONE,
    PHONE,
    World,
    found,
    london,
    sqlite_file_bytes,
    text_dump,
    whole_case,
    world,
)

SIX_YEARS_ON = london(9, 1, 3, year=2032)   # 72 months after the August 2026 decision


@pytest.fixture(scope="module")
def letters() -> Letters:
    from cases.company import CompanyDetails

    return start_letters(CompanyDetails(), check_pdf=False)


def _reference(w: World, case_id: int) -> str:
    return w.desk.get_case(case_id).reference


def test_an_anonymised_case_leaves_no_trace_of_the_complainant_anywhere(
        engine: Engine, letters: Letters) -> None:
    w = world(engine)
    case_id = whole_case(w, letters)
    before = found(text_dump(engine))
    assert set(before) >= {NAME, EMAIL, "+44 1482 765432", "14 Zanzibar Mews"}, before
    with engine.connect() as conn:   # some of the case's messages were delivered already
        assert conn.scalar(text("SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL"))

    w.clock.set(SIX_YEARS_ON)
    assert [c.reference for c in w.desk.retention_due()] == [_reference(w, case_id)]
    run = w.desk.run_retention()
    assert run.anonymised == (_reference(w, case_id),)

    assert found(text_dump(engine)) == []
    case = w.desk.get_case(case_id)
    # Phase Three keeps what it counts: dates, outcome, category, deadlines, the people.
    assert case.outcome is not None and case.decision is not None
    assert case.decision.outcome.value == "upheld" and case.intake.category.value == "product"
    assert case.received_at == london(6, 10, 10) and case.deadlines
    assert case.reviewer == DIR and case.closed_at is not None
    history = w.desk.case_file_as_operator(case.reference, record_view=False).history
    assert history[-1].action == "anonymised" and history[-1].details == {"how": "retention"}
    # Found by its reference still, never by the complainant any more.
    assert w.desk.find_cases(case.reference, viewer=DIR)
    assert w.desk.find_cases("Blenkinsop", viewer=DIR) == []
    if engine.dialect.name == "sqlite":
        raw = sqlite_file_bytes(engine)
        assert [n for n in (NAME, EMAIL, "+44 1482 765432", "Zanzibar", "Blenkinsop")
                if n.encode() in raw] == []


def test_a_legal_hold_stops_retention_and_erasure_until_released(
        engine: Engine, letters: Letters) -> None:
    w = world(engine)
    case_id = whole_case(w, letters)
    reference = _reference(w, case_id)
    w.desk.place_hold(reference, reason="Claim issued in the county court")
    with pytest.raises(InvalidTransition, match="already on legal hold"):
        w.desk.place_hold(reference, reason="again")

    w.clock.set(SIX_YEARS_ON)
    assert [(c.reference, c.held) for c in w.desk.retention_due()] == [(reference, True)]
    run = w.desk.run_retention()
    assert run.anonymised == () and run.held == (reference,)
    with pytest.raises(NotAllowed, match="legal hold"):
        w.desk.erase_case(reference, reason="Erasure request of 1 Sept 2032")
    assert NAME in found(text_dump(engine))

    w.desk.release_hold(reference)
    erased = w.desk.erase_case(reference, reason="Erasure request of 1 Sept 2032")
    assert erased.intake.complainant_name == "[anonymised]"
    assert found(text_dump(engine)) == []
    actions = [e.action for e in w.desk.case_file_as_operator(reference,
                                                              record_view=False).history]
    recorded = [a for a in actions if a in ("hold_placed", "hold_released", "anonymised")]
    assert recorded == ["hold_placed", "hold_released", "anonymised"]
    with pytest.raises(InvalidTransition, match="already anonymised"):
        w.desk.erase_case(reference, reason="twice")


def test_an_open_case_is_not_erased_until_it_is_withdrawn(engine: Engine) -> None:
    from tests.fakes import intake_data

    w = world(engine)
    case = w.desk.log_complaint(intake_data(), logged_by=DIR)
    with pytest.raises(InvalidTransition, match="still open"):
        w.desk.erase_case(case.reference, reason="asked")


def test_the_retention_job_runs_once_a_day_across_two_replicas(
        engine: Engine, letters: Letters) -> None:
    w = world(engine)
    whole_case(w, letters)
    w.clock.set(SIX_YEARS_ON)
    # Two replicas: two desks (own unit-of-work factories) on one database, one clock.
    other = world(engine)
    other.clock.set(SIX_YEARS_ON)
    jobs = [RetentionJob(w.desk, w.clock, worker="replica-a"),
            RetentionJob(other.desk, other.clock, worker="replica-b")]
    results: list[object] = []
    barrier = threading.Barrier(2)

    def run(job: RetentionJob) -> None:
        barrier.wait()
        results.append(job.run())

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    runs = [r for r in results if r is not None]
    assert len(runs) == 2, "both replicas finished their run"
    assert sorted(len(r.anonymised) for r in runs) == [0, 1]  # type: ignore[attr-defined]
    assert sorted(r.skipped for r in runs) == [False, True]  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT job, worker FROM daily_job_runs")).all() in (
            [("retention", "replica-a")], [("retention", "replica-b")])
    # The next day's run is another claim: nothing left to do, but it runs.
    w.clock.set(london(9, 2, 3, year=2032))
    again = jobs[0].run()
    assert again is not None and not again.skipped and again.anonymised == ()


def test_the_export_zip_holds_every_field_of_the_case_file_and_the_letters(
        engine: Engine, letters: Letters) -> None:
    w = world(engine)
    case_id = whole_case(w, letters)
    reference = _reference(w, case_id)
    export = w.desk.export_records(MatchBy.EMAIL, EMAIL.upper(), by=HR)
    assert [c.reference for c in export.cases] == [reference]
    archive = zipfile.ZipFile(io.BytesIO(export_zip(export, pdf=None)))
    exported = json.loads(archive.read(f"{reference}/case-file.json"))
    shown = w.desk.case_file_as_operator(reference, record_view=False)
    expected = case_file_json(shown.file, shown.history)
    assert exported == expected   # the file as `case show --json` prints it, every field
    assert exported["intake"]["email"] == EMAIL and exported["intake"]["phone"]
    sent = json.loads(archive.read(f"{reference}/letters.json"))
    assert len(sent) == 5 and {s["method"] for s in sent} == {"email", "post"}
    assert NAME in archive.read(f"{reference}/letters/01-stage_one_acknowledgement.txt"
                                ).decode()
    assert json.loads(archive.read("export.json"))["matched_by"] == "email"
    # The export is recorded (who, how matched), never what it searched for.
    assert exported["history"][-1]["action"] == "exported"
    assert exported["history"][-1]["actor"] == HR
    log = w.desk.access_log(viewer=HR, reference=reference)
    assert [e.action for e in log][-1] == "exported"
    assert {"details_viewed", "found", "exported"} <= {e.action for e in log}
    assert EMAIL not in json.dumps([e.via for e in log])
    # By phone (in any form) and by name, the same case; by an unknown email, none.
    assert [c.reference for c in w.desk.export_records(MatchBy.PHONE, "+441482765432",
                                                       by=HR).cases] == [reference]
    assert [c.reference for c in w.desk.export_records(MatchBy.NAME, NAME.lower(),
                                                       by=DIR).cases] == [reference]
    # A detail since corrected is still the person's: asked for by the old phone, the case
    # comes too (its history holds that number), and staff can find it by it.
    assert [c.reference for c in w.desk.export_records(MatchBy.PHONE, OLD_PHONE,
                                                       by=HR).cases] == [reference]
    assert [c.reference for c in w.desk.find_cases(OLD_PHONE, viewer=DIR)] == [reference]
    nobody = w.desk.export_records(MatchBy.EMAIL, "nobody@example.org", by=HR)
    assert nobody.cases == ()
    assert any(e.reference is None and e.actor == HR for e in w.desk.access_log(viewer=HR))


def test_only_directors_and_the_hr_manager_export_and_only_hr_reads_the_access_log(
        engine: Engine) -> None:
    w = world(engine)
    with pytest.raises(NotAllowed, match="directors and the HR manager"):
        w.desk.export_records(MatchBy.EMAIL, EMAIL, by="P-0000000c51")
    with pytest.raises(NotAllowed, match="HR manager"):
        w.desk.access_log(viewer=DIR)


def test_without_keep_anonymised_an_expired_case_is_deleted_altogether(
        engine: Engine, letters: Letters) -> None:
    w = world(engine, Policy(retention=RetentionPolicy(keep_anonymised=False)))
    case_id = whole_case(w, letters)
    reference = _reference(w, case_id)
    w.clock.set(SIX_YEARS_ON)
    assert w.desk.run_retention().deleted == (reference,)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM cases")) == 0
        assert conn.scalar(text("SELECT count(*) FROM case_events")) == 0
    assert found(text_dump(engine)) == []


def test_delivered_outbox_rows_are_pruned_after_the_configured_days(
        engine: Engine, letters: Letters) -> None:
    w = world(engine)
    whole_case(w, letters)
    with engine.connect() as conn:
        delivered = conn.scalar(text("SELECT count(*) FROM outbox "
                                     "WHERE delivered_at IS NOT NULL"))
    assert delivered
    w.clock.set(london(8, 20, 9))                                       # 17 days on: kept
    assert w.desk.run_retention().outbox_pruned == 0
    w.clock.set(london(9, 10, 9))                                       # 38 days on
    assert w.desk.run_retention().outbox_pruned == delivered
    # Only copies of sent messages went: the case keeps its personal data until its time.
    assert PHONE in found(text_dump(engine)) or "+44 1482 765432" in found(text_dump(engine))
