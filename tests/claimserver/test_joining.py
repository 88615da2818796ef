"""Joining what you bought (issue 14 item 1): who sees the join link, the receipt email with its
calendar file, reminders a day and an hour before, in-person rooms, material released later.

Mail goes through a real aiosmtpd server and is read back from it; the calendar file is parsed with
`icalendar`; time moves with the FixedClock. Every test runs on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import shutil
import threading

import pytest
from icalendar import Calendar

from catalog.site.display import JOIN_AFTER_PURCHASE
from claimserver.catalog_sync import sync
from claimserver.db import database
from claimserver.learning import reminders
from claimserver.models import Order, Outbox
from tests.conftest import ACTIVITIES
from tests.factories import buy, create_learner, create_order, login
from tests.mailservers import SMTPServer

WEBINAR = "stewardship-webinar"          # 2027-03-12 12:00–13:30 America/New_York (17:00–18:30 UTC)
FREE = "free-teleconference-tb"          # 2027-02-10 14:00–15:00 EST, free
WORKSHOP = "blood-culture-workshop"      # in person, 2027-05-01 09:00–12:00 EDT
JOURNAL = "journal-candida-auris"        # released 2027-04-01 09:00 EDT in these tests
SECRET = "https://meet.example.org/j/98765-secret"
DIAL_IN = "+1 555 0100, code 4412"
NOTE = "Join ten minutes early."
FREE_SECRET = "https://meet.example.org/j/free-tb-secret"
ROOM = "Room 204B, North Hall"
REGISTRATION = "Register for the Annual Meeting at https://meeting.example.org by April 15; bring your badge."
UTC = dt.timezone.utc
BEFORE_WEBINAR = dt.datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
WEBINAR_STARTS = dt.datetime(2027, 3, 12, 17, 0, tzinfo=UTC)


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def folder(tmp_path):
    """The fixture catalogue with join details, an in-person workshop and a journal released later."""
    acts = tmp_path / "acts"
    shutil.copytree(ACTIVITIES, acts)
    _edit(acts / f"{WEBINAR}.md", "location: Online\n",
          f'location: Online\njoin:\n  url: "{SECRET}"\n  dial_in: "{DIAL_IN}"\n  note: {NOTE}\n')
    _edit(acts / f"{FREE}.md", "location: Teleconference\n",
          f'location: Teleconference\njoin:\n  url: "{FREE_SECRET}"\n')
    workshop = acts / f"{WORKSHOP}.md"
    (acts / "past-workshop-2025.md").rename(workshop)
    for old, new in (("2025-05-01T09", "2027-05-01T09"), ("2025-05-01T12", "2027-05-01T12"),
                     ("116-099-25", "116-099-27"), ("attested: 2025-03-01", "attested: 2027-01-10"),
                     ("location: Society Headquarters, Washington, DC\n",
                      f"location: Convention Center, Denver\nconference: Annual Meeting 2027\n"
                      f"room: {ROOM}\nregistration: {REGISTRATION}\n")):
        text = workshop.read_text(encoding="utf-8").replace(old, new)
        workshop.write_text(text, encoding="utf-8")
    _edit(acts / f"{JOURNAL}.md", "starts: 2027-01-15T09:00:00-05:00", "starts: 2027-04-01T09:00:00-04:00")
    return acts


@pytest.fixture
def app_config(app_config, smtp, folder):
    return {**app_config, "CATALOG_PATH": str(folder), "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": smtp.port}


def send_mail(runner):
    r = runner.invoke(args=["send-mail"])
    assert r.exit_code == 0, r.output
    return r.output


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def calendar_of(msg) -> Calendar:
    parts = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in msg.iter_attachments()]
    content = parts[0].get_content()
    return Calendar.from_ical(content if isinstance(content, str) else content.decode())


def only_event(cal: Calendar):
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


# ------------------------------------------------------------------------------------------------
# 1. Who sees the join details
# ------------------------------------------------------------------------------------------------
def test_only_purchasers_see_the_join_link_on_the_activity_page_and_in_my_activities(rows, client, clock):
    clock.at = BEFORE_WEBINAR
    page = client.get(f"/activities/{WEBINAR}").text  # not logged in
    assert SECRET not in page and DIAL_IN not in page and NOTE not in page
    assert JOIN_AFTER_PURCHASE in page

    learner = create_learner()
    login(client, learner)
    page = client.get(f"/activities/{WEBINAR}").text  # logged in, not bought
    assert SECRET not in page and JOIN_AFTER_PURCHASE in page

    r = buy(client, WEBINAR, card="4000 0000 0000 0002")  # declined: still not a purchaser
    assert Order.get().status == "declined"
    assert SECRET not in client.get(f"/activities/{WEBINAR}").text
    assert SECRET not in client.get("/my-activities").text

    r = buy(client, WEBINAR)
    assert r.status_code == 302 and "/receipts/" in r.location
    page = client.get(f"/activities/{WEBINAR}").text
    assert SECRET in page and DIAL_IN in page and NOTE in page and JOIN_AFTER_PURCHASE not in page
    mine = client.get("/my-activities").text
    assert SECRET in mine and DIAL_IN in mine

    other = create_learner()  # another learner's view is unchanged by the first one's purchase
    client.post("/logout")
    login(client, other)
    assert SECRET not in client.get(f"/activities/{WEBINAR}").text


def test_a_free_enrolment_is_a_purchase_and_a_refund_takes_the_link_away(rows, client, clock):
    clock.at = dt.datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
    learner = create_learner()
    login(client, learner)
    assert FREE_SECRET not in client.get(f"/activities/{FREE}").text
    buy(client, FREE)
    assert FREE_SECRET in client.get(f"/activities/{FREE}").text
    assert FREE_SECRET in client.get("/my-activities").text
    Order.update(status="refunded", refunded_at=dt.datetime(2027, 2, 2)).execute()
    assert FREE_SECRET not in client.get(f"/activities/{FREE}").text
    assert FREE_SECRET not in client.get("/my-activities").text


def test_the_public_catalogue_never_carries_the_link_and_says_it_comes_after_purchase(folder, tmp_path):
    from tests.catalog.site_helpers import build_in_process, write_project

    texts = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    site = build_in_process(write_project(tmp_path / "site-project", texts))
    files = [f for f in site.rglob("*") if f.is_file() and f.suffix in (".html", ".json", ".ics", ".xml", ".txt")]
    leaked = [str(f.relative_to(site)) for f in files
              if any(s in f.read_text(encoding="utf-8", errors="replace") for s in (SECRET, FREE_SECRET, DIAL_IN))]
    assert leaked == []
    page = (site / "activities" / WEBINAR / "index.html").read_text(encoding="utf-8")
    assert JOIN_AFTER_PURCHASE in page


# ------------------------------------------------------------------------------------------------
# 2. The receipt email and its calendar file
# ------------------------------------------------------------------------------------------------
def test_the_receipt_email_carries_the_join_details_and_a_calendar_file(rows, client, clock, runner, smtp):
    clock.at = BEFORE_WEBINAR
    learner = create_learner()
    login(client, learner)
    buy(client, WEBINAR)
    assert "sent 1" in send_mail(runner)
    [msg] = smtp.inbox.to(learner.email)
    body = text_of(msg)
    assert f"Link: {SECRET}" in body and f"Dial-in: {DIAL_IN}" in body and NOTE in body
    assert "When: Friday, March 12, 2027, 12:00 PM – 1:30 PM EST" in body  # as the activity page words it
    cal = calendar_of(msg)
    assert str(cal["method"]) == "PUBLISH" and cal["version"] == "2.0"
    ev = only_event(cal)
    assert ev.decoded("dtstart") == WEBINAR_STARTS  # UTC, as the site's calendar.ics writes it
    assert ev.decoded("dtend") == dt.datetime(2027, 3, 12, 18, 30, tzinfo=UTC)
    assert ev["dtstart"].to_ical() == b"20270312T170000Z"
    assert str(ev["summary"]) == "Antimicrobial Stewardship in the Clinical Laboratory"
    assert str(ev["location"]) == SECRET
    assert DIAL_IN in str(ev["description"]) and NOTE in str(ev["description"])
    assert str(ev["uid"]) == f"{WEBINAR}.learner-{learner.id}@ce-portal"


def test_the_calendar_uid_is_stable_per_activity_and_learner(ctx, clock):
    from claimserver.learning import joining
    from claimserver.models import Activity, Learner

    clock.at = BEFORE_WEBINAR
    a, b = create_learner(), create_learner()
    row = Activity.get(Activity.slug == WEBINAR)
    model = row.current.model()

    def uid_of(learner):
        return str(only_event(Calendar.from_ical(joining.calendar_file(learner, row, model).text))["uid"])

    first = uid_of(a)
    clock.advance(days=3)
    assert uid_of(Learner.get_by_id(a.id)) == first  # later copy: same calendar entry
    assert uid_of(b) != first
    free = Activity.get(Activity.slug == FREE)
    assert str(only_event(Calendar.from_ical(joining.calendar_file(a, free, free.current.model()).text))["uid"]) != first


# ------------------------------------------------------------------------------------------------
# 3. Reminders a day and an hour before
# ------------------------------------------------------------------------------------------------
def _paid(slug=WEBINAR, paid_at=dt.datetime(2027, 3, 1), status="paid"):
    learner = create_learner()
    order = create_order(learner, slug, status=status)
    if status == "paid":
        Order.update(paid_at=paid_at).where(Order.id == order.id).execute()
    return learner


def _run_twice_at_once(app):
    database.close()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                barrier.wait(timeout=10)
                reminders.send_reminders()
                database.close()
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    database.connect(reuse_if_open=True)
    assert errors == []


def _subjects(smtp, email):
    return [m["Subject"] for m in smtp.inbox.to(email)]


DAY = "Reminder: Antimicrobial Stewardship in the Clinical Laboratory starts tomorrow"
HOUR = "Reminder: Antimicrobial Stewardship in the Clinical Laboratory starts in one hour"


def test_two_runs_at_once_send_each_reminder_exactly_once(app, ctx, clock, smtp):
    learners = [_paid() for _ in range(3)]
    clock.at = WEBINAR_STARTS - dt.timedelta(hours=23, minutes=59)
    _run_twice_at_once(app)
    assert {x.email: _subjects(smtp, x.email) for x in learners} == {x.email: [DAY] for x in learners}
    clock.at = WEBINAR_STARTS - dt.timedelta(minutes=59)
    _run_twice_at_once(app)
    assert {x.email: _subjects(smtp, x.email) for x in learners} == {x.email: [DAY, HOUR] for x in learners}
    msg = smtp.inbox.to(learners[0].email)[1]
    assert f"Link: {SECRET}" in text_of(msg)
    assert str(only_event(calendar_of(msg))["uid"]) == f"{WEBINAR}.learner-{learners[0].id}@ce-portal"


def test_run_every_minute_from_cron_sends_each_reminder_once(ctx, clock, smtp, runner):
    learner = _paid()
    clock.at = WEBINAR_STARTS - dt.timedelta(hours=25)
    outputs = []
    while clock.at < WEBINAR_STARTS + dt.timedelta(minutes=5):
        r = runner.invoke(args=["learning", "send-reminders"])
        assert r.exit_code == 0, r.output
        outputs.append(r.output.strip().splitlines()[-1])
        clock.advance(minutes=7)  # every minute would be 214 runs; every 7 keeps the test quick
    assert _subjects(smtp, learner.email) == [DAY, HOUR]
    assert sum("queued 1 day-before" in o for o in outputs) == 1
    assert sum("and 1 hour-before" in o for o in outputs) == 1
    assert outputs[0] == "queued 0 day-before and 0 hour-before reminder(s); sent 0, failed 0"


def test_a_learner_who_bought_after_the_day_before_point_gets_only_the_hour_before_one(ctx, clock, smtp):
    early = _paid()
    late = _paid(paid_at=(WEBINAR_STARTS - dt.timedelta(hours=5)).replace(tzinfo=None))
    last_minute = _paid(paid_at=(WEBINAR_STARTS - dt.timedelta(minutes=30)).replace(tzinfo=None))
    for at in (WEBINAR_STARTS - dt.timedelta(hours=23), WEBINAR_STARTS - dt.timedelta(hours=4),
               WEBINAR_STARTS - dt.timedelta(minutes=50), WEBINAR_STARTS - dt.timedelta(minutes=20)):
        clock.at = at
        reminders.send_reminders()
    assert _subjects(smtp, early.email) == [DAY, HOUR]
    assert _subjects(smtp, late.email) == [HOUR]
    assert _subjects(smtp, last_minute.email) == []  # bought in the last hour: the receipt says it all


def test_refunded_declined_and_pending_orders_get_no_reminders(ctx, clock, smtp):
    refunded = _paid(status="refunded")
    declined = _paid(status="declined")
    pending = _paid(status="pending")
    paid = _paid()
    for at in (WEBINAR_STARTS - dt.timedelta(hours=20), WEBINAR_STARTS - dt.timedelta(minutes=30)):
        clock.at = at
        reminders.send_reminders()
    assert _subjects(smtp, paid.email) == [DAY, HOUR]
    assert [_subjects(smtp, x.email) for x in (refunded, declined, pending)] == [[], [], []]
    assert Outbox.select().count() == 2


def test_a_session_moved_to_a_new_time_is_reminded_for_the_new_time(ctx, clock, smtp, folder):
    learner = _paid()
    clock.at = WEBINAR_STARTS - dt.timedelta(hours=20)
    reminders.send_reminders()
    _edit(folder / f"{WEBINAR}.md", "starts: 2027-03-12T12:00:00-05:00\nends: 2027-03-12T13:30:00-05:00",
          "starts: 2027-03-13T12:00:00-05:00\nends: 2027-03-13T13:30:00-05:00")
    sync(folder)
    clock.at = WEBINAR_STARTS + dt.timedelta(hours=4)  # 20 hours before the new start
    reminders.send_reminders()
    assert _subjects(smtp, learner.email) == [DAY, DAY]
    assert "Saturday, March 13, 2027, 12:00 PM – 1:30 PM EST" in text_of(smtp.inbox.to(learner.email)[1])


# ------------------------------------------------------------------------------------------------
# 4. In-person sessions: the room and the registration note instead of a link
# ------------------------------------------------------------------------------------------------
def test_an_in_person_session_shows_its_room_and_registration_note(rows, client, clock, runner, smtp):
    clock.at = dt.datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
    page = client.get(f"/activities/{WORKSHOP}").text
    assert ROOM in page and "Register for the Annual Meeting" in page and JOIN_AFTER_PURCHASE not in page
    learner = create_learner(profession="laboratory-professional")
    login(client, learner)
    buy(client, WORKSHOP)
    mine = client.get("/my-activities").text
    assert ROOM in mine and "bring your badge" in mine
    send_mail(runner)
    [msg] = smtp.inbox.to(learner.email)
    body = text_of(msg)
    assert f"{ROOM}, Convention Center, Denver (Annual Meeting 2027)" in body
    assert "Registration: Register for the Annual Meeting" in body and "Link:" not in body
    ev = only_event(calendar_of(msg))
    assert str(ev["location"]) == f"{ROOM}, Convention Center, Denver (Annual Meeting 2027)"
    assert ev.decoded("dtstart") == dt.datetime(2027, 5, 1, 13, 0, tzinfo=UTC)  # 09:00 EDT
    assert "Register for the Annual Meeting" in str(ev["description"])


def test_the_site_calendar_gives_an_in_person_sessions_room(folder):
    from catalog.load import load_catalog
    from catalog.site import display, feeds

    a = load_catalog([folder / f"{WORKSHOP}.md"]).published[0]
    ev = only_event(Calendar.from_ical(feeds.calendar([a], display.SiteSettings(), lambda a: "https://ce/x")))
    assert str(ev["location"]) == f"{ROOM}, Convention Center, Denver (Annual Meeting 2027)"


# ------------------------------------------------------------------------------------------------
# 5. Material released later
# ------------------------------------------------------------------------------------------------
def test_material_released_later_can_be_bought_early_but_not_opened_before_its_date(rows, client, clock,
                                                                                   runner, smtp):
    clock.at = dt.datetime(2027, 3, 13, 15, 0, tzinfo=UTC)
    learner = create_learner()
    login(client, learner)
    page = client.get(f"/activities/{JOURNAL}").text
    assert "Available from April 1, 2027; it can be bought now." in page
    r = buy(client, JOURNAL)
    assert r.status_code == 302 and "/receipts/" in r.location
    opens = "Available from April 1, 2027: the material and its post-test open that day."
    assert opens in client.get(f"/activities/{JOURNAL}").text and opens in client.get("/my-activities").text
    send_mail(runner)
    [msg] = smtp.inbox.to(learner.email)
    assert opens in text_of(msg) and list(msg.iter_attachments()) == []  # home study: no calendar file
    r = client.post(f"/activities/{JOURNAL}/material", follow_redirects=True)
    assert "it is available from April 1, 2027" in r.text
    r = client.post(f"/activities/{JOURNAL}/participate", data={}, follow_redirects=True)
    assert "April 1, 2027" in r.text
    clock.at = dt.datetime(2027, 4, 1, 13, 0, tzinfo=UTC)  # 09:00 EDT: released
    r = client.post(f"/activities/{JOURNAL}/material")
    assert r.status_code == 302 and r.location.startswith("https://journals.example.org/")
    assert "Available from" not in client.get(f"/activities/{JOURNAL}").text


def test_material_not_sold_before_release_says_so_and_refuses_the_purchase(rows, client, clock, folder):
    _edit(folder / f"{JOURNAL}.md", "price: 15.00\n", "price: 15.00\npresale: false\n")
    sync(folder)
    clock.at = dt.datetime(2027, 3, 13, 15, 0, tzinfo=UTC)
    learner = create_learner()
    login(client, learner)
    page = client.get(f"/activities/{JOURNAL}").text
    assert "Available from April 1, 2027; it can be bought from that day." in page
    r = client.post(f"/activities/{JOURNAL}/purchase", follow_redirects=True)
    assert "This material can be bought from April 1, 2027, when it is released." in r.text
    assert Order.select().count() == 0
    clock.at = dt.datetime(2027, 4, 1, 13, 0, tzinfo=UTC)
    r = buy(client, JOURNAL)
    assert r.status_code == 302 and "/receipts/" in r.location


def test_the_receipt_page_a_buyer_lands_on_says_how_to_join(rows, client, clock):
    """Issue 14 QA: after paying, the buyer lands on the receipt, which said nothing about joining."""
    clock.at = BEFORE_WEBINAR
    login(client, create_learner())
    r = buy(client, WEBINAR)
    page = client.get(r.location).text
    assert SECRET in page and DIAL_IN in page and NOTE in page and "How to join" in page
    clock.at = dt.datetime(2027, 3, 13, 12, 0, tzinfo=UTC)  # once the session is over, nothing to join
    assert SECRET not in client.get(r.location).text


def test_the_receipt_page_and_email_word_every_time_as_the_activity_page_does(rows, client, clock):
    """QA: the receipt page and its email mixed "15:00 UTC" (paid) with "12:00 PM EST" (the
    session): every time now reads as the activity page words its session, in its zone."""
    from tests.factories import outbox

    clock.at = BEFORE_WEBINAR  # 12:00 UTC on March 1 is 7:00 AM EST
    learner = create_learner()
    login(client, learner)
    receipt = buy(client, WEBINAR).location
    when = "Friday, March 12, 2027, 12:00 PM – 1:30 PM EST"
    activity_page = client.get(f"/activities/{WEBINAR}").text
    assert when in activity_page
    page = client.get(receipt).text
    [mail] = outbox("receipt")
    for text in (page, mail.body):
        assert when in text and "Monday, March 1, 2027, 7:00 AM EST" in text
        assert "UTC" not in text
    assert f"When: {when}" in mail.body
