"""Demo data: clearly marked, every profession, idempotent, never in production; and the planning
brief's figures on it match what the raw rows say."""
from __future__ import annotations

import pytest

from claimserver import demo
from claimserver.auth import check_password
from claimserver.config import REPO
from claimserver.models import Activity, Certificate, Claim, Evaluation, FollowUp, Learner, Participation, Review
from claimserver.outcomes import metrics
from claimserver.outcomes.exports import brief_markdown
from tests.claimserver.test_outcomes import log_in


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CATALOG_PATH": str(REPO / "catalog" / "activities")}  # the real sample catalogue


@pytest.fixture
def loaded(ctx):
    lines = []
    summary = demo.load_demo(echo=lines.append)
    return summary, lines


def test_demo_is_marked_covers_every_profession_and_prints_the_logins(loaded):
    summary, lines = loaded
    learners = list(Learner.select())
    assert learners and all(x.is_demo and x.email.endswith("@demo.example.org") for x in learners)
    assert {x.profession for x in learners} >= {"physician", "pharmacist", "laboratory-professional",
                                                "diplomate", "other"}
    assert Learner.by_email("director@demo.example.org").has_role("director")
    assert Learner.by_email("staff@demo.example.org").has_role("staff")
    pharmacist = Learner.by_email("kevin.osei@demo.example.org")
    assert (pharmacist.nabp_epid, pharmacist.birth_mmdd) == ("1234567", "0415")
    assert Learner.get(Learner.florida_licence != "").state_licence_state == "FL"
    assert Learner.get(Learner.california_licence != "").california_licence
    assert check_password(Learner.by_email("director@demo.example.org"), demo.PASSWORD)
    assert "(demo)" not in " ".join(x.certificate_name for x in learners)  # certificates look real
    assert any("director@demo.example.org" in line for line in lines)
    assert any(demo.PASSWORD in line for line in lines)
    assert Claim.select().count() == Certificate.select().count() > 0
    assert Evaluation.select().where(Evaluation.bias_free == False).count() > 0  # noqa: E712
    assert FollowUp.select().where(FollowUp.answered_at.is_null(False)).count() > 0
    assert Review.select().count() > 0
    assert summary.startswith("demo data loaded:")


def test_loading_twice_changes_nothing_and_force_reloads(loaded, ctx):
    counts = (Learner.select().count(), Evaluation.select().count(), Claim.select().count())
    assert "already loaded" in demo.load_demo(echo=lambda s: None)
    assert (Learner.select().count(), Evaluation.select().count(), Claim.select().count()) == counts
    demo.load_demo(force=True, echo=lambda s: None)
    assert (Learner.select().count(), Evaluation.select().count(), Claim.select().count()) == counts


def test_force_reload_removes_reissued_demo_certificates(loaded, ctx):
    from claimserver.records.operations import reissue

    cert = Certificate.select().where(Certificate.superseded_by.is_null()).order_by(Certificate.id).first()
    newer = reissue(cert, "spelling", None, name="Demo Name Fixed")
    reissue(newer, "spelling again", None, name="Demo Name Fixed Again")
    certificates = Certificate.select().count()
    demo.load_demo(force=True, echo=lambda s: None)
    assert Certificate.select().count() == certificates - 2
    assert Certificate.select().where(Certificate.superseded_by.is_null(False)).count() == 0


def test_production_never_loads_demo_data(ctx, runner):
    ctx.config["CE_ENV"] = "production"
    with pytest.raises(demo.DemoRefused):
        demo.load_demo()
    assert runner.invoke(args=["demo", "load"]).exit_code != 0
    assert Learner.select().count() == 0


def test_brief_figures_on_the_demo_data_match_the_rows(loaded, ctx, client):
    reviewed = Review.select().where(Review.verdict == "changes-needed").first()
    tag = reviewed.activity.current.model().tags[0]
    brief = metrics.planning_brief(tag, now=ctx.extensions["clock"].now().replace(tzinfo=None))
    assert brief.items
    for item in brief.items:
        o = item.outcomes
        evals = list(Evaluation.select().join(Activity).where(Activity.slug == o.slug))
        assert o.evaluations == len(evals)
        expected = round(100 * sum(e.correct for e in evals) / sum(e.questions for e in evals), 1)
        assert o.competence_percent == expected
        assert o.commitment_rate == round(100 * sum(e.intends_change for e in evals) / len(evals), 1)
        assert len(o.bias_reports) == sum(not e.bias_free for e in evals)
        fus = [f for f in FollowUp.select() if f.activity.slug == o.slug and f.answered_at]
        if fus:
            done = sum(f.implemented in ("fully", "partly") for f in fus)
            assert o.follow_up.implementation_rate == round(100 * done / len(fus), 1)
    md = brief_markdown(brief, "2027-03-13")
    assert reviewed.changes.rstrip(".") in md
    director = Learner.by_email("director@demo.example.org")
    log_in(client, director)
    page = client.get(f"/director/brief?tag={tag}").text
    first = brief.items[0].outcomes
    assert first.title in page and f"{first.competence_percent:g}%" in page


def test_demo_works_on_another_catalogue(ctx, tmp_path):
    from tests.conftest import ACTIVITIES

    from claimserver.catalog_sync import sync

    sync(ACTIVITIES)  # the fixture catalogue: most real activities are hidden now
    assert demo.load_demo(echo=lambda s: None).startswith("demo data loaded:")
    assert {e.activity.slug for e in Evaluation.select()} <= {
        "stewardship-webinar", "journal-candida-auris", "free-teleconference-tb", "past-workshop-2025"}


def test_demo_participation_dates_are_the_local_session_dates(ctx, tmp_path):
    """An evening webinar in New York ends after midnight UTC: learners still took part on its local date."""
    import datetime as dt
    import shutil

    from claimserver.catalog_sync import sync
    from tests.conftest import ACTIVITIES

    folder = tmp_path / "acts"
    shutil.copytree(ACTIVITIES, folder)
    path = folder / "stewardship-webinar.md"
    path.write_text(path.read_text().replace("2027-03-12T12:00:00-05:00", "2027-03-12T19:00:00-05:00")
                    .replace("2027-03-12T13:30:00-05:00", "2027-03-12T20:30:00-05:00"))
    sync(folder)
    assert demo.load_demo(echo=lambda s: None).startswith("demo data loaded:")
    webinar = Activity.get(Activity.slug == "stewardship-webinar")
    assert webinar.current.starts == dt.datetime(2027, 3, 13, 0, 0)  # UTC: already the next day
    dates = {p.participated_on for p in Participation.select().where(Participation.activity == webinar)}
    assert dates == {dt.date(2027, 3, 12)}
    assert {c.participated_on for c in Claim.select().where(Claim.activity == webinar)} == {dt.date(2027, 3, 12)}


def _recent(destination, today, days=14):
    import datetime as dt

    from claimserver.models import ReportItem

    return [i for i in ReportItem.select().where(ReportItem.destination == destination, ReportItem.status == "due")
            if i.claim.participated_on >= today - dt.timedelta(days=days) and i.deadline is None
            or (i.claim.participated_on >= today - dt.timedelta(days=days) and i.deadline >= today)]


def test_demo_has_recent_claims_that_exports_can_send(ctx, clock):
    """Months after the demo's past activities, exports still have work: recent claims on activities
    whose claim windows are open, by learners with everything each destination needs."""
    import datetime as dt

    from claimserver.reports import ledger

    clock.at = dt.datetime(2027, 3, 20, 15, tzinfo=dt.timezone.utc)  # a week after the Florida webinar
    summary = demo.load_demo(echo=lambda s: None)
    today = ledger.today()
    pharmacists = {i.claim.learner for i in _recent("cpe_monitor", today)}
    assert pharmacists and all(p.nabp_epid and p.birth_mmdd for p in pharmacists)
    florida = {i.claim.learner for i in _recent("ce_broker", today)}
    assert florida and all(x.florida_licence for x in florida)
    recent = len(_recent("cpe_monitor", today))
    assert ledger.export("cpe_monitor").exported >= recent > 0
    assert ledger.export("ce_broker").exported > 0
    assert "recent claims ready to export: CPE Monitor" in summary and "CE Broker" in summary
    maria = Learner.by_email("maria.alvarez@demo.example.org")
    assert maria.birth_mmdd and maria.board_id  # a physician PARS can take


def test_demo_says_when_no_open_activity_allows_a_recent_claim(ctx, clock):
    import datetime as dt

    clock.at = dt.datetime(2027, 5, 20, 15, tzinfo=dt.timezone.utc)  # no Florida course in the last 2 weeks
    summary = demo.load_demo(echo=lambda s: None)
    assert "none for CE Broker: no synced activity with an open claim window in the last 14 days" in summary
    assert "CPE Monitor" in summary.split("recent claims ready to export:")[1].split("(")[0]


def test_the_sample_meeting_has_demo_registrants_who_enrol_with_their_badge(loaded, app):
    """`make run`: the sample meeting gives its CE to registrants; three demo learners are on its list,
    their badge IDs printed with the logins, and one of them enrols by typing it."""
    from claimserver.models import Order, Registration

    slug = "asm-clinical-microbiology-meeting-2027"
    _, lines = loaded
    listed = list(Registration.select().order_by(Registration.badge_id))
    assert len(listed) == 3
    first = listed[0]
    assert any(f"registered for {slug}: {first.email} with badge {first.badge_id}" in line for line in lines)
    client = app.test_client()
    log_in(client, Learner.by_email(first.email))
    r = client.post(f"/meetings/{slug}/register", data={"badge_id": first.badge_id.lower()})
    assert r.status_code == 303, r.text[r.text.find('badge-error'):][:400]
    order = Order.get(Order.learner == Learner.by_email(first.email), Order.activity == first.activity)
    assert order.is_paid and order.amount_cents == 0 and order.gateway == "registration"
    demo.load_demo(force=True, echo=lambda s: None)  # reloading replaces the list, not doubles it
    assert Registration.select().count() == 3
