"""The front-matter contract conveners write against, as one table.

The loader validates against these `Field`s and the site's front-matter reference page is generated
from them, so the documentation cannot drift from the checker. Key names are fixed by DESIGN.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import credits as C
from .professions import BY_AUDIENCE


@dataclass(frozen=True)
class Field:
    """One front-matter key: its kind, whether it is required, and what it means."""

    name: str
    kind: str  # string | text | datetime | date | decimal | integer | boolean | enum | list | mapping
    doc: str
    required: bool = False
    when: str = ""  # a condition, in words, under which the key is required
    choices: tuple[str, ...] = ()
    item: "Field | None" = None  # for lists
    fields: tuple["Field", ...] = ()  # for mappings
    example: Any = None
    min: float | None = None
    max: float | None = None
    default: Any = None
    scalar_ok: bool = False  # a list that also accepts a single item in its place
    or_list: "Field | None" = None  # a mapping that also accepts this list in its place

    def sub(self, name: str) -> "Field | None":
        for f in self.fields:
            if f.name == name:
                return f
        return None


def _s(name: str, doc: str, **kw: Any) -> Field:
    return Field(name, "string", doc, **kw)


DISCLOSURE = Field(
    "disclosure", "mapping", "A financial relationship with an ineligible company in the past 24 months.",
    fields=(
        _s("company", "The ineligible company (no logos, just the name).", required=True),
        _s("relationship", "The nature of the relationship, in your words (ACCME: free text); known "
           "terms such as employee, consultant, advisory board, independent contractor, royalties, "
           "executive role, ownership interest or stockholder are shown with one consistent label.",
           required=True, example="advisory board"),
        Field("mitigation", "text", "How the relationship was mitigated before the role began "
              "(e.g. peer review of content); `none` or `n/a` is not a mitigation.", required=True),
        Field("ended", "date", "When the relationship ended, if it has (still disclosed for 24 months)."),
        Field("exception", "enum", "For an owner or employee of the company (also executive role, "
              "ownership interest): the ACCME exception that lets them control this content.",
              when="a current owner or employee", choices=tuple(C.DISCLOSURE_EXCEPTIONS)),
    ),
)

PERSON = Field(
    "person", "mapping", "Someone in control of content.",
    fields=(
        _s("name", "Full name with degrees, as learners will see it.", required=True),
        Field("role", "enum", "What the person does.", required=True, choices=C.ROLES),
        _s("affiliation", "Institution."),
        Field("disclosures", "list", "Financial relationships; `[]` means nothing to disclose. "
              "The key itself is required.", required=True, item=DISCLOSURE),
        Field("attested", "date", "Date the disclosure and attestation form was signed.", required=True),
    ),
)

QUESTION = Field(
    "question", "mapping", "A case vignette or competence question asked at the end.",
    fields=(
        Field("case", "text", "The case vignette (optional)."),
        Field("question", "text", "The question.", required=True),
        Field("choices", "list", "At least two answer choices.", required=True, item=Field("choice", "string", "")),
        Field("answer", "integer", "Index (from 0) of the correct choice.", required=True, min=0),
        Field("explanation", "text", "Shown to the learner after they answer (good practice: the "
              "checker warns when a competence question has none)."),
    ),
)

HOURS_DOC = "Contact hours, a multiple of 0.25, greater than 0."

DESIGNATIONS = Field(
    "designations", "mapping", "What credit the activity carries. At least one.", required=True,
    fields=(
        Field("ama_pra_1", "mapping", "AMA PRA Category 1 Credit™ (physicians; board diplomates and "
              "registrants get a certificate of participation stating it).",
              fields=(Field("credits", "decimal", "Maximum credits, a multiple of 0.25, greater than 0.",
                            required=True, example=1.5),)),
        Field("acpe", "list", "ACPE pharmacy CE: one entry per audience (pharmacists P, technicians T).",
              scalar_ok=True,
              item=Field("acpe", "mapping", "", fields=(
                  _s("uan", "Universal Activity Number, e.g. 0001-0000-27-001-L01-P; a -9999- "
                     "second block needs `joint_provider`, a JA… provider means Joint Accreditation.",
                     when="every activity except a meeting (`sessions:`), whose sessions have their own"),
                  Field("hours", "decimal", HOURS_DOC, required=True),
                  Field("activity_type", "enum", "ACPE activity type: "
                        + ", ".join(list(C.ACPE_ACTIVITY_TYPES)[:-1]) + " or "
                        + list(C.ACPE_ACTIVITY_TYPES)[-1] + ".",
                        required=True, choices=tuple(C.ACPE_ACTIVITY_TYPES))))),
        Field("pace", "mapping", "P.A.C.E.® (clinical laboratory personnel).", fields=(
            _s("program", "P.A.C.E.® program number.", required=True),
            Field("hours", "decimal", HOURS_DOC + " A P.A.C.E. contact hour is 50 minutes.", required=True),
            Field("level", "enum", "Level of instruction.", required=True, choices=C.PACE_LEVELS))),
        Field("california_cls", "mapping", "Accepted for California CLS licence renewal.", fields=(
            _s("course", "Course number printed on the certificate.", required=True),
            Field("hours", "decimal", "Hours counted; defaults to the P.A.C.E. or AMA hours."))),
        Field("florida", "mapping", "Florida clinical laboratory personnel (CE Broker course).", fields=(
            _s("tracking", "CE Broker course tracking number.", required=True),
            Field("hours", "decimal", HOURS_DOC, required=True),
            Field("subjects", "mapping", "Florida subject areas and the hours in each, adding up to "
                  "`hours`; a list of one subject gives it all the hours. The prevention-of-medical-"
                  "errors course is a 2-hour course.", example="{general: 1, hiv-aids: 1}",
                  fields=tuple(Field(k, "decimal", v) for k, v in C.FLORIDA_SUBJECTS.items()),
                  or_list=Field("subjects", "list", "", item=Field("subject", "enum", "",
                                choices=tuple(C.FLORIDA_SUBJECTS)))))),
        Field("participation", "boolean", "Offer a certificate of participation to everyone else."),
    ),
)

FIELDS: tuple[Field, ...] = (
    _s("title", "The activity's title.", required=True),
    Field("format", "enum", "How the activity is delivered. `live` is a session at a conference or "
          "meeting; `on-demand` is a recording (enduring material).", required=True, choices=tuple(C.FORMATS)),
    Field("starts", "datetime", "Start, with a UTC offset; for journal and on-demand: release time.",
          required=True, example="2027-03-12T17:00:00-05:00"),
    Field("ends", "datetime", "End, with a UTC offset, after `starts`.", when="live formats"),
    Field("timezone", "string", "IANA time zone for display, e.g. America/New_York."),
    Field("claim_until", "date", "Last day a learner may claim credit.", when="journal and on-demand"),
    _s("conference", "The society meeting the session is held during (learners register and travel ahead)."),
    _s("location", "Venue and city, or Online.", default="Online"),
    Field("join", "mapping", "How purchasers join a live online session. Never published in the "
          "catalogue: the claim server shows it to purchasers only (activity page, My Activities, "
          "receipt email with a calendar file, reminders a day and an hour before the start).",
          when="live online formats (webinar, teleconference) learners should be told how to join",
          fields=(
              _s("url", "The meeting link, starting with https://.", required=True,
                 example="https://meet.example.org/j/123456"),
              _s("dial_in", "A telephone dial-in, with any access code.", example="+1 555 0100, code 4412"),
              Field("note", "text", "Anything else a participant needs (e.g. join ten minutes early)."),
          )),
    _s("room", "An in-person session (format `live` or `workshop` at a venue, not Online): the room "
       "within the `location`, e.g. Room 204B, North Hall. Shown before the location on the catalogue "
       "page and its calendar, and on the claim server in place of a join link (activity page, My "
       "Activities, receipt email and its calendar file, reminders).",
       when="in-person sessions, so purchasers know where to go", example="Room 204B, North Hall"),
    Field("registration", "text", "An in-person session held during a `conference`: the conference's "
          "registration note (where and by when to register, whether the badge is needed to enter), "
          "shown on the catalogue page and, with the room, to purchasers.",
          example="Register for the Annual Meeting at https://meeting.example.org by May 1; bring your badge."),
    Field("presale", "boolean", "Journal and on-demand material released later (`starts` in the "
          "future): whether it can be bought before its release date. Pages say \"Available from "
          "<date>\" either way; participation opens on that date.", default=True),
    _s("material", "Link to the material (journal article, recording) for journal and on-demand formats."),
    Field("price", "decimal", "Price in US dollars, at most two decimals, 0 for free.",
          default=str(C.DEFAULT_PRICE)),
    Field("audience", "list", "Who the activity is planned for.", item=Field("audience", "enum", "",
          choices=tuple(BY_AUDIENCE))),
    Field("objectives", "list", "Learning objectives, each starting with a measurable verb.",
          required=True, item=Field("objective", "string", "")),
    Field("outcomes", "list", "Moore levels targeted; `performance` schedules the follow-up questionnaire.",
          item=Field("outcome", "enum", "", choices=("participation", "satisfaction", "learning",
                                                    "competence", "performance", "patient-health",
                                                    "community-health"))),
    _s("joint_provider", "ACCME joint providership: the partner organisation that planned the activity "
       "with the society. Needed when a UAN's second block is 9999."),
    _s("joint_provider_number", "The joint provider's ACPE provider number, when the partner is "
       "itself accredited and its number leads the UAN (otherwise a UAN carries the society's)."),
    Field("follow_up_days", "integer", "Days after completion to send the practice questionnaire "
          "(absent: the claim server's setting, 90 unless the society changes it).",
          min=14, default=C.DEFAULT_FOLLOW_UP_DAYS),
    DESIGNATIONS,
    Field("faculty", "list", "Everyone in control of content: faculty, planners, reviewers. At least one.",
          required=True, item=PERSON),
    Field("commercial_support", "list", "Commercial support, disclosed to learners.",
          item=Field("support", "mapping", "", fields=(
              _s("company", "Supporting company.", required=True),
              Field("kind", "enum", "Kind of support.", required=True, choices=("grant", "in-kind")),
              Field("agreement_signed", "date", "Date the written agreement was signed (before the "
                    "activity starts).", when="every listed support (ACCME Standard 4)")))),
    Field("questions", "list", "Case vignettes and competence questions, asked at the end.", item=QUESTION),
    Field("pass_mark", "integer", "Post-test pass mark in percent.", when="journal and on-demand", min=1,
          max=100),
    Field("tags", "list", "Topics, for browsing.", item=Field("tag", "string", "")),
    Field("draft", "boolean", "Drafts are checked but not published.", default=False),
    _s("sessions", "A meeting: the sessions file beside this one (a CSV, one row per session; see the "
       "conveners' guide to meetings). Designations are then the meeting's maxima.",
       example="annual-meeting-2027.sessions.csv"),
    Field("free_for_registrants", "boolean", "A meeting: those registered for the meeting get its CE "
          "without paying (staff import the registration list of badge IDs and emails; a registrant "
          "enters their badge ID). Others buy it at `price`.", when="meetings (with `sessions`)",
          default=False),
)

TOP = Field("front-matter", "mapping", "", fields=FIELDS)
