"""Follow-up questionnaires through a real SMTP server: due dates, reminders, opt-out, failures, races.

An aiosmtpd server on a free local port receives what `flask outcomes send-due` sends; time moves
with the FixedClock, never with sleeps.
"""
from __future__ import annotations

import re
import shutil
import threading

import pytest

from claimserver.db import database
from claimserver.models import Activity, FollowUp, Learner, Outbox
from claimserver.outcomes import operations
from tests.conftest import ACTIVITIES
from tests.factories import create_evaluation, create_learner, create_order, create_participation
from tests.mailservers import SMTPServer

WEBINAR = "stewardship-webinar"  # targets performance
TITLE = "Antimicrobial Stewardship in the Clinical Laboratory"
LINK = re.compile(r"http://ce\.test(/follow-up/(?!stop/)\S+)")
STOP = re.compile(r"http://ce\.test(/follow-up/stop/\S+)")


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, smtp):
    return {**app_config, "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port}


def completed(slug=WEBINAR, **kw) -> Learner:
    learner = create_learner(**kw)
    create_order(learner, slug)
    create_participation(learner, slug)
    create_evaluation(learner, slug, commitment=f"Call Gram stains within the hour ({learner.email}).")
    return learner


def send_due(runner):
    result = runner.invoke(args=["outcomes", "send-due"])
    assert result.exit_code == 0, result.output
    return result.output


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def test_questionnaire_once_after_90_days_then_one_reminder_then_nothing(ctx, runner, clock, client, smtp):
    a, b = completed(), completed()
    other = completed("free-teleconference-tb")  # competence only: never followed up
    out = send_due(runner)
    assert "scheduled 2, queued 0 questionnaires, 0 reminders; sent 0, failed 0" in out
    clock.advance(days=89)
    assert "queued 0 questionnaires" in send_due(runner)
    assert smtp.inbox.messages == []

    clock.advance(days=1)
    assert "scheduled 0, queued 2 questionnaires, 0 reminders; sent 2, failed 0" in send_due(runner)
    assert "queued 0 questionnaires, 0 reminders; sent 0" in send_due(runner)  # a second run sends nothing
    assert len(smtp.inbox.to(a.email)) == len(smtp.inbox.to(b.email)) == 1
    assert smtp.inbox.to(other.email) == []
    msg = smtp.inbox.to(a.email)[0]
    assert msg["To"] == a.email and TITLE in msg["Subject"] and not msg["Subject"].startswith("Reminder")
    assert f"({a.email})" in body(msg)  # their own commitment, quoted
    assert STOP.search(body(msg))

    # The link opens the questionnaire without logging in; it shows the learner's own commitment.
    page = client.get(LINK.search(body(msg)).group(1))
    assert page.status_code == 200
    assert f"Call Gram stains within the hour ({a.email})" in page.text
    assert "Did you make the change you planned?" in page.text
    answered = client.post(LINK.search(body(msg)).group(1),
                           data={"implemented": "partly", "barriers": "No LIS time", "impact": "Faster calls"})
    assert "Your answers about" in answered.text

    clock.advance(days=13)
    assert "0 reminders" in send_due(runner)
    clock.advance(days=1)
    assert "queued 0 questionnaires, 1 reminders; sent 1" in send_due(runner)  # b only: a answered
    reminders = smtp.inbox.to(b.email)
    assert len(reminders) == 2 and reminders[1]["Subject"].startswith("Reminder: ")
    assert len(smtp.inbox.to(a.email)) == 1

    clock.advance(days=60)
    assert "queued 0 questionnaires, 0 reminders; sent 0" in send_due(runner)
    assert len(smtp.inbox.messages) == 3


def test_one_answer_per_learner_and_bad_input_is_marked(ctx, runner, clock, client, smtp):
    a = completed()
    clock.advance(days=90)
    send_due(runner)
    path = LINK.search(body(smtp.inbox.to(a.email)[0])).group(1)
    missing = client.post(path, data={"barriers": "x"})
    assert missing.status_code == 400 and "Choose one answer." in missing.text
    assert 'aria-invalid="true"' in missing.text
    assert client.post(path, data={"implemented": "maybe"}).status_code == 400
    assert client.post(path, data={"implemented": "fully", "impact": "Fewer contaminants"}).status_code == 200
    again = client.get(path)
    assert "already answered" in again.text
    client.post(path, data={"implemented": "not-yet"})
    fu = FollowUp.get()
    assert (fu.implemented, fu.impact) == ("fully", "Fewer contaminants")


def test_expired_and_tampered_links_get_a_clear_page(ctx, runner, clock, client, smtp):
    a = completed()
    clock.advance(days=90)
    send_due(runner)
    path = LINK.search(body(smtp.inbox.to(a.email)[0])).group(1)
    tampered = client.get(path[:-3] + ("abc" if not path.endswith("abc") else "xyz"))
    assert tampered.status_code == 404 and "This link is not valid" in tampered.text
    assert client.get("/follow-up/stop/garbage").status_code == 404
    clock.advance(days=61)
    expired = client.get(path)
    assert expired.status_code == 410 and "This link has expired" in expired.text
    assert "Traceback" not in expired.text


def test_unsubscribe_stops_all_future_follow_ups(ctx, runner, clock, client, smtp):
    a = completed()
    clock.advance(days=90)
    send_due(runner)
    stop = STOP.search(body(smtp.inbox.to(a.email)[0])).group(1)
    page = client.get(stop)
    assert "Stop all follow-up questionnaires" in page.text
    assert Learner.get_by_id(a.id).follow_up_opt_out is False  # a GET (mail scanners) changes nothing
    done = client.post(stop)
    assert "You will not receive follow-up questionnaires" in done.text
    assert Learner.get_by_id(a.id).follow_up_opt_out is True and FollowUp.get().opted_out
    # No reminder, and no questionnaire for a later activity either.
    clock.advance(days=14)
    assert "0 reminders" in send_due(runner)
    create_order(a, "journal-candida-auris")
    create_participation(a, "journal-candida-auris")
    create_evaluation(a, "journal-candida-auris")
    clock.advance(days=120)
    send_due(runner)
    assert len(smtp.inbox.to(a.email)) == 1


def test_failed_smtp_keeps_the_message_and_the_next_run_sends_it_once(ctx, runner, clock, smtp):
    a = completed()
    clock.advance(days=90)
    smtp.stop()
    assert "queued 1 questionnaires, 0 reminders; sent 0, failed 1" in send_due(runner)
    row = Outbox.get()
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    smtp.start()
    assert "queued 0 questionnaires, 0 reminders; sent 0, failed 0" in send_due(runner)  # backing off
    clock.advance(minutes=1)
    assert "queued 0 questionnaires, 0 reminders; sent 1, failed 0" in send_due(runner)
    assert "sent 0, failed 0" in send_due(runner)
    assert len(smtp.inbox.to(a.email)) == 1
    assert Outbox.select().count() == 1


def test_two_senders_at_once_send_each_message_once(app, ctx, clock, smtp):
    learners = [completed() for _ in range(4)]
    clock.advance(days=90)
    database.close()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                barrier.wait(timeout=10)
                operations.send_due()
                database.close()
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    database.connect(reuse_if_open=True)
    assert sorted(r[0] for r, _ in smtp.inbox.messages) == sorted(x.email for x in learners)
    assert FollowUp.select().where(FollowUp.sent_at.is_null(False)).count() == 4


def test_follow_up_days_per_activity_wins_over_the_site_setting(ctx, tmp_path):
    from claimserver.catalog_sync import sync

    folder = tmp_path / "acts"
    shutil.copytree(ACTIVITIES, folder)
    path = folder / f"{WEBINAR}.md"
    path.write_text(path.read_text().replace("outcomes: [competence, performance]",
                                             "outcomes: [competence, performance]\nfollow_up_days: 30"))
    ctx.config["FOLLOW_UP_DAYS"] = 120
    assert operations.follow_up_days(None) == 120  # not set in the file: the site decides
    assert operations.follow_up_days(90) == 90  # set in the file, even to the usual value: the file wins
    sync(folder)
    assert Activity.get(Activity.slug == WEBINAR).current.model().follow_up_days == 30
    completed()
    completed("journal-candida-auris")
    assert operations.schedule_follow_ups() == 2
    due = {f.activity.slug: (f.due_on - f.learner.evaluations.get().submitted_at.date()).days
           for f in FollowUp.select()}
    assert due == {WEBINAR: 30, "journal-candida-auris": 120}


@pytest.mark.parametrize("n", [1, 4])
def test_queueing_reads_titles_and_commitments_once_not_per_follow_up(ctx, clock, n):
    from tests.claimserver.test_outcomes import count_queries

    learners = [completed() for _ in range(n)] + [completed("journal-candida-auris")]
    operations.schedule_follow_ups()
    clock.advance(days=91)
    with count_queries() as sql:
        assert operations.queue_due() == (n + 1, 0)
    for learner in learners:  # each email still names its activity and quotes its own commitment
        msg = Outbox.get(Outbox.to == learner.email)
        assert f"({learner.email})" in msg.body and learner.evaluations.get().activity.current.title in msg.subject
    # evaluations: one read per list (questionnaires, reminders); titles: one read (versions joined to
    # activities); none per follow-up
    assert [sum(f'"{t}" AS' in q for q in sql) for t in ("evaluation", "activity_version", "activity")] == [2, 1, 1]


@pytest.mark.parametrize("env, url, warned", [
    ("development", "http://127.0.0.1:5000", True),
    ("production", "http://127.0.0.1:5000/", True),
    ("testing", "http://127.0.0.1:5000", False),
    ("development", "https://ce.example.org", False),
])
def test_send_due_warns_when_links_would_point_at_the_default_server_url(ctx, runner, env, url, warned):
    ctx.config.update(CE_ENV=env, SERVER_URL=url)
    output = runner.invoke(args=["outcomes", "send-due"]).output
    assert ("CE_SERVER_URL" in output) is warned
    if warned:
        assert "warning: SERVER_URL is the default http://127.0.0.1:5000" in output



@pytest.mark.parametrize("answer", ["fully", "partly", "not-yet", "not-applicable"])
def test_every_answer_is_stored_on_both_databases(ctx, runner, clock, client, smtp, answer):
    a = completed()
    clock.advance(days=90)
    send_due(runner)
    path = LINK.search(body(smtp.inbox.to(a.email)[0])).group(1)
    assert client.post(path, data={"implemented": answer}).status_code == 200
    assert FollowUp.get().implemented == answer  # "not-applicable" is 14 characters (PostgreSQL checks)
