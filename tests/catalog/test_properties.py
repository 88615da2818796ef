"""Property-based tests: whatever a file holds, the checker reports problems and never raises.

Every problem must be a `Problem` on a line of the file (or one past its end), on one line of output,
and the CLI must never print a traceback.
"""
from __future__ import annotations

import contextlib
import io
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.__main__ import main
from catalog.load import check_file
from catalog.problems import ERROR, WARNING, Problem
from catalog.schema import TOP
from tests.catalog.conftest import JOURNAL, VALID

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _line_bound(raw: bytes) -> int:
    text = raw.decode("utf-8", "replace")
    return max(raw.count(b"\n"), raw.count(b"\r"), len(text.splitlines())) + 1


def _check_sane(folder, raw: bytes) -> list[Problem]:
    path = folder / "fuzzed-activity.md"
    path.write_bytes(raw)
    found = check_file(path).problems
    bound = _line_bound(raw)
    for p in found:
        assert isinstance(p, Problem)
        assert p.severity in (ERROR, WARNING)
        assert 1 <= p.line <= bound, str(p)  # a line of the file, or one past its end
        assert "\n" not in str(p) and str(p).startswith(f"{path}:{p.line}: {p.severity}: ")
        assert "internal error" not in p.message, str(p)
    return found


def _front(text: str) -> bytes:
    return f"---\n{text}\n---\nBody.\n".encode("utf-8", "surrogatepass")


@SETTINGS
@given(st.text())
def test_any_text(tmp_path_factory, text):
    _check_sane(tmp_path_factory.mktemp("t"), text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes(tmp_path_factory, raw):
    _check_sane(tmp_path_factory.mktemp("b"), raw)


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_text_as_front_matter(tmp_path_factory, text):
    _check_sane(tmp_path_factory.mktemp("f"), _front(text))


# ----- YAML-able structures, with the contract's own keys so validation is reached -------------
def _names(field) -> set[str]:
    out = {field.name}
    for f in field.fields:
        out |= _names(f)
    if field.item is not None:
        out |= _names(field.item)
    return out


KEYS = st.sampled_from(sorted(_names(TOP))) | st.text(max_size=12)
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=30) | st.dates() | st.datetimes()
           | st.sampled_from(["webinar", "journal", "0001-0000-27-001-L01-P", "2027-03-12T12:00:00-05:00",
                              "basic", "physicians", "pharmacists", "consultant", "TODO", "1e400", "-0"]))
STRUCTURES = st.recursive(SCALARS, lambda children: st.lists(children, max_size=4)
                          | st.dictionaries(KEYS, children, max_size=5), max_leaves=25)


@SETTINGS
@given(st.dictionaries(KEYS, STRUCTURES, max_size=8))
def test_any_structure_as_front_matter(tmp_path_factory, data):
    _check_sane(tmp_path_factory.mktemp("s"), _front(yaml.safe_dump(data, allow_unicode=True)))


def _paths(value, prefix=()):
    """Every key path in a loaded activity (into mappings and lists)."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


BASES = [yaml.safe_load(t.split("---\n")[1]) for t in (VALID, JOURNAL)]


@SETTINGS
@given(st.sampled_from(BASES).flatmap(lambda base: st.tuples(
    st.just(base), st.sampled_from([p for p in _paths(base) if p]), STRUCTURES)))
def test_valid_activity_with_one_value_replaced(tmp_path_factory, case):
    base, path, value = case
    data = yaml.safe_load(yaml.safe_dump(base))  # a deep copy
    cur = data
    for part in path[:-1]:
        cur = cur[part]
    cur[path[-1]] = value
    _check_sane(tmp_path_factory.mktemp("r"), _front(yaml.safe_dump(data, allow_unicode=True)))


# ----- mutations of a valid file ------------------------------------------------------------------
@st.composite
def mutated(draw):
    lines = draw(st.sampled_from([VALID, JOURNAL])).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "indent", "dedent"]))
        line = lines[i]
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "swap" and len(line) > 2:
            j = draw(st.integers(0, len(line) - 2))
            lines[i] = line[:j] + line[j + 1] + line[j] + line[j + 2:]
        elif op == "insert":
            j = draw(st.integers(0, len(line)))
            ch = draw(st.sampled_from(list(":-[]{}&*!#|>'\"\t%@`, \n?0")) | st.characters())
            lines[i] = line[:j] + ch + line[j:]
        elif op == "indent":
            lines[i] = "  " + line
        elif op == "dedent":
            lines[i] = line.lstrip(" ")
    return "".join(lines)


@SETTINGS
@given(mutated())
def test_mutated_valid_file(tmp_path_factory, text):
    _check_sane(tmp_path_factory.mktemp("m"), text.encode("utf-8", "surrogatepass"))


@settings(max_examples=30, deadline=None)
@given(st.lists(mutated() | st.text(max_size=200), min_size=1, max_size=4), st.booleans())
def test_cli_never_prints_a_traceback(tmp_path_factory, texts, as_json):
    folder = tmp_path_factory.mktemp("cli")
    for i, text in enumerate(texts):
        (folder / f"activity-{i}.md").write_bytes(text.encode("utf-8", "surrogatepass"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["check", str(folder)] + (["--format", "json"] if as_json else []))
    assert rc in (0, 1), err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if as_json:
        report = json.loads(out.getvalue())
        assert report["files"] == len(texts)
        assert report["errors"] == sum(p["severity"] == "error" for p in report["problems"])
