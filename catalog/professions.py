"""Who the learners are: each profession, the audience word conveners write for it, its ACPE letter,
the profile fields it is asked for, and the credit it may claim (CE-RULES "Who claims what").

The one home of "who needs what". The profile form, the claim page, My Activities, the catalogue's
"who can claim" page and the checker's audience rules all read this table.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProfileField:
    """A learner detail a credit or a reporting body needs; `label` as forms and messages name it."""

    key: str        # the Learner column
    label: str      # in sentences: "Add your NABP e-Profile ID to your profile"
    form_label: str  # above the field


PROFILE_FIELDS: dict[str, ProfileField] = {f.key: f for f in (
    ProfileField("nabp_epid", "NABP e-Profile ID", "NABP e-Profile ID"),
    ProfileField("birth_mmdd", "birth month and day (MMDD)", "Birth month and day (MMDD)"),
    ProfileField("california_licence", "California CLS licence number", "California CLS licence number"),
    ProfileField("florida_licence", "Florida licence number", "Florida licence number"),
    ProfileField("board_id", "board ID", "Board ID (ABMM, ABMLI, NRCM or other board)"),
    ProfileField("state_licence_number", "state licence number", "State licence number"),
    ProfileField("state_licence_state", "licence state", "Licence state"),
)}


@dataclass(frozen=True)
class Profession:
    """One learner group."""

    key: str                    # stored on the learner
    label: str                  # in the profile's list
    audience: str               # the word a convener writes in `audience:`
    audience_label: str         # how an activity page lists that audience
    credit_types: tuple[str, ...] = ()   # what they may claim besides a certificate of participation
    acpe_letter: str = ""       # the UAN's last letter for this audience (ACPE: P or T)
    asks: tuple[str, ...] = ()  # profile fields shown to them (required ones come from their credit)
    catalogue_credit: str = ""  # the catalogue listing they start from ("I am a …")
    recertification: bool = False  # their participation certificate states the hours claimed, for recertification

    def may_claim(self, credit: str) -> bool:
        return credit == "participation" or credit in self.credit_types

    @property
    def article_label(self) -> str:
        """'a physician (MD, DO …)', 'an other …': for 'I am …' links."""
        low = self.label[:1].lower() + self.label[1:]
        return f"{'an' if low[:1] in 'aeiou' else 'a'} {low}"


#: Source: the seed's six groups (CE-RULES "Who claims what"). Order = the profile's list.
PROFESSIONS: dict[str, Profession] = {p.key: p for p in (
    Profession("physician", "Physician (MD, DO or international equivalent)", "physicians", "Physicians",
               credit_types=("ama_pra_1",),
               # ACCME PARS (MOC/REMS reporting) identifies a physician by birth MMDD, board ID and/or
               # a state licence with its state: optional, asked only for that use.
               asks=("birth_mmdd", "board_id", "state_licence_state", "state_licence_number"),
               catalogue_credit="ama_pra_1"),
    Profession("diplomate", "Board diplomate or registrant (ABMM, ABMLI, NRCM, other)", "diplomates",
               "Board diplomates and registrants", asks=("board_id",), catalogue_credit="ama_pra_1",
               recertification=True),
    Profession("pharmacist", "Pharmacist", "pharmacists", "Pharmacists", credit_types=("acpe",),
               acpe_letter="P", asks=("nabp_epid", "birth_mmdd"), catalogue_credit="acpe"),
    Profession("pharmacy-technician", "Pharmacy technician", "pharmacy-technicians", "Pharmacy technicians",
               credit_types=("acpe",), acpe_letter="T", asks=("nabp_epid", "birth_mmdd"),
               catalogue_credit="acpe"),
    Profession("laboratory-professional", "Clinical laboratory professional (incl. California CLS, Florida)",
               "laboratory-professionals", "Clinical laboratory professionals",
               credit_types=("pace", "california_cls", "florida"),
               asks=("california_licence", "florida_licence"), catalogue_credit="pace"),
    Profession("other", "Other health professional or other CE licence", "scientists",
               "Scientists and other health professionals", catalogue_credit="participation"),
)}

#: Audience word -> profession (the checker validates `audience:` against these words).
BY_AUDIENCE: dict[str, Profession] = {p.audience: p for p in PROFESSIONS.values()}
#: ACPE letter -> profession ('P' pharmacists, 'T' technicians).
BY_ACPE_LETTER: dict[str, Profession] = {p.acpe_letter: p for p in PROFESSIONS.values() if p.acpe_letter}


def profession(key: str | None) -> Profession | None:
    """The learner's profession, or None when the profile has none (or an unknown one)."""
    return PROFESSIONS.get(key or "")


def may_claim(profession_key: str | None, credit: str) -> bool:
    """Whether a learner of this profession may claim this credit type (the participation
    certificate is open to everyone)."""
    p = profession(profession_key)
    return credit == "participation" or (p is not None and p.may_claim(credit))


def professions_for(credit: str) -> frozenset[str]:
    """Keys of the professions that may claim this credit type."""
    return frozenset(p.key for p in PROFESSIONS.values() if p.may_claim(credit))


def acpe_letter(profession_key: str | None) -> str:
    """The ACPE audience letter a learner claims under: technicians T, everyone else P."""
    p = profession(profession_key)
    return p.acpe_letter if p is not None and p.acpe_letter else "P"


def asking(field: str) -> frozenset[str]:
    """Keys of the professions whose profile shows this field."""
    return frozenset(p.key for p in PROFESSIONS.values() if field in p.asks)
