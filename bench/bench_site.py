"""Catalogue site build: the ce_catalog plugin against a plain MkDocs + Material build of as many pages.

For 100, 1,000 and 5,000 generated activities, build the site with the plugin, and build the floor:
the same theme and plugins with the same number of ordinary Markdown pages of similar size, not in
the navigation. Each build is a subprocess (its peak memory and CPU time are its own). Bar:
plugin/floor <= 1.25 at 1,000 activities, and 5,000 activities in <= 5.5 x the time of 1,000.

Time is the build's CPU time (user + system) of the child process, best of a few runs: the
builds are single-threaded, so on an idle machine it equals the wall time, and on a shared machine
it is not inflated by other people's work. Wall times are printed too.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

SIZES = (100, 1000, 5000)
RATIO_BAR = 1.25
SCALE_BAR = 5.5
#: Builds per configuration; the fastest counts (the machine is shared, so noise only adds time).
REPEATS = {100: 3, 1000: 3, 5000: 2}
OUT = Path(__file__).resolve().parent / "out" / "site"
TODAY = dt.date(2027, 1, 15)
TOPICS = ["antimicrobial resistance", "stewardship", "mycology", "virology", "parasitology",
          "molecular diagnostics", "biosafety", "blood culture", "tuberculosis", "HIV",
          "infection prevention", "susceptibility testing", "quality", "laboratory management",
          "sepsis", "pharmacy", "immunization", "outbreaks", "point-of-care", "genomics"]
FORMATS = ["webinar", "live", "on-demand", "teleconference", "journal", "workshop"]

CONFIG_COMMON = """\
site_name: Bench
site_url: http://127.0.0.1:8000/
docs_dir: docs
site_dir: site
theme:
  name: material
  features: [navigation.instant, navigation.sections]
markdown_extensions: [admonition, attr_list, def_list, tables, toc]
nav:
  - index.md
"""


def activity_text(i: int, rng: random.Random) -> str:
    fmt = FORMATS[i % len(FORMATS)]
    live = fmt not in ("on-demand", "journal")
    day = TODAY + dt.timedelta(days=rng.randint(-500, 500))
    starts = f"{day}T{rng.randint(9, 16):02d}:00:00-05:00"
    ends = f"{day}T{rng.randint(17, 18):02d}:00:00-05:00"
    tags = rng.sample(TOPICS, 3)
    letter = "L" if live else "H"
    lines = [
        "---",
        f"title: \"Activity {i}: {tags[0].title()} in the Clinical Laboratory\"",
        f"format: {fmt}",
        f"starts: {starts}",
    ]
    if live:
        lines += [f"ends: {ends}", "timezone: America/New_York"]
        if fmt == "live":
            lines += ["conference: ASM Microbe 2027", "location: Los Angeles Convention Center, Los Angeles, CA"]
    else:
        lines += [f"claim_until: {day + dt.timedelta(days=700)}", "pass_mark: 70",
                  "material: https://example.org/material"]
    lines += [
        f"price: {rng.choice(['0', '25.00', '40.00'])}",
        "audience: [physicians, pharmacists, laboratory-professionals]",
        "objectives:",
        f"  - Interpret {tags[0]} results to choose the next laboratory step.",
        f"  - Describe three laboratory interventions in {tags[1]}.",
        "  - Select the tests whose results should be called to the clinical team.",
        "outcomes: [competence]",
        "designations:",
        "  ama_pra_1: {credits: 1}",
        "  acpe:",
        # Every activity its own UAN (the checker refuses a shared one): sequence, then topic 01-08.
        f"    - {{uan: \"0001-0000-{day.year % 100:02d}-{i % 1000:03d}-{letter}0{i // 1000 % 8 + 1}-P\", hours: 1, "
        "activity_type: knowledge}",
        f"  pace: {{program: \"116-{i:05d}-27\", hours: 1, level: intermediate}}",
        "  participation: true",
        "faculty:",
        f"  - name: Speaker {i}, PhD",
        "    role: speaker",
        "    affiliation: Riverside University Medical Center",
        "    disclosures: []",
        f"    attested: {day - dt.timedelta(days=40)}",
        f"  - name: Planner {i}, MD",
        "    role: planner",
        "    disclosures:",
        "      - {company: Acme Diagnostics, relationship: consultant, mitigation: Content peer reviewed.}",
        f"    attested: {day - dt.timedelta(days=60)}",
        "questions:",
        "  - question: Which result should the laboratory call first?",
        "    choices: [Gram-negative rods in a blood culture, Urine culture growth]",
        "    answer: 0",
        "    explanation: Gram-negative rods in a blood culture can change therapy now.",
        f"tags: [{', '.join(tags)}]",
        "---",
        f"Stewardship programmes depend on the laboratory. This activity ({i}) walks through "
        f"{tags[0]}, {tags[1]} and the reporting choices that change prescribing.",
        "",
        "## What you will practise",
        "",
        "- Reading a cumulative antibiogram.",
        "- Choosing rapid diagnostic tests and calling results.",
        "",
    ]
    return "\n".join(lines)


def page_text(i: int, rng: random.Random) -> str:
    """An ordinary hand-written page of about the same size as a rendered activity page."""
    tags = rng.sample(TOPICS, 3)
    para = ("The American Society for Microbiology designates this live activity for a maximum of 1 "
            "*AMA PRA Category 1 Credit*™. Physicians should claim only the credit commensurate with "
            "the extent of their participation in the activity.")
    return "\n".join([
        f"# Page {i}: {tags[0].title()} in the Clinical Laboratory", "",
        "**Live webinar** · AMA learning format: live activity", "",
        "Saturday, June 19, 2027, 2:00 PM – 3:00 PM EST · Online · $25.00", "",
        "## Learning objectives", "",
        f"1. Interpret {tags[0]} results to choose the next laboratory step.",
        f"2. Describe three laboratory interventions in {tags[1]}.",
        "3. Select the tests whose results should be called to the clinical team.", "",
        "## Target audience", "", "Physicians, Pharmacists, Clinical laboratory professionals", "",
        "## Credit", "", "### AMA PRA Category 1 Credit™", "", para, "",
        "The American Society for Microbiology is accredited by the Accreditation Council for "
        "Continuing Medical Education (ACCME) to provide continuing medical education for physicians.", "",
        "### ACPE contact hours", "", "UAN 0001-0000-27-001-L01-P · 1 contact hour · Pharmacists", "",
        "The American Society for Microbiology is accredited by the Accreditation Council for Pharmacy "
        "Education as a provider of continuing pharmacy education.", "",
        "### P.A.C.E.® contact hours", "", f"Program 116-{i:05d}-27 · Intermediate · 1 contact hour", "",
        "The American Society for Microbiology is approved as a provider of continuing education "
        "programs in the clinical laboratory sciences by the ASCLS P.A.C.E.® Program.", "",
        "## Disclosures", "",
        "| Name | Role | Financial relationships |", "|---|---|---|",
        f"| Speaker {i}, PhD | Speaker | Speaker {i}, PhD has no relevant financial relationships |",
        f"| Planner {i}, MD | Planner | Acme Diagnostics: consultant |", "",
        "All relevant financial relationships listed for these individuals have been mitigated.", "",
        "## About this activity", "",
        f"Stewardship programmes depend on the laboratory. This page ({i}) walks through {tags[0]}, "
        f"{tags[1]} and the reporting choices that change prescribing.", "",
        "[Purchase for $25.00](https://example.org/activities/x){ .md-button }", "",
    ])


def make_project(kind: str, n: int) -> Path:
    root = OUT / f"{kind}-{n}"
    if root.exists():
        shutil.rmtree(root)
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n\nThe benchmark site.\n")
    rng = random.Random(n)
    if kind == "plugin":
        acts = root / "activities"
        acts.mkdir()
        for i in range(n):
            (acts / f"activity-{i:05d}.md").write_text(activity_text(i, rng))
        plugins = ("plugins:\n  - search\n  - tags\n  - ce_catalog:\n      folder: activities\n"
                   f"      today: \"{TODAY}\"\n      checker_warnings: info\n")
    else:
        pages = root / "docs" / "pages"
        pages.mkdir()
        for i in range(n):
            (pages / f"page-{i:05d}.md").write_text(page_text(i, rng))
        plugins = "plugins:\n  - search\n  - tags\n"
    (root / "mkdocs.yml").write_text(CONFIG_COMMON + plugins)
    return root


# mkdocs runs under this wrapper so its peak memory is its own: Linux carries the parent's RSS
# high-water mark into a child's ru_maxrss across fork and exec, but VmHWM belongs to the new image.
_HWM_WRAPPER = """
import atexit, os, runpy, sys
def _hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            open(os.environ['CE_BENCH_HWM'], 'w').write(line.split()[1])
atexit.register(_hwm)
sys.argv = ['mkdocs'] + sys.argv[1:]
runpy.run_module('mkdocs', run_name='__main__')
"""


def build(root: Path) -> tuple[float, float, int]:
    """Run `mkdocs build` as a child; return (CPU seconds, wall seconds, peak RSS in KiB)."""
    hwm = root / ".peak-kib"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", CE_BENCH_HWM=str(hwm))
    env.pop("CE_CATALOG_TODAY", None)
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", _HWM_WRAPPER, "build", "--strict", "-q", "-f",
                          str(root / "mkdocs.yml")], cwd=root, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read() if p.stdout else b""
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if p.returncode:
        raise RuntimeError(f"build of {root} failed:\n{out.decode(errors='replace')[-3000:]}")
    peak = int(hwm.read_text()) if hwm.exists() else usage.ru_maxrss
    return usage.ru_utime + usage.ru_stime, wall, peak


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def main() -> int:
    results: dict[tuple[str, int], dict] = {}
    for n in SIZES:
        roots = {}
        for kind in ("floor", "plugin"):
            print(f"{kind:>6} {n:>5}: generating the project", flush=True)
            roots[kind] = make_project(kind, n)
        runs: dict[str, list[tuple[float, float, int]]] = {"floor": [], "plugin": []}
        for rep in range(REPEATS[n]):
            for kind in ("floor", "plugin"):  # interleaved, so load changes hit both alike
                cpu, wall, rss = build(roots[kind])
                runs[kind].append((cpu, wall, rss))
                print(f"{kind:>6} {n:>5}: build {rep + 1}/{REPEATS[n]}  cpu {cpu:6.2f} s  wall {wall:6.2f} s  "
                      f"peak {rss / 1024:5.0f} MiB", flush=True)
        for kind in ("floor", "plugin"):
            site = roots[kind] / "site"
            r = {"secs": min(c for c, _, _ in runs[kind]), "wall": min(w for _, w, _ in runs[kind]),
                 "rss_kib": max(m for _, _, m in runs[kind]), "size": du(site),
                 "search": (site / "search" / "search_index.json").stat().st_size}
            results[(kind, n)] = r
            print(f"{kind:>6} {n:>5}: best cpu {r['secs']:6.2f} s  wall {r['wall']:6.2f} s  "
                  f"peak {r['rss_kib'] / 1024:5.0f} MiB  site {mb(r['size'])}  "
                  f"search index {mb(r['search'])}", flush=True)
            shutil.rmtree(site)
    print()
    print("times: best CPU seconds of each build (wall seconds in brackets)")
    print(f"{'pages':>10} {'floor s':>15} {'plugin s':>15} {'ratio':>6} {'floor MiB':>10} "
          f"{'plugin MiB':>11} {'floor site':>11} {'plugin site':>12} {'floor search':>13} {'plugin search':>14}")
    for n in SIZES:
        f, p = results[("floor", n)], results[("plugin", n)]
        print(f"{n:>10} {f['secs']:>6.2f} ({f['wall']:>6.2f}) {p['secs']:>6.2f} ({p['wall']:>6.2f}) "
              f"{p['secs'] / f['secs']:>6.2f} "
              f"{f['rss_kib'] / 1024:>10.0f} {p['rss_kib'] / 1024:>11.0f} {mb(f['size']):>11} "
              f"{mb(p['size']):>12} {mb(f['search']):>13} {mb(p['search']):>14}")
    ratio = results[("plugin", 1000)]["secs"] / results[("floor", 1000)]["secs"]
    scale = results[("plugin", 5000)]["secs"] / results[("plugin", 1000)]["secs"]
    ok = ratio <= RATIO_BAR and scale <= SCALE_BAR
    print(f"\nratio at 1,000: {ratio:.2f} (bar <= {RATIO_BAR}); 5,000 / 1,000: {scale:.2f} "
          f"(bar <= {SCALE_BAR}) -> {'meets the bar' if ok else 'MISSES THE BAR'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
