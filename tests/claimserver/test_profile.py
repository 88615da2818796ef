"""The profile: names as on licences (sanitised), profession, CPE Monitor fields, licences, ?next=."""
from __future__ import annotations

import pytest

from claimserver.models import Learner
from tests.factories import create_learner, login

BASE = {"certificate_name": "Ada Lovelace", "first_name": "Ada", "last_name": "Lovelace",
        "degree": "PhD", "profession": "laboratory-professional", "nabp_epid": "", "birth_mmdd": "",
        "state_licence_state": "", "state_licence_number": "", "california_licence": "",
        "florida_licence": "", "board_id": ""}
PHARMACIST = {**BASE, "profession": "pharmacist", "nabp_epid": "1234567", "birth_mmdd": "0714"}


@pytest.fixture
def learner(client, rows):
    learner = create_learner(certificate_name="", profession="")
    login(client, learner)
    return learner


def test_profile_saves_every_field(client, learner):
    data = {**PHARMACIST, "state_licence_state": "CA", "state_licence_number": "RPH 12345",
            "california_licence": "CLS-998877", "florida_licence": "CL 1234", "board_id": "ABMM-42"}
    r = client.post("/profile", data=data)
    assert r.status_code == 302 and r.location == "/profile"
    saved = Learner.get_by_id(learner.id)
    for key, value in data.items():
        assert getattr(saved, key) == value, key


def test_pharmacy_fields_are_only_shown_and_required_for_pharmacy(client, learner):
    page = client.get("/profile").text
    assert '<fieldset id="pharmacy-fields"' in page and "hidden>" in page.split('id="pharmacy-fields"')[1][:200]
    assert "CPE Monitor" in page
    assert client.post("/profile", data=BASE).status_code == 302  # not required for a lab professional
    client.post("/profile", data=PHARMACIST)
    page = client.get("/profile").text
    assert "hidden>" not in page.split('id="pharmacy-fields"')[1][:200]


def test_certificate_name_is_cleaned_of_invisible_characters(client, learner):
    r = client.post("/profile", data={**BASE, "certificate_name": " Ada\u202e \u2066Lovelace\u2069\u200b\x07 "})
    assert r.status_code == 302
    assert Learner.get_by_id(learner.id).certificate_name == "Ada Lovelace"


def test_profile_returns_to_a_local_next_only(client, learner):
    r = client.post("/profile?next=/activities/stewardship-webinar/claim", data=BASE)
    assert r.location == "/activities/stewardship-webinar/claim"
    r = client.post("/profile?next=https://evil.com/", data=BASE)
    assert r.location == "/profile"


def test_profile_needs_login(client, rows):
    r = client.get("/profile")
    assert r.status_code == 302 and r.location == "/login?next=%2Fprofile"


def _shown(page: str, box_id: str) -> bool:
    tag = page.split(f'id="{box_id}"')[1].split(">")[0]
    return "hidden" not in tag


def test_physicians_are_asked_their_birth_month_and_day_for_pars(client, learner):
    physician = {**BASE, "profession": "physician", "degree": "MD"}
    assert client.post("/profile", data=physician).status_code == 302  # optional for them
    page = client.get("/profile").text
    assert _shown(page, "birth-fields") and _shown(page, "pars-note")
    assert not _shown(page, "pharmacy-fields")
    note = " ".join(page.split('id="pars-note"')[1].split("</p>")[0].split())
    assert "only to report your AMA PRA Category 1 Credit™ to ACCME's PARS, for maintenance of certification (MOC) and licensure" in note
    # the lists the toggle script reads: birth MMDD for physicians too, the EPID for pharmacy only
    assert 'id="birth-fields" data-professions="pharmacist pharmacy-technician physician"' in page
    assert 'id="pharmacy-fields" data-professions="pharmacist pharmacy-technician"' in page
    assert client.post("/profile", data={**physician, "birth_mmdd": "0714"}).status_code == 302
    assert Learner.get_by_id(learner.id).birth_mmdd == "0714"
    r = client.post("/profile", data={**physician, "birth_mmdd": "1332"})
    assert r.status_code == 200 and "not a real date" in r.text


def test_professions_not_asked_keep_their_stored_birth_date(client, learner):
    client.post("/profile", data=PHARMACIST)
    client.post("/profile", data={**BASE, "birth_mmdd": "0101", "nabp_epid": "99"})  # lab professional
    saved = Learner.get_by_id(learner.id)
    assert (saved.birth_mmdd, saved.nabp_epid) == ("0714", "1234567")
    page = client.get("/profile").text
    assert not _shown(page, "birth-fields") and not _shown(page, "pharmacy-fields")
    client.post("/profile", data={**BASE, "profession": "physician", "birth_mmdd": ""})
    saved = Learner.get_by_id(learner.id)
    assert (saved.birth_mmdd, saved.nabp_epid) == ("", "1234567")  # asked and cleared; the EPID kept


def test_the_toggle_script_follows_every_data_professions_list(client, learner):
    page = client.get("/profile").text
    with client.get(page.split('<script src="')[1].split('"')[0]) as r:
        script = r.text
    assert 'querySelectorAll("[data-professions]")' in script  # the birth fields and PARS note too
