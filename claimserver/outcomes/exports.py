"""CSV and Markdown renderings of the outcome figures (pure functions over metrics dataclasses)."""
from __future__ import annotations

import csv
import io

from flask import Response

from catalog import credits

from ..text import content_disposition, csv_safe
from .metrics import ActivityOutcomes, Brief, ProgrammeRow, ProgrammeSummary
from .operations import IMPLEMENTED, VERDICTS


def csv_response(rows: list[list], filename: str) -> Response:
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in rows:
        w.writerow([csv_safe(v) for v in r])
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition(filename)})


def _pct(v) -> str:
    return "" if v is None else f"{v:g}"


def activity_rows(o: ActivityOutcomes) -> list[list]:
    fu = o.follow_up
    rows = [["section", "item", "value", "detail"],
            ["activity", "slug", o.slug, o.title],
            ["participation", "registrations (paid orders)", o.registrations, ""],
            ["participation", "completions", o.completions, ""],
            ["participation", "evaluations", o.evaluations, ""]]
    rows += [["claims", c.name, c.claims, f"{credits.format_hours(c.hours)} hours"] for c in o.credits]
    rows.append(["satisfaction", "mean (1-5)", _pct(o.satisfaction_mean), ""])
    rows += [["satisfaction", f"rated {k}", n, ""] for k, n in sorted(o.satisfaction.items())]
    rows.append(["commercial bias", "reports", len(o.bias_reports), ""])
    rows += [["commercial bias", f"report {i}", b.submitted_on.isoformat(), b.comment]
             for i, b in enumerate(o.bias_reports, 1)]
    rows += [["competence", f"Q{q.number} percent correct", _pct(q.percent),
              f"{q.correct}/{q.answered}: {q.question}"] for q in o.questions]
    rows.append(["competence", "overall percent correct", _pct(o.competence_percent), ""])
    rows.append(["commitment to change", "rate percent", _pct(o.commitment_rate),
                 f"{o.commitments}/{o.evaluations}"])
    rows += [["follow-up", "scheduled", fu.scheduled, ""], ["follow-up", "sent", fu.sent, ""],
             ["follow-up", "reminded", fu.reminded, ""], ["follow-up", "answered", fu.answered, ""],
             ["follow-up", "opted out", fu.opted_out, ""],
             ["follow-up", "response rate percent", _pct(fu.response_rate), ""],
             ["follow-up", "implementation rate percent", _pct(fu.implementation_rate),
              "fully or partly, among answers other than not applicable"]]
    rows += [["follow-up", IMPLEMENTED[k], n, ""] for k, n in fu.implemented.items()]
    return rows


SUMMARY_HEADER = ["slug", "title", "format", "starts", "registrations", "completions", "evaluations",
                  "claims", "satisfaction mean", "bias reports", "competence percent",
                  "commitment rate percent", "follow-ups sent", "follow-ups answered",
                  "response rate percent", "implementation rate percent"]


def summary_line(o: ActivityOutcomes) -> list:
    fu = o.follow_up
    return [o.slug, o.title, o.format, o.starts_on.isoformat(), o.registrations, o.completions,
            o.evaluations, o.claims, _pct(o.satisfaction_mean), len(o.bias_reports),
            _pct(o.competence_percent), _pct(o.commitment_rate), fu.sent, fu.answered,
            _pct(fu.response_rate), _pct(fu.implementation_rate)]


def summary_rows(s: ProgrammeSummary) -> list[list]:
    return [SUMMARY_HEADER] + [summary_line(o) for o in s.activities]


def programme_rows(rows: list[ProgrammeRow]) -> list[list]:
    out = [SUMMARY_HEADER + ["reviews", "latest verdict", "latest review date", "open changes", "owners"]]
    for r in rows:
        out.append(summary_line(r.outcomes) + [
            r.reviews, VERDICTS.get(r.verdict, "not reviewed"),
            r.latest.reviewed_on.isoformat() if r.latest else "",
            r.open_changes.changes if r.open_changes else "", r.open_changes.owners if r.open_changes else ""])
    return out


def _md(s) -> str:
    """Text safe inside a Markdown table cell or line."""
    s = "" if s is None else str(s)
    s = s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    for ch in "*_`[]<>#":
        s = s.replace(ch, "\\" + ch)
    return s


def _md_pct(v) -> str:
    return "—" if v is None else f"{v:g}%"


def brief_markdown(b: Brief, generated_on: str) -> str:
    lines = [f"# Planning brief: {_md(b.topic)}", "",
             f"Outcomes of past activities on *{_md(b.topic)}*, as of {generated_on}.", ""]
    if not b.items:
        lines.append("No past activities on this topic yet.")
        return "\n".join(lines) + "\n"
    lines += ["| Activity | Date | Competence (% correct) | Commitment to change | "
              "Implemented at follow-up | Commercial-bias reports |",
              "|---|---|---|---|---|---|"]
    for it in b.items:
        o = it.outcomes
        lines.append(f"| {_md(o.title)} | {o.starts_on.isoformat()} | {_md_pct(o.competence_percent)} | "
                     f"{_md_pct(o.commitment_rate)} | {_md_pct(o.follow_up.implementation_rate)} | "
                     f"{len(o.bias_reports)} |")
    lines += ["", "## Changes the reviewers asked for", ""]
    any_changes = False
    for it in b.items:
        for r in it.requested:
            any_changes = True
            lines.append(f"- **{_md(it.outcomes.title)}** ({r.reviewed_on.isoformat()}): {_md(r.changes)} "
                         f"— owner: {_md(r.owners)}")
    if not any_changes:
        lines.append("None recorded.")
    return "\n".join(lines) + "\n"
