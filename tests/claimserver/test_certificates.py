"""Certificate PDFs: each credit type's wording read back, names in every script, byte-identical
downloads, fonts parsed once, and the printable HTML page."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from catalog import credits as C
from catalog import statements as S
from catalog.model import Designation
from claimserver import certificates as cert
from claimserver.models import Certificate, Claim
from tests import factories as F

SLUG = "stewardship-webinar"
PROVIDER = "American Society for Microbiology"


def content(credit="ama_pra_1", name="Ada Lovelace", hours="1.5", **kw) -> cert.CertificateContent:
    refs = {"acpe": "0001-0000-27-001-L01-P", "pace": "116-001-27", "california_cls": "ASM-27-001",
            "florida": "20-123456"}
    d = Designation(credit, Decimal("1.5"), reference=refs.get(credit, ""),
                    level="intermediate" if credit == "pace" else "", topic="01" if credit == "acpe" else "",
                    subjects=("general",) if credit == "florida" else ())
    fields = dict(code="7KQ2-M9XD-4RTA-PW3E", name=name, credit=credit, hours=Decimal(hours), designation=d,
                  title="Antimicrobial Stewardship in the Clinical Laboratory", format="webinar",
                  dates="March 12, 2027", location="Online", completed_on=dt.date(2027, 3, 12),
                  issued_at=dt.datetime(2027, 3, 13, 15), verify_url="http://ce.test/verify/7KQ2-M9XD-4RTA-PW3E",
                  provider=PROVIDER, designated_ama=Decimal("1.5"), california_licence="CLS-1",
                  florida_licence="CH-2", nabp_epid="1234567",
                  provider_numbers={"pace": "116", "california_agency": "ASCLS P.A.C.E.® (Provider 116)",
                                    "ce_broker": "50-1234"})
    fields.update(kw)
    return cert.CertificateContent(**fields)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def fonts_of(pdf: bytes) -> set[str]:
    out = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for f in page["/Resources"]["/Font"].values():
            out.add(str(f.get_object()["/BaseFont"]).split("+", 1)[-1])
    return out


def flat(statement) -> str:
    return " ".join(statement.text.split())


COMMON = ["Ada Lovelace", PROVIDER.upper(), "Antimicrobial Stewardship in the Clinical Laboratory",
          "Verification code: 7KQ2-M9XD-4RTA-PW3E", "http://ce.test/verify/7KQ2-M9XD-4RTA-PW3E"]


@pytest.mark.parametrize("credit, hours, expected", [
    ("ama_pra_1", "1.25", ["Certificate of AMA PRA Category 1 Credit™", "has claimed 1.25 AMA PRA Category 1 Credits™",
                           flat(S.ama_designation_statement(PROVIDER, "webinar", Decimal("1.5"))),
                           flat(S.accme_accreditation_statement(PROVIDER)), "March 12, 2027 · Online",
                           "Learning format: live activity"]),
    ("ama_pra_1", "1", ["has claimed 1 AMA PRA Category 1 Credit™"]),
    ("acpe", "1.5", ["Record of Participation (ACPE)", "This records that", "has completed 1.5 contact hours",
                     "UAN): 0001-0000-27-001-L01-P", "0.15 CEU", "NABP e-Profile ID: 1234567",
                     flat(S.acpe_record_statement()), flat(S.acpe_accreditation_statement(PROVIDER))]),
    ("pace", "1.5", ["Certificate of P.A.C.E.® Continuing Education", "has completed 1.5 P.A.C.E.® contact hours",
                     "program number: 116-001-27", "Level of instruction: Intermediate",
                     flat(S.pace_approval_statement(PROVIDER))]),
    ("california_cls", "1.5", ["California CLS licence: CLS-1", "Name as on the licence: Ada Lovelace",
                               "Course number: ASM-27-001", "Accrediting agency: ASCLS P.A.C.E.® (Provider 116)",
                               flat(S.california_statement("ASM-27-001"))]),
    ("florida", "1.5", ["Florida licence number: CH-2", "CE Broker course tracking number: 20-123456",
                        flat(S.florida_statement("20-123456"))]),
    ("participation", "1", ["Certificate of Participation", "participated for 1 hour",
                            "This activity was designated for a maximum of 1.5 AMA PRA Category 1 Credits™.",
                            flat(S.accme_accreditation_statement(PROVIDER))]),
])
def test_each_credit_type_is_worded_from_the_credit_module(credit, hours, expected):
    got = text_of(cert.render(content(credit, hours=hours)))
    for phrase in COMMON + expected:
        assert phrase in got, phrase


@pytest.mark.parametrize("profession", ["other", "pharmacy-technician", "diplomate", ""])
def test_participation_certificates_do_not_address_physicians(profession):
    got = text_of(cert.render(content("participation", hours="1", profession=profession)))
    assert "Physicians should claim only" not in got and "designates this" not in got


def test_diplomate_participation_states_designation_and_hours_claimed():
    got = text_of(cert.render(content("participation", hours="1", profession="diplomate")))
    assert flat(S.diplomate_statement(PROVIDER, "webinar", Decimal("1.5"), Decimal("1"))) in got
    assert ("This activity was designated for a maximum of 1.5 AMA PRA Category 1 Credits™. "
            "The participant attended 1 hour and may submit") in got


@pytest.mark.parametrize("designated, claimed, expected", [
    ("1.5", "1.5", "This activity was designated for a maximum of 1.5 *AMA PRA Category 1 Credits*™. "
                   "The participant attended 1.5 hours and may submit"),
    ("1", "1", "This activity was designated for a maximum of 1 *AMA PRA Category 1 Credit*™. "
               "The participant attended 1 hour and may submit"),
])
def test_diplomate_statement_follows_the_designation_template(designated, claimed, expected):
    st = S.diplomate_statement(PROVIDER, "webinar", Decimal(designated), Decimal(claimed))
    assert st.markdown().startswith(expected)


def test_catalogue_pages_and_certificates_print_the_same_statements(ctx):
    """One function chooses the statements; the catalogue's activity page and a certificate agree."""
    from catalog.site import display

    model = F.activity(SLUG)[1].model()
    blocks = {b.key: list(b.statements) for b in display.credit_blocks(model, PROVIDER)}
    for key in ("ama_pra_1", "pace", "california_cls", "florida"):
        d = model.designation(key)
        on_certificate = content(key, designation=d, designated_ama=model.designation("ama_pra_1").hours,
                                 hours=str(d.hours), credit_keys=model.credit_keys).statements()
        assert blocks[key] == on_certificate, key
    assert S.pace_approval_statement(PROVIDER) in blocks["california_cls"]
    acpe = content("acpe").statements()
    assert set(blocks["acpe"]) <= set(acpe) and S.acpe_record_statement() in acpe


@pytest.mark.parametrize("name", ["محمد عبد الله", "דוד בן-גוריון", "王小明"])
def test_transcript_lines_under_a_non_latin_name_print_intact(name):
    period = "January 1, 2026 – December 31, 2026"
    pdf = cert.render_transcript(
        name=name, provider=PROVIDER, generated_at=dt.datetime(2027, 3, 13, 15), period=period,
        rows=[("2027-03-12", "Antimicrobial Stewardship in the Clinical Laboratory", "P.A.C.E.®", "1.5")],
        totals=[("P.A.C.E.® contact hours", "1.5")], years=[("2027", "P.A.C.E.®", "1.5")])
    got = text_of(pdf)
    assert f"{PROVIDER} · {period} · generated March 13, 2027" in got
    assert "Antimicrobial Stewardship in the Clinical Laboratory" in got and "Totals by year" in got


def test_transcript_provider_line_wraps_instead_of_running_off_the_page():
    provider = "The International Society for Clinical Microbiology, Infectious Diseases and Laboratory Medicine"
    pdf = cert.render_transcript(
        name="Ada Lovelace", provider=provider, generated_at=dt.datetime(2027, 3, 13, 15),
        period="January 1, 2026 – December 31, 2026", rows=[], totals=[], years=[])
    lines = [ln for ln in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines() if ln.strip()]
    assert any(ln.startswith(provider) for ln in lines)
    assert f"{provider} · January 1, 2026 – December 31, 2026 · generated March 13, 2027" in text_of(pdf)
    assert not any(ln.startswith(provider) and "generated" in ln for ln in lines)  # wrapped onto two lines


def test_home_study_shows_completion_date_and_no_location():
    got = text_of(cert.render(content(format="journal", location="", completed_on=dt.date(2027, 4, 2))))
    assert "Completed April 2, 2027" in got and "Online" not in got


def test_ama_credit_name_is_set_in_italics():
    assert "NotoSansItalic" in fonts_of(cert.render(content("ama_pra_1")))


@pytest.mark.parametrize("name, fallback", [
    ("Zoë Ångström-Çelik", None),
    ("Nguyễn Thị Minh Khai", None),
    ("王小明", "DroidSansFallback"),
    ("Ana 🙂 Silva", "Symbola"),
])
def test_names_in_any_script_print_and_read_back(name, fallback):
    pdf = cert.render(content(name=name))
    assert name in text_of(pdf)
    if fallback:
        assert fallback in fonts_of(pdf)


@pytest.mark.parametrize("name, font", [("محمد عبد الله", "NotoSansArabic"), ("דוד בן-גוריון", "NotoSansHebrew")])
def test_right_to_left_names_are_shaped_with_their_script_font(name, font):
    pdf = cert.render(content(name=name))
    assert font in fonts_of(pdf)  # extraction of shaped RTL text is lossy; the glyphs come from this font
    assert "Ada Lovelace" not in text_of(pdf)


def test_a_very_long_name_fits_the_page():
    name = "Maximiliana " + " ".join(["Wolfeschlegelsteinhausenbergerdorff"] * 4) + " von Habsburg-Lothringen"
    pdf = cert.render(content(name=name))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "Wolfeschlegelsteinhausenbergerdorff" in text_of(pdf)


def test_same_content_gives_byte_identical_pdfs():
    assert cert.render(content()) == cert.render(content())
    assert cert.render(content()) != cert.render(content(name="Grace Hopper"))


def test_revoked_certificate_says_so():
    assert "REVOKED on May 1, 2027" in text_of(cert.render(content(revoked_on=dt.date(2027, 5, 1))))


def test_fonts_are_parsed_once_per_process(monkeypatch):
    cert.render(content(name="王小明"))
    calls = []
    original = cert._Prototype.__init__
    monkeypatch.setattr(cert._Prototype, "__init__", lambda *a, **k: calls.append(a) or original(*a, **k))
    cert.render(content(name="李小龍"))
    cert.render(content(name="Ada"))
    assert calls == []


def test_bundled_fonts_come_with_licences_and_stay_small():
    folder = cert.FONT_DIR
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size < 15 * 1024 * 1024
    for _, _, name in cert.FONT_FILES:
        assert (folder / name).exists()
    assert {"LICENSE-Noto-OFL.txt", "LICENSE-DroidSansFallback-Apache.txt", "LICENSE-Symbola.txt"} <= \
        {p.name for p in folder.iterdir()}


# ------------------------------------------------------------------------------------------------
# Through the server
# ------------------------------------------------------------------------------------------------
def claimed(client, credit="ama_pra_1", **learner):
    who = F.create_learner(**learner)
    F.create_order(who, SLUG)
    F.create_participation(who, SLUG)
    F.create_evaluation(who, SLUG)
    F.login(client, who)
    resp = client.post(f"/activities/{SLUG}/claim", data={"credit": credit, "hours": "1.5", "attest": "y"})
    assert resp.status_code == 302
    return who, Claim.get(Claim.learner == who)


@pytest.mark.parametrize("credit, profile, edit, printed", [
    ("acpe", dict(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412"),
     dict(nabp_epid="7654321", profession="other"), "NABP e-Profile ID: 1234567"),
    ("california_cls", dict(profession="laboratory-professional", california_licence="CLS-111"),
     dict(california_licence="CLS-999"), "California CLS licence: CLS-111"),
    ("florida", dict(profession="laboratory-professional", florida_licence="CH-111"),
     dict(florida_licence="CH-999"), "Florida licence number: CH-111"),
    ("participation", dict(profession="diplomate"), dict(profession="other"), "The participant attended 1.5 hours"),
])
def test_profile_edits_after_issue_leave_the_certificate_unchanged(ctx, client, credit, profile, edit, printed):
    from flask import g

    who, c = claimed(client, credit=credit, **profile)
    first = client.get(f"/certificates/{c.id}.pdf").data
    assert printed in text_of(first)
    cert_row = Certificate.get(Certificate.claim == c)
    assert {k: cert_row.details[k] for k in profile if k != "birth_mmdd"} == \
        {k: v for k, v in profile.items() if k != "birth_mmdd"}
    type(who).update(**edit).where(type(who).id == who.id).execute()
    g.pop("_login_user", None)  # `ctx` keeps one app context: make the next request load the edited learner
    assert client.get(f"/certificates/{c.id}.pdf").data == first
    assert printed in client.get(f"/certificates/{c.id}").get_data(as_text=True)


def test_certificates_issued_before_details_were_frozen_read_the_profile(ctx, client):
    from flask import g

    who, c = claimed(client, credit="acpe", profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412")
    Certificate.update(details={}).where(Certificate.claim == c).execute()
    type(who).update(nabp_epid="7654321").where(type(who).id == who.id).execute()
    g.pop("_login_user", None)
    assert "NABP e-Profile ID: 7654321" in text_of(client.get(f"/certificates/{c.id}.pdf").data)


def test_downloading_twice_gives_identical_pdfs_with_the_frozen_name(ctx, client):
    who, c = claimed(client, certificate_name="Zoë\u202e Lovelace")
    first = client.get(f"/certificates/{c.id}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    code = Certificate.get(Certificate.claim == c).code
    assert f'filename="certificate-{code}.pdf"' in first.headers["Content-Disposition"]
    assert client.get(f"/certificates/{c.id}.pdf").data == first.data
    text = text_of(first.data)
    assert "Zoë Lovelace" in text and "has claimed 1.5 AMA PRA Category 1 Credits™" in text
    assert f"http://ce.test/verify/{code}" in text
    # A later profile change does not change an issued certificate.
    who.certificate_name = "Someone Else"
    who.save()
    assert client.get(f"/certificates/{c.id}.pdf").data == first.data


def test_printable_certificate_page(ctx, client):
    _, c = claimed(client)
    page = client.get(f"/certificates/{c.id}").get_data(as_text=True)
    assert 'class="certificate' in page and "print.css" in page
    assert "has claimed <em>1.5 AMA PRA Category 1 Credits</em>™" in page
    assert S.accme_accreditation_statement(PROVIDER).text in page
    assert f"/certificates/{c.id}.pdf" in page


def test_record_of_participation_of_a_jointly_accredited_activity_reads_back_the_ja_statement():
    from pypdf import PdfReader

    c = content("acpe", jointly_accredited=True, credit_keys=("acpe",))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(cert.render(c))).pages).split())
    assert "In support of improving patient care, the American Society for Microbiology is jointly accredited" in text
    assert "is accredited by the Accreditation Council for Pharmacy Education as a provider" not in text
