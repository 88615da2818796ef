"""Certificate PDFs per second against a bare fpdf2 page with the same text in Helvetica.

The floor is the least any fpdf2 certificate costs: one page, a core font (nothing to parse or
embed), the same text in the same cells. Ours embeds subsets of the bundled Unicode fonts, draws a QR
code and italic credit names. Both run interleaved in the same process on varied learners' names;
font parsing is a once-per-process cost, measured and reported separately (first certificate).
Bar: our time per certificate ≤ 6 × the floor's.
"""
from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal

from fpdf import FPDF

from catalog.model import Designation

MAX_RATIO = 6.0
ROUNDS = 5
PER_ROUND = 40
NAMES = ["Ada Lovelace", "José Álvarez-Núñez", "Zoë Ångström", "Chidinma Okonkwo", "Søren Kierkegaard",
         "Marie-Hélène Dubois", "Łukasz Wróbel", "Priya Raghunathan", "Seán Ó Súilleabháin", "Grace Hopper"]
CREDITS = ["ama_pra_1", "acpe", "pace", "california_cls", "florida", "participation"]


def content(i: int):
    from claimserver.certificates import CertificateContent

    credit = CREDITS[i % len(CREDITS)]
    code = f"{i:04d}-M9XD-4RTA-PW3E"
    return CertificateContent(
        code=code, name=NAMES[i % len(NAMES)], credit=credit, hours=Decimal("1.5"),
        designation=Designation(credit, Decimal("1.5"), reference="0001-0000-27-001-L01-P", level="basic",
                                topic="01"),
        title="Antimicrobial Stewardship in the Clinical Laboratory", format="webinar",
        dates="March 12, 2027", location="Online", completed_on=dt.date(2027, 3, 12),
        issued_at=dt.datetime(2027, 3, 13, 15) + dt.timedelta(minutes=i),
        verify_url=f"https://ce.example.org/verify/{code}", provider="American Society for Microbiology",
        designated_ama=Decimal("1.5"), california_licence="CLS-12345", florida_licence="CH-1",
        nabp_epid="1234567", provider_numbers={"pace": "116", "california_agency": "ASCLS P.A.C.E.® (116)",
                                               "ce_broker": "50-1234"})


def _latin(s: str) -> str:
    return s.encode("cp1252", "replace").decode("cp1252")


def floor(c) -> bytes:
    """The same lines in the same cells, Helvetica, no images, no embedded fonts."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    w = pdf.w - 40
    pdf.set_x(20)
    for line in [c.provider.upper(), c.type.certificate_title, c.lead, c.name, c.credit_line.text,
                 c.title, c.dates, *c.details()]:
        pdf.multi_cell(w, 6, _latin(line), align="C", new_x="LMARGIN", new_y="NEXT")
    for st in c.statements():
        pdf.multi_cell(w - 50, 4.2, _latin(st.text), new_x="LMARGIN", new_y="NEXT")
    for line in (f"Verification code: {c.code}", f"Verify at {c.verify_url}"):
        pdf.cell(w, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def main() -> int:
    from claimserver import certificates

    t = time.perf_counter()
    certificates.render(content(0))
    first = time.perf_counter() - t
    print(f"first certificate (parses the fonts once per process): {first * 1000:.0f} ms", flush=True)
    floor(content(0))
    ours_runs, floor_runs = [], []
    for r in range(ROUNDS):
        t = time.perf_counter()
        for i in range(PER_ROUND):
            floor(content(r * PER_ROUND + i))
        floor_runs.append((time.perf_counter() - t) / PER_ROUND)
        t = time.perf_counter()
        for i in range(PER_ROUND):
            certificates.render(content(r * PER_ROUND + i))
        ours_runs.append((time.perf_counter() - t) / PER_ROUND)
        print(f"round {r + 1}/{ROUNDS}: floor {floor_runs[-1] * 1000:.1f} ms, ours {ours_runs[-1] * 1000:.1f} ms "
              "per certificate", flush=True)
    f, o = statistics.median(floor_runs), statistics.median(ours_runs)
    ratio = o / f
    print(f"floor (Helvetica, no fonts embedded): {1 / f:.0f} certificates/s ({f * 1000:.1f} ms each)")
    print(f"ours (bundled Unicode fonts, QR):     {1 / o:.0f} certificates/s ({o * 1000:.1f} ms each)")
    print(f"ratio ours/floor time per document: {ratio:.2f} (bar ≤ {MAX_RATIO})")
    return 0 if ratio <= MAX_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
