"""A meeting's programme on its catalogue page: by day, then time, each session with its track,
room, credit, faculty (with their disclosures) and objectives, plus a search box.

Every session is a collapsed `<details id="session-<id>">` (an anchor learners and the claim server
can link to), so a 300-session meeting stays one light page rather than 300 pages.
"""
from __future__ import annotations

import html

from .. import credits as C
from ..dates import time_text, weekday_date
from ..model import Activity
from . import display as D

#: The filter runs in the browser: a session stays visible when every word typed is in its text.
#: It is a file of the site (`SEARCH_JS_SRC`), never inline: the catalogue's CSP refuses inline
#: scripts inside the article.
SEARCH_JS_SRC = "assets/ce-programme.js"
SEARCH_JS = """
(function () {
  var box = document.getElementById('ce-programme-search');
  if (!box) return;
  box.addEventListener('input', function () {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
    document.querySelectorAll('.ce-session').forEach(function (s) {
      var text = s.getAttribute('data-text'), ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      // the theme styles details as display: block, which beats the hidden attribute on its own
      s.hidden = !ok; s.style.display = ok ? '' : 'none'; if (ok) shown++;
    });
    document.querySelectorAll('.ce-programme-day').forEach(function (d) {
      d.hidden = !d.querySelector('.ce-session:not([hidden])');
    });
    document.getElementById('ce-programme-count').textContent = shown + (shown === 1 ? ' session' : ' sessions');
  });
})();
"""


def session_anchor(session_id: str) -> str:
    return "session-" + D.slugify(session_id)


def session_credit_text(a: Activity, s) -> str:
    """'1.5 AMA PRA Category 1 Credits™ · 1.75 P.A.C.E.® contact hours' for one session."""
    parts = [C.CREDIT_TYPES[k].units(s.hours(k)) for k in C.CREDIT_ORDER if k in s.credits]
    return " · ".join(parts)


def session_record(a: Activity, s, url: str) -> dict:
    """One session in activities.json."""
    return {"id": s.id, "title": s.title, "track": s.track, "starts": s.starts.isoformat(),
            "ends": s.ends.isoformat(), "room": s.room,
            "credits": {k: C.format_hours(s.hours(k)) for k in C.CREDIT_ORDER if k in s.credits},
            "uan": s.uan or None, "faculty": list(s.faculty), "objectives": list(s.objectives),
            "url": f"{url}#{session_anchor(s.id)}"}


def programme_html(a: Activity, root: str = "") -> str:
    if not a.sessions:
        return ""
    e = html.escape
    people = {p.name: p for p in a.faculty}
    out = [f'<p><input type="search" id="ce-programme-search" placeholder="Search sessions, speakers, '
           f'tracks" aria-label="Search the programme"> <span id="ce-programme-count">'
           f'{len(a.sessions)} session{"" if len(a.sessions) == 1 else "s"}</span></p>']
    by_day: dict = {}
    for s in sorted(a.sessions, key=lambda s: (s.starts, s.track, s.id)):
        by_day.setdefault(D.local(a, s.starts).date(), []).append(s)
    for day, sessions in by_day.items():
        out.append(f'<section class="ce-programme-day"><h3>{e(weekday_date(day))}</h3>')
        for s in sessions:
            start, end = D.local(a, s.starts), D.local(a, s.ends)
            credit = session_credit_text(a, s)
            fac = []
            for name in s.faculty:
                p = people.get(name)
                rel = ("; ".join(f"{d.company}: {d.label}" for d in p.disclosures)
                       if p and p.disclosures else "no relevant financial relationships")
                fac.append(f"<li>{e(name)} ({e(rel)})</li>")
            text = " ".join([s.id, s.title, s.track, s.room, credit, *s.faculty, *s.objectives]).lower()
            out.append(
                f'<details class="ce-session" id="{session_anchor(s.id)}" data-text="{e(text)}">'
                f'<summary><strong>{e(time_text(start))}–{e(time_text(end))}</strong> · {e(s.track)} · '
                f'{e(s.title)}</summary>'
                f'<p>Session {e(s.id)}{" · " + e(s.room) if s.room else ""} · {e(credit)}'
                f'{" · UAN " + e(s.uan) if s.uan else ""}</p>'
                f'<p>Faculty:</p><ul>{"".join(fac)}</ul>'
                f'<p>Objectives:</p><ol>{"".join(f"<li>{e(o)}</li>" for o in s.objectives)}</ol>'
                f'</details>')
        out.append("</section>")
    out.append(f'<script src="{html.escape(root)}{SEARCH_JS_SRC}" defer></script>')
    return "\n".join(out)

