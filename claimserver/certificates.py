"""Certificate PDFs (fpdf2): one per claim, worded per credit type from `catalog.statements`.

Rendering is a pure function of `CertificateContent`, so the same certificate always gives the same
bytes. Names print in any script through the bundled fonts in `fonts/` (see its README): Noto Sans
for Latin, Greek and Cyrillic, with Arabic, Hebrew, CJK and emoji fonts as fallbacks.

Speed: fpdf2's `add_font` parses the whole TTF for every document (tens of milliseconds per font,
far more for the 4 MB CJK font). `FONTS` parses each font once per process and hands every document
a light clone whose only per-document parts are a lazily-read copy of the font bytes (which fpdf2
subsets in place at output) and the subset map. Fallback fonts are attached only when the
document's text needs them.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import segno
from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.syntax import Name

from catalog import credits as C
from catalog import florida
from catalog import statements as S
from catalog.dates import long_date
from catalog.model import Designation
from catalog.society import SOCIETY

FONT_DIR = Path(__file__).parent / "fonts"
BODY = "notosans"
#: (family, style, file). The first three are the main family; the rest are fallbacks, in order.
FONT_FILES: tuple[tuple[str, str, str], ...] = (
    (BODY, "", "NotoSans-Regular.ttf"),
    (BODY, "B", "NotoSans-Bold.ttf"),
    (BODY, "I", "NotoSans-Italic.ttf"),
    ("notoarabic", "", "NotoSansArabic-Regular.ttf"),
    ("notohebrew", "", "NotoSansHebrew-Regular.ttf"),
    ("droidcjk", "", "DroidSansFallbackFull.ttf"),
    ("symbola", "", "Symbola.ttf"),
)
FALLBACKS = tuple(f for f, _, _ in FONT_FILES if f != BODY)
#: Tables fpdf2 drops when it subsets: removing them once per process saves parsing per document.
#: (HarfBuzz shapes from the original file, so Arabic joining still sees GSUB/GPOS.)
_SLIM_DROP = ("GSUB", "GPOS", "GDEF", "DSIG", "MATH", "meta", "FFTM", "hdmx")
PRODUCER = "CE Portal"
#: Characters most certificates use (ASCII, Latin-1, Latin Extended-A, punctuation, ™, €). Each main
#: font is subset to this set once per process; a document whose text stays inside it embeds that
#: small font (re-subsetting it costs little) instead of subsetting the full font again.
COMMON = frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x180)) | frozenset(range(0x2010, 0x2028)) \
    | frozenset((0x2122, 0x20AC, 0x2212))


class _Prototype:
    """One font parsed once: metrics and cmap shared by every document."""

    def __init__(self, family: str, style: str, path: Path):
        holder = FPDF()
        holder.render_color_fonts = False
        self.font = TTFFont(holder, path, family + style, style)
        self.glyph_order = self.font.ttfont.getGlyphOrder()
        self.font.hbfont  # noqa: B018 - build the HarfBuzz face once, from the original file
        slim = ttLib.TTFont(path, recalcTimestamp=False)
        for tag in _SLIM_DROP:
            if tag in slim:
                del slim[tag]
        if "post" in slim:
            slim["post"].formatType = 3.0  # glyph names come from the cached glyph order instead
        buf = io.BytesIO()
        slim.save(buf)
        self.slim = buf.getvalue()
        self.cmap = self.font.cmap
        self.common = frozenset(cp for cp in COMMON if cp in self.cmap)
        self.common_bytes, self.common_order = self._subset(slim, {self.cmap[cp] for cp in self.common})

    def _subset(self, font: ttLib.TTFont, glyphs: set[str]) -> tuple[bytes, list[str]]:
        font.setGlyphOrder(self.glyph_order)
        options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
        subsetter = ftsubset.Subsetter(options)
        subsetter.populate(glyphs=sorted(glyphs))
        subsetter.subset(font)
        order = font.getGlyphOrder()
        buf = io.BytesIO()
        font.save(buf)
        return buf.getvalue(), order

    def covers_commonly(self, text: str) -> bool:
        """Whether every character of `text` this font draws is in the pre-subset common set."""
        return all(ord(c) in self.common or ord(c) not in self.cmap for c in text)

    def attach(self, pdf: FPDF, fontkey: str, common: bool = False) -> None:
        """Add this font to `pdf` the way `add_font` would, without parsing the file again.

        `common`: embed from the pre-subset common-set font (only when the text stays inside it and
        is not shaped, since HarfBuzz glyph ids refer to the full font)."""
        clone = TTFFont.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(self.font, slot):
                setattr(clone, slot, getattr(self.font, slot))
        clone.i = len(pdf.fonts) + 1
        clone.fontkey = fontkey
        data, order = (self.common_bytes, self.common_order) if common else (self.slim, self.glyph_order)
        fresh = ttLib.TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
        fresh.setGlyphOrder(order)
        clone.ttfont = fresh
        clone.missing_glyphs = []
        clone.biggest_size_pt = 0
        clone.color_font = None
        clone.subset = SubsetMap(clone)
        pdf.fonts[fontkey] = clone


class FontBank:
    """Every bundled font, each parsed at most once per process (on first use)."""

    def __init__(self, files: Iterable[tuple[str, str, str]] = FONT_FILES, folder: Path = FONT_DIR):
        self.files = {(f, s): folder / name for f, s, name in files}
        self._protos: dict[tuple[str, str], _Prototype] = {}
        self._lock = threading.Lock()

    def get(self, family: str, style: str = "") -> _Prototype:
        key = (family, style)
        proto = self._protos.get(key)
        if proto is None:
            with self._lock:
                proto = self._protos.get(key)
                if proto is None:
                    proto = self._protos[key] = _Prototype(family, style, self.files[key])
        return proto

    def fallbacks_for(self, text: str) -> list[str]:
        """The fallback families needed for characters the main font lacks (in fallback order)."""
        main = self.get(BODY).cmap
        missing = {ord(c) for c in text if ord(c) not in main and not c.isspace()
                   and unicodedata.category(c)[0] != "C"}
        out: list[str] = []
        for family in FALLBACKS:
            if not missing:
                break
            covered = {cp for cp in missing if cp in self.get(family).cmap}
            if covered:
                out.append(family)
                missing -= covered
        return out

    def setup(self, pdf: FPDF, text: str, styles: str = "BI", shaping: bool = False) -> None:
        """Attach the main family (regular + `styles`) and the fallbacks `text` needs."""
        pdf.render_color_fonts = False
        for style in ("",) + tuple(styles):
            proto = self.get(BODY, style)
            proto.attach(pdf, BODY + style, common=not shaping and proto.covers_commonly(text))
        needed = self.fallbacks_for(text)
        for family in needed:
            self.get(family).attach(pdf, family)
        if needed:
            pdf.set_fallback_fonts(needed, exact_match=False)


FONTS = FontBank()


def needs_shaping(text: str) -> bool:
    """Arabic, Hebrew and other complex scripts need HarfBuzz (joining, bidi, marks)."""
    return any(0x0590 <= ord(c) <= 0x08FF or 0x0900 <= ord(c) <= 0x0DFF or 0xFB1D <= ord(c) <= 0xFEFF
               or unicodedata.combining(c) for c in text)


# ------------------------------------------------------------------------------------------------
# What a certificate can print
# ------------------------------------------------------------------------------------------------
ZWJ, VARIATION_SELECTORS = "\u200d", frozenset("\ufe0e\ufe0f")
#: Emoji parts a monochrome font draws as squares of their own instead of combining them with the
#: emoji before: skin tones, flag letters (regional indicators), the keycap mark, tag characters.
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_FLAG_LETTERS = range(0x1F1E6, 0x1F200)
_COMBINING_EMOJI = frozenset(chr(c) for c in (*_SKIN_TONES, 0x20E3, *range(0xE0020, 0xE0080)))


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or ord(ch) >= 0x1F000


def _clusters(text: str) -> list[str]:
    """`text` cut into what a reader sees as one symbol: a character with the modifiers, variation
    selectors and zero-width-joined characters that follow it; two flag letters make one flag."""
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i + 1
        if ord(text[i]) in _FLAG_LETTERS and j < len(text) and ord(text[j]) in _FLAG_LETTERS:
            j += 1
        while j < len(text) and (text[j] in _COMBINING_EMOJI or text[j] in VARIATION_SELECTORS
                                 or text[j] == ZWJ or text[j - 1] == ZWJ):
            j += 1
        out.append(text[i:j])
        i = j
    return out


def _has_glyph(ch: str) -> bool:
    if ord(ch) in FONTS.get(BODY).cmap:
        return True
    return any(ord(ch) in FONTS.get(family).cmap for family in FALLBACKS)


def unprintable(text: str) -> list[str]:
    """The symbols in `text` a certificate cannot print, in order, each once: characters none of
    the bundled fonts has (emoji newer than Symbola's Unicode 10, for one), and emoji made of
    several parts (skin tones, flags, keycaps, zero-width-joined emoji such as 👩‍⚕️), which a
    monochrome emoji font would print as separate squares. Single emoji it has (🌸, 🙂, ❤️) print."""
    out: list[str] = []
    for cluster in _clusters(text or ""):
        base = cluster.rstrip("".join(VARIATION_SELECTORS))
        joined = ZWJ in base and any(_is_emoji(ch) for ch in base)
        combined = len(base) > 1 and (any(ch in _COMBINING_EMOJI for ch in base)
                                      or ord(base[0]) in _FLAG_LETTERS)
        lone_flag_letter = len(base) == 1 and ord(base[0]) in _FLAG_LETTERS
        missing = any(not _has_glyph(ch) for ch in base if not ch.isspace() and ch != ZWJ
                      and unicodedata.category(ch)[0] != "C")
        if (joined or combined or lone_flag_letter or missing) and cluster not in out:
            out.append(cluster)
    return out


def unprintable_message(symbols: list[str]) -> str:
    """The learner's explanation for `unprintable`'s answer."""
    them = "it" if len(symbols) == 1 else "them"
    out = f"Certificates cannot print {' '.join(symbols)}: please remove {them} or write {them} another way."
    if any(_is_emoji(ch) or ord(ch) in _FLAG_LETTERS for s in symbols for ch in s):
        out += (" Emoji print in black and white, one at a time; skin tones, flags, joined emoji and the "
                "newest emoji cannot be printed.")
    return out


# ------------------------------------------------------------------------------------------------
# What a certificate says
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one certificate, frozen at issue (the claim's snapshot)."""

    code: str
    name: str
    credit: str
    hours: Decimal
    designation: Designation
    title: str
    format: str
    dates: str
    location: str
    completed_on: dt.date
    issued_at: dt.datetime
    verify_url: str
    provider: str
    profession: str = ""
    designated_ama: Decimal | None = None  # the activity's AMA designation, for participation
    california_licence: str = ""
    florida_licence: str = ""
    nabp_epid: str = ""
    provider_numbers: dict = field(default_factory=dict)
    revoked_on: dt.date | None = None
    joint_provider: str = ""                # ACCME joint providership partner
    jointly_accredited: bool = False        # the provider is jointly accredited (a JA UAN)
    credit_keys: tuple[str, ...] = ()       # every credit type the activity designates
    subject_hours: tuple[tuple[str, Decimal], ...] = ()  # Florida: hours completed per subject area
    signature_image: str = ""               # Florida: the provider's signature (setting CE_SIGNATURE_IMAGE)
    signature_name: str = ""                # …and/or the signatory's printed name (CE_SIGNATURE_NAME)
    sessions: tuple[tuple[str, str, Decimal], ...] = ()  # a meeting: (id, title, hours) counted

    @property
    def type(self) -> C.CreditType:
        return C.CREDIT_TYPES[self.credit]

    def details(self) -> list[str]:
        """Lines identifying the credit: UAN, program number, licence and course numbers."""
        d, n = self.designation, self.provider_numbers
        if self.credit == "ama_pra_1":
            return [f"Learning format: {C.AMA_LEARNING_FORMATS[self.format]}"]
        if self.credit == "acpe":
            topic = C.ACPE_TOPICS.get(d.topic, "")
            kind = C.ACPE_ACTIVITY_TYPES.get(d.activity_type, "")
            lines = [f"ACPE Universal Activity Number (UAN): {d.reference}"
                     + (f" · Activity type: {kind}" if kind else ""),
                     f"Contact hours: {C.format_hours(self.hours)} ({C.format_hours(self.type.ceu(self.hours))} CEU)"
                     + (f" · Topic: {topic}" if topic else "")]
            if self.nabp_epid:
                lines.append(f"NABP e-Profile ID: {self.nabp_epid}")
            return lines
        if self.credit == "pace":
            return [f"P.A.C.E.® program number: {d.reference} · Level of instruction: {d.level.capitalize()}",
                    f"P.A.C.E.® provider number: {n.get('pace', '')}"]
        if self.credit == "california_cls":
            return [f"California CLS licence: {self.california_licence} · Name as on the licence: {self.name}",
                    f"Course: {self.title} · Course number: {d.reference}",
                    f"Accrediting agency: {n.get('california_agency', '')}"]
        if self.credit == "florida":  # 64B3-11.003: licence, tracking number, hours per subject area
            lines = [f"Florida licence number: {self.florida_licence}",
                     f"CE Broker course tracking number: {d.reference} · CE Broker provider: "
                     f"{n.get('ce_broker', '')}"]
            if self.subject_hours:
                lines.append(florida.subject_hours_line(self.subject_hours))
            return lines
        return []

    @property
    def signed(self) -> bool:
        """Every certificate carries the provider's signature line (Florida's 64B3-11.003 requires it)."""
        return True

    @property
    def signature_caption(self) -> str:
        """The line under the signature: the signatory's name, else who signs."""
        return self.signature_name or f"For {self.provider}"

    def statements(self) -> list[S.Statement]:
        """The designation, accreditation and approval statements this certificate carries."""
        acc = S.Accreditation(self.provider, self.joint_provider, self.jointly_accredited)
        return S.statements_for(acc, self.credit, self.format, reference=self.designation.reference,
                                designated_ama=self.designated_ama, hours=self.hours,
                                profession=self.profession, certificate=True,
                                credit_keys=self.credit_keys or (self.credit,))

    @property
    def lead(self) -> str:
        return "This records that" if self.credit == "acpe" else "This certifies that"

    @property
    def credit_line(self) -> S.Statement:
        return S.certificate_credit_line(self.credit, self.hours, self.format)

    def all_text(self) -> str:
        parts = [self.name, self.title, self.location, self.dates, self.provider, *self.details(),
                 *(s.text for s in self.statements()), self.credit_line.text,
                 self.signature_caption if self.signed else "",
                 *(f"{i} {t} {self.type.units(h)}" for i, t, h in self.sessions)]
        return "\n".join(parts)


def _markdown(st: S.Statement) -> str:
    """fpdf2 markdown: italic segments as __…__ (the credit name is always italic)."""
    return "".join(f"__{s}__" if it else s.replace("__", "_\u200b_").replace("**", "*\u200b*")
                   .replace("--", "-\u200b-") for s, it in st.segments)


def _statement(pdf: FPDF, w: float, h: float, st: S.Statement, align: str, dry: bool = False) -> float:
    """A statement in one cell; markdown (slower line breaking) only when it has italics. Returns
    its height; `dry` only measures."""
    md = any(it for _, it in st.segments)
    return _text(pdf, w, h, _markdown(st) if md else st.text, align, dry, markdown=md)


#: Measured paragraph heights: the same statements and titles recur on thousands of certificates,
#: and measuring (fpdf2's line breaking) costs as much as drawing. Bounded; cleared when full.
_HEIGHTS: dict[tuple, float] = {}
_HEIGHTS_MAX = 4096


def _text(pdf: FPDF, w: float, h: float, text: str, align: str, dry: bool, markdown: bool = False) -> float:
    """A wrapped paragraph at the current position; its height (measured only, when `dry`)."""
    if dry:
        key = (text, w, h, markdown, pdf.font_family, pdf.font_style, pdf.font_size_pt,
               tuple(pdf._fallback_font_ids))
        height = _HEIGHTS.get(key)
        if height is None:
            height = pdf.multi_cell(w, h, text, align=align, markdown=markdown, dry_run=True, output="HEIGHT")
            if len(_HEIGHTS) >= _HEIGHTS_MAX:
                _HEIGHTS.clear()
            _HEIGHTS[key] = height
        return height
    y = pdf.get_y()
    pdf.multi_cell(w, h, text, align=align, markdown=markdown, new_x="LEFT", new_y="NEXT")
    return pdf.get_y() - y


class _Doc(FPDF):
    def __init__(self, issued_at: dt.datetime, **kw):
        super().__init__(**kw)
        self.set_creation_date(issued_at.replace(tzinfo=dt.timezone.utc) if issued_at.tzinfo is None
                               else issued_at)
        self.set_producer(PRODUCER)
        self.set_creator(PRODUCER)
        self.set_auto_page_break(False)
        self.set_compression(True)

    def _render_styled_text_line(self, text_line, *args, **kwargs):
        drawn = super()._render_styled_text_line(text_line, *args, **kwargs)
        if any(getattr(f, "font", None) is not None and f.font.fontkey in self._fallback_font_ids
               for f in text_line.fragments):
            # fpdf2 2.8.9: a line drawing a fallback font is wrapped in q…Q, and the main font it
            # selects inside is forgotten at Q while fpdf2 believes it is still selected: the next
            # line would print its glyph ids in whatever font the page had before (garbage text).
            # Select the font again before the next line.
            self.current_font_is_set_on_page = False
        return drawn


def qr_png(url: str) -> bytes:
    buf = io.BytesIO()
    # A fixed mask skips segno's search over all eight (most of its time); any mask is valid.
    segno.make(url, error="m", mask=0, micro=False).save(buf, kind="png", scale=4, border=0)
    return buf.getvalue()


def _fit_size(pdf: FPDF, text: str, width: float, start: float, smallest: float, style: str) -> float:
    size = start
    while size > smallest:
        pdf.set_font(BODY, style, size)
        if pdf.get_string_width(text) <= width:
            break
        size -= 1
    return size


def _signature(pdf: FPDF, c: CertificateContent, x: float, y: float, width: float) -> None:
    """The provider's signature line: the image (if set) above a rule, the printed name below."""
    if c.signature_image:
        pdf.image(c.signature_image, x=x, y=y - 14, h=13, keep_aspect_ratio=True, w=width)
    pdf.set_draw_color(*SOCIETY.rgb("text"))
    pdf.set_line_width(0.3)
    pdf.line(x, y, x + width, y)
    pdf.set_xy(x, y + 1)
    pdf.set_font(BODY, "", 9)
    pdf.multi_cell(width, 4.5, c.signature_caption, align="C", new_x="LMARGIN", new_y="NEXT")


class _Logo:
    """The society's logo, drawn the way `FPDF.image` draws an SVG, but converted once per process.

    fpdf2 parses the SVG and turns its shapes into PDF path operators for every document (about as
    long as the rest of the certificate). The operators depend only on the page size and the logo's
    box, so they are made once in a scratch document and written into each certificate, inside the
    marked sequence that carries the logo's alternative text; the graphics states they name (line
    widths, caps) are registered in the certificate under its own names. A logo needing any other
    page resource (an image, a gradient) is drawn by fpdf2 each time instead."""

    _STATE = re.compile(r"/(GS\d+) gs")
    _OTHER = re.compile(r"/\S+ (Do|sh|scn|SCN)\b")

    def __init__(self) -> None:
        self._ops: dict[tuple, tuple[str, tuple[tuple[str, str], ...]] | None] = {}
        self._lock = threading.Lock()

    def _convert(self, w: float, h: float, x: float, y: float, size: float):
        scratch = FPDF(unit="mm", format=(w, h))
        scratch.add_page()
        before = len(scratch.pages[1].contents)
        scratch.image(SOCIETY.logo_path, x=x, y=y, w=size, h=size)
        ops = bytes(scratch.pages[1].contents[before:]).decode("latin-1")
        if self._OTHER.search(ops):
            return None
        states = tuple((str(name), style) for style, name in scratch._resource_catalog.graphics_styles.items())
        return ops, states

    def draw(self, pdf: FPDF, x: float, y: float, size: float) -> None:
        key = (pdf.w, pdf.h, x, y, size)
        if key not in self._ops:
            with self._lock:
                if key not in self._ops:
                    self._ops[key] = self._convert(pdf.w, pdf.h, x, y, size)
        converted = self._ops[key]
        if converted is None:
            pdf.image(SOCIETY.logo_path, x=x, y=y, w=size, h=size, alt_text=SOCIETY.logo_alt)
            return
        ops, states = converted
        catalog = pdf._resource_catalog  # noqa: SLF001 - as FPDF.drawing_context registers them
        renamed = {}
        for name, style in states:
            if style not in catalog.graphics_styles:
                catalog.graphics_styles[style] = Name(f"GS{len(catalog.graphics_styles)}")
            renamed[name] = str(catalog.graphics_styles[style])
        ops = self._STATE.sub(lambda m: f"/{renamed[m.group(1)]} gs", ops)
        with pdf._marked_sequence(alt_text=SOCIETY.logo_alt):  # noqa: SLF001 - as FPDF.image does
            catalog.index_stream_resources(ops, pdf.page)
            pdf._out(ops)  # noqa: SLF001
        pdf._set_min_pdf_version("1.4")  # noqa: SLF001 - the drawing API's operators


LOGO = _Logo()

#: Page geometry (A4 landscape, mm): the logo's box at the top, the margin, where the body may run
#: (between the logo and the signature/verification footer), the most space put between groups.
LOGO_TOP, LOGO_SIZE, MARGIN = 15.0, 18.0, 20.0
BODY_TOP, BODY_BOTTOM_FROM_FOOT, MAX_GAP = LOGO_TOP + LOGO_SIZE + 3, 56.0, 12.0
#: Statement type sizes tried in turn until the body fits (a long joint-providership page shrinks).
STATEMENT_SIZES = (9.5, 9.0, 8.5, 8.0, 7.5, 7.0)


def _body(pdf: FPDF, c: CertificateContent, w: float, statement_size: float, gaps: float, dry: bool,
          shaping: bool) -> float:
    """Everything between the logo and the footer, in five groups (who issues, who, what, the credit's
    details, the statements) separated by `gaps`; returns the height it takes (drawn unless `dry`)."""
    left = pdf.l_margin
    brand, text_color = SOCIETY.rgb("brand"), SOCIETY.rgb("text")
    total = 0.0

    def put(size: float, style: str, h: float, text: str, width: float = w, align: str = "C",
            color=text_color, x: float = left) -> None:
        nonlocal total
        pdf.set_font(BODY, style, size)
        pdf.set_text_color(*color)
        if not dry:
            pdf.set_x(x)
        total += _text(pdf, width, h, text, align, dry)

    def statement(st: S.Statement, size: float, h: float, width: float = w, align: str = "C",
                  x: float = left) -> None:
        nonlocal total
        pdf.set_font(BODY, "", size)
        pdf.set_text_color(*text_color)
        if not dry:
            pdf.set_x(x)
        total += _statement(pdf, width, h, st, align, dry)

    def gap(mm: float) -> None:
        nonlocal total
        total += mm
        if not dry:
            pdf.set_y(pdf.get_y() + mm)

    put(11, "", 6, c.provider.upper(), color=brand)
    put(22, "B", 10, c.type.certificate_title, color=brand)
    gap(gaps)
    put(12, "", 7, c.lead)
    if shaping:
        pdf.set_text_shaping(True)
    size = _fit_size(pdf, c.name, w, 28, 12, "B")
    put(size, "B", size * 0.5, c.name)
    if shaping:
        pdf.set_text_shaping(False)
    gap(gaps)
    statement(c.credit_line, 13, 7)
    put(11, "", 6, f"for the {C.FORMATS[c.format].lower()}")
    put(14, "B", 7, c.title)
    when = c.dates if c.format in C.LIVE_FORMATS else f"Completed {long_date(c.completed_on)}"
    put(11, "", 6, " · ".join(x for x in (when, c.location) if x))
    details = c.details()
    if details:
        gap(gaps)
        for line in details:
            put(9.5, "", 5, line)
    statements = c.statements()
    if statements:
        gap(gaps)
        inset = 20  # the statements read as a centred block of left-aligned paragraphs
        for i, st in enumerate(statements):
            if i:
                gap(1.2)
            statement(st, statement_size, statement_size * 0.5, width=w - 2 * inset, align="L",
                      x=left + inset)
    return total


def render(c: CertificateContent) -> bytes:
    """The certificate as PDF bytes: same content, same bytes.

    Layout: the society's logo at the top, the body centred in the space between it and the footer
    (signature line, verification code and QR code), the groups spread apart so a short certificate
    does not leave its lower half empty; statements shrink a little only when they would not fit."""
    pdf = _Doc(c.issued_at, orientation="L", unit="mm", format="A4")
    italic = any(it for st in (c.credit_line, *c.statements()) for _, it in st.segments)
    FONTS.setup(pdf, c.all_text(), styles="BI" if italic else "B", shaping=needs_shaping(c.name))
    pdf.set_margins(MARGIN, 16, MARGIN)
    pdf.add_page()
    pdf.set_title(f"{c.type.certificate_title}: {c.title}")
    pdf.set_author(c.provider)
    w = pdf.w - 2 * MARGIN
    pdf.set_draw_color(*SOCIETY.rgb("brand"))
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)
    LOGO.draw(pdf, x=(pdf.w - LOGO_SIZE) / 2, y=LOGO_TOP, size=LOGO_SIZE)

    shaping = needs_shaping(c.name)
    room = pdf.h - BODY_BOTTOM_FROM_FOOT - BODY_TOP
    groups = 4 if c.details() else 3
    for size in STATEMENT_SIZES:
        natural = _body(pdf, c, w, size, 0, dry=True, shaping=shaping)
        if natural <= room:
            break
    # Measuring registered glyphs in the fonts' subsets in the order they were measured, and
    # measurements are cached: start the subsets afresh so the drawing alone decides their order
    # (the same content gives the same bytes, whatever was measured before).
    for font in pdf.fonts.values():
        font.subset = SubsetMap(font)
    spare = max(room - natural, 0)
    gaps = min(spare / (groups + 1), MAX_GAP)
    pdf.set_y(BODY_TOP + (spare - gaps * groups) / 2)
    _body(pdf, c, w, size, gaps, dry=False, shaping=shaping)

    qr = 26
    pdf.set_text_color(*SOCIETY.rgb("text"))
    _signature(pdf, c, x=pdf.w - MARGIN - qr - 85, y=pdf.h - 40, width=78)
    # Verification block, bottom: code, URL and QR code.
    pdf.image(io.BytesIO(qr_png(c.verify_url)), x=pdf.w - MARGIN - qr, y=pdf.h - 18 - qr, w=qr, h=qr)
    pdf.set_xy(MARGIN, pdf.h - 34)
    pdf.set_font(BODY, "", 9)
    pdf.cell(w - qr - 95, 5, f"Issued {long_date(c.issued_at)} by {c.provider}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(BODY, "B", 10)
    pdf.cell(w - qr - 95, 5, f"Verification code: {c.code}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(BODY, "", 9)
    pdf.cell(w - qr - 95, 5, f"Verify at {c.verify_url}", link=c.verify_url, new_x="LMARGIN", new_y="NEXT")
    if c.revoked_on:
        pdf.set_text_color(*SOCIETY.rgb("bad"))
        pdf.set_font(BODY, "B", 12)
        pdf.cell(w - qr - 95, 6, f"REVOKED on {long_date(c.revoked_on)}", new_x="LMARGIN", new_y="NEXT")
    if c.sessions:
        pdf.set_text_color(*SOCIETY.rgb("text"))
        _sessions_pages(pdf, c, w)
    return bytes(pdf.output())


def _sessions_pages(pdf: FPDF, c: CertificateContent, w: float) -> None:
    """A meeting: the sessions the credit counts, with each one's hours; as many pages as needed."""
    pdf.add_page()
    pdf.set_y(18)
    pdf.set_font(BODY, "B", 13)
    pdf.multi_cell(w, 7, f"Sessions attended: {c.title}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(BODY, "", 9)
    pdf.cell(w, 5, f"{c.name} · verification code {c.code}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_auto_page_break(True, margin=16)
    widths = (24, w - 24 - 62, 62)
    pdf.set_font(BODY, "B", 9.5)
    units = c.type.unit_plural  # "AMA PRA Category 1 Credits™" as written: capitalize() lowercased it
    for text, cw, align in zip(("Session", "Title", units[:1].upper() + units[1:]), widths, "LLR"):
        pdf.cell(cw, 6, text, border="B", align=align)
    pdf.ln(6)
    pdf.set_font(BODY, "", 9.5)
    for sid, title, hours in c.sessions:  # plain cells: a table of 300 rows stays quick to render
        pdf.cell(widths[0], 5.5, sid)
        pdf.cell(widths[1], 5.5, title if pdf.get_string_width(title) < widths[1] - 2 else
                 title[:int(len(title) * (widths[1] - 4) / pdf.get_string_width(title))] + "…")
        pdf.cell(widths[2], 5.5, c.type.units(hours), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(BODY, "B", 10)
    pdf.cell(w, 6, f"Total claimed: {c.type.units(c.hours)}", new_x="LMARGIN", new_y="NEXT")


# ------------------------------------------------------------------------------------------------
# Transcript PDF
# ------------------------------------------------------------------------------------------------
def render_transcript(*, name: str, provider: str, generated_at: dt.datetime, period: str,
                      rows: list[tuple], totals: list[tuple[str, str]],
                      years: list[tuple[str, str, str]]) -> bytes:
    """A learner's transcript: rows of (date, activity, credit type, hours[, sessions]) and totals;
    a meeting claim's sessions, ((id, title, hours), …), are listed under its row."""
    rows = [(*r[:4], tuple(r[4]) if len(r) > 4 else ()) for r in rows]
    pdf = _Doc(generated_at, orientation="P", unit="mm", format="A4")
    title = "Continuing education transcript"
    subtitle = f"{provider} · {period} · generated {long_date(generated_at)}"
    headings = ("Date", "Activity", "Credit type", "Hours", "Totals by credit type", "Totals by year", "Year")
    # Fonts, fallbacks and shaping follow every string the document draws, not only the name.
    drawn = [title, name, subtitle, *headings, *(c for r in rows for c in r[:4]),
             *(c for r in rows for s in r[4] for c in s), *(c for t in totals for c in t),
             *(c for y in years for c in y)]
    text = "\n".join(drawn)
    FONTS.setup(pdf, text, styles="B", shaping=needs_shaping(text))
    pdf.set_auto_page_break(True, 15)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_title(f"Transcript: {name}")

    def line(s: str, h: float) -> None:
        pdf.set_text_shaping(needs_shaping(s))
        pdf.multi_cell(0, h, s, new_x="LMARGIN", new_y="NEXT")  # wraps instead of running off the page
        pdf.set_text_shaping(False)

    pdf.set_font(BODY, "B", 16)
    line(title, 9)
    pdf.set_font(BODY, "", 11)
    line(name, 6)
    line(subtitle, 6)
    pdf.ln(3)
    pdf.set_font(BODY, "", 9)
    widths = (25, 95, 45, 15)
    pdf.set_text_shaping(any(needs_shaping(c) for r in rows for c in (*r[:4], *(x for s in r[4] for x in s))))
    with pdf.table(col_widths=widths, text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
                   first_row_as_headings=True) as table:
        table.row(("Date", "Activity", "Credit type", "Hours"))
        for r in rows:
            table.row(r[:4])
            for sid, stitle, h in r[4]:  # a meeting's sessions, each with the hours it counted
                table.row(("", f"    {sid} {stitle} · {h}", "", ""))  # as the web transcript lists it
    pdf.set_text_shaping(False)
    pdf.ln(3)
    pdf.set_font(BODY, "B", 11)
    pdf.cell(0, 7, "Totals by credit type", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(BODY, "", 9)
    with pdf.table(col_widths=(120, 30), text_align=("LEFT", "RIGHT"), width=150, align="LEFT") as table:
        table.row(("Credit type", "Hours"))
        for t in totals:
            table.row(t)
    if years:
        pdf.set_font(BODY, "B", 11)
        pdf.cell(0, 7, "Totals by year", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(BODY, "", 9)
        with pdf.table(col_widths=(20, 100, 30), text_align=("LEFT", "LEFT", "RIGHT"), width=150,
                       align="LEFT") as table:
            table.row(("Year", "Credit type", "Hours"))
            for y in years:
                table.row(y)
    return bytes(pdf.output())
