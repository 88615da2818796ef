"""Activity pages and catalogue listings as HTML fragments, from one set of Jinja templates.

The templates in catalog/templates are compiled once per process. An activity page is two fragments
(before and after its description, which MkDocs converts from Markdown); a listing page is a short
Markdown skeleton whose markers are replaced with pre-rendered tables. Links are relative: `ROOT` in a
pre-rendered fragment stands for the path from the page to the site root.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import jinja2
from markupsafe import Markup

from .. import credits as C
from .. import statements as S
from ..dates import date_range, moment_text
from ..professions import BY_AUDIENCE, PROFESSIONS
from ..model import Activity
from . import display as D
from .programme import programme_html

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ROOT = "\x1eROOT\x1e"
DESCRIPTION = "<!--ce:description-->"

LANDING = "catalogue/index.md"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=False, auto_reload=False)
    env.filters["statement"] = lambda s: Markup(s.html())
    return env


@lru_cache(maxsize=None)
def template(name: str) -> jinja2.Template:
    return environment().get_template(name)


# ------------------------------------------------------------------------------------------
# Addresses
# ------------------------------------------------------------------------------------------
def activity_src(slug: str) -> str:
    return f"activities/{slug}.md"


def ics_src(slug: str) -> str:
    return f"activities/{slug}.ics"


def page_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """The URL MkDocs gives a Markdown source (same rule as mkdocs.structure.files.File)."""
    stem, _ = posixpath.splitext(src_uri)
    if posixpath.basename(stem) in ("index", "README"):
        d = posixpath.dirname(stem)
        return f"{d}/" if d else "./"
    return f"{stem}/" if use_directory_urls else f"{stem}.html"


def root_of(url: str) -> str:
    """Relative path from a page URL to the site root: 'activities/x/' -> '../../'."""
    if url in ("", "./"):
        return ""
    return "../" * url.count("/")


# ------------------------------------------------------------------------------------------
# Activity pages
# ------------------------------------------------------------------------------------------
def render_activity(a: Activity, settings: D.SiteSettings, *, root: str = "",
                    ics_href: str = "", topic_urls: dict[str, str] | None = None,
                    ) -> tuple[str, str]:
    """The HTML before and after the description of an activity's page."""
    topic_urls = topic_urls or {}
    html = template("activity.html").render(
        a=a,
        when=D.when_text(a),
        deadline=D.claim_deadline_text(a),
        deadline_date=D.short_date(a.claim_until),
        price=D.price_text(a.price),
        brief=D.credit_brief(a),
        audience=", ".join(BY_AUDIENCE[x].audience_label if x in BY_AUDIENCE else x for x in a.audience),
        blocks=D.credit_blocks(a, settings.provider),
        lookback=C.DISCLOSURE_LOOKBACK_MONTHS,
        people=D.disclosure_rows(a),
        mitigation=S.MITIGATION_STATEMENT if any(p.has_relationships for p in a.faculty) else None,
        support=D.support_statements(a),
        topics=[(t, root + topic_urls[t]) for t in a.tags if t in topic_urls],
        purchase_url=settings.purchase_url(a.slug),
        purchase=D.purchase_text(a.price),
        # On the build day: an ended session or a closed home-study activity is no longer for sale.
        past=D.phase(a, settings.today) == D.PAST,
        available=D.availability_text(a, settings.today),
        join_note=D.JOIN_AFTER_PURCHASE if a.join else "",
        ics_href=ics_href if a.is_live else "",
        programme=Markup(programme_html(a, root)),
    )
    head, _, foot = html.partition(DESCRIPTION)
    return head, foot


def activity_toc(a: Activity) -> list[dict]:
    """Table-of-contents entries for the headings the activity template writes before the description."""
    entries = [("objectives", "Learning objectives"), ("audience", "Target audience"),
               ("credit", "Credit"), *([("programme", "Programme")] if a.sessions else []),
               ("disclosures", "Disclosures"),
               ("commercial-support", "Commercial support"), ("description", "About this activity")]
    return [{"level": 2, "id": i, "name": n, "html": n, "children": []} for i, n in entries]


def page_source(a: Activity) -> str:
    """What the generated page 'contains' for MkDocs: its description (the rest is added as HTML).

    A leading comment keeps a description that starts with `Key: value` from being read as
    MultiMarkdown metadata."""
    return f"<!-- generated by ce_catalog from {a.path or a.slug} -->\n\n{a.description}\n"


# ------------------------------------------------------------------------------------------
# Listings
# ------------------------------------------------------------------------------------------
SECTIONS = {
    D.UPCOMING: ("Upcoming live activities", "No upcoming live activities."),
    D.ON_DEMAND: ("On-demand and journal activities", "No on-demand or journal activities available."),
    D.PAST: ("Past activities", "No past activities."),
}

#: Which credit listing a learner group should start from ("I am a pharmacist" -> ACPE): the
#: profession's own catalogue credit (catalog.professions).
PROFESSION_CREDITS: dict[str, tuple[str, ...]] = {p.key: (p.catalogue_credit,) for p in PROFESSIONS.values()}


@dataclass(frozen=True)
class Section:
    key: str          # upcoming | on-demand | past
    heading: str
    empty: str
    activities: tuple[Activity, ...]


@dataclass(frozen=True)
class Listing:
    """A catalogue listing page: a filter of the published activities, split by phase."""

    src_uri: str
    title: str
    intro: str
    sections: tuple[Section, ...]
    in_nav: bool = False
    landing: bool = False

    def markdown(self) -> str:
        """The skeleton MkDocs converts: fixed headings (so the TOC works) and markers."""
        out = ["<!--ce:top-->", ""]
        for s in self.sections:
            out += [f"## {s.heading} {{#{s.key}}}", "", f"<!--ce:section:{s.key}-->", ""]
        return "\n".join(out)


def _sorted(acts: Iterable[Activity], key: str) -> tuple[Activity, ...]:
    if key == D.UPCOMING:
        return tuple(sorted(acts, key=lambda a: (a.starts, a.slug)))
    if key == D.ON_DEMAND:  # the date column shows the claim deadline: soonest first
        return tuple(sorted(acts, key=lambda a: (a.claim_until, a.slug)))
    return tuple(sorted(acts, key=lambda a: (-(a.ends or a.starts).timestamp(), a.slug)))


def _split(acts: list[Activity], today: dt.date, keys: tuple[str, ...]) -> tuple[Section, ...]:
    by: dict[str, list[Activity]] = {k: [] for k in keys}
    for a in acts:
        p = D.phase(a, today)
        if p in by:
            by[p].append(a)
    return tuple(Section(k, SECTIONS[k][0], SECTIONS[k][1], _sorted(by[k], k)) for k in keys)


def topics(published: Iterable[Activity]) -> dict[str, str]:
    """Topic tag -> slug; tags that slugify alike share one listing (first spelling wins)."""
    out: dict[str, str] = {}
    for a in published:
        for t in a.tags:
            out.setdefault(t, D.slugify(t))
    return out


def listings(published: list[Activity], today: dt.date) -> list[Listing]:
    """Every listing page, pre-computed once: landing, upcoming, on-demand, archive, then filters."""
    ALL = (D.UPCOMING, D.ON_DEMAND, D.PAST)
    out = [
        Listing(LANDING, "Activity catalogue",
                "Continuing-education activities you can purchase, take part in and claim credit for.",
                _split(published, today, (D.UPCOMING, D.ON_DEMAND)), in_nav=True, landing=True),
        Listing("catalogue/upcoming.md", "Upcoming live activities",
                "Live sessions, webinars, teleconferences and workshops, soonest first.",
                _split(published, today, (D.UPCOMING,)), in_nav=True),
        Listing("catalogue/on-demand.md", "On-demand and journal activities",
                "Recordings and journal-based activities you can take at any time before the claim deadline.",
                _split(published, today, (D.ON_DEMAND,)), in_nav=True),
        Listing("catalogue/archive.md", "Past activities",
                "Activities that have taken place or whose claim deadline has passed.",
                _split(published, today, (D.PAST,)), in_nav=True),
    ]
    # The folders of the filtered listings are addresses people trim URLs to: give each an index.
    for folder, what in (("credit", "credit type"), ("format", "format"), ("topic", "topic")):
        out.append(Listing(f"catalogue/{folder}/index.md", f"Activities by {what}",
                           f"Choose a {what} to see its activities.", (), landing=True))
    for key, ct in C.CREDIT_TYPES.items():
        acts = [a for a in published if key in a.credit_keys]
        out.append(Listing(f"catalogue/credit/{key}.md", f"Activities offering {ct.name}",
                           f"Activities designated for {ct.name}.", _split(acts, today, ALL)))
    for fmt, name in C.FORMATS.items():
        acts = [a for a in published if a.format == fmt]
        out.append(Listing(f"catalogue/format/{fmt}.md", f"{name} activities",
                           f"Activities in the {name.lower()} format.", _split(acts, today, ALL)))
    slugs: dict[str, str] = {}
    for tag, slug in topics(published).items():
        slugs.setdefault(slug, tag)
    tagged: dict[str, list[Activity]] = {s: [] for s in slugs}
    for a in published:
        for s in {D.slugify(t) for t in a.tags}:
            tagged[s].append(a)
    for slug, tag in sorted(slugs.items()):
        acts = tagged[slug]
        out.append(Listing(f"catalogue/topic/{slug}.md", f"Topic: {tag}",
                           f"Activities tagged “{tag}”.", _split(acts, today, ALL)))
    return out


def listing_row(a: Activity, today: dt.date, url: str) -> str:
    """One pre-rendered table row; `ROOT` stands for the path to the site root."""
    p = D.phase(a, today)
    if p == D.ON_DEMAND:
        date = f"Until {D.short_date(a.claim_until)}"
    else:
        date = D.short_date(D.local(a, a.starts).date())
    return template("listing_row.html").render(a=a, date=date, root=Markup(ROOT), url=url,
                                               credit=D.credit_summary(a), price=D.price_text(a.price))


TABLE_HEAD = ('<div class="md-typeset__table ce-listing"><table>\n<thead><tr><th>Date</th><th>Activity</th><th>Format</th>'
              '<th>Credit</th><th>Price</th></tr></thead>\n<tbody>\n')


# ------------------------------------------------------------------------------------------
# The home page: what is coming up
# ------------------------------------------------------------------------------------------
#: A hand-written page writes this line where the coming-up list goes (docs/index.md does).
COMING_UP_MARKER = re.compile(r"^<!--\s*ce:coming-up\s*-->[ \t]*$", re.M)
COMING_UP = "<!--ce:coming-up:list-->"  # what the marker becomes until the page's HTML is ready
#: How many of each kind the home page lists; the rest are one link away.
COMING_UP_LIMIT = 5

_COMING_UP = {  # section key: heading, wording when there is none, the full listing, its name
    D.UPCOMING: ("Next live activities", "No live activities are scheduled at the moment.",
                 "catalogue/upcoming.md", "upcoming live activities"),
    D.ON_DEMAND: ("On-demand and journal activities", "No on-demand or journal activities are open at the moment.",
                  "catalogue/on-demand.md", "on-demand and journal activities"),
}


def mark_coming_up(markdown: str) -> str:
    """The page's Markdown with the coming-up marker kept for `coming_up_html` (it needs the page's root)."""
    return COMING_UP_MARKER.sub(COMING_UP, markdown)


def coming_up_date(a: Activity) -> tuple[str, str]:
    """(words, ISO) for the home page: a live activity's start with its zone (a meeting's days), or
    a home-study activity's claim deadline."""
    if not a.is_live:
        return D.claim_deadline_text(a), a.claim_until.isoformat()
    start, end = D.local(a, a.starts), D.local(a, a.ends or a.starts)
    if end.date() != start.date():
        return date_range(start.date(), end.date()), a.starts.isoformat()
    return moment_text(start), a.starts.isoformat()


def coming_up_html(published: list[Activity], today: dt.date, root: str = "",
                   use_directory_urls: bool = True) -> str:
    """The next live activities by date, then on-demand and journal ones (soonest deadline first),
    each with its date, format and credit in brief; a section with none says so and links to the
    full catalogue. Computed from the published activities at build time."""
    u = lambda src: page_url(src, use_directory_urls)  # noqa: E731
    sections = []
    for s in _split(published, today, (D.UPCOMING, D.ON_DEMAND)):
        heading, empty, listing, name = _COMING_UP[s.key]
        items = []
        for a in s.activities[:COMING_UP_LIMIT]:
            date, iso = coming_up_date(a)
            items.append({"a": a, "url": u(activity_src(a.slug)), "date": date, "iso": iso,
                          "brief": D.credit_brief(a)})
        sections.append({"key": s.key, "heading": heading, "empty": empty, "entries": items,
                         "more": len(s.activities) > COMING_UP_LIMIT, "total": len(s.activities),
                         "all_url": u(listing), "all_name": name})
    return template("coming_up.html").render(sections=sections, root=root, catalogue_url=u(LANDING))


def section_html(s: Section, rows: dict[str, str]) -> str:
    if not s.activities:
        return f'<p class="ce-empty">{s.empty}</p>'
    return TABLE_HEAD + "\n".join(rows[a.slug] for a in s.activities) + "\n</tbody>\n</table></div>"


def chooser(published: list[Activity], use_directory_urls: bool = True) -> dict:
    """Links that narrow the catalogue by learner group, format and topic (landing page)."""
    u = lambda src: page_url(src, use_directory_urls)  # noqa: E731
    professions = []
    for p in PROFESSIONS.values():
        professions.append((p.article_label,
                            [(C.CREDIT_TYPES[k].short, u(f"catalogue/credit/{k}.md"))
                             for k in PROFESSION_CREDITS[p.key]]))
    formats = [(name, u(f"catalogue/format/{fmt}.md"), sum(a.format == fmt for a in published))
               for fmt, name in C.FORMATS.items()]
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for a in published:
        for slug in {D.slugify(t) for t in a.tags}:
            counts[slug] = counts.get(slug, 0) + 1
        for t in a.tags:
            names.setdefault(D.slugify(t), t)
    topics_ = [(names[s], u(f"catalogue/topic/{s}.md"), counts[s]) for s in sorted(counts)]
    return {"professions": professions, "formats": formats, "topics": topics_}


def listing_fragments(listing: Listing, rows: dict[str, str], root: str, chooser_: dict | None,
                      use_directory_urls: bool = True) -> dict[str, str]:
    """Marker -> HTML for one listing page, links made relative with `root`."""
    top = template("listing_top.html").render(
        title=listing.title, intro=listing.intro, root=root,
        chooser=chooser_ if listing.landing else None,
        landing=page_url(LANDING, use_directory_urls))
    out = {"<!--ce:top-->": top}
    for s in listing.sections:
        out[f"<!--ce:section:{s.key}-->"] = section_html(s, rows).replace(ROOT, root)
    return out
