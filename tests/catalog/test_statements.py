"""Statements chosen from an activity's own designations: joint providership, Joint Accreditation,
the P.A.C.E.® approval only with a P.A.C.E.® program, state lines naming their basis, and the words
for home study. Exact sentences, as the accreditors publish them (ARCHITECTURE.md: catalog.statements)."""
from __future__ import annotations

from decimal import Decimal

from catalog import statements as S

PROVIDER = "American Society for Microbiology"
ALONE = S.Accreditation(PROVIDER)
JOINT = S.Accreditation(PROVIDER, joint_provider="Midwest Infectious Disease Network")
JA = S.Accreditation(PROVIDER, jointly_accredited=True)

JA_TEXT = ("In support of improving patient care, the American Society for Microbiology is jointly "
           "accredited by the Accreditation Council for Continuing Medical Education (ACCME), the "
           "Accreditation Council for Pharmacy Education (ACPE), and the American Nurses Credentialing "
           "Center (ANCC), to provide continuing education for the healthcare team.")


def texts(acc, key, fmt="webinar", **kw):
    kw.setdefault("hours", Decimal("1.5"))
    return [s.text for s in S.statements_for(acc, key, fmt, **kw)]


def test_joint_providership_names_the_partner_and_replaces_the_plain_accme_statement():
    got = texts(JOINT, "ama_pra_1")
    assert got[1] == (
        "This activity has been planned and implemented in accordance with the accreditation "
        "requirements and policies of the Accreditation Council for Continuing Medical Education "
        "(ACCME) through the joint providership of the American Society for Microbiology and Midwest "
        "Infectious Disease Network. The American Society for Microbiology is accredited by the ACCME "
        "to provide continuing medical education for physicians.")
    assert S.accme_accreditation_statement(PROVIDER).text not in got


def test_joint_accreditation_replaces_both_accme_and_acpe_statements():
    assert texts(JA, "ama_pra_1")[1] == JA_TEXT
    assert texts(JA, "acpe") == [JA_TEXT]
    on_record = texts(JA, "acpe", certificate=True)
    assert on_record[0].startswith("This is a record of participation, not a statement of credit.")
    assert on_record[1:] == [JA_TEXT]
    assert S.acpe_accreditation_statement(PROVIDER).text not in on_record


def test_acpe_joint_provider_line_for_a_9999_uan():
    assert texts(JOINT, "acpe") == [
        S.acpe_accreditation_statement(PROVIDER).text,
        "This activity is jointly provided by the American Society for Microbiology and Midwest "
        "Infectious Disease Network."]


def test_pace_approval_only_where_the_activity_is_a_pace_program():
    with_pace = texts(ALONE, "california_cls", reference="ASM-27-001", credit_keys=("ama_pra_1", "pace", "california_cls"))
    ama_only = texts(ALONE, "california_cls", reference="ASM-27-001", credit_keys=("ama_pra_1", "california_cls"))
    assert S.pace_approval_statement(PROVIDER).text in with_pace
    assert S.pace_approval_statement(PROVIDER).text not in ama_only
    assert ama_only == [
        "This activity's AMA PRA Category 1 Credits™ count toward California Clinical Laboratory "
        "Scientist (CLS) licence renewal (California Department of Public Health, Laboratory Field "
        "Services). Course number: ASM-27-001.",
        S.accme_accreditation_statement(PROVIDER).text]


def test_florida_line_names_ce_broker_its_deadline_and_the_licence_number():
    got = texts(ALONE, "florida", reference="20-123456", credit_keys=("pace", "florida"))
    assert got == [
        "This activity's P.A.C.E.® contact hours count toward Florida clinical laboratory personnel "
        "licence renewal. Completion is reported to CE Broker (course tracking number 20-123456) with "
        "your Florida licence number within 30 days.",
        S.pace_approval_statement(PROVIDER).text]


def test_home_study_participation_is_completed_not_attended():
    journal = S.diplomate_statement(PROVIDER, "journal", Decimal("1.5"), Decimal("1")).text
    live = S.diplomate_statement(PROVIDER, "webinar", Decimal("1.5"), Decimal("1")).text
    assert "The participant completed 1 hour and may submit" in journal
    assert "The participant attended 1 hour and may submit" in live
    assert S.certificate_credit_line("participation", Decimal("2"), "on-demand").text == "completed 2 hours"
    assert S.certificate_credit_line("participation", Decimal("2"), "live").text == "participated for 2 hours"


def test_a_participation_certificate_carries_the_activitys_own_accreditation():
    got = texts(JA, "participation", certificate=True, designated_ama=Decimal("1.5"), profession="other")
    assert got == ["This activity was designated for a maximum of 1.5 AMA PRA Category 1 Credits™.", JA_TEXT]


def _sample(slug):
    from pathlib import Path

    from catalog.load import load_catalog

    cat = load_catalog(Path(__file__).resolve().parents[2] / "catalog" / "activities")
    return next(a for a in cat.published if a.slug == slug)


def test_sample_jointly_accredited_activity_carries_the_ja_statement_on_its_page():
    from catalog.site import display

    a = _sample("invasive-aspergillosis-team-webinar-2027")
    assert a.jointly_accredited
    blocks = {b.key: b for b in display.credit_blocks(a, PROVIDER)}
    assert JA_TEXT in [s.text for s in blocks["ama_pra_1"].statements]
    assert [s.text for s in blocks["acpe"].statements] == [JA_TEXT]
    assert ("Activity type", "Application-based") in blocks["acpe"].facts


def test_sample_jointly_provided_activity_names_its_partner():
    from catalog.site import display

    a = _sample("lyme-serology-jointly-provided-webinar-2027")
    assert a.joint_provider == "Great Lakes Tick-Borne Disease Coalition" and not a.jointly_accredited
    text = " ".join(s.text for b in display.credit_blocks(a, PROVIDER) for s in b.statements)
    assert ("through the joint providership of the American Society for Microbiology and Great Lakes "
            "Tick-Borne Disease Coalition") in text
    assert ("This activity is jointly provided by the American Society for Microbiology and Great Lakes "
            "Tick-Borne Disease Coalition.") in text
