"""The MkDocs plugin `ce_catalog`: publishes the activity catalogue into the site.

It loads the activity folder once per build with the same checker as `python -m catalog check`
(an invalid activity stops the build with `path:line: error: message` lines), adds one generated page
per published activity (kept out of the navigation), the catalogue listings, /activities.json and
/calendar.ics, and fills the generated blocks of the hand-written docs. Rendering lives in
`catalog.site`; this module only connects it to MkDocs' events.
"""
from __future__ import annotations

import datetime as dt
import os
import posixpath
from typing import Any

from markupsafe import escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents, get_toc

from . import credits as C
from .load import Catalog, load_catalog
from .model import Activity
from .site import display as D
from .sanitize import clean
from .site import csp, feeds, pages, reference

log = get_plugin_logger(__name__)

TODAY_ENV = "CE_CATALOG_TODAY"


class CatalogueConfig(base.Config):
    """`plugins: - ce_catalog: {...}` in mkdocs.yml."""

    #: The activity folder, relative to mkdocs.yml.
    folder = c.Dir(exists=True, default="catalog/activities")
    #: The claim server's base URL; purchase buttons link to <claim_url>/activities/<slug>.
    claim_url = c.Type(str, default="http://127.0.0.1:5000")
    #: The provider's name as printed in accreditation statements.
    provider = c.Type(str, default=C.DEFAULT_PROVIDER)
    #: The society's ACPE provider numbers (its own, and its JA… number if jointly accredited): a UAN
    #: with another one is an error. Empty: not checked. `python -m catalog check` reads it from here.
    acpe_providers = c.ListOfItems(c.Type(str), default=[])
    #: The day listings are computed for (YYYY-MM-DD); default: the env CE_CATALOG_TODAY, else today.
    today = c.Optional(c.Type((str, dt.date)))
    #: How the checker's warnings are logged: `info` (shown; only errors stop the build, as the
    #: convener's guide says) or `warn` (a society that wants `mkdocs build --strict` to fail on them).
    checker_warnings = c.Choice(("warn", "info"), default="info")
    #: The name calendar applications show for /calendar.ics.
    calendar_name = c.Type(str, default="CE activities")


class CataloguePlugin(BasePlugin[CatalogueConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings = D.SiteSettings()
        self.catalog: Catalog | None = None
        self._activities: dict[str, Activity] = {}     # generated page src_uri -> activity
        self._listings: dict[str, pages.Listing] = {}  # generated page src_uri -> listing
        self._rows: dict[str, str] = {}
        self._topic_urls: dict[str, str] = {}
        self._chooser: dict | None = None

    # ----------------------------------------------------------------------------------------
    # MkDocs events
    # ----------------------------------------------------------------------------------------
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        claim_url = self.config.claim_url.strip().rstrip("/")
        if not claim_url.startswith(("http://", "https://")):
            raise PluginError(f"ce_catalog: claim_url must start with http:// or https://, not {claim_url!r}")
        self.settings = D.SiteSettings(provider=self.config.provider, claim_url=claim_url,
                                       today=self._today(), site_url=config.site_url or "")
        pages.environment()  # compile the templates once, before any page
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        """Check the whole catalogue before anything is written; stop on any error."""
        # Paths as the convener's terminal shows them: relative to where mkdocs was started.
        folder = os.path.relpath(self.config.folder)
        catalog = load_catalog([folder], acpe_providers=self.config.acpe_providers)
        level = log.warning if self.config.checker_warnings == "warn" else log.info
        for p in catalog.warnings:
            level(str(p))
        if catalog.errors:
            n = len(catalog.errors)
            raise PluginError("\n".join(str(p) for p in catalog.errors)
                              + f"\nce_catalog: {n} error{'s' if n != 1 else ''} in the activity files; "
                                f"run `python -m catalog check {folder}`")
        self.catalog = catalog

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.catalog is not None
        published = self.catalog.published
        today, dirs = self.settings.today, config.use_directory_urls
        self._activities.clear()
        self._listings.clear()
        self._topic_urls = {t: pages.page_url(f"catalogue/topic/{s}.md", dirs)
                            for t, s in pages.topics(published).items()}
        url = {a.slug: pages.page_url(pages.activity_src(a.slug), dirs) for a in published}
        self._rows = {a.slug: pages.listing_row(a, today, url[a.slug]) for a in published}
        absolute = self._absolute
        url_of = lambda a: absolute(url[a.slug])  # noqa: E731
        now = dt.datetime.now(dt.timezone.utc)
        events: dict[str, bytes] = {}

        def add(src: str, content: str | bytes, inclusion: InclusionLevel) -> File:
            if files.get_file_from_path(src) is not None:
                raise PluginError(f"ce_catalog: docs/{src} clashes with a page the catalogue generates; "
                                  "rename or remove it")
            f = File.generated(config, src, content=content, inclusion=inclusion)
            files.append(f)
            return f

        for a in published:
            src = pages.activity_src(a.slug)
            f = add(src, pages.page_source(a), InclusionLevel.NOT_IN_NAV)
            if a.path:  # the edit button opens the convener's file, not a generated page
                f.edit_uri = posixpath.normpath(os.path.relpath(a.path, config.docs_dir).replace(os.sep, "/"))
            self._activities[src] = a
            if a.is_live:
                events[a.slug] = feeds.event_bytes(a, self.settings, url_of(a), now)
                add(pages.ics_src(a.slug), feeds.calendar([a], self.settings, url_of, events=events,
                                                         name=a.title),
                    InclusionLevel.NOT_IN_NAV)
        if any(a.sessions for a in published):
            from .site.programme import SEARCH_JS, SEARCH_JS_SRC
            add(SEARCH_JS_SRC, SEARCH_JS, InclusionLevel.NOT_IN_NAV)
        for listing in pages.listings(published, today):
            add(listing.src_uri, listing.markdown(),
                InclusionLevel.INCLUDED if listing.in_nav else InclusionLevel.NOT_IN_NAV)
            self._listings[listing.src_uri] = listing
        self._chooser = pages.chooser(published, dirs)
        add("activities.json", feeds.activities_json(published, self.settings, url_of, now),
            InclusionLevel.INCLUDED)
        add("calendar.ics", feeds.calendar(published, self.settings, url_of, name=self.config.calendar_name,
                                           events=events),
            InclusionLevel.INCLUDED)
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        src = page.file.src_uri
        if (a := self._activities.get(src)) is not None:
            page.meta["title"] = str(escape(a.title))
            page.meta["description"] = str(escape(f"{a.format_name}: {D.when_text(a)}. {D.price_text(a.price)}."))
            return markdown
        if (listing := self._listings.get(src)) is not None:
            page.meta["title"] = str(escape(listing.title))
            page.meta["search"] = {"exclude": True}  # the activities themselves are indexed
            return markdown

        markdown = pages.mark_coming_up(markdown)

        def unknown(name: str) -> None:
            log.warning(f"{page.file.src_path}: unknown generated block <!-- ce:{name} -->; "
                        f"known: {', '.join(sorted(reference.GENERATORS))}")

        return reference.expand(markdown, unknown)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        src = page.file.src_uri
        root = pages.root_of(page.url)
        if (a := self._activities.get(src)) is not None:
            head, foot = pages.render_activity(
                a, self.settings, root=root, topic_urls=self._topic_urls,
                ics_href=root + pages.ics_src(a.slug))
            page.toc = TableOfContents(list(get_toc(pages.activity_toc(a))) + list(page.toc))
            return head + clean(html) + foot  # the convener's Markdown may carry raw HTML
        if (listing := self._listings.get(src)) is not None:
            for marker, fragment in pages.listing_fragments(listing, self._rows, root, self._chooser,
                                                            config.use_directory_urls).items():
                html = html.replace(marker, fragment)
            return html
        if pages.COMING_UP in html:  # a hand-written page (the home page) lists what is coming up
            html = html.replace(pages.COMING_UP, pages.coming_up_html(
                self.catalog.published if self.catalog else [], self.settings.today, root,
                config.use_directory_urls))
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return csp.add_meta(output)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        return csp.add_meta(output_content) if template_name.endswith(".html") else output_content

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(self.config.folder)
        return server

    # ----------------------------------------------------------------------------------------
    # helpers
    # ----------------------------------------------------------------------------------------
    def _today(self) -> dt.date:
        raw = self.config.today or os.environ.get(TODAY_ENV, "")
        if isinstance(raw, dt.date):
            return raw
        if not raw:
            return dt.date.today()
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise PluginError(f"ce_catalog: today must be a date like 2027-01-31, not {raw!r} "
                              f"(from the `today` option or {TODAY_ENV})") from None

    def _absolute(self, url: str) -> str:
        """A page URL for feeds: absolute under site_url when it is set, else from the site root."""
        base_url = self.settings.site_url
        return (base_url.rstrip("/") + "/" + url) if base_url else "/" + url
