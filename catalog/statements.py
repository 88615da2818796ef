"""Every accreditation statement, designation statement and certificate sentence, and the one function
that chooses which of them an activity or a certificate carries.

The catalogue's activity pages and the certificates both call `statements_for`, so they can never
disagree. Sources, in CE-RULES order: AMA PRA Booklet (designation), ACCME (accreditation, joint
providership), Joint Accreditation, ACPE (accreditation; records of participation since 2014), ASCLS
P.A.C.E.® (approval), CDPH Laboratory Field Services (California CLS), Florida Board of Clinical
Laboratory Personnel (CE Broker), ACCME Standards for Integrity and Independence (disclosures).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import credits as C
from .destinations import DESTINATIONS
from .professions import PROFESSIONS


@dataclass(frozen=True)
class Statement:
    """Text with italic segments, renderable as plain text, HTML or Markdown (the credit name is set
    in italics on pages and certificates alike, without anyone typing it by hand)."""

    segments: tuple[tuple[str, bool], ...]

    @classmethod
    def of(cls, *parts: str | tuple[str, bool]) -> "Statement":
        return cls(tuple(p if isinstance(p, tuple) else (p, False) for p in parts))

    @property
    def text(self) -> str:
        return "".join(s for s, _ in self.segments)

    def html(self) -> str:
        from markupsafe import escape

        return "".join(f"<em>{escape(s)}</em>" if it else str(escape(s)) for s, it in self.segments)

    def markdown(self) -> str:
        return "".join(f"*{s}*" if it else s for s, it in self.segments)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Accreditation:
    """Under whose accreditation an activity is offered: the provider alone, with a non-accredited
    partner (ACCME joint providership), or as a jointly accredited provider (a `JA…` UAN)."""

    provider: str = C.DEFAULT_PROVIDER
    joint_provider: str = ""
    jointly_accredited: bool = False

    @classmethod
    def of(cls, provider: str, activity) -> "Accreditation":
        return cls(provider, activity.joint_provider, activity.jointly_accredited)


def the_provider(provider: str) -> str:
    """'American Society for Microbiology' -> 'the American Society for Microbiology'."""
    return provider if provider.lower().startswith("the ") else f"the {provider}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _ama_credits(amount: Decimal) -> str:
    return "AMA PRA Category 1 Credit" if Decimal(amount) == 1 else "AMA PRA Category 1 Credits"


# ------------------------------------------------------------------------------------------------
# Statement templates
# ------------------------------------------------------------------------------------------------
def ama_designation_statement(provider: str, fmt: str, credits: Decimal) -> Statement:
    """AMA PRA Booklet: the designation statement, never typed by hand."""
    return Statement.of(
        f"{_cap(the_provider(provider))} designates this {C.AMA_LEARNING_FORMATS[fmt]} for a maximum of "
        f"{C.format_hours(credits)} ",
        (_ama_credits(credits), True),
        "™. Physicians should claim only the credit commensurate with the extent of their "
        "participation in the activity.",
    )


def accme_accreditation_statement(provider: str) -> Statement:
    return Statement.of(
        f"{_cap(the_provider(provider))} is accredited by the Accreditation Council for Continuing "
        "Medical Education (ACCME) to provide continuing medical education for physicians."
    )


def joint_providership_statement(provider: str, partner: str) -> Statement:
    """ACCME: an activity planned with a non-accredited partner."""
    return Statement.of(
        "This activity has been planned and implemented in accordance with the accreditation "
        "requirements and policies of the Accreditation Council for Continuing Medical Education "
        f"(ACCME) through the joint providership of {the_provider(provider)} and {partner}. "
        f"{_cap(the_provider(provider))} is accredited by the ACCME to provide continuing medical "
        "education for physicians."
    )


def joint_accreditation_statement(provider: str) -> Statement:
    """Joint Accreditation: replaces the separate ACCME and ACPE accreditation statements."""
    return Statement.of(
        f"In support of improving patient care, {the_provider(provider)} is jointly accredited by the "
        "Accreditation Council for Continuing Medical Education (ACCME), the Accreditation Council for "
        "Pharmacy Education (ACPE), and the American Nurses Credentialing Center (ANCC), to provide "
        "continuing education for the healthcare team."
    )


def acpe_accreditation_statement(provider: str) -> Statement:
    return Statement.of(
        f"{_cap(the_provider(provider))} is accredited by the Accreditation Council for Pharmacy "
        "Education as a provider of continuing pharmacy education."
    )


def acpe_joint_provider_statement(provider: str, partner: str) -> Statement:
    """ACPE: a `-9999-` UAN names an activity jointly provided with a partner."""
    return Statement.of(f"This activity is jointly provided by {the_provider(provider)} and {partner}.")


def pace_approval_statement(provider: str) -> Statement:
    return Statement.of(
        f"{_cap(the_provider(provider))} is approved as a provider of continuing education programs "
        "in the clinical laboratory sciences by the ASCLS P.A.C.E.® Program."
    )


def _state_basis(credit_keys) -> str:
    """What a state accepts the activity as: its P.A.C.E.® hours or its AMA PRA credit."""
    kinds = [C.CREDIT_TYPES[k].unit_plural for k in ("pace", "ama_pra_1") if k in credit_keys]
    return " or ".join(kinds) or C.CREDIT_TYPES["pace"].unit_plural


def california_statement(course: str, credit_keys=("pace",)) -> Statement:
    """CDPH Laboratory Field Services accepts P.A.C.E.® or AMA PRA credit toward CLS renewal; the
    certificate carries the course number."""
    return Statement.of(
        f"This activity's {_state_basis(credit_keys)} count toward California Clinical Laboratory "
        "Scientist (CLS) licence renewal (California Department of Public Health, Laboratory Field "
        f"Services). Course number: {course}."
    )


def florida_statement(tracking: str, credit_keys=("pace",)) -> Statement:
    """Florida: P.A.C.E.® or AMA PRA credit; completion reported to CE Broker with the licence number."""
    broker = DESTINATIONS["ce_broker"]
    return Statement.of(
        f"This activity's {_state_basis(credit_keys)} count toward Florida clinical laboratory personnel "
        f"licence renewal. Completion is reported to {broker.name} (course tracking number {tracking}) "
        f"with your Florida licence number within {broker.deadline_days} days."
    )


def acpe_record_statement() -> Statement:
    """ACPE since 2014: only CPE Monitor issues statements of credit."""
    monitor = DESTINATIONS["cpe_monitor"]
    return Statement.of(
        "This is a record of participation, not a statement of credit. Your official statement of "
        f"credit is available in NABP's {monitor.name} once the society has reported your completion "
        f"(within {monitor.deadline_days} days of participation)."
    )


def _designated_for(designated: Decimal) -> tuple[str | tuple[str, bool], ...]:
    """'This activity was designated for a maximum of 1.5 *AMA PRA Category 1 Credits*™.'"""
    return (f"This activity was designated for a maximum of {C.format_hours(designated)} ",
            (_ama_credits(designated), True), "™.")


def ama_participation_statement(designated: Decimal) -> Statement:
    """Certificates of participation for non-physicians: what the activity was designated for, without
    the physicians' designation statement (that is addressed to physicians claiming credit)."""
    return Statement.of(*_designated_for(designated))


def took_part(fmt: str) -> str:
    """Live activities are attended; journal and on-demand activities are completed."""
    return "completed" if fmt in C.HOME_STUDY_FORMATS else "attended"


def diplomate_statement(provider: str, fmt: str, designated: Decimal, claimed: Decimal) -> Statement:
    """Diplomates and registrants: participation stating the AMA designation and the hours claimed."""
    hour = C.CREDIT_TYPES["participation"]
    return Statement.of(
        *_designated_for(designated),
        f" The participant {took_part(fmt)} {hour.units(claimed)} "
        "and may submit this certificate toward recertification or registration maintenance.",
    )


def certificate_credit_line(key: str, hours: Decimal, fmt: str = "live") -> Statement:
    """The line stating what a certificate awards: the credit **claimed**, not the maximum."""
    if key == "ama_pra_1":
        return Statement.of("has claimed ", (f"{C.format_hours(hours)} {_ama_credits(hours)}", True), "™")
    ct = C.CREDIT_TYPES[key]
    if key == "participation":
        verb = "completed" if fmt in C.HOME_STUDY_FORMATS else "participated for"
        return Statement.of(f"{verb} {ct.units(hours)}")
    return Statement.of(f"has completed {ct.units(hours)}")


def participation_offer_statement(hours: Decimal) -> Statement:
    """What everyone else receives: a certificate of participation (CE-RULES 'Who claims what')."""
    return Statement.of(
        "Board diplomates and registrants, and learners with other CE licences, receive a certificate "
        f"of participation for up to {C.CREDIT_TYPES['participation'].units(hours)}."
    )


def _accme(acc: Accreditation) -> Statement:
    """The ACCME side of an activity's accreditation: joint accreditation, joint providership or the
    provider's own accreditation."""
    if acc.jointly_accredited:
        return joint_accreditation_statement(acc.provider)
    if acc.joint_provider:
        return joint_providership_statement(acc.provider, acc.joint_provider)
    return accme_accreditation_statement(acc.provider)


def _acpe(acc: Accreditation) -> list[Statement]:
    if acc.jointly_accredited:
        return [joint_accreditation_statement(acc.provider)]
    out = [acpe_accreditation_statement(acc.provider)]
    if acc.joint_provider:
        out.append(acpe_joint_provider_statement(acc.provider, acc.joint_provider))
    return out


def _state_accreditation(acc: Accreditation, credit_keys) -> list[Statement]:
    """The approval a state line rests on: P.A.C.E.® where the activity is a P.A.C.E.® program, else
    its ACCME accreditation (AMA PRA credit)."""
    if "pace" in credit_keys:
        return [pace_approval_statement(acc.provider)]
    if "ama_pra_1" in credit_keys:
        return [_accme(acc)]
    return []


def statements_for(acc: Accreditation | str, key: str, fmt: str, *, reference: str = "",
                   designated_ama: Decimal | None = None, hours: Decimal | None = None,
                   profession: str = "", certificate: bool = False,
                   credit_keys: tuple[str, ...] | None = None) -> list[Statement]:
    """The designation, accreditation and approval statements printed with one credit type.

    The only place that chooses them: the catalogue's activity pages (`certificate=False`) and the
    certificates (`certificate=True`) both call it. `acc`: the accreditation (a bare provider name
    means the provider alone); `reference`: the designation's course/tracking number;
    `designated_ama`: the activity's AMA PRA designation; `hours`: on a certificate the hours claimed,
    on a page the designated hours; `profession`: the learner's, on a certificate of participation;
    `credit_keys`: every credit type the activity designates (state lines name their basis).
    """
    if isinstance(acc, str):
        acc = Accreditation(acc)
    keys = tuple(credit_keys) if credit_keys is not None else (key,)
    if key == "ama_pra_1":
        return [ama_designation_statement(acc.provider, fmt, designated_ama if designated_ama is not None else hours),
                _accme(acc)]
    if key == "acpe":
        return ([acpe_record_statement()] if certificate else []) + _acpe(acc)
    if key == "pace":
        return [pace_approval_statement(acc.provider)]
    if key == "california_cls":
        return [california_statement(reference, keys), *_state_accreditation(acc, keys)]
    if key == "florida":
        return [florida_statement(reference, keys), *_state_accreditation(acc, keys)]
    if key == "participation":
        if not certificate:
            return [participation_offer_statement(hours)] if hours is not None else []
        # A certificate of participation states the AMA designation (CE-RULES "Who claims what");
        # the physicians' designation statement is not addressed to these learners.
        if designated_ama is None:
            return []
        if getattr(PROFESSIONS.get(profession), "recertification", False):
            first = diplomate_statement(acc.provider, fmt, designated_ama, hours)
        else:
            first = ama_participation_statement(designated_ama)
        return [first, _accme(acc)]
    return []


#: ACCME / AMA PRA Booklet: the learner's attestation when claiming credit.
CLAIM_ATTESTATION = ("I attest that I claim only the credit commensurate with the extent of my "
                     "participation in the activity.")

#: A meeting's sessions a learner selects themselves (AMA PRA Booklet: the physician claims the
#: credit commensurate with their participation; where a body needs proof, a code or a scan is asked).
SESSION_ATTESTATION = ("I attest that I attended each session I selected, and I claim only the credit "
                       "commensurate with the extent of my participation in them.")

#: ACCME Standards for Integrity and Independence: what learners see before the activity.
MITIGATION_STATEMENT = Statement.of(
    "All relevant financial relationships listed for these individuals have been mitigated."
)
NOTHING_TO_DISCLOSE = "has no relevant financial relationships with ineligible companies to disclose"

#: Commercial support is disclosed to learners before the activity.
NO_COMMERCIAL_SUPPORT = Statement.of("This activity received no commercial support.")


def commercial_support_statement(company: str, kind: str) -> Statement:
    """One line per supporter: an educational grant or in-kind support."""
    what = "in-kind support" if kind == "in-kind" else "an educational grant"
    return Statement.of(f"This activity is supported by {what} from {company}.")
