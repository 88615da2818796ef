"""Helpers for the catalogue-site tests: fixture activities, a throw-away MkDocs project, and what a
reader sees in the built HTML (text without tags, links, sections)."""
from __future__ import annotations

import copy
import datetime as dt
import html
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import yaml

EST = dt.timezone(dt.timedelta(hours=-5))
PST = dt.timezone(dt.timedelta(hours=-8))
TODAY = dt.date(2027, 1, 15)
CLAIM_URL = "https://claims.example.org"
SITE_URL = "https://ce.example.org/"
REPO_URL = "https://git.example.org/society/ce-portal"

#: A valid activity carrying every credit type; fixtures are copies with overrides.
BASE: dict = {
    "title": "Antimicrobial Stewardship in the Clinical Laboratory",
    "format": "webinar",
    "starts": dt.datetime(2027, 3, 12, 12, 0, tzinfo=EST),
    "ends": dt.datetime(2027, 3, 12, 13, 30, tzinfo=EST),
    "timezone": "America/New_York",
    "location": "Online",
    "price": 25.0,
    "audience": ["physicians", "pharmacists", "laboratory-professionals"],
    "objectives": ["Interpret a cumulative antibiogram to choose empiric therapy.",
                   "Describe three laboratory interventions that shorten time to effective therapy."],
    "outcomes": ["competence", "performance"],
    "designations": {
        "ama_pra_1": {"credits": 1.5},
        "acpe": [{"uan": "0001-0000-27-001-L01-P", "hours": 1.5, "activity_type": "application"}],
        "pace": {"program": "116-001-27", "hours": 1.5, "level": "intermediate"},
        "california_cls": {"course": "ASM-27-001"},
        "florida": {"tracking": "20-123456", "hours": 1.5, "subjects": ["general"]},
        "participation": True,
    },
    "faculty": [
        {"name": "Zoë <Zed> O'Brien & Sons, PhD", "role": "speaker", "disclosures": [],
         "attested": dt.date(2026, 11, 2)},
        {"name": "Ravi Patel, MD", "role": "planner",
         "disclosures": [{"company": "Acme & <Diagnostics>", "relationship": "consultant",
                          "mitigation": "Content peer reviewed by a planner with no relationships."}],
         "attested": dt.date(2026, 10, 20)},
    ],
    "commercial_support": [],
    "questions": [{"question": "Which result should the laboratory call first?",
                   "choices": ["Gram-negative rods in a blood culture", "Urine culture growth"],
                   "answer": 0, "explanation": "Gram-negative rods in a blood culture change therapy now."}],
    "tags": ["Antimicrobial resistance", "stewardship"],
    "draft": False,
}
BASE_BODY = "Stewardship programmes depend on the laboratory. DESCRIPTION-MARKER <b>&</b> more."


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):  # conveners' files may not use anchors: write values out
        return True


def activity(body: str = BASE_BODY, drop: tuple[str, ...] = (), **overrides) -> str:
    """The text of an activity file: BASE with overrides (None removes a key)."""
    data = copy.deepcopy(BASE)
    for k in drop:
        data.pop(k, None)
    for k, v in overrides.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    return "---\n" + yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True) + "---\n" + body + "\n"


def people(speaker: str, attested: dt.date) -> list[dict]:
    """A speaker and a planner with nothing to disclose, attested on the given day."""
    return [{"name": speaker, "role": "speaker", "disclosures": [], "attested": attested},
            {"name": "Pat Planner, MD", "role": "planner", "disclosures": [], "attested": attested}]


def home_study(fmt: str, starts: dt.datetime, claim_until: dt.date, **overrides) -> str:
    uan = f"0001-0000-{starts.year % 100:02d}-002-H01-P"  # a UAN's year is never after the activity's
    des = {"ama_pra_1": {"credits": 1},
           "acpe": [{"uan": uan, "hours": 1, "activity_type": "knowledge"}], "participation": True}
    overrides.setdefault("faculty", people("Hana Home, PhD", starts.date() - dt.timedelta(days=30)))
    return activity(format=fmt, starts=starts, ends=None, claim_until=claim_until, pass_mark=70,
                    material="https://journals.example.org/article/1",
                    designations=overrides.pop("designations", des), **overrides)


#: The fixture catalogue: slug -> file text, as of TODAY (2027-01-15).
FIXTURES: dict[str, str] = {
    # upcoming live webinar, every credit type, $25, special characters in names
    "stewardship-webinar": activity(title="Stewardship <Update> & Review"),
    # upcoming live session during a conference, free, AMA only, in Los Angeles time
    "conference-session": activity(
        title="Candida auris Outbreak Response", format="live", conference="ASM Microbe 2027",
        location="Room 502A, Los Angeles Convention Center", price=0, timezone="America/Los_Angeles",
        starts=dt.datetime(2027, 6, 19, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
        ends=dt.datetime(2027, 6, 19, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
        designations={"ama_pra_1": {"credits": 1}}, tags=["mycology"],
        faculty=people("Adaeze Whitford, PhD", dt.date(2027, 1, 2)),
        commercial_support=[{"company": "Globex Labs", "kind": "grant",
                             "agreement_signed": dt.date(2027, 1, 3)}]),
    # journal activity open for claims
    "journal-current": home_study("journal", dt.datetime(2026, 12, 1, 9, 0, tzinfo=EST),
                                  dt.date(2027, 11, 30), title="Journal: Tuberculosis IGRA",
                                  tags=["tuberculosis", "antimicrobial resistance"]),
    # on-demand recording whose claim window has closed -> archive
    "on-demand-expired": home_study("on-demand", dt.datetime(2025, 2, 1, 9, 0, tzinfo=EST),
                                    dt.date(2026, 12, 31), title="Recorded: Blood Parasites",
                                    tags=["parasitology"]),
    # live workshop that took place -> archive
    "past-workshop": activity(
        title="Molecular Diagnostics Workshop", format="workshop", location="Boston, MA",
        starts=dt.datetime(2026, 10, 5, 9, 0, tzinfo=EST), ends=dt.datetime(2026, 10, 5, 12, 0, tzinfo=EST),
        designations={"ama_pra_1": {"credits": 3},
                      "pace": {"program": "116-009-26", "hours": 3.5, "level": "advanced"}},
        tags=["molecular"],
        faculty=people("Sam Lee, PhD", dt.date(2026, 8, 1))),
    # a draft: checked, never published
    "draft-webinar": activity(title="Draft Webinar Not Yet Approved", draft=True, tags=["drafts-only"]),
}
PUBLISHED = sorted(s for s in FIXTURES if s != "draft-webinar")
LIVE = ["conference-session", "past-workshop", "stewardship-webinar"]

DOCS_INDEX = "# Home\n\nA test site.\n"


def write_project(root: Path, activities: dict[str, str], *, docs: dict[str, str] | None = None,
                  today: dt.date | None = TODAY, extra: str = "") -> Path:
    """A throw-away MkDocs project: mkdocs.yml, docs/ and activities/ under root."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "activities").mkdir(exist_ok=True)
    for name, text in {"index.md": DOCS_INDEX, **(docs or {})}.items():
        p = root / "docs" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    for slug, text in activities.items():
        (root / "activities" / f"{slug}.md").write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(f"""\
site_name: Test CE
site_url: {SITE_URL}
repo_url: {REPO_URL}
edit_uri: edit/main/docs/
theme:
  name: material
  features: [navigation.instant, content.action.edit]
markdown_extensions: [admonition, attr_list, def_list, tables, toc]
plugins:
  - search
  - tags
  - ce_catalog:
      folder: activities
      claim_url: {CLAIM_URL}/
      {f'today: "{today}"' if today else ''}
{extra}""", encoding="utf-8")
    return root


def build_in_process(root: Path) -> Path:
    """Build with MkDocs in this process (fast); return the site folder."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    cfg = load_config(str(root / "mkdocs.yml"), strict=True)
    build(cfg)
    return root / "site"


def build_subprocess(root: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` as a learner's CI would run it; output captured as text."""
    e = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root, env=e,
                          capture_output=True, text=True, timeout=120)


class Reader(HTMLParser):
    """What a reader sees: the text of the page's main content, and its links (href, text)."""

    SKIP = {"script", "style", "template"}

    def __init__(self, within_class: str = "md-content"):
        super().__init__(convert_charrefs=True)
        self.within_class = within_class
        self.depth = 0           # >0 while inside the element we read
        self.skip = 0
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._a: list[tuple[str, list[str]]] = []

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base", "embed"}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.VOID:
            if self.depth and tag == "br":
                self.parts.append(" ")
            return
        if self.depth:
            self.depth += 1
        elif self.within_class in (a.get("class") or "").split():
            self.depth = 1
        if not self.depth:
            return
        if tag in self.SKIP:
            self.skip += 1
        if tag == "a":
            self._a.append((a.get("href") or "", []))
        if tag in ("p", "li", "tr", "td", "th", "dt", "dd", "h1", "h2", "h3", "div", "section"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if not self.depth or tag in self.VOID:
            return
        self.depth -= 1
        if tag in self.SKIP:
            self.skip -= 1
        if tag == "a" and self._a:
            href, text = self._a.pop()
            self.links.append((href, " ".join("".join(text).split())))
        if tag in ("p", "li", "td", "th", "dt", "dd", "h1", "h2", "h3"):
            self.parts.append(" ")

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)
            for _, text in self._a:
                text.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def read(path: Path, within_class: str = "md-content") -> Reader:
    r = Reader(within_class)
    r.feed(path.read_text(encoding="utf-8"))
    r.close()
    return r


def page(site: Path, url: str) -> Path:
    return site / url / "index.html"


def norm(s: str) -> str:
    return " ".join(html.unescape(s).split())
