"""activities.json and calendar.ics: parseable, complete, drafts absent, times right."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
import pytest

from catalog.load import load_catalog

from .site_helpers import CLAIM_URL, FIXTURES, LIVE, PUBLISHED, SITE_URL, build_in_process, write_project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    root = write_project(tmp_path_factory.mktemp("feeds"), FIXTURES)
    site = build_in_process(root)
    return site, load_catalog([root / "activities"]).activities


def test_activities_json_is_versioned_and_complete(built):
    site, acts = built
    doc = json.loads((site / "activities.json").read_text(encoding="utf-8"))
    assert (doc["schema"], doc["version"]) == ("ce-portal/activities", 1)
    dt.datetime.fromisoformat(doc["generated"])
    assert sorted(a["slug"] for a in doc["activities"]) == PUBLISHED
    keys = {"slug", "title", "format", "learning_format", "starts", "ends", "timezone", "claim_until",
            "price", "price_cents", "location", "conference", "audience", "objectives", "designations",
            "tags", "url", "purchase_url"}
    for rec in doc["activities"]:
        assert set(rec) == keys
        a = acts[rec["slug"]]
        assert rec["title"] == a.title and rec["format"] == a.format
        assert dt.datetime.fromisoformat(rec["starts"]) == a.starts
        assert rec["claim_until"] == a.claim_until.isoformat()
        assert rec["designations"] == [d.as_dict() for d in a.designations]
        assert rec["url"] == f"{SITE_URL}activities/{a.slug}/"
        assert rec["purchase_url"] == f"{CLAIM_URL}/activities/{a.slug}"
    web = next(r for r in doc["activities"] if r["slug"] == "stewardship-webinar")
    assert (web["price"], web["price_cents"], web["learning_format"]) == ("25.00", 2500, "live activity")
    assert web["timezone"] == "America/New_York"
    free = next(r for r in doc["activities"] if r["slug"] == "conference-session")
    assert (free["price"], free["price_cents"], free["conference"]) == ("0.00", 0, "ASM Microbe 2027")


def test_calendar_has_one_event_per_live_activity_in_utc(built):
    site, acts = built
    cal = icalendar.Calendar.from_ical((site / "calendar.ics").read_bytes())
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert sorted(events) == sorted(f"{s}@ce-portal" for s in LIVE)
    for slug in LIVE:
        e, a = events[f"{slug}@ce-portal"], acts[slug]
        assert e.decoded("DTSTART") == a.starts and e.decoded("DTSTART").utcoffset() == dt.timedelta(0)
        assert e.decoded("DTEND") == a.ends
        assert str(e["SUMMARY"]) == a.title
        assert str(e["URL"]) == f"{SITE_URL}activities/{slug}/"
        assert a.location in str(e["LOCATION"])
        assert f"{CLAIM_URL}/activities/{slug}" in str(e["DESCRIPTION"])
    assert "ASM Microbe 2027" in str(events["conference-session@ce-portal"]["LOCATION"])
    assert events["stewardship-webinar@ce-portal"].decoded("DTSTART") == dt.datetime(
        2027, 3, 12, 17, 0, tzinfo=dt.timezone.utc)


def test_each_live_activity_has_its_own_calendar_file(built):
    site, _ = built
    for slug in LIVE:
        cal = icalendar.Calendar.from_ical((site / "activities" / f"{slug}.ics").read_bytes())
        assert [str(e["UID"]) for e in cal.walk("VEVENT")] == [f"{slug}@ce-portal"]
    assert not (site / "activities" / "journal-current.ics").exists()
