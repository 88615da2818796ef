"""Florida clinical laboratory personnel (Board of Clinical Laboratory Personnel, 64B3-11): the hours
per subject area a certificate states, and what each biennium requires besides its hours.

Pure: no Flask, no database. The certificates and the transcript's Florida cycle ask this module.
Sources: Florida Administrative Code 64B3-11.001 (biennium requirements) and 64B3-11.003
(what a certificate states).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

from .credits import FLORIDA_MEDICAL_ERRORS_HOURS, FLORIDA_SUBJECTS, format_hours

#: 64B3-11.001: one hour of HIV/AIDS in each biennium (the 2-hour medical-errors course, which the
#: checker also enforces, is `credits.FLORIDA_MEDICAL_ERRORS_HOURS`).
FLORIDA_HIV_AIDS_HOURS = Decimal(1)


def designated_subject_hours(designation: Mapping) -> list[tuple[str, Decimal]]:
    """(subject, hours) the course carries, from a designation snapshot (`Designation.as_dict()`):
    its `subject_hours` when the activity file gives hours per subject, otherwise all the hours to
    its first subject (a course with one subject area)."""
    pairs = designation.get("subject_hours")
    if pairs:
        return [(s, Decimal(str(h))) for s, h in pairs]
    subjects = list(designation.get("subjects") or ["general"])
    return [(subjects[0], Decimal(str(designation.get("hours", "0"))))]


def completed_subject_hours(designation: Mapping, claimed: Decimal) -> list[tuple[str, Decimal]]:
    """What a learner who claimed `claimed` hours completed per subject area: the full course gives
    each subject its hours; a partial claim fills the subjects in the order the course lists them."""
    left = Decimal(str(claimed))
    out = []
    for subject, hours in designated_subject_hours(designation):
        got = min(hours, left)
        if got > 0:
            out.append((subject, got))
        left -= got
    return out


def subject_hours_line(pairs: Iterable[tuple[str, Decimal]]) -> str:
    """'Hours per subject area: General clinical laboratory 1 · HIV/AIDS 0.5' (64B3-11.003)."""
    return "Hours per subject area: " + " · ".join(
        f"{FLORIDA_SUBJECTS.get(s, s)} {format_hours(h)}" for s, h in pairs)


@dataclass(frozen=True)
class Requirement:
    """One of the biennium's subject requirements and whether the learner's claims meet it."""

    label: str
    met: bool
    detail: str

    @property
    def text(self) -> str:
        return f"{self.label}: {'met' if self.met else 'not yet met'} ({self.detail})"


def biennium_requirements(claims: Iterable[tuple[Mapping, Decimal]]) -> list[Requirement]:
    """The HIV/AIDS hour and the 2-hour prevention-of-medical-errors course, from the Florida claims
    of one biennium: (designation snapshot, hours claimed) each, revoked ones left out by the caller."""
    hiv = Decimal(0)
    errors_course = Decimal(0)
    for designation, claimed in claims:
        done = dict(completed_subject_hours(designation, claimed))
        hiv += done.get("hiv-aids", Decimal(0))
        errors_course = max(errors_course, done.get("medical-errors", Decimal(0)))
    need_hiv, need_errors = FLORIDA_HIV_AIDS_HOURS, FLORIDA_MEDICAL_ERRORS_HOURS
    return [
        Requirement(f"HIV/AIDS ({format_hours(need_hiv)} hour each biennium)", hiv >= need_hiv,
                    f"{format_hours(hiv)} of {format_hours(need_hiv)} hour"),
        Requirement(f"Prevention of medical errors ({format_hours(need_errors)}-hour course)",
                    errors_course >= need_errors,
                    f"completed a {format_hours(errors_course)}-hour course" if errors_course
                    else "no course completed"),
    ]
