"""Command line for conveners: `python -m catalog check [PATH…]`, `python -m catalog new` and
`python -m catalog import-programme` (a meeting's sessions from a planning tool's CSV).

`check` prints every problem as `path:line: severity: message`, then one summary line, and exits 1
on any error (or, with --strict, any warning). It never prints a traceback, whatever the input.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import yaml

from .load import DEFAULT_FOLDER, SLUG_RE, load_catalog

SKELETON = """\
---
title: {title}
format: {format}                      # live | teleconference | webinar | workshop | journal | on-demand
starts: {starts}   # with a UTC offset
ends: {ends}
timezone: America/New_York
location: Online
price: 25.00
audience: [physicians, laboratory-professionals]
objectives:
  - Describe TODO (start each objective with a measurable verb).
outcomes: [competence]
designations:
  ama_pra_1: {{credits: 1}}
  pace: {{program: TODO-program-number, hours: 1, level: intermediate}}
  participation: true
faculty:
  - name: TODO Speaker Name, PhD
    role: speaker
    disclosures: []              # or: - {{company: …, relationship: consultant, mitigation: …}}
    attested: {attested}
  - name: TODO Planner Name, MD
    role: planner
    disclosures: []
    attested: {attested}
questions:
  - question: TODO A question learners answer at the end?
    choices: [TODO right answer, TODO wrong answer]
    answer: 0
    explanation: TODO Why the right answer is right.
tags: []
draft: true
---
TODO: the description learners read, in Markdown.
"""


class _AnyTag(yaml.SafeLoader):
    """Reads mkdocs.yml without running its tags (`!ENV`, `!!python/name:`): they become None."""


_AnyTag.add_multi_constructor("", lambda loader, suffix, node: None)


def society_acpe_providers(config: Path = Path("mkdocs.yml")) -> list[str]:
    """The `acpe_providers` of the ce_catalog plugin in mkdocs.yml (one setting for site and CLI)."""
    try:
        data = yaml.load(config.read_text(encoding="utf-8"), Loader=_AnyTag) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return []
    for plugin in data.get("plugins") or [] if isinstance(data, dict) else []:
        if isinstance(plugin, dict) and isinstance(plugin.get("ce_catalog"), dict):
            numbers = plugin["ce_catalog"].get("acpe_providers") or []
            return [str(n) for n in numbers] if isinstance(numbers, list) else []
    return []


def _check(args: argparse.Namespace) -> int:
    providers = args.acpe_provider if args.acpe_provider is not None else society_acpe_providers()
    cat = load_catalog(args.paths or [DEFAULT_FOLDER], acpe_providers=[p for p in providers if p])
    if cat.files == 0:
        # A mistyped folder must not look like a clean catalogue.
        print(f"error: no activity files (*.md) in {', '.join(map(str, args.paths or [DEFAULT_FOLDER]))}",
              file=sys.stderr)
        return 1
    errors, warnings = cat.errors, cat.warnings
    failed = bool(errors) or (args.strict and bool(warnings))
    if args.format == "json":
        json.dump({"files": cat.files, "activities": len(cat.activities), "errors": len(errors),
                   "warnings": len(warnings), "ok": not failed,
                   "problems": [p.as_dict() for p in cat.problems]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for p in cat.problems:
            print(p)
        n = cat.files
        print(f"checked {n} activity file{'s' if n != 1 else ''}: {len(errors)} error"
              f"{'s' if len(errors) != 1 else ''}, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
              + (" (warnings fail with --strict)" if args.strict and warnings and not errors else ""))
    return 1 if failed else 0


def _new(args: argparse.Namespace) -> int:
    slug = args.slug
    if not SLUG_RE.match(slug):
        print(f"error: `{slug}` must be lower-case words joined by hyphens, e.g. sepsis-update-2027",
              file=sys.stderr)
        return 2
    folder = Path(args.folder)
    path = folder / f"{slug}.md"
    if path.exists():
        print(f"error: {path} already exists", file=sys.stderr)
        return 2
    day = dt.date.today() + dt.timedelta(days=60)
    # JSON strings are valid YAML double-quoted scalars: a title with ": " or "#" stays one string.
    title = json.dumps(args.title or slug.replace("-", " ").capitalize(), ensure_ascii=False)
    text = SKELETON.format(title=title, format="webinar",
                           starts=f"{day}T12:00:00-05:00", ends=f"{day}T13:00:00-05:00",
                           attested=dt.date.today())
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}: fill in every TODO, set `draft: false`, then run `python -m catalog check {path}`")
    return 0


def _import_programme(args) -> int:
    from .meeting import write_sessions
    from .programme_import import import_programme, parse_offset

    offset = parse_offset(args.offset)
    if offset is None:
        print(f"error: --offset {args.offset!r} is not a UTC offset like -04:00", file=sys.stderr)
        return 2
    try:
        text = Path(args.csv).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        print(f"{args.csv}:1: error: cannot read the programme: {e}", file=sys.stderr)
        return 1
    sessions, problems = import_programme(text, offset)
    for line, message in problems:
        print(f"{args.csv}:{line}: error: {message}")
    if problems:
        print(f"{len(problems)} bad row{'s' if len(problems) != 1 else ''}: nothing written; fix them "
              "and import again")
        return 1
    Path(args.sessions).write_text(write_sessions(sessions), encoding="utf-8")
    print(f"wrote {len(sessions)} sessions to {args.sessions}; now run `python -m catalog check`")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m catalog", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="check activity files and report problems by file and line")
    c.add_argument("paths", nargs="*", help=f"files or folders (default: {DEFAULT_FOLDER})")
    c.add_argument("--strict", action="store_true", help="fail on warnings too")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("--acpe-provider", action="append", metavar="NUMBER",
                   help="the society's ACPE provider number (repeat for a JA… number); a UAN with "
                        "another is an error. Default: `acpe_providers` in ./mkdocs.yml; "
                        "`--acpe-provider ''` checks none")
    c.set_defaults(func=_check)
    n = sub.add_parser("new", help="write a skeleton activity file to fill in")
    n.add_argument("slug", help="the file name without .md, e.g. sepsis-update-2027")
    n.add_argument("--title", default="")
    n.add_argument("--folder", default=str(DEFAULT_FOLDER))
    n.set_defaults(func=_new)
    i = sub.add_parser("import-programme", help="turn a meeting-planning tool's programme CSV into a "
                                                "meeting's sessions file, reporting bad rows by line")
    i.add_argument("csv", help="the programme exported from the planning tool")
    i.add_argument("sessions", help="the sessions file to write, e.g. catalog/activities/<slug>.sessions.csv")
    i.add_argument("--offset", required=True, help="the meeting's UTC offset, e.g. -04:00")
    i.set_defaults(func=_import_programme)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # never a traceback for a convener
        print(f"error: unexpected failure while checking: {type(e).__name__}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
