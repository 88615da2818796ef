"""Join details (`join:`), rooms and registration notes, material released later: checked with path:line
messages, carried to the server; the join link never published."""
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


# ------------------------------------------------------------------------------------------------
# In-person sessions (room, registration) and material released later (presale)
# ------------------------------------------------------------------------------------------------
IN_PERSON = (V.replace("format: webinar", "format: live")
             .replace("price: 25.00\n", "price: 25.00\nlocation: Convention Center, Denver\n"
                      "conference: Annual Meeting 2027\n"))
ROOM = "room: Room 204B, North Hall\nregistration: Register at https://meeting.example.org by April 15.\n"


def test_an_in_person_session_loads_its_room_and_registration_note(tmp_path):
    p = _write(tmp_path, mutate(IN_PERSON, "price: 25.00\n", "price: 25.00\n" + ROOM))
    cat = load_catalog([p])
    assert not cat.problems, cat.problems
    a = cat.published[0]
    assert a.is_in_person and (a.room, a.registration) == (
        "Room 204B, North Hall", "Register at https://meeting.example.org by April 15.")
    back = serialize.from_dict(serialize.to_dict(a))
    assert (back.room, back.registration, back.presale) == (a.room, a.registration, True)


def test_room_and_registration_are_for_in_person_sessions(tmp_path):
    p = _write(tmp_path, mutate(V, "price: 25.00\n", "price: 25.00\n" + ROOM))
    assert problems(p) == [
        f"{p}:7: error: `room` is for in-person sessions (format live or workshop with a venue as "
        "`location`); an online session gives `join` details instead",
        f"{p}:8: error: `registration` is for in-person sessions (format live or workshop with a venue "
        "as `location`); an online session gives `join` details instead",
    ]


def test_an_in_person_session_gives_a_room_not_a_join_link(tmp_path):
    p = _write(tmp_path, with_join(IN_PERSON, f'join:\n  url: "{SECRET}"\n'))
    assert problems(p) == [f"{p}:3: error: `join` is for online sessions; an in-person session gives its "
                           "`room` (and the conference's `registration` note)"]


def test_a_registration_note_names_its_conference(tmp_path):
    text = mutate(IN_PERSON, "conference: Annual Meeting 2027\n", "")
    p = _write(tmp_path, mutate(text, "price: 25.00\n", "price: 25.00\n" + ROOM))
    assert problems(p) == [f"{p}:8: warning: `registration` is the conference's registration note: name "
                           "the `conference` the session is held during"]


def test_presale_is_for_material_released_later(tmp_path):
    p = _write(tmp_path, mutate(V, "price: 25.00\n", "price: 25.00\npresale: false\n"))
    assert problems(p) == [f"{p}:7: error: `presale` is for journal and on-demand material released "
                           "later; a live session can be bought until it ends"]
    q = tmp_path / "journal-later.md"
    q.write_text(mutate(J, "price: 25.00\n", "price: 25.00\npresale: false\n"), encoding="utf-8")
    cat = load_catalog([q])
    assert not cat.errors and cat.published[0].presale is False


def test_the_front_matter_reference_documents_the_new_keys():
    from catalog.site.reference import front_matter

    table = front_matter()
    for key in ("`room`", "`registration`", "`presale`", "`join.url`"):
        assert key in table, key


def _page(tmp_path, text, today):
    import datetime as dt

    from catalog.site import display, pages

    p = tmp_path / "journal-later.md"
    p.write_text(text, encoding="utf-8")
    cat = load_catalog([p])
    assert not cat.errors, cat.errors
    head, foot = pages.render_activity(cat.published[0], display.SiteSettings(today=today))
    return head + foot


def test_the_catalogue_page_says_available_from_and_whether_it_can_be_bought_before(tmp_path):
    import datetime as dt

    # J is released on March 12, 2027 (12:00 EST)
    assert "Available from March 12, 2027; it can be bought now." in _page(tmp_path, J, dt.date(2027, 3, 1))
    later = mutate(J, "price: 25.00\n", "price: 25.00\npresale: false\n")
    assert ("Available from March 12, 2027; it can be bought from that day."
            in _page(tmp_path, later, dt.date(2027, 3, 11)))
    assert "Available from" not in _page(tmp_path, J, dt.date(2027, 3, 12))  # released: nothing to say


def test_the_catalogue_says_the_join_link_comes_after_purchase(tmp_path):
    import datetime as dt

    from catalog.site.display import JOIN_AFTER_PURCHASE

    page = _page(tmp_path, with_join(V), dt.date(2027, 3, 1))
    assert JOIN_AFTER_PURCHASE in page and SECRET not in page
    assert JOIN_AFTER_PURCHASE not in _page(tmp_path, V, dt.date(2027, 3, 1))
