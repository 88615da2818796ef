"""Activity pages as a learner reads them: order, statements word for word, disclosures, escaping,
prices, purchase and calendar links, drafts absent, activities out of the navigation."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from catalog import credits as C
from catalog import statements as S
from catalog.site import display as D

from .site_helpers import (CLAIM_URL, FIXTURES, PUBLISHED, REPO_URL, build_in_process, page, read,
                           write_project)

PROVIDER = C.DEFAULT_PROVIDER


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_in_process(write_project(tmp_path_factory.mktemp("site"), FIXTURES))


def text(site: Path, slug: str) -> str:
    return read(page(site, f"activities/{slug}")).text


def test_every_published_activity_has_a_page_and_drafts_none(site):
    for slug in PUBLISHED:
        assert page(site, f"activities/{slug}").is_file()
    assert not (site / "activities" / "draft-webinar").exists()
    assert not (site / "activities" / "draft-webinar.ics").exists()
    everything = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert "draft-webinar" not in everything and "Draft Webinar Not Yet Approved" not in everything


def test_ama_designation_statement_word_for_word(site):
    t = text(site, "stewardship-webinar")
    expected = ("The American Society for Microbiology designates this live activity for a maximum of "
                "1.5 AMA PRA Category 1 Credits™. Physicians should claim only the credit commensurate "
                "with the extent of their participation in the activity.")
    assert S.ama_designation_statement(PROVIDER, "webinar", Decimal("1.5")).text == expected
    assert expected in t
    html = page(site, "activities/stewardship-webinar").read_text(encoding="utf-8")
    assert "<em>AMA PRA Category 1 Credits</em>™" in html  # the credit name in italics


def test_every_statement_comes_from_credits(site):
    t = text(site, "stewardship-webinar")
    for s in (S.accme_accreditation_statement(PROVIDER), S.acpe_accreditation_statement(PROVIDER),
              S.pace_approval_statement(PROVIDER), S.california_statement("ASM-27-001", ("ama_pra_1", "pace")),
              S.florida_statement("20-123456", ("ama_pra_1", "pace")), S.participation_offer_statement(Decimal("1.5")),
              S.MITIGATION_STATEMENT, S.NO_COMMERCIAL_SUPPORT):
        assert s.text in t, s.text
    for fact in ("UAN 0001-0000-27-001-L01-P", "1.5 contact hours (0.15 CEU)",
                 "Topic 01 Disease state management / drug therapy", "Program number 116-001-27",
                 "Level Intermediate", "1.5 P.A.C.E.® contact hours", "CE Broker tracking number 20-123456"):
        assert fact in t, fact


def test_sections_in_the_accredited_order(site):
    t = text(site, "conference-session")
    # Under the title, before anything long: price, credit in brief and the button (issue 14).
    order = ["Candida auris Outbreak Response", "Price Free", "Credit 1 AMA PRA Category 1 Credit™",
             "Enroll for free", "Add to calendar", "Live session at a society meeting",
             "AMA learning format: live activity", "Saturday, June 19, 2027, 2:00 PM – 3:00 PM PDT",
             "Room 502A, Los Angeles Convention Center", "Register for the conference and arrange your travel",
             "Learning objectives", "Interpret a cumulative antibiogram", "Target audience",
             "designates this live activity", "Disclosures",
             "Adaeze Whitford, PhD has no relevant financial relationships with ineligible companies to disclose.",
             "This activity is supported by an educational grant from Globex Labs.",
             "DESCRIPTION-MARKER", "Enroll for free", "Add to calendar"]
    at, missing = 0, []
    for s in order:  # each one after the one before (the button is both at the top and the end)
        found = t.find(s, at)
        if found < 0:
            missing.append(s)
        else:
            at = found + len(s)
    assert missing == []


def test_disclosures_before_description_and_names_escaped(site):
    t = text(site, "stewardship-webinar")
    nothing = f"Zoë <Zed> O'Brien & Sons, PhD {S.NOTHING_TO_DISCLOSE}."
    assert nothing in t
    assert "Ravi Patel, MD Planner Acme & <Diagnostics>: Consultant" in t
    assert t.index(nothing) < t.index(S.MITIGATION_STATEMENT.text) < t.index("DESCRIPTION-MARKER")
    html = page(site, "activities/stewardship-webinar").read_text(encoding="utf-8")
    assert "<Zed>" not in html and "<Diagnostics>" not in html and "<Update>" not in html
    assert "Zoë &lt;Zed&gt; O&#39;Brien &amp; Sons, PhD" in html
    assert "<title>Stewardship &lt;Update&gt; &amp; Review - Test CE</title>" in html


def test_time_in_the_activity_time_zone_and_price(site):
    t = text(site, "stewardship-webinar")
    assert "Date and time Friday, March 12, 2027, 12:00 PM – 1:30 PM EST" in t
    assert "Price $25.00" in t
    j = text(site, "journal-current")
    assert "Release date Released December 1, 2026" in j
    assert "Claim deadline Claim credit by Tuesday, November 30, 2027" in j
    # ACCME: the pass mark is shown before the learner starts.
    assert re.search(r"Post-test \d+ questions?; credit is awarded for a score of 70% or more", j)
    assert "Post-test" not in t
    assert "Add to calendar" not in j


@pytest.mark.parametrize("slug, label", [("stewardship-webinar", "Purchase for $25.00"),
                                         ("conference-session", "Enroll for free")])
def test_purchase_button(site, slug, label):
    links = dict((txt, href) for href, txt in read(page(site, f"activities/{slug}")).links)
    assert links[label] == f"{CLAIM_URL}/activities/{slug}"


def test_past_activities_are_not_for_sale(site):
    t = text(site, "past-workshop")
    links = {txt: href for href, txt in read(page(site, "activities/past-workshop")).links}
    assert "This session has taken place" in t and "It can no longer be purchased." in t
    assert not any(txt.startswith(("Purchase for", "Enroll")) for txt in links)
    assert "Add to calendar" not in links
    assert links["the activity on the claim server"] == f"{CLAIM_URL}/activities/past-workshop"


def test_calendar_link_points_at_the_activity_ics(site):
    links = {txt: href for href, txt in read(page(site, "activities/stewardship-webinar")).links}
    target = (page(site, "activities/stewardship-webinar").parent / links["Add to calendar"]).resolve()
    assert target == (site / "activities" / "stewardship-webinar.ics").resolve()
    assert b"UID:stewardship-webinar@ce-portal" in target.read_bytes()


def test_edit_link_opens_the_conveners_file(site):
    links = [href for href, _ in read(page(site, "activities/past-workshop")).links]
    assert f"{REPO_URL}/edit/main/activities/past-workshop.md" in links


def test_topic_links_lead_to_topic_listings(site):
    links = {txt: href for href, txt in read(page(site, "activities/stewardship-webinar")).links}
    assert links["Antimicrobial resistance"] == "../../catalogue/topic/antimicrobial-resistance/"


def test_activities_stay_out_of_the_navigation(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "activities/" not in re.sub(r'href="[^"]*\.(json|ics)"', "", home)
    assert "catalogue/" in home  # the catalogue pages are in the navigation


def test_display_helpers():
    est = dt.timezone(dt.timedelta(hours=-5))
    assert D.price_text(Decimal("0")) == "Free" and D.price_text(Decimal("1250")) == "$1,250.00"
    assert D.purchase_text(Decimal("0")) == "Enroll for free"
    moment = dt.datetime(2027, 3, 12, 12, 0, tzinfo=est)
    assert D.zone_abbreviation(moment) == "UTC−05:00"
    assert D.zone_abbreviation(moment.astimezone(dt.timezone.utc)) == "UTC"
    assert D.time_text(dt.datetime(2027, 1, 1, 0, 5)) == "12:05 AM"
    assert D.slugify("Résistance: Antimicrobial!") == "resistance-antimicrobial"
