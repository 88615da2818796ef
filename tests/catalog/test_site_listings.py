"""Catalogue listings: upcoming / on-demand / past relative to the build day, and static filtered
listings (credit, format, topic) that contain exactly the right activities, without JavaScript."""
from __future__ import annotations

from pathlib import Path

import pytest

from .site_helpers import FIXTURES, build_in_process, page, read, write_project


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_in_process(write_project(tmp_path_factory.mktemp("listings"), FIXTURES))


def listed(site: Path, url: str, within: str = "md-content") -> list[str]:
    """Slugs of the activities a listing page links to, in order."""
    out = []
    for href, _ in read(page(site, url), within).links:
        parts = href.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == "activities":
            out.append(parts[-1])
    return out


@pytest.mark.parametrize("url, expected", [
    ("catalogue/upcoming", ["stewardship-webinar", "conference-session"]),     # soonest first
    ("catalogue/on-demand", ["journal-current"]),
    ("catalogue/archive", ["past-workshop", "on-demand-expired"]),             # most recent first
    ("catalogue", ["stewardship-webinar", "conference-session", "journal-current"]),
    ("catalogue/credit/acpe", ["stewardship-webinar", "journal-current", "on-demand-expired"]),
    ("catalogue/credit/pace", ["stewardship-webinar", "past-workshop"]),
    ("catalogue/credit/florida", ["stewardship-webinar"]),
    ("catalogue/credit/ama_pra_1", ["stewardship-webinar", "conference-session", "journal-current",
                                    "past-workshop", "on-demand-expired"]),
    ("catalogue/format/webinar", ["stewardship-webinar"]),
    ("catalogue/format/live", ["conference-session"]),
    ("catalogue/format/on-demand", ["on-demand-expired"]),
    ("catalogue/format/teleconference", []),
    ("catalogue/topic/antimicrobial-resistance", ["stewardship-webinar", "journal-current"]),
    ("catalogue/topic/mycology", ["conference-session"]),
])
def test_listing_contains_exactly(site, url, expected):
    assert listed(site, url) == expected


def test_sections_split_by_build_day(site):
    t = read(page(site, "catalogue/credit/acpe")).text
    up, od, past = (t.index("Upcoming live activities"), t.index("On-demand and journal activities"),
                    t.index("Past activities"))
    assert up < t.index("Stewardship <Update> & Review") < od < t.index("Journal: Tuberculosis IGRA") < past
    assert t.index("Recorded: Blood Parasites") > past
    assert "Until Nov 30, 2027" in t
    assert "No upcoming live activities." in read(page(site, "catalogue/format/journal")).text


def test_landing_narrows_by_licence_format_and_topic(site):
    r = read(page(site, "catalogue"))
    links = {href for href, _ in r.links}
    assert "I am a pharmacist: ACPE (pharmacy)" in r.text
    for want in ("../catalogue/credit/acpe/", "../catalogue/format/webinar/", "../catalogue/topic/mycology/"):
        assert want in links
    here = page(site, "catalogue").parent
    for href in links:
        if not href.startswith(("http", "#")):
            assert ((here / href).resolve() / "index.html").is_file(), href


def test_today_moves_activities_to_the_archive(tmp_path):
    import datetime as dt
    site = build_in_process(write_project(tmp_path, FIXTURES, today=dt.date(2027, 4, 1)))
    assert listed(site, "catalogue/upcoming") == ["conference-session"]
    assert listed(site, "catalogue/archive")[0] == "stewardship-webinar"


def test_listing_pages_are_not_in_the_search_index(site):
    import json
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert "activities/stewardship-webinar/" in locations
    assert not any(loc.startswith("catalogue/") for loc in locations)


@pytest.mark.parametrize("folder, link", [("credit", "catalogue/credit/acpe/"),
                                          ("format", "catalogue/format/webinar/"),
                                          ("topic", "catalogue/topic/tuberculosis/")])
def test_trimmed_listing_addresses_have_an_index(site, folder, link):
    links = [href for href, _ in read(page(site, f"catalogue/{folder}"), "md-content").links]
    assert any(h.rstrip("/").endswith(link.rstrip("/").split("catalogue/", 1)[1]) for h in links), links
