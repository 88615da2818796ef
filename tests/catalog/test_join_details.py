"""Join details (`join:`): checked with path:line messages, carried to the server, never published."""
from __future__ import annotations

from pathlib import Path

from catalog import serialize
from catalog.load import load_catalog
from tests.catalog.conftest import JOURNAL as J
from tests.catalog.conftest import VALID as V
from tests.catalog.conftest import mutate, problems
from tests.catalog.site_helpers import build_in_process, write_project

SECRET = "https://meet.example.org/j/98765-secret"
JOIN = f'join:\n  url: "{SECRET}"\n  dial_in: "+1 555 0100, code 4412"\n  note: Join ten minutes early.\n'


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "webinar-join.md"
    p.write_text(text, encoding="utf-8")
    return p


def with_join(text: str, join: str = JOIN) -> str:
    return mutate(text, "format:", join + "format:")


def test_join_details_load_and_survive_serialization(tmp_path):
    p = _write(tmp_path, with_join(V))
    cat = load_catalog([p])
    assert not cat.errors, cat.errors
    a = cat.published[0]
    assert (a.join.url, a.join.dial_in, a.join.note) == (SECRET, "+1 555 0100, code 4412",
                                                        "Join ten minutes early.")
    assert serialize.from_dict(serialize.to_dict(a)).join == a.join


def test_join_url_must_be_https(tmp_path):
    p = _write(tmp_path, with_join(V, 'join:\n  url: "meet.example.org/j/1"\n'))
    assert problems(p) == [f"{p}:4: error: `join.url` must be a web address starting with https://"]


def test_join_needs_url_and_known_keys(tmp_path):
    p = _write(tmp_path, with_join(V, 'join:\n  dialin: "+1 555 0100"\n'))
    assert problems(p) == [
        f"{p}:4: error: missing required key `url` in `join` (the meeting link, starting with https://)",
        f"{p}:4: error: unknown key `dialin` in `join`; did you mean `dial_in`?",
    ]


def test_join_is_for_live_sessions(tmp_path):
    p = _write(tmp_path, with_join(J, f'join:\n  url: "{SECRET}"\n'))
    assert [x for x in problems(p) if "join" in x] == [
        f"{p}:3: error: `join` is for live sessions; a recording or article links its `material`"]


def test_join_details_are_never_published(tmp_path):
    text = with_join(V)
    site = build_in_process(write_project(tmp_path, {"webinar-join": text}))
    leaked = [str(f.relative_to(site)) for f in site.rglob("*") if f.is_file()
              and f.suffix in (".html", ".json", ".ics", ".xml", ".txt", ".md")
              and any(s in f.read_text(encoding="utf-8", errors="replace")
                      for s in (SECRET, "555 0100", "Join ten minutes early"))]
    assert leaked == []
    assert (site / "activities.json").exists() and (site / "calendar.ics").exists()
