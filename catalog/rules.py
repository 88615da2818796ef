"""Accreditation checks beyond shape: one small function per rule, each naming its source body.

Rules read a checked `Doc` (values already of the right kind; invalid ones absent) and report
problems against the line of the offending key. `RULES` is the list `run` applies, in order; the
convener's guide is generated from the verb lists here.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from decimal import Decimal
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import credits as C
from .load import Doc, california_hours, florida_subject_hours

# Objectives (ACCME, ACPE and P.A.C.E. all ask for measurable objectives). The only lists of verbs:
# the checker reads them and the convener's guide (docs/conveners/objectives.md) is generated from them.
#: Measurable verbs by level of Bloom's revised taxonomy (Anderson & Krathwohl, 2001), then the
#: observable skills of clinical and laboratory practice.
BLOOM_VERBS: dict[str, tuple[str, ...]] = {
    "Remember": ("recall", "recognize", "list", "define", "identify", "name", "state", "label",
                 "locate", "match", "retrieve", "reproduce"),
    "Understand": ("describe", "explain", "classify", "categorize", "characterize", "summarize",
                   "paraphrase", "exemplify", "illustrate", "infer", "predict", "contrast", "discuss",
                   "distinguish", "relate", "report", "estimate", "outline"),
    "Apply": ("apply", "use", "utilize", "implement", "execute", "employ", "demonstrate", "solve",
              "calculate", "compute", "perform", "prepare", "determine", "measure"),
    "Analyze": ("analyze", "analyse", "differentiate", "discriminate", "compare", "interpret",
                "organize", "attribute", "examine", "detect", "integrate", "correlate", "deconstruct"),
    "Evaluate": ("evaluate", "assess", "appraise", "justify", "select", "choose", "rank", "critique",
                 "judge", "prioritize", "recommend", "validate", "verify", "defend"),
    "Create": ("create", "design", "formulate", "synthesize", "establish", "develop", "revise",
               "generate", "plan", "produce", "construct", "compose", "devise", "propose", "modify",
               "write"),
    "Practice": ("counsel", "diagnose", "manage", "monitor", "troubleshoot", "document",
                 "communicate", "order", "educate"),
}
MEASURABLE_VERBS = frozenset(v for verbs in BLOOM_VERBS.values() for v in verbs)
#: Verbs and phrases that name no observable action: an objective starting with one is refused.
UNMEASURABLE_VERBS = (
    "understand", "understanding", "gain an understanding of", "gain insight", "gain", "know",
    "learn", "appreciate", "be aware of", "become aware of", "be familiar with",
    "become familiar with", "comprehend", "realize", "realise", "believe", "improve", "increase",
    "be exposed to", "think about",
)
_STEM = re.compile(r"^(?:(?:participants|learners|attendees|you)\s+(?:will|should)\s+"
                   r"(?:be\s+able\s+to\s+)?|(?:be\s+able\s+to\s+))", re.I)
_UAN = re.compile(C.UAN_PATTERN)
_CENT = Decimal("0.01")
_FIRST_WORD = re.compile(r"[\s,;:]+")
# Longest first, so "gain an understanding of" is named rather than "gain".
_UNMEASURABLE = re.compile("(" + "|".join(re.escape(v) for v in sorted(UNMEASURABLE_VERBS, key=len, reverse=True))
                           + r")(?:[\s,;:.]|$)")
_COMPOUND = re.compile(r"\b(?:and|as well as)\s+(?:" + "|".join(sorted(MEASURABLE_VERBS)) + r")\b")
#: Words the `new` skeleton leaves for the convener to replace; a published activity has none.
_PLACEHOLDER_WORDS = ("TODO", "TBD", "XXX", "orem ipsum")
_PLACEHOLDER = re.compile(r"\b(?:TODO|TBD|XXX|[Ll]orem ipsum)\b")


def _placeholder(text: str) -> re.Match | None:
    # Plain `in` first: a regex over every file is most of this rule's time in a large catalogue.
    return _PLACEHOLDER.search(text) if any(w in text for w in _PLACEHOLDER_WORDS) else None


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word

Rule = Callable[[Doc], None]


def _quarters(doc: Doc, key: str, value: Decimal | None, what: str) -> None:
    if value is None:
        return
    if value <= 0:
        doc.error(key, f"{what} must be greater than 0, not {value}")
    elif value % C.QUARTER != 0:
        doc.error(key, f"{what} must be a multiple of 0.25 (15 minutes), not {value}")


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day when it is shorter)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _minutes(doc: Doc) -> int | None:
    s, e = doc.get("starts"), doc.get("ends")
    if s is None or e is None or e <= s:
        return None
    return int((e - s).total_seconds() // 60)


# ----------------------------------------------------------------------------------------------
def times_have_order(doc: Doc) -> None:
    """Live formats need `ends` after `starts` (ACCME: live activities have a date and duration)."""
    fmt, s, e = doc.get("format"), doc.get("starts"), doc.get("ends")
    if fmt in C.LIVE_FORMATS and "ends" not in doc.lines:
        doc.error("format", f"{_a(fmt)} activity needs `ends` (its end time, with a UTC offset)")
    if s is not None and e is not None and e <= s:
        doc.error("ends", f"`ends` ({e.isoformat()}) must be after `starts` ({s.isoformat()})")
    cu = doc.get("claim_until")
    if cu is not None and s is not None and cu < (e or s).date():
        doc.error("claim_until", f"`claim_until` ({cu}) is before the activity ends")
    tz = doc.get("timezone")
    if tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            doc.error("timezone", f"`{tz}` is not a time zone name like America/New_York")
            return
        for key, t in (("starts", s), ("ends", e)):
            if t is None:
                continue
            expected = t.replace(tzinfo=None).replace(tzinfo=zone).utcoffset()
            if expected != t.utcoffset():
                doc.warn(key, f"`{key}` has UTC offset {_offset(t.utcoffset())}, but {tz} is at "
                              f"{_offset(expected)} on {t.date()}: the page would show a different "
                              "local time; check the offset (summer/winter time?)")


def _offset(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def home_study_needs_window_and_test(doc: Doc) -> None:
    """ACCME: enduring and journal-based CME need a post-test with a pass mark; a claim deadline."""
    fmt = doc.get("format")
    if fmt not in C.HOME_STUDY_FORMATS:
        return
    if "claim_until" not in doc.lines:
        doc.error("format", f"{_a(fmt)} activity needs `claim_until` (the last day to claim credit)")
    if "pass_mark" not in doc.lines:
        doc.error("format", f"{_a(fmt)} activity needs `pass_mark` (the post-test pass mark, in "
                            "percent)")
    if "questions" not in doc.lines:
        doc.error("format", f"{_a(fmt)} activity needs `questions`: the post-test learners must pass")
    if not doc.get("material"):
        doc.warn("format", f"{_a(fmt)} activity should link its `material` (article or recording)")
    elif not str(doc.get("material")).startswith(("https://", "http://")):
        doc.error("material", "`material` must be a web address starting with https://")


def join_details_fit(doc: Doc) -> None:
    """Join details are for live online sessions, and their link must be a web address."""
    if "join" not in doc.lines:
        return
    if doc.get("format") not in C.LIVE_FORMATS:
        doc.error("join", "`join` is for live sessions; a recording or article links its `material`")
    url = doc.get("join.url")
    if url is not None and not str(url).startswith("https://"):
        doc.error("join.url", "`join.url` must be a web address starting with https://")


def free_enrolment_is_for_meetings(doc: Doc) -> None:
    """The society's rule: free CE for registrants needs a registration, which only a meeting has."""
    if doc.get("free_for_registrants") and not doc.get("sessions"):
        doc.error("free_for_registrants", "`free_for_registrants` is for a meeting (a file with "
                                          "`sessions:`); a single activity sets `price: 0` to be free")


def in_person_details_fit(doc: Doc) -> None:
    """A room and a registration note are for in-person sessions; `presale` for material released later."""
    fmt = doc.get("format")
    location = str(doc.get("location") or C.ONLINE_LOCATION).strip()
    in_person = fmt in C.IN_PERSON_FORMATS and location.lower() != C.ONLINE_LOCATION.lower()
    for key in ("room", "registration"):
        if key in doc.lines and not in_person:
            doc.error(key, f"`{key}` is for in-person sessions (format live or workshop with a venue as "
                           f"`location`); an online session gives `join` details instead")
    if in_person and "join" in doc.lines:
        doc.error("join", "`join` is for online sessions; an in-person session gives its `room` "
                          "(and the conference's `registration` note)")
    if "registration" in doc.lines and in_person and not doc.get("conference"):
        doc.warn("registration", "`registration` is the conference's registration note: name the "
                                 "`conference` the session is held during")
    if "presale" in doc.lines and fmt not in C.HOME_STUDY_FORMATS:
        doc.error("presale", "`presale` is for journal and on-demand material released later; a live "
                             "session can be bought until it ends")


def acpe_home_study_expires(doc: Doc) -> None:
    """ACPE: home-study activities expire within 3 years of release."""
    if doc.get("format") not in C.HOME_STUDY_FORMATS or not doc.get("designations.acpe"):
        return
    s, cu = doc.get("starts"), doc.get("claim_until")
    if s is None or cu is None:
        return
    year = s.year + C.ACPE_HOME_STUDY_MAX_YEARS
    if year > dt.MAXYEAR:
        return
    limit = dt.date(year, s.month, 28 if (s.month, s.day) == (2, 29) else s.day)
    if cu > limit:
        doc.error("claim_until", f"ACPE home study expires within {C.ACPE_HOME_STUDY_MAX_YEARS} years "
                                 f"of release: `claim_until` must be on or before {limit}")


def price_is_money(doc: Doc) -> None:
    """The society's rule: a price in USD, >= 0, whole cents; $25 when absent."""
    p = doc.get("price")
    if p is None:
        return
    if p < 0:
        doc.error("price", f"`price` must be 0 or more, not {p}")
    elif p > 100000:
        doc.error("price", f"`price` of {p} looks wrong: at most 100000")
    elif p != p.quantize(_CENT):
        doc.error("price", f"`price` must have at most two decimals (cents), not {p}")


def has_designation(doc: Doc) -> None:
    """Every activity carries at least one credit or a certificate of participation."""
    des = doc.get("designations")
    if des is None:
        return
    if not any(k != "participation" or v for k, v in des.items()):
        doc.error("designations", "`designations` needs at least one credit type "
                                  f"({', '.join(C.CREDIT_TYPES)})")


def ama_credits_in_quarters(doc: Doc) -> None:
    """AMA PRA Booklet: designated credit > 0 in 0.25 steps, no more than the activity's length."""
    credits = doc.get("designations.ama_pra_1.credits")
    _quarters(doc, "designations.ama_pra_1.credits", credits, "AMA credits")
    mins = _minutes(doc)
    need = C.CREDIT_TYPES["ama_pra_1"].minutes(credits) if credits is not None else None
    if credits is not None and credits > 0 and mins is not None and need > mins:
        doc.error("designations.ama_pra_1.credits",
                  f"{credits} AMA credits need at least {int(need)} minutes of education; "
                  f"the activity lasts {mins} minutes")


def hours_in_quarters(doc: Doc) -> None:
    """ACPE, CE Broker and CDPH count contact hours; we accept them in 0.25 steps."""
    for i, a in enumerate(doc.get("designations.acpe") or []):
        _quarters(doc, f"designations.acpe.{i}.hours", a.get("hours"), "ACPE contact hours")
        mins = _minutes(doc)
        need = C.CREDIT_TYPES["acpe"].minutes(a["hours"]) if a.get("hours") else None
        if need and mins is not None and need > mins:
            doc.error(f"designations.acpe.{i}.hours",
                      f"{a['hours']} ACPE contact hours need {int(need)} minutes; "
                      f"the activity lasts {mins}")
    _quarters(doc, "designations.florida.hours", doc.get("designations.florida.hours"),
              "Florida contact hours")
    _quarters(doc, "designations.california_cls.hours", doc.get("designations.california_cls.hours"),
              "California contact hours")


def pace_contact_hours(doc: Doc) -> None:
    """ASCLS P.A.C.E.: 50-minute contact hours; a program at least 50 minutes; 7 a day at most."""
    key = "designations.pace.hours"
    hours = doc.get(key)
    _quarters(doc, key, hours, "P.A.C.E. contact hours")
    if hours is None or hours <= 0:
        return
    pace = C.CREDIT_TYPES["pace"]
    if hours < 1:
        doc.error(key, f"a P.A.C.E. program lasts at least {pace.minutes_per_unit} minutes (1 contact hour)")
    mins = _minutes(doc)
    if mins is not None:
        if pace.minutes(hours) > mins:
            doc.error(key, f"{hours} P.A.C.E. contact hours need at least {int(pace.minutes(hours))} minutes "
                           f"({pace.minutes_per_unit} per hour); the activity lasts {mins} minutes")
        days = max(1, (doc.get("ends").date() - doc.get("starts").date()).days + 1)
        if hours > C.PACE_MAX_HOURS_PER_DAY * days:
            doc.error(key, f"P.A.C.E. allows at most {C.PACE_MAX_HOURS_PER_DAY} contact hours a day")


def state_designations_need_credit(doc: Doc) -> None:
    """CDPH and Florida accept P.A.C.E. or AMA PRA credit: the activity must carry one of them."""
    for k, name in (("california_cls", "California CLS"), ("florida", "Florida")):
        if f"designations.{k}" in doc.lines and not (
                "designations.pace" in doc.lines or "designations.ama_pra_1" in doc.lines):
            doc.error(f"designations.{k}", f"{name} acceptance needs a P.A.C.E. or AMA PRA "
                                           "designation on the same activity")


def state_minimum_instruction(doc: Doc) -> None:
    """California (17 CCR 1038.3) and Florida (64B3-11.002): 50 minutes of instruction per credit
    hour, in offerings of at least one credit hour; checked for live formats, whose length is known."""
    mins = _minutes(doc)
    des = doc.get("designations")
    if doc.get("format") not in C.LIVE_FORMATS or mins is None or not des:
        return
    for k, source in C.STATE_MINIMUM_RULES.items():
        if k not in des:
            continue
        hours = california_hours(des) if k == "california_cls" else des[k].get("hours")
        if hours is None or hours <= 0:
            continue
        ct, key = C.CREDIT_TYPES[k], f"designations.{k}.hours"
        per = ct.minutes_per_unit
        if hours < 1 and mins < per:
            doc.error(key, f"{ct.short} credit needs an offering of at least {per} minutes (one "
                           f"{ct.unit_singular}, {source}); the activity lasts {mins} minutes: "
                           f"lengthen it or remove `designations.{k}`")
        elif ct.minutes(hours) > mins:
            most = ct.hours_in(mins)
            doc.error(key, f"{C.format_hours(hours)} {ct.short} {ct.unit_plural} need at least "
                           f"{math.ceil(ct.minutes(hours))} minutes of instruction ({per} per {ct.unit_singular}, "
                           f"{source}); the activity lasts {mins} minutes: designate at most "
                           f"{C.format_hours(most)}")


def florida_subjects_add_up(doc: Doc) -> None:
    """Florida (64B3-11.003): the certificate gives the hours per subject area; 64B3-11.001: the
    prevention-of-medical-errors course is a 2-hour course."""
    f = doc.get("designations.florida")
    if not f or "subjects" not in f:
        return
    key, subjects, hours = "designations.florida.subjects", f["subjects"], f.get("hours")
    if isinstance(subjects, list):
        if len(set(subjects)) > 1:
            doc.error(key, f"`subjects` lists {len(set(subjects))} Florida subject areas: give the hours "
                           f"in each, adding up to `hours`, e.g. `subjects: {{{subjects[0]}: 1, "
                           f"{subjects[1]}: 1}}`")
            return
    else:
        for name, h in subjects.items():
            _quarters(doc, f"{key}.{name}", h, f"Florida {name} hours")
        total = sum(subjects.values(), Decimal(0))
        if subjects and hours is not None and total != hours:
            doc.error(key, f"the Florida subject hours add up to {C.format_hours(total)}, but `hours` is "
                           f"{C.format_hours(hours)}: make them equal")
    errors = florida_subject_hours(f).get("medical-errors")
    if errors is not None and errors != C.FLORIDA_MEDICAL_ERRORS_HOURS:
        doc.error(f"{key}.medical-errors" if isinstance(subjects, dict) else key,
                  f"the Florida prevention-of-medical-errors course is a "
                  f"{C.format_hours(C.FLORIDA_MEDICAL_ERRORS_HOURS)}-hour course (64B3-11.001): give it "
                  f"{C.format_hours(C.FLORIDA_MEDICAL_ERRORS_HOURS)} hours, not {C.format_hours(errors)}")


def joint_provider_declared(doc: Doc) -> None:
    """ACCME/ACPE joint providership: a UAN whose second block is 9999 names the partner."""
    partner = doc.get("joint_provider")
    for i, a in enumerate(doc.get("designations.acpe") or []):
        uan = a.get("uan")
        if not uan or not _UAN.match(uan):
            continue
        block = uan.split("-")[1]
        if block == C.UAN_JOINT_PROVIDER_BLOCK and not partner:
            doc.error(f"designations.acpe.{i}.uan",
                      f"UAN {uan} marks a jointly provided activity ({block}): name the partner "
                      "organisation in `joint_provider:`")
        elif block != C.UAN_JOINT_PROVIDER_BLOCK and partner:
            doc.warn("joint_provider", f"`joint_provider` is {partner}, but UAN {uan} is not jointly "
                                       f"provided: ACPE writes {C.UAN_JOINT_PROVIDER_BLOCK} as the second "
                                       "block of a jointly provided activity's UAN")


def uan_well_formed(doc: Doc) -> None:
    """ACPE: the UAN's form, its L/H agreeing with the format, P/T with the audience."""
    acpe = doc.get("designations.acpe") or []
    fmt = doc.get("format")
    seen: dict[str, int] = {}
    for i, a in enumerate(acpe):
        uan, key = a.get("uan"), f"designations.acpe.{i}.uan"
        if uan is None:
            if not doc.get("sessions"):  # a meeting's sessions carry their own UANs
                at = next((f"designations.acpe.{i}.{k}" for k in a), f"designations.acpe.{i}")
                doc.error(at, "missing required key `uan` in "
                          f"`designations.acpe.{i}` (Universal Activity Number, e.g. "
                          "0001-0000-27-001-L01-P; a -9999- second block needs `joint_provider`, a JA… "
                          "provider means Joint Accreditation)")
            continue
        if not _UAN.match(uan):
            doc.error(key, f"`{uan}` is not a Universal Activity Number like 0001-0000-27-001-L01-P "
                           "(provider-0000-year-sequence-L/H+topic-P/T)")
            continue
        if uan in seen:
            doc.error(key, f"UAN {uan} is listed twice")
        seen[uan] = i
        kind, topic = uan[-5], uan[-4:-2]
        starts = doc.get("starts")
        year = uan.split("-")[2]
        behind = (starts.year - int(year)) % 100 if starts is not None else 0
        if behind > 50:  # two digits: a year "ahead" of the activity's reads as a century behind
            doc.error(key, f"UAN {uan} carries the year {year}, after the activity's year "
                           f"({starts.year}): a UAN's year is when the activity was developed or first "
                           f"offered; use {starts.year % 100:02d} or earlier")
        elif behind > C.UAN_MAX_AGE_YEARS:
            doc.warn(key, f"UAN {uan} carries the year {year}, {behind} years before the activity "
                          f"starts ({starts.year}): a repeated activity keeps its UAN for at most "
                          f"{C.UAN_MAX_AGE_YEARS} years; check the year")
        if fmt in C.LIVE_FORMATS and kind != "L":
            doc.error(key, f"UAN {uan} is for home study (H) but the activity is {fmt}: use L")
        if fmt in C.HOME_STUDY_FORMATS and kind != "H":
            doc.error(key, f"UAN {uan} is for a live activity (L) but the activity is {fmt}: use H")
        if topic not in C.ACPE_TOPICS:
            doc.warn(key, f"UAN topic designator {topic} is not one of the known ACPE topics "
                          f"({', '.join(C.ACPE_TOPICS)})")
    audience = doc.get("audience") or []
    letters = {a["uan"][-1] for a in acpe if a.get("uan") and _UAN.match(a["uan"])}
    if acpe and audience and all(a.get("uan") and _UAN.match(a["uan"]) for a in acpe):
        if "pharmacists" in audience and "P" not in letters:
            doc.error("designations.acpe", "the audience includes pharmacists: add a UAN ending in -P")
        if "pharmacy-technicians" in audience and "T" not in letters:
            doc.error("designations.acpe", "the audience includes pharmacy technicians: add a UAN "
                                           "ending in -T")
        if "T" in letters and "pharmacy-technicians" not in audience:
            doc.warn("designations.acpe", "a technician UAN (-T) is listed but `audience` does not "
                                          "include pharmacy-technicians")
        if "P" in letters and "pharmacists" not in audience:
            doc.warn("designations.acpe", "a pharmacist UAN (-P) is listed but `audience` does not "
                                          "include pharmacists")
    full = [a["uan"] for a in acpe if a.get("uan") and _UAN.match(a["uan"])]
    if len({u[:-1] for u in full}) > 1 and {u[-1] for u in full} == {"P", "T"}:
        doc.error("designations.acpe", "pharmacist and technician UANs must differ only in the last "
                                       "letter")


def objectives_measurable(doc: Doc) -> None:
    """ACCME/ACPE/P.A.C.E.: at least one objective, each starting with a measurable verb."""
    objs = doc.get("objectives")
    if objs is None:
        return
    if not objs:
        doc.error("objectives", "`objectives` needs at least one learning objective")
    for i, text in enumerate(objs):
        key = f"objectives.{i}"
        body = _STEM.sub("", text.strip()).strip()
        low = body.lower()
        m = _UNMEASURABLE.match(low)
        bad = m.group(1) if m else None
        first = _FIRST_WORD.split(low, maxsplit=1)[0] if low else ""
        if bad:
            doc.error(key, f"objective {i + 1} starts with `{bad}`, which cannot be measured; start "
                           "with a verb such as describe, identify, interpret, compare or apply")
        elif first not in MEASURABLE_VERBS:
            doc.warn(key, f"objective {i + 1} starts with `{first}`, which is not in the list of "
                          "measurable verbs (describe, identify, interpret, compare, apply, …)")
        if _COMPOUND.search(low):
            doc.warn(key, f"objective {i + 1} looks compound (two verbs joined by `and`): "
                          "split it into two objectives")


def disclosures_complete(doc: Doc) -> None:
    """ACCME Standards for Integrity and Independence (2020): disclose, mitigate, attest in time."""
    people = doc.get("faculty")
    if people is None:
        return
    if not people:
        doc.error("faculty", "`faculty` needs at least one person in control of content")
    s = doc.get("starts")
    for i, p in enumerate(people):
        att, name = p.get("attested"), p.get("name", "this person")
        if att is not None and s is not None and att > s.date():
            doc.error(f"faculty.{i}.attested", f"{name} attested on {att}, "
                      f"after the activity starts ({s.date()}): disclosures must be collected and "
                      "mitigated before the role begins")
        elif att is not None and s is not None and att < _months_before(s.date(), C.ATTESTATION_VALID_MONTHS):
            doc.warn(f"faculty.{i}.attested", f"{name} attested on {att}, more than "
                     f"{C.ATTESTATION_VALID_MONTHS} months before the activity starts ({s.date()}): "
                     "ask for a new disclosure and attestation form")
        for j, rel in enumerate(p.get("disclosures") or []):
            _disclosure(doc, f"faculty.{i}.disclosures.{j}", name, rel, s)
    roles = {p.get("role") for p in people}
    if people and not roles & {"planner", "convener"}:
        doc.warn("faculty", "no planner or convener is listed: planners disclose too")


def _disclosure(doc: Doc, key: str, name: str, rel: dict, starts: dt.datetime | None) -> None:
    """ACCME Standard 3: one relationship's mitigation, and the owner/employee exclusion."""
    ended = rel.get("ended")
    if ended and starts is not None:
        months = (starts.year - ended.year) * 12 + starts.month - ended.month
        if months > C.DISCLOSURE_LOOKBACK_MONTHS:
            doc.warn(f"{key}.ended",
                     f"this relationship ended more than {C.DISCLOSURE_LOOKBACK_MONTHS} months "
                     "before the activity and need not be disclosed")
    mitigation = rel.get("mitigation")
    if mitigation is not None and not C.is_real_mitigation(mitigation):
        doc.error(f"{key}.mitigation", f"`{mitigation}` is not a mitigation: record what was done before "
                  "the role began, e.g. content peer reviewed by a planner with no relationships, role "
                  "changed, or relationship divested")
    relationship, exception = rel.get("relationship"), rel.get("exception")
    if relationship is None:
        return
    owner = C.relationship_label(relationship) in C.OWNER_OR_EMPLOYEE
    current = ended is None or (starts is not None and ended > starts.date())
    if owner and current and not exception:
        doc.error(f"{key}.relationship", f"{name} is an owner or employee of {rel.get('company', 'the company')} "
                  f"(`{relationship}`) and may not be in control of accredited content (ACCME Standard "
                  f"3): record the exception that applies in `exception:` "
                  f"({', '.join(C.DISCLOSURE_EXCEPTIONS)}), or give the role to someone else")
    elif exception and not owner:
        doc.warn(f"{key}.exception", f"`exception` is for owners and employees of the company "
                 f"(employee, executive role, ownership interest), not `{relationship}`: remove it")


def commercial_support_agreed(doc: Doc) -> None:
    """ACCME Standard 4: commercial support needs a signed written agreement before the activity."""
    s = doc.get("starts")
    for i, cs in enumerate(doc.get("commercial_support") or []):
        key = f"commercial_support.{i}"
        signed = cs.get("agreement_signed")
        if signed is None:
            doc.error(key, f"commercial support from {cs.get('company', 'this company')} needs "
                           "`agreement_signed` (the date of the written agreement)")
        elif s is not None and signed > s.date():
            doc.error(f"{key}.agreement_signed", "the support agreement must be signed before the "
                                                 "activity starts")


def questions_answerable(doc: Doc) -> None:
    """Competence questions: at least two choices, and the answer indexes one of them; an
    explanation is good practice (a warning), not an accreditor's requirement."""
    for i, q in enumerate(doc.get("questions") or []):
        choices = q.get("choices")
        ans = q.get("answer")
        if choices is not None and len(choices) < 2:
            doc.error(f"questions.{i}.choices", f"question {i + 1} needs at least two choices")
        if choices is not None and ans is not None and ans >= len(choices):
            doc.error(f"questions.{i}.answer", f"question {i + 1}: `answer` is {ans}, but choices are "
                      f"numbered 0 to {len(choices) - 1}")
        if choices and len(set(choices)) != len(choices):
            doc.warn(f"questions.{i}.choices", f"question {i + 1} repeats a choice")
        if "competence" in (doc.get("outcomes") or []) and "explanation" not in q:
            doc.warn(f"questions.{i}", f"question {i + 1} has no `explanation`: learners who answer "
                                       "wrongly see only the right answer; a sentence on why it is "
                                       "right is good practice")
    outcomes = doc.get("outcomes") or []
    if ("competence" in outcomes or "performance" in outcomes) and not doc.get("questions"):
        doc.warn("outcomes", "the activity targets competence/performance but has no `questions`")


def placeholders_filled(doc: Doc) -> None:
    """The society's rule: a published activity keeps none of the skeleton's TODO placeholders."""
    if doc.get("draft") is not False and "draft" in doc.lines:
        return  # drafts may keep them: `python -m catalog new` writes one
    if not _placeholder(doc.front) and not _placeholder(doc.body):
        return  # the usual case, found with one search instead of a walk over every value
    found: list[str] = []

    def walk(value: object, key: str) -> None:
        if isinstance(value, str):
            if _placeholder(value):
                found.append(key)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}.{k}" if key else k)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{key}.{i}")

    walk(doc.data, "")
    for key in found:
        doc.error(key, f"`{key}` still has a placeholder (TODO): fill it in, or set `draft: true`")
    m = _placeholder(doc.body)
    if m:
        doc.error(doc.body_line + doc.body.count("\n", 0, m.start()),
                  "the description still has a placeholder (TODO): fill it in, or set `draft: true`")


RULES: tuple[Rule, ...] = (
    times_have_order, home_study_needs_window_and_test, acpe_home_study_expires, price_is_money,
    has_designation, ama_credits_in_quarters, hours_in_quarters, pace_contact_hours,
    state_designations_need_credit, state_minimum_instruction, florida_subjects_add_up,
    join_details_fit, in_person_details_fit, free_enrolment_is_for_meetings, joint_provider_declared,
    uan_well_formed, objectives_measurable, disclosures_complete,
    commercial_support_agreed, questions_answerable, placeholders_filled,
)


def run(doc: Doc) -> None:
    for rule in RULES:
        before = len(doc.problems)
        try:
            rule(doc)
        except Exception as e:  # a bug in a rule must not hide the other files' problems
            doc.error(1, f"internal error in the checker's rule {rule.__name__} ({type(e).__name__}: "
                         f"{e}); please report it")
        for k in range(before, len(doc.problems)):
            p = doc.problems[k]
            if not p.rule:
                doc.problems[k] = type(p)(p.path, p.line, p.severity, p.message, rule.__name__)
