"""Markdown generated for the hand-written docs from the code that enforces the rules.

A docs page writes a marker such as `<!-- ce:front-matter -->` on a line of its own; the plugin
replaces it with the Markdown below, so the guide can never drift from the checker.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable

from .. import credits as C
from .. import rules
from ..professions import PROFESSIONS, PROFILE_FIELDS
from ..schema import FIELDS, Field

MARKER = re.compile(r"^<!--\s*ce:([a-z0-9-]+)\s*-->[ \t]*$", re.M)



def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(head: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = list(head)
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def who_can_claim() -> str:
    rows = []
    for p in PROFESSIONS.values():
        own = list(p.credit_types) or ["participation"]
        receives = []
        for k in own:
            ct = C.CREDIT_TYPES[k]
            dest = ct.destination
            extra = f", reported to {dest.name}" if dest is not None and dest.deadline_days else ""
            receives.append(f"{ct.certificate_title}{extra}")
        if p.recertification:
            receives = ["Certificate of Participation stating the AMA PRA Category 1 Credit™ designation "
                        "and the hours you claimed (counts toward recertification)"]
        needs = sorted({PROFILE_FIELDS[n].label for k in own for n in C.CREDIT_TYPES[k].needs})
        rows.append((p.label, ", ".join(C.CREDIT_TYPES[k].name for k in own), "; ".join(receives),
                     ", ".join(needs) or "—"))
    return table(("Learner group", "Credit you can claim", "What you receive", "Needed in your profile"), rows)


def credit_types(keyed: bool = False) -> str:
    """The credit types as learners read them; `keyed` adds the front-matter key (conveners' pages)."""
    rows = []
    for k, ct in C.CREDIT_TYPES.items():
        dest = ct.destination
        rows.append((ct.name, *((f"`{k}`",) if keyed else ()), ct.body or "—", f"{ct.minutes_per_unit} minutes",
                     f"{C.format_hours(ct.increment)}",
                     (dest.name + (f" within {dest.deadline_days} days" if dest.deadline_days else " (when required)"))
                     if dest is not None else "—"))
    return table(("Credit", *(("Key",) if keyed else ()), "Accrediting body", "One hour is",
                  "Claimed in steps of", "Reported to"), rows)


def formats() -> str:
    """Activity formats with their front-matter value (conveners' pages)."""
    return table(("`format:`", "Meaning", "AMA learning format"),
                 ((f"`{k}`", v, C.AMA_LEARNING_FORMATS[k]) for k, v in C.FORMATS.items()))


def delivery_formats() -> str:
    """Activity formats as learners read them: no front-matter values."""
    return table(("How it is delivered", "AMA learning format"),
                 ((v, C.AMA_LEARNING_FORMATS[k]) for k, v in C.FORMATS.items()))


def measurable_verbs() -> str:
    """The checker's verbs by level of Bloom's revised taxonomy (`rules.BLOOM_VERBS`)."""
    return table(("Level", "Verbs"), ((level, ", ".join(f"*{v}*" for v in verbs))
                                      for level, verbs in rules.BLOOM_VERBS.items()))


def relationships() -> str:
    """Known relationship terms grouped under the one label learners see (`credits.RELATIONSHIPS`)."""
    terms: dict[str, list[str]] = {}
    for term, label in C.RELATIONSHIPS.items():
        terms.setdefault(label, []).append(term)
    return table(("Shown to learners as", "You may write", "Owner or employee"),
                 ((label, ", ".join(f"`{t}`" for t in ts), "yes" if label in C.OWNER_OR_EMPLOYEE else "")
                  for label, ts in terms.items()))


def disclosure_exceptions() -> str:
    return table(("`exception:`", "When it applies (ACCME Standard 3)"),
                 ((f"`{k}`", v) for k, v in C.DISCLOSURE_EXCEPTIONS.items()))


def acpe_activity_types() -> str:
    return table(("`activity_type:`", "ACPE activity type"),
                 ((f"`{k}`", v) for k, v in C.ACPE_ACTIVITY_TYPES.items()))


def unmeasurable_verbs() -> str:
    return ", ".join(f"*{v}*" for v in rules.UNMEASURABLE_VERBS) + "\n"


def acpe_topics() -> str:
    return table(("Designator", "Topic"), ((f"`{k}`", v) for k, v in C.ACPE_TOPICS.items()))


def _kind(f: Field) -> str:
    if f.or_list is not None:
        return f"{f.kind} (or {_kind(f.or_list)})"
    if f.kind == "list" and f.item is not None:
        inner = "mapping" if f.item.kind == "mapping" else f.item.kind
        return f"list of {inner}" + (" (or one)" if f.scalar_ok else "")
    return f.kind


def _required(f: Field) -> str:
    if f.required:
        return "**required**"
    if f.when:
        return f"required for {f.when}"
    return "optional"


def _values(f: Field) -> str:
    parts = []
    choices = f.choices or (f.item.choices if f.item is not None else ())
    if choices:
        parts.append(" · ".join(f"`{c}`" for c in choices))
    if f.default is not None:
        parts.append(f"default `{str(f.default).lower() if isinstance(f.default, bool) else f.default}`")
    if f.min is not None:
        parts.append(f"at least {f.min:g}")
    if f.max is not None:
        parts.append(f"at most {f.max:g}")
    if f.example is not None:
        parts.append(f"e.g. `{f.example}`")
    return "; ".join(parts) or "—"


def _walk(fields: Iterable[Field], prefix: str) -> Iterable[tuple[str, Field]]:
    for f in fields:
        key = prefix + f.name
        yield key, f
        if f.kind == "mapping" and f.fields:
            yield from _walk(f.fields, key + ".")
        elif f.kind == "list" and f.item is not None and f.item.fields:
            yield from _walk(f.item.fields, key + "[].")


def front_matter() -> str:
    """Every front-matter key in catalog.schema.FIELDS: kind, required/when, values, meaning."""
    rows = [(f"`{key}`", _kind(f), _required(f), _values(f), f.doc or "—") for key, f in _walk(FIELDS, "")]
    return table(("Key", "Kind", "Required", "Values", "Meaning"), rows)


GENERATORS: dict[str, Callable[[], str]] = {
    "who-can-claim": who_can_claim,
    "credit-types": credit_types,
    "credit-keys": lambda: credit_types(keyed=True),
    "formats": formats,
    "delivery-formats": delivery_formats,
    "measurable-verbs": measurable_verbs,
    "unmeasurable-verbs": unmeasurable_verbs,
    "acpe-topics": acpe_topics,
    "acpe-activity-types": acpe_activity_types,
    "relationships": relationships,
    "disclosure-exceptions": disclosure_exceptions,
    "front-matter": front_matter,
}


def expand(markdown: str, on_unknown: Callable[[str], None] | None = None) -> str:
    """Replace every `<!-- ce:name -->` line with generated Markdown; report unknown names."""
    def sub(m: re.Match) -> str:
        gen = GENERATORS.get(m.group(1))
        if gen is None:
            if on_unknown:
                on_unknown(m.group(1))
            return m.group(0)
        return "\n" + gen()

    return MARKER.sub(sub, markdown)
