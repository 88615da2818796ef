"""What a learner sees first (issue 14 item 2): the home page lists what is coming up, from the
activity files at build time, and every activity page says price, credit and Purchase under its title."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from catalog import credits as C

from .site_helpers import CLAIM_URL, EST, FIXTURES, activity, build_in_process, page, read, write_project

HOME = "# Home\n\nWelcome.\n\n## Coming up\n\n<!-- ce:coming-up -->\n\n## Elsewhere\n\nMore.\n"


def home(site: Path):
    return read(site / "index.html")


def section(text: str, heading: str, until: str) -> str:
    start = text.index(heading)
    return text[start:text.index(until, start)]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_in_process(write_project(tmp_path_factory.mktemp("home"), FIXTURES, docs={"index.md": HOME}))


def test_home_lists_the_next_live_activities_then_on_demand_ones(site):
    r = home(site)
    live = section(r.text, "Next live activities", "On-demand and journal activities")
    # soonest first, each with its date in its own zone, its format and its credit in brief
    assert live.index("Stewardship <Update> & Review") < live.index("Candida auris Outbreak Response")
    assert ("Stewardship <Update> & Review Friday, March 12, 2027, 12:00 PM EST · Live webinar · "
            "1.5 AMA PRA Category 1 Credits™ · 1.5 ACPE contact hours · 1.5 P.A.C.E.® contact hours · "
            "1.5 California CLS contact hours · 1.5 Florida contact hours · 1.5 hours of participation") in live
    assert ("Candida auris Outbreak Response Saturday, June 19, 2027, 2:00 PM PDT · "
            "Live session at a society meeting · 1 AMA PRA Category 1 Credit™") in live
    on_demand = section(r.text, "On-demand and journal activities", "Elsewhere")
    assert ("Journal: Tuberculosis IGRA Claim credit by Tuesday, November 30, 2027 · Journal-based material · "
            "1 AMA PRA Category 1 Credit™ · 1 ACPE contact hour · 1 hour of participation") in on_demand
    # what has taken place, closed or is a draft is not coming up
    for gone in ("Molecular Diagnostics Workshop", "Recorded: Blood Parasites", "Draft Webinar"):
        assert gone not in r.text


def test_home_links_open_the_activity_pages(site):
    links = {text: href for href, text in home(site).links}
    for title, slug in (("Stewardship <Update> & Review", "stewardship-webinar"),
                        ("Journal: Tuberculosis IGRA", "journal-current")):
        assert links[title] == f"activities/{slug}/"
        assert read(page(site, links[title].rstrip("/"))).text.startswith(title)


def test_home_shows_a_few_and_links_to_all(tmp_path):
    many = {f"webinar-{n}": activity(title=f"Webinar number {n}",
                                      starts=dt.datetime(2027, 3, n, 12, 0, tzinfo=EST),
                                      ends=dt.datetime(2027, 3, n, 13, 0, tzinfo=EST),
                                      designations={"ama_pra_1": {"credits": 1}},
                                      faculty=[{"name": "Ann Speaker, MD", "role": "speaker", "disclosures": [],
                                                "attested": dt.date(2027, 1, 2)}])
            for n in range(1, 8)}
    site = build_in_process(write_project(tmp_path, many, docs={"index.md": HOME}))
    r = home(site)
    shown = [text for href, text in r.links if href.startswith("activities/")]
    assert shown == [f"Webinar number {n}" for n in range(1, 6)]  # the five soonest, in date order
    links = {text: href for href, text in r.links}
    assert links["All 7 upcoming live activities"] == "catalogue/upcoming/"
    assert (site / "catalogue" / "upcoming" / "index.html").is_file()
    assert "No on-demand or journal activities are open at the moment. See the full catalogue." in r.text


def test_nothing_coming_up_says_so_and_links_to_the_catalogue(tmp_path):
    site = build_in_process(write_project(tmp_path, FIXTURES, docs={"index.md": HOME}, today=dt.date(2028, 1, 1)))
    r = home(site)
    assert "No live activities are scheduled at the moment. See the full catalogue." in r.text
    assert "No on-demand or journal activities are open at the moment." in r.text
    links = [href for href, text in r.links if text == "See the full catalogue"]
    assert links and all(h == "catalogue/" for h in links)
    assert (site / "catalogue" / "index.html").is_file()


def test_the_projects_home_page_asks_for_the_list():
    text = (Path(__file__).resolve().parents[2] / "docs" / "index.md").read_text(encoding="utf-8")
    assert "<!-- ce:coming-up -->" in text


# ------------------------------------------------------------------------------------------
# The top of an activity page
# ------------------------------------------------------------------------------------------
def test_price_credit_and_purchase_come_right_under_the_title(site):
    r = read(page(site, "activities/stewardship-webinar"))
    top = ("Stewardship <Update> & Review Price $25.00 Credit 1.5 AMA PRA Category 1 Credits™ · "
           "1.5 ACPE contact hours · 1.5 P.A.C.E.® contact hours · 1.5 California CLS contact hours · "
           "1.5 Florida contact hours · 1.5 hours of participation Purchase for $25.00 Add to calendar")
    assert r.text.startswith(top)
    buttons = [href for href, text in r.links if text == "Purchase for $25.00"]
    assert buttons == [f"{CLAIM_URL}/activities/stewardship-webinar"] * 2  # at the top and at the end
    assert r.text.rindex("Purchase for $25.00") > r.text.index("DESCRIPTION-MARKER")


def test_a_past_activity_says_so_at_the_top_and_sells_nothing(site):
    r = read(page(site, "activities/past-workshop"))
    assert r.text.startswith("Molecular Diagnostics Workshop Price $25.00 Credit 3 AMA PRA Category 1 Credits™ · "
                             "3.5 P.A.C.E.® contact hours This session has taken place: it can no longer be purchased.")
    assert not any(text.startswith("Purchase") for _, text in r.links)


def test_brief_wording_names_whose_hours_they_are():
    ct = C.CREDIT_TYPES
    assert ct["acpe"].brief(1) == "1 ACPE contact hour" and ct["acpe"].brief(1.5) == "1.5 ACPE contact hours"
    assert ct["ama_pra_1"].brief(2) == ct["ama_pra_1"].units(2) == "2 AMA PRA Category 1 Credits™"
    assert ct["pace"].brief(1) == "1 P.A.C.E.® contact hour"
    assert ct["participation"].brief(1.25) == "1.25 hours of participation"
    briefs = [t.brief(2) for t in ct.values()]
    assert len(set(briefs)) == len(briefs)  # no two credit types read alike on one line
