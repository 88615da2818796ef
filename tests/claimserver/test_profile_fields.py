"""Profile fields with bad input, each marked next to the field (SQLite only), and clean_name()."""
from __future__ import annotations

import pytest

from claimserver.models import Learner
from claimserver.text import clean_name
from tests.claimserver.markup import field_error, marked_fields
from tests.claimserver.test_profile import BASE, PHARMACIST
from tests.factories import create_learner, login


@pytest.fixture
def db_url(tmp_path):
    """Form validation does not depend on the database: these tables run on SQLite only."""
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def learner(client, rows):
    learner = create_learner(certificate_name="", profession="")
    login(client, learner)
    return learner


@pytest.mark.parametrize("changes, field, error", [
    ({"certificate_name": ""}, "certificate_name", "Enter your name exactly as it appears on your licence."),
    ({"certificate_name": "\u202e\u2066"}, "certificate_name", "Enter your name exactly"),
    ({"first_name": ""}, "first_name", "Enter your first name."),
    ({"last_name": "x" * 101}, "last_name", "Use at most 100 characters."),
    ({"profession": ""}, "profession", "Choose your profession."),
    ({"profession": "astronaut"}, "profession", "Not a valid choice"),
    ({"profession": "pharmacist"}, "nabp_epid", "need an NABP e-Profile ID"),
    ({"profession": "pharmacy-technician", "nabp_epid": "12"}, "birth_mmdd", "needs your birth month and day"),
    ({**PHARMACIST, "nabp_epid": "12ab"}, "nabp_epid", "a number of 1 to 10 digits"),
    ({**PHARMACIST, "nabp_epid": "12345678901"}, "nabp_epid", "a number of 1 to 10 digits"),
    ({**PHARMACIST, "nabp_epid": "١٢٣"}, "nabp_epid", "a number of 1 to 10 digits"),
    ({**PHARMACIST, "birth_mmdd": "1332"}, "birth_mmdd", "not a real date"),
    ({**PHARMACIST, "birth_mmdd": "0230"}, "birth_mmdd", "not a real date"),
    ({**PHARMACIST, "birth_mmdd": "714"}, "birth_mmdd", "Enter four digits"),
    ({**PHARMACIST, "birth_mmdd": "07/14"}, "birth_mmdd", "Enter four digits"),
    ({"state_licence_number": "12345"}, "state_licence_state", "Choose the state"),
    ({"state_licence_state": "TX"}, "state_licence_number", "Enter the licence number"),
    ({"state_licence_state": "ZZ", "state_licence_number": "1"}, "state_licence_state", "Choose a state from the list."),
    ({"certificate_name": "=HYPERLINK(\"http://x\",\"Ada\")"}, "certificate_name", "cannot begin with ="),
    ({"first_name": "+Ada"}, "first_name", "cannot begin with +"),
    ({"last_name": " -2+3"}, "last_name", "cannot begin with -"),
    ({"certificate_name": "@SUM(A1)"}, "certificate_name", "spreadsheets would read it as a formula"),
    ({"florida_licence": "<script>"}, "florida_licence", "letters, digits"),
    ({"california_licence": "x" * 41}, "california_licence", "Use at most 40 characters."),
])
def test_profile_marks_each_bad_field_and_keeps_the_rest(client, learner, changes, field, error):
    data = {**BASE, **changes, "degree": "MLS(ASCP)"}
    r = client.post("/profile", data=data)
    assert r.status_code == 200
    assert error in field_error(r.text, field)
    assert field in marked_fields(r.text)
    assert 'value="MLS(ASCP)"' in r.text  # other input kept
    assert Learner.get_by_id(learner.id).profession == ""  # nothing saved


@pytest.mark.parametrize("mmdd", ["0229", "0101", "1231"])
def test_real_birth_dates_including_29_february_are_accepted(client, learner, mmdd):
    r = client.post("/profile", data={**PHARMACIST, "birth_mmdd": mmdd})
    assert r.status_code == 302
    assert Learner.get_by_id(learner.id).birth_mmdd == mmdd


@pytest.mark.parametrize("raw, cleaned", [
    ("Ada Lovelace", "Ada Lovelace"),
    ("  José\tMaría \n Núñez ", "José María Núñez"),
    ("Ada\u202eecalevoL", "AdaecalevoL"),
    ("\u2067Ada\u2069", "Ada"),
    ("Ada\u200bLovelace\ufeff", "AdaLovelace"),
    ("क्\u200dष", "क्\u200dष"),           # ZWJ kept: some scripts need it
    ("می\u200cخواهم", "می\u200cخواهم"),  # ZWNJ kept
    ("Zoe\u0308", "Zoë"),               # NFC
    ("A\x00B\x1bC", "ABC"),
    ("", ""),
    (None, ""),
])
def test_clean_name(raw, cleaned):
    assert clean_name(raw) == cleaned


