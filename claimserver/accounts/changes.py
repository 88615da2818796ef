"""What a profile save changed, in the learner's words: the fields whose values changed, and the
invisible characters removed from a name (`text.clean_name` drops them silently otherwise)."""
from __future__ import annotations

from typing import Mapping

from ..models import Learner
from ..text import removed_characters

#: Fields whose typed value is cleaned as a name (the profile form's `_name` filter).
CLEANED_AS_NAMES = ("certificate_name", "first_name", "last_name", "degree")


def snapshot(learner: Learner, fields) -> dict[str, str]:
    return {f: str(getattr(learner, f) if getattr(learner, f) is not None else "") for f in fields}


def profile_changes(before: Mapping[str, str], after: Learner, typed: Mapping[str, str],
                    labels: Mapping[str, str]) -> list[str]:
    """Sentences for the saved page: 'Changed: Name on certificates, NABP e-Profile ID.' and
    'Characters removed from your name on certificates: U+202E RIGHT-TO-LEFT OVERRIDE.'"""
    now = snapshot(after, labels)
    changed = [label for f, label in labels.items() if before.get(f, "") != now[f]]
    out = [f"Changed: {', '.join(changed)}."] if changed else ["Nothing was changed."]
    for f in CLEANED_AS_NAMES:
        if f in labels:
            removed = removed_characters(typed.get(f, ""), now[f])
            if removed:
                out.append(f"Characters removed from your {labels[f][:1].lower()}{labels[f][1:]}: "
                           f"{', '.join(removed)}.")
    return out
