"""Learner pages speak the learner's language: no internal keys in what a learner reads.

A crawler logs in as demo learners of every profession (the demo data: claims, certificates,
reports, follow-ups), follows every link a learner can follow from My Activities, and reads each
page's visible text (text nodes plus alt, title, aria-label and placeholder; never attribute values
such as data-credit="ama_pra_1" or option values). It fails on any credit-type, destination,
profession or format key, or on a status word shown raw (`paid` where the label says `Paid`).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from catalog import credits as C
from catalog import status
from catalog.destinations import DESTINATIONS
from catalog.professions import PROFESSIONS
from claimserver import demo
from claimserver.config import REPO
from claimserver.models import Learner
from tests.claimserver.test_outcomes import log_in

#: Keys that are also everyday English in a sentence ("your own pace" is not; see below).
ENGLISH = {"participation", "physician", "pharmacist", "diplomate", "other", "live", "teleconference",
           "webinar", "workshop", "journal", "on-demand", "follow-up", "post-test", "code", "roster",
           "badge", "evaluation", "competence", "director", "committee", "claim", "certificate"}
VOCABULARIES = [v for v in vars(status).values()
                if isinstance(v, type) and issubclass(v, status.Vocabulary) and v is not status.Vocabulary]
KEYS = {*C.CREDIT_TYPES, *DESTINATIONS, *PROFESSIONS, *C.FORMATS,
        *(m.value for v in VOCABULARIES for m in v)}
#: Matched as whole words, case-sensitively: `acpe`, `florida` and `pars` are keys; "ACPE",
#: "Florida" and "PARS" are how the labels spell them.
FORBIDDEN = sorted(k for k in KEYS if k not in ENGLISH and ("_" in k or "-" in k or k in {"acpe", "florida", "pars", "pace"}))
FORBIDDEN_RX = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, FORBIDDEN)) + r")(?![\w-])")
#: A text node that is nothing but a raw status value whose label differs ("pending", not "Not paid").
RAW_STATUS = {m.value: m.label for v in VOCABULARIES for m in v if m.label != m.value}
SKIP = ("/logout", "/staff", "/director", "/static", "/society", "/accounts-static", "/payments/static")
MAX_PAGES = 150


class _Visible(HTMLParser):
    """The text a reader perceives: text nodes outside script/style/head, plus alt/title/aria-label/
    placeholder; and every same-site link."""

    HIDDEN = {"script", "style", "head", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        for name in ("alt", "title", "aria-label", "placeholder"):
            if a.get(name):
                self.texts.append(a[name])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data.strip())


def problems_in(html: str) -> tuple[list[str], list[str]]:
    p = _Visible()
    p.feed(html)
    found = []
    for text in p.texts:
        found += [f"{m.group(0)!r} in {text[:80]!r}" for m in FORBIDDEN_RX.finditer(text)]
        if text in RAW_STATUS:
            found.append(f"raw status {text!r} (its label: {RAW_STATUS[text]!r})")
    return found, p.links


#: Pages of an activity a learner opens from its page or from emails (some answer with a redirect
#: when they do not apply; those are followed no further).
ACTIVITY_STEPS = ("/claim", "/evaluation", "/participate", "/material")


def crawl(client, start: list[str], server: str = "ce.test") -> tuple[dict[str, list[str]], int]:
    """Every learner page reachable from `start` (GET, this server, HTML): url -> problems."""
    seen, queue, found = set(), list(start), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        resp = client.get(url)
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        problems, links = problems_in(resp.get_data(as_text=True))
        if problems:
            found[url] = problems
        for href in links:
            parts = urlsplit(urldefrag(href)[0])
            if (parts.netloc and parts.netloc != server) or not parts.path.startswith("/"):
                continue  # the catalogue, mailto:, other sites
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith(SKIP) or parts.path.endswith((".pdf", ".csv")):
                continue
            if path not in seen:
                queue.append(path)
            if re.fullmatch(r"/activities/[\w-]+", parts.path):
                queue += [parts.path + step for step in ACTIVITY_STEPS if parts.path + step not in seen]
    return found, len(seen)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CATALOG_PATH": str(REPO / "catalog" / "activities")}  # the real sample catalogue


def test_the_checker_sees_a_raw_key_and_a_raw_status():
    """The crawler's reading: keys and raw statuses in text fail; in attributes and labels they pass."""
    bad, _ = problems_in('<p>Credit: ama_pra_1</p><td>pending</td><p>Sent to ce_broker.</p>'
                         '<img alt="laboratory-professional">')
    assert len(bad) == 4
    good, links = problems_in('<li data-credit="ama_pra_1"><span class="status">Not paid</span> '
                              '<a href="/x">AMA PRA Category 1 Credit™</a></li>'
                              '<option value="pharmacy-technician">Pharmacy technician</option>'
                              '<script>var k = "ama_pra_1";</script><p>Florida, ACPE, P.A.C.E.®, PARS</p>')
    assert good == [] and links == ["/x"]


def test_demo_learners_pages_show_labels_never_internal_keys(ctx, client):
    from claimserver.models import Activity

    demo.load_demo(echo=lambda s: None)
    learners = [Learner.get(Learner.profession == p) for p in PROFESSIONS]
    learners += [x for x in Learner.select().where(Learner.florida_licence != "")][:1]
    every_activity = [f"/activities/{a.slug}" for a in Activity.select()]
    visited = 0
    everything: dict[str, list[str]] = {}
    found, n = crawl(client, ["/", "/login", "/signup", "/forgot", "/verify", *every_activity[:5]])
    visited += n
    everything.update({f"(logged out) {url}": p for url, p in found.items()})
    for learner in learners:
        log_in(client, learner)
        found, n = crawl(client, ["/my-activities", "/transcript", "/profile", *every_activity])
        visited += n
        everything.update({f"{learner.email} {url}": p for url, p in found.items()})
    assert visited > 200  # it did read the learners' pages: activities, claims, certificates, receipts
    assert everything == {}
