"""Activity ⇄ plain JSON-able dict, so the claim server can store a version and rebuild it exactly."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .meeting import Session
from .model import Activity, CommercialSupport, Designation, Disclosure, JoinDetails, Person, Question


def _d(v: dt.date | None) -> str | None:
    return v.isoformat() if v else None


def to_dict(a: Activity) -> dict[str, Any]:
    return {
        "slug": a.slug, "title": a.title, "format": a.format,
        "starts": a.starts.isoformat(), "ends": _d(a.ends), "claim_until": a.claim_until.isoformat(),
        "price": str(a.price), "objectives": list(a.objectives),
        "designations": [d.as_dict() for d in a.designations],
        "faculty": [{"name": p.name, "role": p.role, "attested": p.attested.isoformat(),
                     "affiliation": p.affiliation,
                     "disclosures": [{"company": x.company, "relationship": x.relationship,
                                      "mitigation": x.mitigation, "ended": _d(x.ended),
                                      **({"exception": x.exception} if x.exception else {})}
                                     for x in p.disclosures]} for p in a.faculty],
        "description": a.description, "timezone": a.timezone, "conference": a.conference,
        "location": a.location, "material": a.material, "audience": list(a.audience),
        "outcomes": list(a.outcomes), "follow_up_days": a.follow_up_days,
        "commercial_support": [{"company": s.company, "kind": s.kind,
                                "agreement_signed": _d(s.agreement_signed)}
                               for s in a.commercial_support],
        "questions": [{"question": q.question, "choices": list(q.choices), "answer": q.answer,
                       "explanation": q.explanation, "case": q.case} for q in a.questions],
        "pass_mark": a.pass_mark, "tags": list(a.tags), "draft": a.draft, "path": a.path,
        "content_hash": a.content_hash,
        # New keys only when set, so activities without them keep their stored versions' hashes.
        **({"joint_provider": a.joint_provider} if a.joint_provider else {}),
        **({"sessions": [s.as_dict() for s in a.sessions]} if a.sessions else {}),
        **({"free_for_registrants": True} if a.free_for_registrants else {}),
        **({"join": a.join.as_dict()} if a.join else {}),
        **({"room": a.room} if a.room else {}),
        **({"registration": a.registration} if a.registration else {}),
        **({"presale": a.presale} if not a.presale else {}),
    }


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def from_dict(d: dict[str, Any]) -> Activity:
    return Activity(
        slug=d["slug"], title=d["title"], format=d["format"],
        starts=dt.datetime.fromisoformat(d["starts"]),
        ends=dt.datetime.fromisoformat(d["ends"]) if d.get("ends") else None,
        claim_until=dt.date.fromisoformat(d["claim_until"]), price=Decimal(d["price"]),
        objectives=tuple(d["objectives"]),
        designations=tuple(Designation.from_dict(x) for x in d["designations"]),
        faculty=tuple(Person(name=p["name"], role=p["role"], attested=dt.date.fromisoformat(p["attested"]),
                             affiliation=p.get("affiliation", ""),
                             disclosures=tuple(Disclosure(x["company"], x["relationship"], x["mitigation"],
                                                          _date(x.get("ended")), x.get("exception", ""))
                                               for x in p["disclosures"]))
                      for p in d["faculty"]),
        description=d.get("description", ""), timezone=d.get("timezone", ""),
        conference=d.get("conference", ""), location=d.get("location", "Online"),
        material=d.get("material", ""), audience=tuple(d.get("audience", ())),
        outcomes=tuple(d.get("outcomes", ())), follow_up_days=d.get("follow_up_days"),
        commercial_support=tuple(CommercialSupport(s["company"], s["kind"], _date(s.get("agreement_signed")))
                                 for s in d.get("commercial_support", ())),
        questions=tuple(Question(q["question"], tuple(q["choices"]), q["answer"], q.get("explanation", ""),
                                 q.get("case", "")) for q in d.get("questions", ())),
        pass_mark=d.get("pass_mark"), tags=tuple(d.get("tags", ())), draft=d.get("draft", False),
        joint_provider=d.get("joint_provider", ""),
        sessions=tuple(Session.from_dict(x) for x in d.get("sessions", ())),
        free_for_registrants=bool(d.get("free_for_registrants", False)),
        join=JoinDetails(**d["join"]) if d.get("join") else None,
        room=d.get("room", ""), registration=d.get("registration", ""), presale=d.get("presale", True),
        path=d.get("path", ""), content_hash=d.get("content_hash", ""),
    )
