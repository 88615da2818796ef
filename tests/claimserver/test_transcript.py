"""The transcript: every claim, totals per type and year, a date filter, state views, CSV and PDF."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from claimserver.models import Certificate
from claimserver.records import operations as ops
from tests import factories as F


def claims_for(who):
    """Three claims over two years, with certificates."""
    made = [F.create_claim(who, "stewardship-webinar", "pace", hours="1.5", participated_on=dt.date(2027, 3, 12)),
            F.create_claim(who, "free-teleconference-tb", "california_cls", hours="1",
                           participated_on=dt.date(2026, 2, 10)),
            F.create_claim(who, "free-teleconference-tb", "florida", hours="0.75",
                           participated_on=dt.date(2026, 2, 10))]
    for c in made:
        Certificate.create(claim=c, code=ops.new_code(), name=who.certificate_name)
    return made


@pytest.fixture
def learner(ctx, client):
    who = F.create_learner(profession="laboratory-professional", florida_licence="CH-1", california_licence="C-1")
    claims_for(who)
    F.login(client, who)
    return who


def test_lists_every_claim_with_totals_per_type_and_year(learner, client):
    page = client.get("/transcript").get_data(as_text=True)
    assert page.count("<tr>") >= 3
    for text in ("March 12, 2027", "Antimicrobial Stewardship in the Clinical Laboratory",
                 "Tuberculosis Testing Update", "P.A.C.E.® (laboratory)", "California CLS", "Florida (CE Broker)",
                 "Totals by credit type", "Totals by year"):
        assert text in page
    totals = page.split("Totals by credit type")[1]
    assert "P.A.C.E.® contact hours</th><td class=\"num\">1.5" in totals
    assert "<td>2026</td><td>Florida (CE Broker)</td><td class=\"num\">0.75" in totals


def test_date_filter(learner, client):
    page = client.get("/transcript?start=2027-01-01&end=2027-12-31").get_data(as_text=True)
    assert "Antimicrobial Stewardship" in page and "Tuberculosis Testing" not in page


BAD_FILTERS = [
    ("start=2027-05-01&end=2027-01-01", "must be on or after"),
    ("start=31/12/2027", "Not a valid date"),
    ("start=1800-01-01", "between 1990 and 2200"),
    ("start=2026-13-45", "Not a valid date"),
    ("end=abc", "Not a valid date"),
    ("start=2026-01-01&end=abc", "Not a valid date"),
]


@pytest.mark.parametrize("query, message", BAD_FILTERS)
def test_bad_filter_is_marked_and_nothing_listed(learner, client, query, message):
    """A filter that was not applied lists nothing (and states no period) rather than everything."""
    resp = client.get(f"/transcript?{query}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in page and "aria-invalid" in page
    assert "Antimicrobial Stewardship" not in page and "Tuberculosis Testing" not in page
    assert "Totals by credit type" not in page and "print-only" not in page
    assert "/transcript.csv" not in page


@pytest.mark.parametrize("query, message", BAD_FILTERS)
@pytest.mark.parametrize("url", ["/transcript.csv", "/transcript.pdf"])
def test_bad_filter_downloads_answer_400(learner, client, url, query, message):
    resp = client.get(f"{url}?{query}")
    assert resp.status_code == 400 and resp.mimetype == "text/plain"
    assert message in resp.get_data(as_text=True)


def test_pdf_states_the_period_applied(learner, client):
    resp = client.get("/transcript.pdf?start=2026-01-01&end=2026-12-31")
    text = " ".join(PdfReader(io.BytesIO(resp.data)).pages[0].extract_text().split())
    assert "January 1, 2026 – December 31, 2026" in text and "Antimicrobial Stewardship" not in text


def test_rows_cache_key_uses_the_reporting_day(learner, clock):
    """Rows show reporting deadlines as of ledger.today() (REPORTING_TIMEZONE), so the key holds that day."""
    clock.at = dt.datetime(2027, 3, 14, 2, tzinfo=dt.timezone.utc)  # 22:00 on March 13 in New York
    assert dt.date(2027, 3, 13) in ops.transcript_key(learner)
    assert dt.date(2027, 3, 14) not in ops.transcript_key(learner)


def test_state_views_count_the_current_cycle(learner, client, clock):
    page = client.get("/transcript?view=florida").get_data(as_text=True)
    assert "September 1, 2025 – August 31, 2027" in page
    assert "<strong>0.75</strong> of the 24 contact hours" in page
    assert "Antimicrobial Stewardship" not in page
    page = client.get("/transcript?view=california").get_data(as_text=True)
    assert "January 1, 2027 – December 31, 2028" in page and "<strong>0</strong> of the 24" in page
    clock.at = dt.datetime(2026, 6, 5, tzinfo=dt.timezone.utc)  # back in the previous cycle
    page = client.get("/transcript?view=california").get_data(as_text=True)
    assert "January 1, 2025 – December 31, 2026" in page and "<strong>1</strong> of the 24" in page


@pytest.mark.parametrize("anchor, today, expected", [
    ("2025-09-01", dt.date(2027, 8, 31), (dt.date(2025, 9, 1), dt.date(2027, 8, 31))),
    ("2025-09-01", dt.date(2027, 9, 1), (dt.date(2027, 9, 1), dt.date(2029, 8, 31))),
    ("2025-09-01", dt.date(2025, 8, 31), (dt.date(2023, 9, 1), dt.date(2025, 8, 31))),
    ("2025-01-01", dt.date(2026, 12, 31), (dt.date(2025, 1, 1), dt.date(2026, 12, 31))),
])
def test_current_cycle(anchor, today, expected):
    assert ops.current_cycle(anchor, today) == expected


def test_csv_download_honours_the_filter(learner, client):
    resp = client.get("/transcript.csv?start=2026-01-01&end=2026-12-31")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert [(r["date"], r["credit_type"], r["hours"]) for r in rows] == [
        ("2026-02-10", "Florida clinical laboratory continuing education", "0.75"),
        ("2026-02-10", "California CLS continuing education", "1")]
    assert all(r["status"] == "valid" and len(r["certificate"]) == 19 for r in rows)


def test_pdf_download_reads_back(learner, client):
    resp = client.get("/transcript.pdf")
    assert resp.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(resp.data)).pages[0].extract_text().split())
    assert learner.certificate_name in text and "Antimicrobial Stewardship" in text and "0.75" in text


def test_transcript_is_the_learners_own(ctx, client):
    other = F.create_learner()
    claims_for(other)
    me_ = F.create_learner()
    F.login(client, me_)
    page = client.get("/transcript").get_data(as_text=True)
    assert "No claims yet" in page and "Antimicrobial Stewardship" not in page
    assert client.get("/transcript.csv").get_data(as_text=True).count("\n") == 1


@pytest.mark.parametrize("url", ["/transcript", "/transcript.csv", "/transcript.pdf"])
def test_transcript_needs_login(client, url):
    resp = client.get(url)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_page_follows_changes_after_being_shown(learner, client):
    """The rendered rows are reused only while nothing they show has changed."""
    assert "revoked</span>" not in client.get("/transcript").get_data(as_text=True)
    ops.revoke(Certificate.select().order_by(Certificate.id).first(), None, "test")
    assert "revoked</span>" in client.get("/transcript").get_data(as_text=True)
    F.create_claim(learner, "journal-candida-auris", "participation", hours="1",
                   participated_on=dt.date(2027, 2, 1))
    assert "Candida auris" in client.get("/transcript").get_data(as_text=True)


def test_transcript_csv_uses_the_shared_csv_safe_helper():
    from claimserver.records import views

    assert not hasattr(views, "_csv_cell")  # one copy of the rule: claimserver.text.csv_safe
    assert views.csv_safe("=HYPERLINK()") == "'=HYPERLINK()"


def test_revoked_credit_is_listed_but_never_counted(ctx):
    who = F.create_learner(profession="laboratory-professional", florida_licence="CH-1", california_licence="C-1")
    pace, california, florida = claims_for(who)
    ops.revoke(Certificate.get(Certificate.claim == pace), None, "Attendance not confirmed")
    t = ops.transcript(who)
    assert len(t.rows) == 3 and [r.valid for r in t.rows].count(False) == 1
    assert "pace" not in dict(t.totals)
    assert all(k != "pace" for _, k, _ in t.years)
    ops.revoke(Certificate.get(Certificate.claim == florida), None, "Issued in error")
    assert ops.transcript(who, view="florida").total == 0  # a revoked claim never counts toward a cycle


def test_the_pdf_marks_revoked_credit(learner, client):
    from claimserver.models import Claim

    cert = Certificate.select().join(Claim).where(Claim.credit_type == "pace").get()
    ops.revoke(cert, None, "Attendance not confirmed")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get("/transcript.pdf").data)).pages)
    assert re.search(r"revoked\s*\(1\.5\)", text), text  # the narrow hours column may wrap
