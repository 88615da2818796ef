"""Read activity files: front-matter → `Activity`, or every problem with its path and line.

YAML is read with PyYAML's C safe loader when available; anchors/aliases, Python or other tags,
duplicate keys, unknown keys and oversized files are refused. All problems in a file are collected
(shape first, then the accreditation rules in `catalog.rules`), never only the first.
"""
from __future__ import annotations

import datetime as dt
import difflib
import gc
import hashlib
import math
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

import yaml

from . import credits as C
from .model import (Activity, CommercialSupport, Designation, Disclosure, JoinDetails, Person, Question,
                    duration_hours)
from .problems import ERROR, WARNING, CatalogError, Problem
from .schema import TOP, Field

MAX_BYTES = 256 * 1024
#: How deeply YAML values may nest; the contract needs 4 levels (faculty → person → disclosure).
MAX_DEPTH = 24
#: Numbers and years outside these bounds are typos, and would overflow date and decimal arithmetic.
MAX_NUMBER = Decimal(10) ** 9
MIN_YEAR, MAX_YEAR = 1900, 2999
DEFAULT_FOLDER = Path(__file__).parent / "activities"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: `---` lines that open and close the front-matter (trailing spaces are forgiven).
_FENCE_RE = re.compile(r"^---[ \t]*$", re.M)
#: Something that may be a YAML anchor (`&name` after a space, `[`, `{`, `,`, `-`, `:` or at the start
#: of a line). "Q&A" or "R & D" do not match, so the second parse below is rare.
_ANCHOR_HINT = re.compile(r"(?:^|[\s\[{,:-])&[^\s\]},]", re.M)
#: What a YAML scalar tag means, in words, when its value cannot be read as one.
_TAG_WORDS = {"int": "a whole number", "float": "a number", "bool": "true or false",
              "timestamp": "a real date", "null": "empty"}

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_UAN = re.compile(C.UAN_PATTERN)


# ---------------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------------
class LineDict(dict):
    """A mapping that remembers the line of each key (1-based, in the file)."""

    __slots__ = ("line", "lines")


class LineList(list):
    """A sequence that remembers the line of each item."""

    __slots__ = ("line", "lines")


class _Refused:
    """A value the loader refused (alias, tag, unreadable scalar): already reported, never re-reported."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<refused>"


REFUSED = _Refused()


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that records lines and collects problems instead of stopping at the first."""

    def __init__(self, stream: str, offset: int):
        super().__init__(stream)
        self.offset = offset
        self.issues: list[tuple[int, str]] = []
        self.depth = 0
        self.too_deep = False

    def _line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:  # noqa: D102
        if node in self.constructed_objects or node in self.recursive_objects:
            # The composer hands back the anchored node again for every alias: refuse, unexpanded.
            self.alias(self._line(node))
            return REFUSED
        if self.depth >= MAX_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                self.issues.append((self._line(node), f"values are nested more than {MAX_DEPTH} "
                                                      "levels deep; an activity needs at most 4"))
            self.constructed_objects[node] = REFUSED
            return REFUSED
        self.depth += 1
        try:
            return super().construct_object(node, deep=deep)
        except _SCALAR_ERRORS as e:
            self.recursive_objects.pop(node, None)
            return self.unreadable(node, e)
        finally:
            self.depth -= 1

    def unreadable(self, node: yaml.Node, e: Exception) -> Any:
        """PyYAML's scalar constructors raise plain Python errors for `!!int abc`, 2027-02-30 …"""
        self.constructed_objects[node] = REFUSED
        kind = node.tag.rsplit(":", 1)[-1]
        why = f" ({e})" if isinstance(e, ValueError) and kind == "timestamp" else ""
        self.issues.append((self._line(node), f"`{str(node.value)[:80]}` is not "
                                              f"{_TAG_WORDS.get(kind, 'a valid ' + kind)}{why}"))
        return REFUSED

    def alias(self, line: int) -> None:
        self.issues.append((line, "anchors and aliases (& and *) are not allowed; write the value out"))

    def construct_undefined(self, node: yaml.Node) -> Any:  # noqa: D102
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self.issues.append((self._line(node), f"the tag `{tag}` is not allowed; remove it"))
        return REFUSED


_SCALAR_ERRORS = (ValueError, TypeError, KeyError, AttributeError, OverflowError, ArithmeticError)
_STR_TAG = "tag:yaml.org,2002:str"
#: Constructors of the standard scalar tags, called directly (skipping construct_object's
#: bookkeeping for collections): most of a file is scalars, and this is most of the loading time.
_SCALARS = {f"tag:yaml.org,2002:{t}": _Loader.yaml_constructors[f"tag:yaml.org,2002:{t}"]
            for t in ("null", "bool", "int", "float", "timestamp")}


def _construct(loader: _Loader, node: yaml.Node, line: int) -> Any:
    """construct_object with fast paths for scalars (same results, same problems)."""
    if node in loader.constructed_objects or node in loader.recursive_objects:
        loader.alias(line)  # the composer hands back the anchored node: name the alias's line
        return REFUSED
    if node.id == "scalar":
        tag = node.tag
        if tag == _STR_TAG:
            value = node.value
        elif tag in _SCALARS:
            try:
                value = _SCALARS[tag](loader, node)
            except _SCALAR_ERRORS as e:
                return loader.unreadable(node, e)
        else:
            return loader.construct_object(node, deep=True)
        loader.constructed_objects[node] = value
        return value
    return loader.construct_object(node, deep=True)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    d = LineDict()
    d.line = loader._line(node)
    d.lines = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1 + loader.offset
        if key_node.tag == "tag:yaml.org,2002:merge":
            loader.issues.append((line, "merge keys (<<) are not allowed"))
            continue
        key = _construct(loader, key_node, line)
        if key is REFUSED:
            continue
        if not isinstance(key, str):
            loader.issues.append((line, f"the key {key_node.value!r} must be a plain word"
                                        + (" (quote it: YAML reads it as true/false)"
                                           if isinstance(key, bool) else "")))
            continue
        if key in d:
            loader.issues.append((line, f"duplicate key `{key}` (first given on line {d.lines[key]})"))
            continue
        d[key] = _construct(loader, value_node, line)
        d.lines[key] = line
    return d


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    offset = loader.offset + 1
    lines = [n.start_mark.line + offset for n in node.value]
    items = LineList([_construct(loader, n, line) for n, line in zip(node.value, lines)])
    items.line = node.start_mark.line + offset
    items.lines = lines
    return items


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
# YAML's 'omap', 'pairs' and 'set' become plain objects nobody expects: refuse them as tags.
for _t in ("omap", "pairs", "set", "binary"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_t}", _Loader.construct_undefined)
# Any other tag (`!!python/object…`, `!custom`): the base class registered its own raising function.
_Loader.add_constructor(None, _Loader.construct_undefined)


# ---------------------------------------------------------------------------------------------
# A file being checked
# ---------------------------------------------------------------------------------------------
@dataclass
class Doc:
    """One activity file while it is checked: validated values, their lines, and problems so far."""

    path: str
    slug: str
    data: dict = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    body: str = ""
    body_line: int = 1
    front: str = ""
    digest: str = ""
    sessions: tuple = ()  # a meeting's sessions (catalog.meeting.Session), read from its sessions file

    def line(self, key: str, default: int = 1) -> int:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return default

    def error(self, key: str | int, message: str, rule: str = "") -> None:
        line = key if isinstance(key, int) else self.line(key)
        self.problems.append(Problem(self.path, line, ERROR, _one_line(message), rule))

    def warn(self, key: str | int, message: str, rule: str = "") -> None:
        line = key if isinstance(key, int) else self.line(key)
        self.problems.append(Problem(self.path, line, WARNING, _one_line(message), rule))

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    def get(self, dotted: str, default: Any = None) -> Any:
        cur: Any = self.data
        for part in dotted.split("."):
            if isinstance(cur, dict) and part in cur:
                cur = cur[part]
            elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
                cur = cur[int(part)]
            else:
                return default
        return cur


_BAD = object()


def _one_line(message: str) -> str:
    """Keep `path:line: severity: message` on one line whatever the file quoted (keys, values)."""
    if message.isprintable():
        return message
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


def _suggest(word: str, options: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean `{match[0]}`?" if match else ""


def _first_sentence(doc: str) -> str:
    s = re.sub(r"\s*\([^)]*\)", "", doc)
    s = re.split(r"(?<!e\.g)(?<!i\.e)\.(?:\s|$)", s, maxsplit=1)[0].strip()
    return s[:1].lower() + s[1:] if s[1:2].islower() else s


def _kind_name(v: Any) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dt.datetime):
        return "a date and time"
    if isinstance(v, dt.date):
        return "a date"
    if isinstance(v, (int, float)):
        return "a number"
    return "text"


def _validate(doc: Doc, v: Any, spec: Field, key: str, line: int) -> Any:
    """Check one value against its Field; record its line; return the clean value or _BAD."""
    doc.lines[key] = line
    if v is REFUSED:  # the loader has said why
        return _BAD
    if v is None:
        doc.error(line, f"`{key}` has no value; give one or remove the key")
        return _BAD
    k = spec.kind
    if k == "enum" and v.__class__ is str and v in spec.choices:  # the usual case, first
        return v
    if k == "mapping":
        if spec.or_list is not None and isinstance(v, list):
            return _validate(doc, v, spec.or_list, key, line)
        if not isinstance(v, dict):
            doc.error(line, f"`{key}` must be a mapping of keys to values, not {_kind_name(v)}")
            return _BAD
        return _validate_mapping(doc, v, spec, key)
    if k == "list":
        if spec.scalar_ok and isinstance(v, dict):
            lst = LineList([v])
            lst.line, lst.lines = line, [getattr(v, "line", line)]
            v = lst
        if not isinstance(v, list):
            doc.error(line, f"`{key}` must be a list (one `- item` per line), not {_kind_name(v)}")
            return _BAD
        out = []
        lines = getattr(v, "lines", [line] * len(v))
        assert spec.item is not None
        bad = False
        for i, item in enumerate(v):
            clean = _validate(doc, item, spec.item, f"{key}.{i}", lines[i])
            bad = bad or clean is _BAD
            out.append(clean)
        # With an item missing, the rules' `key.N` would name the wrong line: leave the list out.
        return _BAD if bad else out
    if k in ("string", "text"):
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str):
            doc.error(line, f"`{key}` must be text, not {_kind_name(v)}")
            return _BAD
        if not v.strip():
            doc.error(line, f"`{key}` is empty")
            return _BAD
        if k == "string" and "\n" in v.strip():
            doc.error(line, f"`{key}` must be on one line")
            return _BAD
        return v.strip() if k == "string" else v.strip("\n")
    if k == "enum":
        if not isinstance(v, str) or v not in spec.choices:
            shown = v if isinstance(v, str) else _kind_name(v)
            doc.error(line, f"`{key}` is `{shown}`, which is not one of: {', '.join(spec.choices)}"
                      + (_suggest(v, spec.choices) if isinstance(v, str) else ""))
            return _BAD
        return v
    if k == "datetime":
        if isinstance(v, str):
            try:
                v = dt.datetime.fromisoformat(v)
            except ValueError:
                doc.error(line, f"`{key}` is not a date and time like 2027-03-12T17:00:00-05:00")
                return _BAD
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            doc.error(line, f"`{key}` needs a time and UTC offset, e.g. {v.isoformat()}T09:00:00-05:00")
            return _BAD
        if not isinstance(v, dt.datetime):
            doc.error(line, f"`{key}` must be a date and time like 2027-03-12T17:00:00-05:00, "
                            f"not {_kind_name(v)}")
            return _BAD
        if v.tzinfo is None or v.utcoffset() is None:
            doc.error(line, f"`{key}` needs a UTC offset, e.g. {v.isoformat()}-05:00")
            return _BAD
        return _year_ok(doc, v, key, line)
    if k == "date":
        if isinstance(v, str):
            try:
                v = dt.date.fromisoformat(v)
            except ValueError:
                doc.error(line, f"`{key}` is not a date like 2027-06-10")
                return _BAD
        if isinstance(v, dt.datetime) or not isinstance(v, dt.date):
            doc.error(line, f"`{key}` must be a date like 2027-06-10, not {_kind_name(v)}")
            return _BAD
        return _year_ok(doc, v, key, line)
    if k == "decimal":
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            doc.error(line, f"`{key}` must be a number, not {_kind_name(v)}")
            return _BAD
        if isinstance(v, float) and not math.isfinite(v):
            doc.error(line, f"`{key}` must be a finite number")
            return _BAD
        try:
            d = Decimal(repr(v) if isinstance(v, float) else str(v).strip().lstrip("$"))
        except InvalidOperation:
            doc.error(line, f"`{key}` must be a number, not `{v}`")
            return _BAD
        if not d.is_finite():
            doc.error(line, f"`{key}` must be a finite number")
            return _BAD
        if abs(d) >= MAX_NUMBER:
            doc.error(line, f"`{key}` is {v}, which is far too large")
            return _BAD
        return d
    if k == "integer":
        if isinstance(v, bool) or not isinstance(v, int):
            doc.error(line, f"`{key}` must be a whole number, not {_kind_name(v)}")
            return _BAD
        if spec.min is not None and v < spec.min:
            doc.error(line, f"`{key}` must be at least {spec.min:g}")
            return _BAD
        if spec.max is not None and v > spec.max:
            doc.error(line, f"`{key}` must be at most {spec.max:g}")
            return _BAD
        if abs(v) >= MAX_NUMBER:
            doc.error(line, f"`{key}` is {v}, which is far too large")
            return _BAD
        return v
    if k == "boolean":
        if not isinstance(v, bool):
            doc.error(line, f"`{key}` must be true or false, not {_kind_name(v)}")
            return _BAD
        return v
    raise AssertionError(f"unknown kind {k}")  # pragma: no cover - a schema bug, not user input


def _year_ok(doc: Doc, v: dt.date, key: str, line: int) -> Any:
    if not MIN_YEAR <= v.year <= MAX_YEAR:
        doc.error(line, f"`{key}` is in the year {v.year}; check the date")
        return _BAD
    return v


def _validate_mapping(doc: Doc, v: dict, spec: Field, prefix: str) -> dict:
    out: dict = {}
    lines = getattr(v, "lines", {})
    known = {f.name: f for f in spec.fields}
    where = f" in `{prefix}`" if prefix else ""
    for k, val in v.items():
        line = lines.get(k, getattr(v, "line", 1))
        f = known.get(k)
        if f is None:
            doc.error(line, f"unknown key `{k}`{where}" + (_suggest(k, known) or
                                                          f"; allowed: {', '.join(known)}"))
            continue
        key = f"{prefix}.{k}" if prefix else k
        clean = _validate(doc, val, f, key, line)
        if clean is not _BAD:
            out[k] = clean
    for f in spec.fields:
        if f.required and f.name not in v:
            what = f" ({_first_sentence(f.doc)})" if f.doc else ""
            doc.error(getattr(v, "line", 1), f"missing required key `{f.name}`{where}{what}")
    return out


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------
def _decode(doc: Doc, raw: bytes) -> str | None:
    if len(raw) > MAX_BYTES:
        doc.error(1, f"the file is {len(raw):,} bytes; activity files are limited to {MAX_BYTES:,}")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        doc.error(line, f"the file is not UTF-8 (byte 0x{raw[e.start]:02x}); save it as UTF-8")
        return None
    if "\x00" in text:
        doc.error(text.count("\n", 0, text.index("\x00")) + 1, "the file contains a NUL character")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split(doc: Doc, text: str) -> str | None:
    """Return the front-matter YAML; set the body. The file must open with a `---` line."""
    opening = _FENCE_RE.match(text)
    if opening is None:
        if not text.strip():
            doc.error(1, "the file is empty: start it with a `---` line, the front-matter, then `---` "
                         "(`python -m catalog new` writes a skeleton)")
        else:
            doc.error(1, "the file must start with a `---` line, then the front-matter, then `---`")
        return None
    closing = _FENCE_RE.search(text, opening.end() + 1) if opening.end() < len(text) else None
    if closing is None:
        doc.error(1, "the front-matter is not closed: add a `---` line after it")
        return None
    front = text[opening.end() + 1:closing.start()]
    doc.body = text[closing.end() + 1:]
    doc.body_line = front.count("\n") + 3
    return front


def _yaml_error(doc: Doc, front: str, e: yaml.YAMLError) -> None:
    """Report a YAML syntax error on its line, in one line, with a hint for the usual causes."""
    if isinstance(e, yaml.reader.ReaderError):
        pos = e.position if isinstance(e.position, int) else 0
        char = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "?")
        doc.error(front.count("\n", 0, pos) + 2, f"the character U+{char:04X} is not allowed "
                                                 f"({e.reason}); delete it")
        return
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    line = (mark.line + 2) if mark else 1
    what = (getattr(e, "problem", None) or getattr(e, "context", None) or "invalid YAML").strip()
    hint = ""
    src = front.split("\n")[mark.line] if mark and mark.line < front.count("\n") + 1 else ""
    if "\t" in src or "'\\t'" in what or "tab" in what:
        hint = "; indent with spaces, not tabs"
    elif "mapping values are not allowed" in what:
        hint = "; quote values that contain ': '"
    elif "found character that cannot start any token" in what and src.lstrip()[:1] in "@`%":
        hint = "; quote values that start with @, ` or %"
    doc.error(line, f"invalid YAML: {what}{hint}")


def _parse(doc: Doc, front: str) -> Any:
    loader = _Loader(front, offset=1)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as e:
        _yaml_error(doc, front, e)
        return None
    finally:
        loader.dispose()
    for line, msg in loader.issues:
        doc.error(line, msg)
    if not loader.issues and "&" in front and _ANCHOR_HINT.search(front):
        # An anchor nobody refers to constructs fine; refuse it all the same so files stay plain.
        for ev in yaml.parse(front, Loader=_BaseLoader):
            if getattr(ev, "anchor", None):
                doc.error(ev.start_mark.line + 2, "anchors and aliases (& and *) are not allowed")
    if loader.issues and not isinstance(data, dict):
        return None
    if data is None:
        doc.error(2, "the front-matter is empty")
        return None
    if not isinstance(data, dict):
        doc.error(2, f"the front-matter must be a mapping of keys to values (`key: value` lines), "
                     f"not {_kind_name(data)}")
        return None
    return data


def check_file(path: str | os.PathLike, display: str | None = None) -> Doc:
    """Read and check one activity file; the Doc holds the clean data and every problem."""
    p = Path(path)
    doc = Doc(path=display or str(path), slug=p.stem)
    try:
        raw = p.read_bytes()
    except OSError as e:
        doc.error(1, f"cannot read the file: {e.strerror or e}")
        return doc
    return check_bytes(raw, doc)


def check_bytes(raw: bytes, doc: Doc) -> Doc:
    doc.digest = hashlib.sha256(raw).hexdigest()
    if not SLUG_RE.match(doc.slug):
        doc.error(1, f"the file name `{doc.slug}` must be lower-case words joined by hyphens "
                     "(it becomes the activity's address)")
    text = _decode(doc, raw)
    if text is None:
        return doc
    front = _split(doc, text)
    if front is None:
        return doc
    doc.front = front
    data = _parse(doc, front)
    if data is None:
        return doc
    doc.data = _validate_mapping(doc, data, TOP, "")
    doc.lines.setdefault("", 2)
    from . import rules  # rules import load's Doc; import here to keep the cycle one-way

    rules.run(doc)
    from .sanitize import warn_removed_markup

    warn_removed_markup(doc)
    if doc.data.get("sessions"):
        _check_meeting(doc)
    return doc


def _check_meeting(doc: Doc) -> None:
    """Read the meeting's sessions file (beside the meeting file) and apply the meeting rules."""
    from . import meeting as M

    name = doc.data["sessions"]
    path = str(Path(doc.path).parent / name)
    if "/" in name or "\\" in name or not name.endswith(".csv"):
        doc.error("sessions", f"`{name}` must be the name of a .csv file in the same folder", rule="meeting")
        return
    f = M.read_sessions(path)
    d = doc.data.get("designations") or {}
    designated = {}
    if (d.get("ama_pra_1") or {}).get("credits"):
        designated["ama_pra_1"] = d["ama_pra_1"]["credits"]
    if d.get("acpe"):
        designated["acpe"] = max(a.get("hours") or Decimal(0) for a in d["acpe"])
    if (d.get("pace") or {}).get("hours"):
        designated["pace"] = d["pace"]["hours"]
    people = {p.get("name") for p in doc.data.get("faculty") or [] if "disclosures" in p}
    problems = f.problems + M.check_sessions(f.sessions, designated=designated, people=people,
                                             starts=doc.data.get("starts"), ends=doc.data.get("ends"),
                                             uan_pattern=_UAN)
    for line, message in problems:
        doc.problems.append(Problem(path, line, ERROR, _one_line(message), "meeting"))
    if not f.sessions and not f.problems:
        doc.error("sessions", f"the sessions file {name} has no sessions", rule="meeting")
    if not f.problems:
        key_of = {"ama_pra_1": "designations.ama_pra_1.credits", "acpe": "designations.acpe",
                  "pace": "designations.pace.hours"}
        for credit, message in M.check_maxima(f.sessions, designated):
            doc.error(key_of[credit], message, rule="meeting")
    doc.sessions = tuple(f.sessions)
    doc.digest = hashlib.sha256((doc.digest + f.digest).encode()).hexdigest()


def california_hours(des: dict) -> Decimal | None:
    """California CLS hours: as given, else the P.A.C.E. hours, else the AMA credits."""
    c = des.get("california_cls") or {}
    return (c.get("hours") or (des.get("pace") or {}).get("hours")
            or (des.get("ama_pra_1") or {}).get("credits"))


def florida_subject_hours(florida: dict) -> dict[str, Decimal]:
    """Florida hours per subject area: the mapping as written, or one listed subject with all hours.

    A list of several subjects has no split (the checker refuses it): it gives an empty mapping."""
    subjects = florida.get("subjects") or {}
    if isinstance(subjects, dict):
        return dict(subjects)
    if len(set(subjects)) == 1 and florida.get("hours") is not None:
        return {subjects[0]: florida["hours"]}
    return {}


def build(doc: Doc) -> Activity:
    """Turn a checked Doc with no errors into an Activity."""
    d = doc.data
    des = d["designations"]
    out: list[Designation] = []
    if "ama_pra_1" in des:
        out.append(Designation("ama_pra_1", des["ama_pra_1"]["credits"]))
    for a in des.get("acpe", []):
        uan = a.get("uan", "")
        out.append(Designation("acpe", a["hours"], reference=uan, audience=uan[-1:], topic=uan[-4:-2],
                               activity_type=a["activity_type"]))
    if "pace" in des:
        p = des["pace"]
        out.append(Designation("pace", p["hours"], reference=p["program"], level=p["level"]))
    if "california_cls" in des:
        out.append(Designation("california_cls", california_hours(des),
                               reference=des["california_cls"]["course"]))
    if "florida" in des:
        f = des["florida"]
        out.append(Designation("florida", f["hours"], reference=f["tracking"],
                               subjects=tuple(florida_subject_hours(f)),
                               subject_hours=tuple(florida_subject_hours(f).items())))
    starts: dt.datetime = d["starts"]
    ends: dt.datetime | None = d.get("ends")
    if des.get("participation"):
        most = max((x.hours for x in out), default=None)
        if most is None:
            most = duration_hours(starts, ends)
        out.append(Designation("participation", most))
    claim_until = d.get("claim_until") or ((ends or starts).date()
                                           + dt.timedelta(days=C.DEFAULT_CLAIM_DAYS))
    return Activity(
        slug=doc.slug, title=d["title"], format=d["format"], starts=starts, ends=ends,
        claim_until=claim_until, price=d.get("price", C.DEFAULT_PRICE).quantize(Decimal("0.01")),
        objectives=tuple(d["objectives"]), designations=tuple(out),
        faculty=tuple(Person(name=p["name"], role=p["role"], attested=p["attested"],
                             affiliation=p.get("affiliation", ""),
                             disclosures=tuple(Disclosure(x["company"], x["relationship"],
                                                          x["mitigation"], x.get("ended"),
                                                          x.get("exception", ""))
                                               for x in p["disclosures"]))
                      for p in d["faculty"]),
        description=doc.body.strip("\n"), timezone=d.get("timezone", ""),
        conference=d.get("conference", ""), location=d.get("location", "Online"),
        material=d.get("material", ""), audience=tuple(d.get("audience", ())),
        outcomes=tuple(d.get("outcomes", ())),
        follow_up_days=d.get("follow_up_days"),
        commercial_support=tuple(CommercialSupport(s["company"], s["kind"], s.get("agreement_signed"))
                                 for s in d.get("commercial_support", ())),
        questions=tuple(Question(q["question"], tuple(q["choices"]), q["answer"], q.get("explanation", ""),
                                 q.get("case", "")) for q in d.get("questions", ())),
        pass_mark=d.get("pass_mark"), tags=tuple(d.get("tags", ())), draft=d.get("draft", False),
        joint_provider=d.get("joint_provider", ""), sessions=doc.sessions,
        free_for_registrants=bool(d.get("free_for_registrants", False)),
        join=(JoinDetails(d["join"]["url"], d["join"].get("dial_in", ""), d["join"].get("note", ""))
              if d.get("join", {}).get("url") else None),
        room=d.get("room", ""), registration=d.get("registration", ""), presale=d.get("presale", True),
        path=doc.path, content_hash=doc.digest,
    )


# ---------------------------------------------------------------------------------------------
# A whole catalogue
# ---------------------------------------------------------------------------------------------
@dataclass
class Catalog:
    """The result of loading a catalogue: valid activities (drafts included) and all problems."""

    activities: dict[str, Activity]
    problems: list[Problem]
    files: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def published(self) -> list[Activity]:
        return sorted((a for a in self.activities.values() if not a.draft),
                      key=lambda a: (a.starts, a.slug))

    def raise_for_errors(self) -> "Catalog":
        if self.errors:
            raise CatalogError(self.problems)
        return self


def iter_files(paths: Iterable[str | os.PathLike]) -> list[tuple[Path, str]]:
    """Expand folders to their `*.md` files (sorted); keep files as given; each file once."""
    out: list[tuple[Path, str]] = []
    seen: set[str] = set()

    def add(f: Path, display: str) -> None:
        key = os.path.abspath(display)  # no system call per file, unlike Path.resolve()
        if key not in seen:
            seen.add(key)
            out.append((f, display))

    for p in paths:
        p = Path(p)
        if p.is_dir():
            root = len(str(p).rstrip(os.sep)) + 1
            for f in sorted(p.rglob("*.md")):
                display = str(f)
                if not any(part[:1] in (".", "_") for part in display[root:].split(os.sep)):
                    add(f, display)
        else:
            add(p, str(p))
    return out


class _Numbers:
    """Checks across the catalogue (issue 14): each UAN and P.A.C.E.® program number belongs to one
    published activity, and a UAN carries the society's ACPE provider number or the declared joint
    provider's (only when the society's numbers are configured: mkdocs.yml or `--acpe-provider`)."""

    def __init__(self, acpe_providers: Iterable[str]):
        self.providers = frozenset(acpe_providers)
        self.seen: dict[str, str] = {}

    def check(self, doc: Doc) -> None:
        if doc.get("draft"):
            return  # a draft is often a copy being prepared; it is checked again when published
        uans = [(f"designations.acpe.{i}.uan", a["uan"])
                for i, a in enumerate(doc.get("designations.acpe") or []) if a.get("uan")]
        numbers = [(key, f"UAN {uan}", uan, "UAN (a new sequence number)") for key, uan in uans]
        program = doc.get("designations.pace.program")
        if program:
            numbers.append(("designations.pace.program", f"P.A.C.E.® program number {program}",
                            "pace:" + program, "program number"))
        for key, what, number, fix in numbers:
            first = self.seen.setdefault(number, f"{doc.path}:{doc.line(key)}")
            if not first.startswith(f"{doc.path}:"):
                doc.error(key, f"{what} is already used by {first}: give this activity its own {fix}",
                          rule="unique_numbers")
        if not self.providers:
            return
        allowed = self.providers | ({doc.get("joint_provider_number")} - {None})
        for key, uan in uans:
            provider = uan.split("-")[0]
            if _UAN.match(uan) and provider not in allowed:
                doc.error(key, f"UAN {uan} carries the ACPE provider number {provider}, which is neither "
                               f"the society's ({', '.join(sorted(self.providers))}) nor a declared "
                               "joint provider's: correct the UAN, or give the partner's number in "
                               "`joint_provider_number:`", rule="acpe_provider_known")


def load_catalog(paths: Iterable[str | os.PathLike] | str | os.PathLike | None = None, *,
                 acpe_providers: Iterable[str] = ()) -> Catalog:
    """Check every activity file under the given folders/files; build the valid ones.

    `acpe_providers`: the society's ACPE provider numbers (e.g. `0001`, `JA0001234`); when given,
    a UAN with any other provider number (and not the file's `joint_provider_number`) is an error."""
    if paths is None:
        paths = [DEFAULT_FOLDER]
    elif isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    activities: dict[str, Activity] = {}
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    numbers = _Numbers(acpe_providers)
    paths = list(paths)
    given = {str(Path(p)) for p in paths}  # files named on the command line may not exist
    files = iter_files(paths)
    # Checking makes no reference cycles, but the cyclic collector would traverse every activity
    # kept so far again and again: a sixth of the time for a large catalogue. Pause it meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for path, display in files:
            if display in given and not path.exists():
                problems.append(Problem(display, 1, ERROR, "no such file or folder"))
                continue
            doc = check_file(path, display)
            if doc.slug in first_seen:
                doc.error(1, f"another activity already uses the address `{doc.slug}` "
                             f"({first_seen[doc.slug]}); rename one file", rule="unique_slugs")
            else:
                first_seen[doc.slug] = display
            numbers.check(doc)
            problems.extend(doc.problems)
            if not doc.has_errors:
                activities[doc.slug] = build(doc)
    finally:
        if collecting:
            gc.enable()
    problems.sort(key=lambda p: (p.path, p.line, p.severity, p.message))
    return Catalog(activities, problems, files=len(files))
