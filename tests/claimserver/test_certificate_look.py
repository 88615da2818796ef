"""The certificate's look: the society's logo at the top, a signature line, a body spread over the
page for every credit type, and names with emoji printed as the emoji or refused at entry.

PDFs are read back with pypdf (text, the logo's tagged figure) and rasterised with pdftoppm to
measure where the ink is.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from catalog.society import SOCIETY
from claimserver import certificates as cert
from claimserver.models import Learner
from tests.claimserver.test_certificates import content, fonts_of, text_of
from tests.claimserver.test_profile import BASE
from tests.factories import create_learner, login

CREDITS = ["ama_pra_1", "acpe", "pace", "california_cls", "florida", "participation"]
DPI = 40
#: Inside the inner border (mm from each edge) and the largest blank band allowed across it.
INSIDE, MAX_BLANK_MM = 14, 25


def _raster(pdf: bytes, tmp_path: Path) -> tuple[int, int, bytes]:
    """Page 1 as 8-bit RGB pixels (width, height, bytes), via pdftoppm."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    src = tmp_path / "c.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", str(src), str(tmp_path / "c")],
                   check=True)
    data = (tmp_path / "c.ppm").read_bytes()
    magic, size, maxval, pixels = data.split(b"\n", 3)
    assert magic == b"P6" and maxval == b"255"
    w, h = map(int, size.split())
    return w, h, pixels


def _inked_rows_mm(pdf: bytes, tmp_path: Path) -> tuple[list[bool], float]:
    """For each pixel row inside the border: does it carry ink? And the mm per row."""
    w, h, px = _raster(pdf, tmp_path)
    mm = 210 / h
    x0, x1 = int(INSIDE / 297 * w), int((297 - INSIDE) / 297 * w)
    rows = []
    for y in range(h):
        line = px[(y * w + x0) * 3:(y * w + x1) * 3]
        rows.append(min(line) < 160)
    return rows, mm


def _blank_bands(rows: list[bool], mm: float) -> list[float]:
    """Heights (mm) of the ink-free bands between the inner borders, largest first."""
    bands, start = [], None
    for i, ink in enumerate(rows):
        y = i * mm
        if y < INSIDE or y > 210 - INSIDE:
            continue
        if not ink and start is None:
            start = y
        elif ink and start is not None:
            bands.append(y - start)
            start = None
    return sorted(bands, reverse=True)


@pytest.mark.parametrize("credit", CREDITS)
def test_every_credit_type_fills_its_page_without_an_empty_lower_part(credit, tmp_path):
    rows, mm = _inked_rows_mm(cert.render(content(credit)), tmp_path)
    inked = [i * mm for i, ink in enumerate(rows) if ink and INSIDE < i * mm < 210 - INSIDE]
    # ink in the lower 40% of the page, and no blank stretch across the page taller than 25 mm
    assert any(y > 210 * 0.6 for y in inked)
    body_rows = [i * mm for i, ink in enumerate(rows) if ink and 40 < i * mm < 150]
    assert body_rows and max(body_rows) > 135, "the body stops short of the footer"
    assert _blank_bands(rows, mm)[0] <= MAX_BLANK_MM


def test_a_crowded_certificate_still_fits_one_page_above_the_footer(tmp_path):
    c = content("ama_pra_1", name="Maximiliana Wolfeschlegelsteinhausenbergerdorff von Habsburg-Lothringen",
                title="Antimicrobial Stewardship, Diagnostic Stewardship and the Clinical Microbiology "
                      "Laboratory's Role in Sepsis: an Update for the Whole Healthcare Team",
                joint_provider="Acme University School of Medicine, Office of Continuing Education",
                credit_keys=("ama_pra_1", "acpe", "pace", "california_cls", "florida"))
    pdf = cert.render(c)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = text_of(pdf)
    assert "joint providership" in text and "Verification code" in text
    rows, mm = _inked_rows_mm(pdf, tmp_path)
    # a blank band separates the body from the footer (nothing printed over the signature)
    band = [not rows[i] for i in range(int(150 / mm), int(158 / mm))]
    assert any(band)


def test_the_logo_is_at_the_top_in_the_brand_colour_and_tagged_with_its_name(tmp_path):
    pdf = cert.render(content("pace"))
    w, h, px = _raster(pdf, tmp_path)
    brand = SOCIETY.rgb("brand")
    # the logo's box: centred, 15–33 mm from the top
    x0, x1 = int((297 / 2 - 9) / 297 * w), int((297 / 2 + 9) / 297 * w)
    y0, y1 = int(15 / 210 * h), int(33 / 210 * h)
    near = sum(1 for y in range(y0, y1) for x in range(x0, x1)
               if all(abs(px[(y * w + x) * 3 + i] - brand[i]) < 40 for i in range(3)))
    assert near > 20
    # nothing of the logo's colour beside it: it is the logo, not a band
    left = sum(1 for y in range(y0, y1) for x in range(int(40 / 297 * w), int(100 / 297 * w))
               if all(abs(px[(y * w + x) * 3 + i] - brand[i]) < 40 for i in range(3)))
    assert left == 0
    reader = PdfReader(io.BytesIO(pdf))
    figures = []

    def walk(node):
        node = node.get_object()
        if hasattr(node, "get"):
            if node.get("/S") == "/Figure":
                figures.append(str(node.get("/Alt")))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert figures == [SOCIETY.logo_alt]


@pytest.mark.parametrize("credit", CREDITS)
def test_every_certificate_carries_the_signature_line(credit):
    signed = text_of(cert.render(content(credit, signature_name="Dr Jane Roe, Director of Continuing Education")))
    assert "Dr Jane Roe, Director of Continuing Education" in signed
    assert f"For {SOCIETY.name}" in text_of(cert.render(content(credit)))


def test_same_content_gives_the_same_bytes_whatever_was_measured_before():
    cert.render(content(name="Grace Hopper"))       # the statements' heights are now cached
    first = cert.render(content(name="Zoë Lovelace"))
    cert._HEIGHTS.clear()                          # a fresh process measures everything
    assert cert.render(content(name="Zoë Lovelace")) == first


# ------------------------------------------------------------------------------------------------
# Emoji in names
# ------------------------------------------------------------------------------------------------
def test_a_name_with_an_emoji_prints_the_emoji_glyph():
    name = "Ana 🌸 Lima"
    pdf = cert.render(content(name=name))
    assert name in text_of(pdf)
    assert "Symbola" in fonts_of(pdf)
    # the glyph Symbola draws for it has an outline (not an empty box or a blank)
    font = cert.FONTS.get("symbola").font.ttfont
    glyph = font["glyf"][font.getBestCmap()[ord("🌸")]]
    assert glyph.numberOfContours > 0
    assert cert.unprintable(name) == []


@pytest.mark.parametrize("name, refused", [
    ("Ana 🥹 Lima", ["🥹"]),                      # newer than the emoji font
    ("Ana 👍🏽 Lima", ["👍🏽"]),                    # a skin tone would print as a second square
    ("Ana 🇧🇷 Lima", ["🇧🇷"]),                     # a flag would print as two letters in boxes
    ("Ana 👩\u200d⚕️ Lima", ["👩\u200d⚕️"]),      # joined emoji
    ("Ana ❤️ 🙂 Lima", []),
    ("王小明", []), ("محمد عبد الله", []), ("Nguyễn Thị Minh Khai", []),
])
def test_what_a_certificate_cannot_print(name, refused):
    assert cert.unprintable(name) == refused


def test_the_profile_refuses_a_name_the_certificate_would_print_as_boxes(client, rows):
    learner = create_learner(certificate_name="", profession="")
    login(client, learner)
    r = client.post("/profile", data={**BASE, "certificate_name": "Ana 🥹 Lima"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert 'class="field has-error"' in page
    assert "Certificates cannot print 🥹: please remove it or write it another way." in page
    assert "skin tones, flags, joined emoji and the newest emoji cannot be printed" in page
    assert 'value="Ana 🥹 Lima"' in page  # what was typed comes back to be corrected
    assert Learner.get_by_id(learner.id).certificate_name == ""
    r = client.post("/profile", data={**BASE, "certificate_name": "Ana 🌸 Lima"})
    assert r.status_code == 302
    assert Learner.get_by_id(learner.id).certificate_name == "Ana 🌸 Lima"


def test_the_logo_drawn_once_per_process_looks_exactly_like_fpdf2_drawing_it(tmp_path, monkeypatch):
    """The converted logo is replayed into each certificate; it must paint what fpdf2 would."""
    replayed = cert.render(content("acpe"))
    monkeypatch.setattr(cert, "LOGO", cert._Logo())
    monkeypatch.setattr(cert.LOGO, "_convert", lambda *a: None)  # fpdf2 draws the SVG itself
    drawn = cert.render(content("acpe"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert _raster(replayed, tmp_path / "a") == _raster(drawn, tmp_path / "b")
