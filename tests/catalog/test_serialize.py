"""Stored activity versions: every new field round-trips, and JSON stored before it existed loads."""
from __future__ import annotations

from decimal import Decimal

from catalog import serialize
from catalog.load import DEFAULT_FOLDER, load_catalog
from catalog.model import Designation


def test_every_sample_activity_round_trips():
    for a in load_catalog(DEFAULT_FOLDER).activities.values():
        assert serialize.from_dict(serialize.to_dict(a)) == a, a.slug


def test_new_fields_round_trip():
    acts = load_catalog(DEFAULT_FOLDER).activities
    jp = acts["lyme-serology-jointly-provided-webinar-2027"]
    d = serialize.to_dict(jp)
    assert d["joint_provider"] == "Great Lakes Tick-Borne Disease Coalition"
    assert [x for x in d["designations"] if x["credit"] == "florida"] == [
        {"credit": "florida", "hours": "1.5", "reference": "20-884611", "subjects": ["general", "supervision"],
         "subject_hours": [["general", "1"], ["supervision", "0.5"]]}]
    assert [x.get("exception") for p in d["faculty"] for x in p["disclosures"]] == [None, "technical-instruction"]
    back = serialize.from_dict(d)
    assert back.joint_provider == jp.joint_provider and not back.jointly_accredited
    assert back.faculty[1].disclosures[0].exception == "technical-instruction"
    ja = serialize.from_dict(serialize.to_dict(acts["invasive-aspergillosis-team-webinar-2027"]))
    assert ja.jointly_accredited and ja.joint_provider == ""
    assert [x.activity_type for x in ja.designations if x.credit == "acpe"] == ["application"]


#: A version stored before activity types, exceptions, joint providers and subject hours existed.
OLD = {
    "slug": "old-webinar", "title": "Old", "format": "webinar", "starts": "2027-03-12T12:00:00-05:00",
    "ends": "2027-03-12T13:00:00-05:00", "claim_until": "2028-03-12", "price": "25.00",
    "objectives": ["Interpret a Gram stain."],
    "designations": [{"credit": "acpe", "hours": "1", "reference": "0001-0000-27-001-L01-P",
                      "audience": "P", "topic": "01"},
                     {"credit": "florida", "hours": "1", "reference": "20-1", "subjects": ["hiv-aids"]}],
    "faculty": [{"name": "Jane Doe", "role": "speaker", "attested": "2027-01-10", "affiliation": "",
                 "disclosures": [{"company": "Acme", "relationship": "board-member",
                                  "mitigation": "Peer review.", "ended": None}]}],
    "questions": [{"question": "Q?", "choices": ["a", "b"], "answer": 0, "case": ""}],
}


def test_json_stored_before_the_new_fields_still_loads():
    a = serialize.from_dict(OLD)
    acpe, florida = a.designations
    assert (acpe.activity_type, acpe.subject_hours) == ("", ())
    assert florida.subjects == ("hiv-aids",)
    assert florida.subject_hours == (("hiv-aids", Decimal("1")),)  # one subject: all the hours
    assert a.faculty[0].disclosures[0].exception == ""
    assert a.faculty[0].disclosures[0].label == "Board member"
    assert a.questions[0].explanation == ""
    assert (a.joint_provider, a.jointly_accredited) == ("", False)


def test_an_activity_without_the_new_keys_serializes_as_before():
    """No empty new keys: a stored version's hash stays the same until the file really changes."""
    d = serialize.to_dict(serialize.from_dict(OLD))
    assert "joint_provider" not in d
    assert "exception" not in d["faculty"][0]["disclosures"][0]
    assert d["designations"][1] == {"credit": "florida", "hours": "1", "reference": "20-1",
                                    "subjects": ["hiv-aids"]}
    assert Designation.from_dict(d["designations"][0]).as_dict() == d["designations"][0]
