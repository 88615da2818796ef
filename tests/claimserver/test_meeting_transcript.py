"""A meeting claim's sessions on the transcript's downloads: the CSV and the PDF list each session
(id, title, hours) as the web transcript does, all three from the transcript's one row data."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from pypdf import PdfReader

from claimserver.models import Claim
from claimserver.records import operations as ops
from tests.claimserver.test_meetings import AFTER, SLUG, _attend_and_evaluate, app_config, learner  # noqa: F401
from tests.factories import create_evaluation

SESSIONS = [("A", "Blood cultures", "1"), ("C", "Fungi", "1.5"), ("D", "Parasites", "1")]


def _claim(client, learner, clock):
    _attend_and_evaluate(client, clock, ["A", "C", "D"])
    create_evaluation(learner, SLUG)
    clock.at = AFTER
    r = client.post(f"/activities/{SLUG}/claim", data={"credit": "ama_pra_1", "hours": "3", "attest": "y"})
    assert r.status_code == 302
    claim = Claim.get(Claim.learner == learner)
    assert claim.hours == Decimal(3)
    return claim


def test_the_transcript_rows_carry_the_claims_sessions(client, learner, clock):
    _claim(client, learner, clock)
    (row,) = ops.transcript(learner).rows
    assert row.sessions == tuple(SESSIONS)
    page = client.get("/transcript").text
    for sid, title, h in SESSIONS:
        assert f"<li>{sid} {title} · {h}</li>" in page


def test_the_transcript_csv_lists_a_meeting_claims_sessions(client, learner, clock):
    claim = _claim(client, learner, clock)
    rows = list(csv.DictReader(io.StringIO(client.get("/transcript.csv").get_data(as_text=True))))
    code = rows[0]["certificate"]
    assert [(r["hours"], r["session"], r["session_title"], r["session_hours"]) for r in rows] == [
        ("3", "", "", ""), *(("", sid, title, h) for sid, title, h in SESSIONS)]
    # every line names its claim, so a filtered spreadsheet still knows which activity a session is of
    assert {(r["activity"], r["credit_type"], r["certificate"], r["status"]) for r in rows} == {
        (claim.version.title, "AMA PRA Category 1 Credit™", code, "valid")}
    # the hours column still adds up to what was claimed
    assert sum(Decimal(r["hours"]) for r in rows if r["hours"]) == Decimal(3)


def test_the_transcript_pdf_lists_a_meeting_claims_sessions(client, learner, clock):
    _claim(client, learner, clock)
    resp = client.get("/transcript.pdf")
    assert resp.mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages).split())
    for sid, title, h in SESSIONS:
        assert f"{sid} {title} · {h}" in text
    assert "Test Annual Meeting 2027" in text


def test_the_certificates_sessions_page_heads_the_hours_column_with_the_units_as_written(client, learner, clock):
    claim = _claim(client, learner, clock)
    reader = PdfReader(io.BytesIO(client.get(f"/certificates/{claim.id}.pdf").data))
    sessions_page = reader.pages[1].extract_text()
    assert "Session Title AMA PRA Category 1 Credits™" in sessions_page  # not "Ama pra category 1 credits™"
