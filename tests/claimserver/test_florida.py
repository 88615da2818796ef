"""Florida (64B3-11): certificates with hours per subject area, the CE Broker tracking number, the
licence number and the provider's signature; the transcript's biennium requirements. PDFs are read
back with pypdf."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from catalog import florida
from claimserver import certificates as cert
from claimserver.config import DEFAULTS, ConfigError, validate
from claimserver.models import Claim
from tests import factories as F
from tests.claimserver.test_certificates import content, text_of

SIGNATORY = "Dr Jane Roe, Director of Continuing Education"


def test_florida_certificate_prints_licence_tracking_number_hours_per_subject_and_signature():
    c = content("florida", subject_hours=(("general", Decimal(1)), ("hiv-aids", Decimal("0.5"))),
                signature_name=SIGNATORY)
    text = text_of(cert.render(c))
    for line in ("Florida licence number: CH-2",
                 "CE Broker course tracking number: 20-123456 · CE Broker provider: 50-1234",
                 "Hours per subject area: General clinical laboratory 1 · HIV/AIDS 0.5",
                 SIGNATORY):
        assert line in text, line


@pytest.mark.parametrize("credit", ["florida", "pace", "ama_pra_1"])
def test_without_a_signatory_name_the_line_says_who_signs(credit):
    """Florida requires the signature (64B3-11.003); every certificate carries the same line."""
    assert "For American Society for Microbiology" in text_of(cert.render(content(credit)))


@pytest.mark.parametrize("credit", ["florida", "pace", "acpe"])
def test_the_signature_image_is_drawn_on_every_certificate(tmp_path, credit):
    from PIL import Image

    path = tmp_path / "signature.png"
    Image.new("RGB", (300, 80), "white").save(path)
    signed = PdfReader(io.BytesIO(cert.render(content(credit, signature_image=str(path))))).pages[0]
    plain = PdfReader(io.BytesIO(cert.render(content(credit)))).pages[0]
    assert len(signed.images) == len(plain.images) + 1  # the QR code, and the signature


@pytest.mark.parametrize("designation, claimed, expected", [
    ({"hours": "1.5", "subjects": ["general"]}, "1.5", [("general", Decimal("1.5"))]),
    ({"hours": "1.5", "subjects": ["general"]}, "1.25", [("general", Decimal("1.25"))]),
    ({"hours": "2", "subject_hours": [["hiv-aids", "1"], ["general", "1"]]}, "2",
     [("hiv-aids", Decimal(1)), ("general", Decimal(1))]),
    ({"hours": "2", "subject_hours": [["hiv-aids", "1"], ["general", "1"]]}, "1.5",
     [("hiv-aids", Decimal(1)), ("general", Decimal("0.5"))]),
])
def test_hours_per_subject_follow_what_was_completed(designation, claimed, expected):
    assert florida.completed_subject_hours(designation, Decimal(claimed)) == expected


def test_a_claimed_florida_certificate_shows_the_completed_hours_and_the_configured_signatory(ctx, client):
    ctx.config["CE_SIGNATURE_NAME"] = SIGNATORY
    who = F.create_learner(profession="laboratory-professional", florida_licence="CH 111 222")
    F.create_order(who, "stewardship-webinar")
    F.create_participation(who, "stewardship-webinar")
    F.create_evaluation(who, "stewardship-webinar")
    F.login(client, who)
    resp = client.post("/activities/stewardship-webinar/claim",
                       data={"credit": "florida", "hours": "1.25", "attest": "y"})
    assert resp.status_code == 302
    c = Claim.get(Claim.learner == who)
    text = text_of(client.get(f"/certificates/{c.id}.pdf").data)
    assert "Florida licence number: CH 111 222" in text
    assert "CE Broker course tracking number: 20-123456" in text
    assert "Hours per subject area: General clinical laboratory 1.25" in text
    assert SIGNATORY in text


@pytest.mark.parametrize("write, message", [
    (None, "CE_SIGNATURE_IMAGE cannot be read: {path} (No such file or directory)"),
    (b"GIF89a....", "CE_SIGNATURE_IMAGE must be a PNG or JPEG file: {path}"),
])
def test_a_bad_signature_image_setting_stops_start_up_with_a_clear_message(tmp_path, write, message):
    path = tmp_path / "sig.png"
    if write is not None:
        path.write_bytes(write)
    with pytest.raises(ConfigError) as e:
        validate({**DEFAULTS, "CE_SIGNATURE_IMAGE": str(path)})
    assert str(e.value) == message.format(path=path)


def _florida_claim(who, slug, subjects, hours):
    c = F.create_claim(who, slug, "florida")
    c.designation = {**c.designation, "hours": hours, "subjects": [s for s, _ in subjects],
                     "subject_hours": [[s, h] for s, h in subjects]}
    c.quarter_hours = int(Decimal(hours) * 4)
    c.save()
    return c


def test_transcript_florida_cycle_says_whether_hiv_aids_and_medical_errors_are_met(ctx, client):
    who = F.create_learner(profession="laboratory-professional", florida_licence="CH-1")
    F.login(client, who)
    F.create_claim(who, "free-teleconference-tb", "florida")  # 1 hour, subject hiv-aids
    page = client.get("/transcript?view=florida").get_data(as_text=True)
    assert "HIV/AIDS (1 hour each biennium): met (1 of 1 hour)" in page
    assert "Prevention of medical errors (2-hour course): not yet met (no course completed)" in page
    _florida_claim(who, "stewardship-webinar", [("medical-errors", "2")], "2")
    page = client.get("/transcript?view=florida").get_data(as_text=True)
    assert "Prevention of medical errors (2-hour course): met (completed a 2-hour course)" in page


def test_a_partial_medical_errors_course_is_not_the_2_hour_course():
    got = florida.biennium_requirements([({"hours": "2", "subjects": ["medical-errors"]}, Decimal("1.5"))])
    assert [r.text for r in got] == [
        "HIV/AIDS (1 hour each biennium): not yet met (0 of 1 hour)",
        "Prevention of medical errors (2-hour course): not yet met (completed a 1.5-hour course)"]
