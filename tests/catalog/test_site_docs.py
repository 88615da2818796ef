"""Hand-written docs with generated blocks, and a broken catalogue stopping `mkdocs build --strict`."""
from __future__ import annotations

import datetime as dt

import pytest

from catalog import credits as C
from catalog import rules
from catalog.professions import PROFESSIONS
from catalog.load import load_catalog
from catalog.plugin import CataloguePlugin
from catalog.schema import FIELDS

from .site_helpers import FIXTURES, activity, build_in_process, build_subprocess, page, read, write_project

GUIDE = """# Guide

<!-- ce:measurable-verbs -->

<!-- ce:unmeasurable-verbs -->

<!-- ce:front-matter -->

<!-- ce:acpe-topics -->

<!-- ce:who-can-claim -->

<!-- ce:relationships -->

<!-- ce:disclosure-exceptions -->

<!-- ce:acpe-activity-types -->
"""


def test_generated_blocks_come_from_the_code(tmp_path):
    root = write_project(tmp_path, {"stewardship-webinar": FIXTURES["stewardship-webinar"]},
                         docs={"guide.md": GUIDE})
    t = read(page(build_in_process(root), "guide")).text
    for verb in rules.MEASURABLE_VERBS:
        assert verb in t
    for verb in rules.UNMEASURABLE_VERBS:
        assert verb in t
    for f in FIELDS:
        assert f.name in t
    assert "designations.acpe[].uan" in t and "faculty[].disclosures[].relationship" in t
    for code, name in C.ACPE_TOPICS.items():
        assert f"{code} {name}" in t
    for label in (p.label for p in PROFESSIONS.values()):
        assert label in t
    for level, verbs in rules.BLOOM_VERBS.items():
        assert f"{level} {', '.join(verbs)}" in t
    for term, label in C.RELATIONSHIPS.items():
        assert term in t and label in t
    for key, wording in {**C.DISCLOSURE_EXCEPTIONS, **C.ACPE_ACTIVITY_TYPES}.items():
        assert f"{key} {wording}" in t
    assert "<!-- ce:" not in (root / "site" / "guide" / "index.html").read_text(encoding="utf-8")


def test_broken_activity_stops_strict_build_with_file_and_line(tmp_path):
    broken = activity(objectives=["Understand the antibiogram."], price="twelve",
                      designations={"ama_pra_1": {"credits": 1}})  # no UAN or program to share
    root = write_project(tmp_path, {"stewardship-webinar": FIXTURES["stewardship-webinar"],
                                    "broken": broken})
    result = build_subprocess(root)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in out
    errors = load_catalog([root / "activities"]).errors
    assert errors
    for p in errors:
        assert str(p).replace(str(root / "activities"), "activities") in out.replace(str(root / "activities"), "activities")
        assert f"broken.md:{p.line}: error: " in out


def test_unknown_generated_block_fails_strict(tmp_path):
    root = write_project(tmp_path, {}, docs={"x.md": "# X\n\n<!-- ce:no-such-block -->\n"})
    result = build_subprocess(root)
    assert result.returncode != 0
    assert "unknown generated block <!-- ce:no-such-block -->" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_today_from_config_or_environment(monkeypatch):
    plugin = CataloguePlugin()
    plugin.load_config({"folder": "."})
    monkeypatch.setenv("CE_CATALOG_TODAY", "2027-02-03")
    assert plugin._today() == dt.date(2027, 2, 3)
    plugin.config.today = "2028-01-01"
    assert plugin._today() == dt.date(2028, 1, 1)
    plugin.config.today = "soon"
    from mkdocs.exceptions import PluginError
    with pytest.raises(PluginError, match="today must be a date"):
        plugin._today()


HOOK = '''
import json, os
def on_files(files, config):
    out = {f.src_uri: [f.generated_by, f.inclusion.name, f.edit_uri] for f in files
           if f.generated_by}
    with open(os.path.join(os.path.dirname(config.config_file_path), "generated.json"), "w") as fh:
        json.dump(out, fh)
    return files
'''


def test_generated_files_name_the_plugin_and_stay_out_of_nav(tmp_path):
    import json

    (tmp_path / "hook.py").write_text(HOOK)
    root = write_project(tmp_path, FIXTURES, extra="hooks:\n  - hook.py\n")
    build_in_process(root)
    gen = json.loads((root / "generated.json").read_text())
    page = gen["activities/stewardship-webinar.md"]
    assert page == ["ce_catalog", "NOT_IN_NAV", "../activities/stewardship-webinar.md"]
    assert gen["catalogue/upcoming.md"][:2] == ["ce_catalog", "INCLUDED"]
    assert gen["catalogue/credit/acpe.md"][:2] == ["ce_catalog", "NOT_IN_NAV"]
    assert {"activities.json", "calendar.ics", "activities/stewardship-webinar.ics"} <= set(gen)
    assert "activities/draft-webinar.md" not in gen


def test_serve_watches_the_activity_folder(tmp_path):
    class Server:
        watched: list = []

        def watch(self, path):
            self.watched.append(path)

    plugin = CataloguePlugin()
    plugin.load_config({"folder": str(tmp_path)})
    server = Server()
    assert plugin.on_serve(server, config=None, builder=None) is server
    assert server.watched == [str(tmp_path)]


def test_the_site_build_refuses_a_uan_without_the_societys_provider_number(tmp_path):
    root = write_project(tmp_path, {"stewardship-webinar": FIXTURES["stewardship-webinar"]})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("      folder: activities\n",
                                                 "      folder: activities\n      acpe_providers: ['0002']\n"))
    result = build_subprocess(root)
    out = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in out
    assert ("activities/stewardship-webinar.md:23: error: UAN 0001-0000-27-001-L01-P carries the ACPE "
            "provider number 0001, which is neither the society's (0002) nor a declared joint "
            "provider's: correct the UAN, or give the partner's number in `joint_provider_number:`") in out
