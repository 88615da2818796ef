"""The sample meeting's catalogue page: a programme by day with each session's credit, faculty with
disclosures and objectives, an anchor per session; activities.json and calendar.ics carry sessions."""
from __future__ import annotations

import json
import re

import pytest

from catalog.load import DEFAULT_FOLDER, load_catalog
from catalog.site import display as D
from catalog.site import feeds, pages

SLUG = "asm-clinical-microbiology-meeting-2027"
URL = "https://ce.example.org/activities/" + SLUG + "/"


@pytest.fixture(scope="module")
def meeting():
    return load_catalog([DEFAULT_FOLDER]).activities[SLUG]


def test_the_page_shows_the_programme_by_day_with_each_sessions_credit(meeting):
    head, _ = pages.render_activity(meeting, D.SiteSettings(claim_url="https://claims.example.org"))
    days = re.findall(r'<section class="ce-programme-day"><h3>([^<]+)</h3>', head)
    assert days == ["Tuesday, September 14, 2027", "Wednesday, September 15, 2027",
                    "Thursday, September 16, 2027"]
    assert head.count('<details class="ce-session"') == 45
    block = head[head.index('id="session-stw-11"'):]
    block = block[:block.index("</details>")]
    assert ("8:30 AM–9:30 AM</strong> · Stewardship and Pharmacy · Use rapid diagnostics to de-escalate "
            "antibiotic therapy") in block
    assert ("Session STW-11 · Room 210 · 1 AMA PRA Category 1 Credit™ · 1 contact hour · "
            "UAN 0001-0000-27-101-L01-P") in block
    assert "<li>Recommend therapy changes from rapid results</li>" in block
    # P.A.C.E. hours are 50-minute hours: a 90-minute session earns 1.75
    bac = head[head.index('id="session-bac-12"'):]
    assert "1.5 AMA PRA Category 1 Credits™ · 1.75 P.A.C.E.® contact hours" in bac[:bac.index("</details>")]
    assert 'id="ce-programme-search"' in head
    assert {"level": 2, "id": "programme", "name": "Programme", "html": "Programme", "children": []} \
        in pages.activity_toc(meeting)


def test_a_speakers_disclosure_is_shown_in_their_session(meeting):
    head, _ = pages.render_activity(meeting, D.SiteSettings(claim_url="https://claims.example.org"))
    names = {p.name: p for p in meeting.faculty}
    s = next(s for s in meeting.sessions if names[s.faculty[0]].disclosures)
    block = head[head.index(f'id="session-{s.id.lower()}"'):]
    d = names[s.faculty[0]].disclosures[0]
    assert f"{s.faculty[0]} ({d.company}: {d.label})" in block[:block.index("</details>")]


def test_activities_json_and_the_calendar_carry_the_sessions(meeting):
    settings = D.SiteSettings(claim_url="https://claims.example.org")
    rec = json.loads(json.dumps(feeds.activity_record(meeting, settings, URL)))
    assert len(rec["sessions"]) == 45
    stw = next(s for s in rec["sessions"] if s["id"] == "STW-11")
    assert stw["credits"] == {"ama_pra_1": "1", "acpe": "1"}
    assert stw["uan"] == "0001-0000-27-101-L01-P"
    assert stw["url"] == URL + "#session-stw-11"
    ics = feeds.event_bytes(meeting, settings, URL).decode()
    assert ics.count("BEGIN:VEVENT") == 46
    assert "UID:STW-11.asm-clinical-microbiology-meeting-2027@ce-portal" in ics
