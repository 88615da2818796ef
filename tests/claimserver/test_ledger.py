"""The reporting ledger: items per claim, deadline arithmetic, status transitions, re-queueing."""
from __future__ import annotations

import datetime as dt

import pytest
from peewee import IntegrityError

from claimserver.db import database
from claimserver.models import AuditLog, ReportItem
from claimserver.reports import layouts as L
from claimserver.reports import ledger
from tests.factories import create_claim, create_learner

UTC = dt.timezone.utc


# ------------------------------------------------------------------------------------------------
# Deadline arithmetic (pure: no database)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("now, tz, expected", [
    # 23:30 in New York is already 04:30 the next day in UTC: still the New York date.
    (dt.datetime(2027, 3, 14, 4, 30, tzinfo=UTC), "America/New_York", dt.date(2027, 3, 13)),
    (dt.datetime(2027, 3, 14, 4, 30, tzinfo=UTC), "UTC", dt.date(2027, 3, 14)),
    # DST starts in New York on 2027-03-14: 23:30 EDT is 03:30 UTC next day.
    (dt.datetime(2027, 3, 15, 3, 30, tzinfo=UTC), "America/New_York", dt.date(2027, 3, 14)),
    # naive datetimes are UTC
    (dt.datetime(2027, 1, 1, 4, 0), "America/New_York", dt.date(2026, 12, 31)),
    (dt.datetime(2027, 1, 1, 4, 0), "Asia/Tokyo", dt.date(2027, 1, 1)),
])
def test_reporting_today_is_the_society_calendar_date(now, tz, expected):
    assert L.reporting_today(now, tz) == expected


@pytest.mark.parametrize("participated, dest, deadline", [
    (dt.date(2027, 1, 31), L.CPE_MONITOR, dt.date(2027, 4, 1)),   # 60 days across February (28 days)
    (dt.date(2028, 1, 31), L.CPE_MONITOR, dt.date(2028, 3, 31)),  # leap year: February has 29
    (dt.date(2027, 1, 31), L.CE_BROKER, dt.date(2027, 3, 2)),     # 30 days across February
    (dt.date(2028, 1, 31), L.CE_BROKER, dt.date(2028, 3, 1)),
    (dt.date(2027, 12, 15), L.CE_BROKER, dt.date(2028, 1, 14)),   # across the year end
    (dt.date(2028, 2, 29), L.CPE_MONITOR, dt.date(2028, 4, 29)),
    (dt.date(2027, 3, 12), L.PARS, None),                         # no PARS_REPORT_DAYS: none
])
def test_deadline_is_calendar_days_after_participation(participated, dest, deadline):
    assert dest.deadline(participated) == deadline


CPE = (30, 50)


@pytest.mark.parametrize("today, level, left, label", [
    (dt.date(2027, 1, 31), "ok", 60, "60 days left"),
    (dt.date(2027, 3, 1), "ok", 31, "31 days left"),            # day 29
    (dt.date(2027, 3, 2), "warn", 30, "30 days left"),          # day 30: first warning
    (dt.date(2027, 3, 21), "warn", 11, "11 days left"),         # day 49
    (dt.date(2027, 3, 22), "urgent", 10, "10 days left"),       # day 50: second warning
    (dt.date(2027, 3, 31), "urgent", 1, "1 day left"),
    (dt.date(2027, 4, 1), "urgent", 0, "due today"),            # day 60: still in time
    (dt.date(2027, 4, 2), "missed", -1, "missed — cannot be reported"),
])
def test_cpe_monitor_warnings_from_day_30_and_50_then_missed(today, level, left, label):
    state = L.deadline_state(dt.date(2027, 1, 31), dt.date(2027, 4, 1), CPE, today)
    assert (state.level, state.days_left, state.label) == (level, left, label)


def test_ce_broker_warns_from_day_20_in_a_leap_year():
    on = dt.date(2028, 2, 10)
    deadline = L.CE_BROKER.deadline(on)
    assert deadline == dt.date(2028, 3, 11)
    assert L.deadline_state(on, deadline, (20,), dt.date(2028, 2, 29)).level == "ok"      # day 19
    assert L.deadline_state(on, deadline, (20,), dt.date(2028, 3, 1)).level == "warn"     # day 20
    assert L.deadline_state(on, deadline, (20,), dt.date(2028, 3, 12)).missed


@pytest.mark.parametrize("value, ok", [("0315", True), ("0229", True), ("0230", False), ("1301", False),
                                       ("315", False), ("03-15", False), ("", False)])
def test_birth_mmdd_must_be_a_real_month_and_day(value, ok):
    assert L.valid_mmdd(value) is ok


def test_docs_page_is_generated_from_the_layout_tables():
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "reporting-formats.md"
    assert page.read_text(encoding="utf-8") == L.layouts_markdown(), \
        "regenerate: flask --app claimserver reports layouts > docs/reporting-formats.md"


# ------------------------------------------------------------------------------------------------
# The ledger, on both databases
# ------------------------------------------------------------------------------------------------
def pharmacist(**kw):
    fields = dict(first_name="Rita", last_name="Moreno", profession="pharmacist", degree="PharmD",
                  nabp_epid="1234567", birth_mmdd="0315")
    fields.update(kw)
    return create_learner(**fields)


def test_record_claim_creates_one_item_per_destination_with_its_deadline(ctx):
    rita = pharmacist(florida_licence="CL12345", pars_consent=True)
    acpe = create_claim(rita, "stewardship-webinar", "acpe", participated_on=dt.date(2027, 1, 31))
    florida = create_claim(rita, "stewardship-webinar", "florida", participated_on=dt.date(2027, 1, 31))
    ama = create_claim(rita, "stewardship-webinar", "ama_pra_1")
    pace = create_claim(rita, "stewardship-webinar", "pace")
    items = [ledger.record_claim(c) for c in (acpe, florida, ama, pace)]
    assert [(i.destination, i.deadline, i.status, i.open_key) for i in items[:3]] == [
        ("cpe_monitor", dt.date(2027, 4, 1), "due", f"{acpe.id}:cpe_monitor"),
        ("ce_broker", dt.date(2027, 3, 2), "due", f"{florida.id}:ce_broker"),
        ("pars", None, "due", f"{ama.id}:pars"),
    ]
    assert items[3] is None  # P.A.C.E. is reported nowhere
    assert ledger.record_claim(acpe) is None  # idempotent
    assert ReportItem.select().count() == 3


def test_pars_only_when_configured(ctx):
    ctx.config["PARS_REPORTING"] = "off"
    doc = create_learner(pars_consent=True)
    assert ledger.record_claim(create_claim(doc, "stewardship-webinar", "ama_pra_1")) is None
    ctx.config.update(PARS_REPORTING="all", PARS_REPORT_DAYS=90)
    item = ledger.record_claim(create_claim(doc, "journal-candida-auris", "ama_pra_1"))
    assert item.deadline == dt.date(2027, 3, 12) + dt.timedelta(days=90)


def test_sync_covers_claims_made_before_the_ledger_and_is_idempotent(ctx):
    rita = pharmacist()
    create_claim(rita, "stewardship-webinar", "acpe")
    create_claim(rita, "journal-candida-auris", "acpe")
    create_claim(rita, "stewardship-webinar", "participation")
    assert ledger.sync_ledger().created == 2
    assert ledger.sync_ledger().created == 0
    assert ReportItem.select().where(ReportItem.status == "due").count() == 2


def test_one_open_item_per_claim_and_destination_is_enforced_by_the_schema(ctx):
    claim = create_claim(pharmacist(), "stewardship-webinar", "acpe")
    ledger.record_claim(claim)
    with pytest.raises(IntegrityError):
        with database.atomic():
            ReportItem.create(claim=claim, destination="cpe_monitor", open_key=f"{claim.id}:cpe_monitor")


def test_reject_then_profile_fix_requeues_a_new_item_superseding_it(ctx):
    rita = pharmacist(nabp_epid="1234576")
    claim = create_claim(rita, "stewardship-webinar", "acpe")
    ledger.record_claim(claim)
    ledger.export("cpe_monitor")
    first = ReportItem.get()
    assert ledger.mark(first, "rejected", "ePID/DOB do not match")
    first = ReportItem.get_by_id(first.id)
    assert (first.status, first.open_key, first.response) == ("rejected", f"{claim.id}:cpe_monitor",
                                                               "ePID/DOB do not match")
    assert ledger.on_profile_changed(rita) == 0  # nothing changed yet
    assert ledger.sync_ledger().requeued == 0

    rita.nabp_epid = "1234567"
    rita.save()
    assert ledger.on_profile_changed(rita) == 1
    old, new = ReportItem.select().order_by(ReportItem.id)
    assert (old.status, old.open_key) == ("corrected", None)
    assert (new.status, new.supersedes_id, new.deadline, new.open_key) == (
        "due", old.id, old.deadline, f"{claim.id}:cpe_monitor")
    assert ledger.on_profile_changed(rita) == 0
    assert AuditLog.select().where(AuditLog.action == "report.requeued").count() == 1


def test_sync_requeues_corrected_rejections_even_without_the_hook(ctx):
    rita = pharmacist(birth_mmdd="0513")
    ledger.record_claim(create_claim(rita, "stewardship-webinar", "acpe"))
    ledger.export("cpe_monitor")
    ledger.mark(ReportItem.get(), "rejected", "birth date does not match")
    rita.birth_mmdd = "0315"
    rita.save()
    assert ledger.sync_ledger().requeued == 1
    assert [i.status for i in ReportItem.select().order_by(ReportItem.id)] == ["corrected", "due"]


def test_results_only_for_exported_items_and_accepted_closes_the_item(ctx):
    ledger.record_claim(create_claim(pharmacist(), "stewardship-webinar", "acpe"))
    item = ReportItem.get()
    with pytest.raises(ValueError, match="is due, not awaiting a result"):
        ledger.mark(item, "accepted")
    ledger.export("cpe_monitor")
    assert ledger.mark(item, "accepted") is True
    assert ledger.mark(item, "accepted") is False  # recorded once
    item = ReportItem.get_by_id(item.id)
    assert (item.status, item.open_key, item.resolved_at) == ("accepted", None, dt.datetime(2027, 3, 13, 15))
    with pytest.raises(ValueError):
        ledger.mark(item, "rejected", "late")


def test_learner_transcript_status_across_the_lifecycle(ctx, clock):
    rita = pharmacist(nabp_epid="")
    claim = create_claim(rita, "stewardship-webinar", "acpe")
    ledger.record_claim(claim)
    [s] = ledger.claim_statuses(claim)
    assert s.label == "to be reported to CPE Monitor by May 11, 2027"
    assert s.fix == ("We cannot report this credit yet (missing NABP e-Profile ID): add it in your "
                     "profile before May 11, 2027.")
    clock.advance(days=60)  # 2027-05-12: one day past the deadline
    [s] = ledger.claim_statuses(claim)
    assert s.label == "missed — cannot be reported to CPE Monitor; please contact us"


@pytest.mark.parametrize("n", [1, 3])
def test_sync_reads_rejected_items_with_their_claims_in_one_query(ctx, n):
    from tests.claimserver.test_outcomes import count_queries

    doctors = [create_learner(first_name="Sam", last_name=f"Okoro{i}", birth_mmdd="1231", board_id=f"ABIM-{i}",
                              pars_consent=True) for i in range(n)]
    for doc in doctors:
        ledger.record_claim(create_claim(doc, "stewardship-webinar", "ama_pra_1"))
    ledger.export("pars")
    for item in ReportItem.select():
        ledger.mark(item, "rejected", "board ID unknown")
    with count_queries() as sql:
        assert ledger.sync_ledger().requeued == 0  # nothing the learners sent has changed
    assert len(sql) == len(L.DESTINATION_OF) + 1  # one per credit type reported, one for the rejections
    doctors[-1].board_id = "ABIM-778899"
    doctors[-1].save()
    assert ledger.sync_ledger().requeued == 1
