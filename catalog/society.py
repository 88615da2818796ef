"""The society's look: name, logo, colours and design tokens, read from `catalog/brand/society.toml`.

One file says how the society looks, and everything that shows it reads this module: the catalogue
(the ce_catalog plugin writes `tokens_css()` into the site as stylesheets/tokens.css, sets the site
name and the header logo), the claim server (serves the same text at /society/tokens.css and the
logo at /society/logo.svg, prints the portal name in its header), certificates (logo, border and
heading colours) and the server's charts. Stylesheets use only the custom properties written here
(`--ce-color-brand`, `--ce-space-4`, `--ce-focus-ring`, …), never a colour of their own.

The colour pairs the stylesheets put together (`PAIRS`) are checked against WCAG 2.1 AA when the
file is read (4.5:1 for text, 3:1 for large text, controls and graphics), so a society choosing a
colour that cannot be read stops the build and the server with a message naming the pair.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

BRAND_DIR = Path(__file__).resolve().parent / "brand"
SETTINGS_FILE = BRAND_DIR / "society.toml"
#: The text every generated token sheet starts with (also how a test recognises one).
TOKENS_HEADER = "/* Design tokens generated from catalog/brand/society.toml by catalog.society: edit that file. */"

TEXT, LARGE_OR_UI = 4.5, 3.0
#: (foreground, background, minimum ratio, where the stylesheets use the pair).
PAIRS: tuple[tuple[str, str, float, str], ...] = (
    ("text", "page", TEXT, "body text"),
    ("text", "soft", TEXT, "table headings and status chips"),
    ("text", "secondary", TEXT, "the staff navigation band"),
    ("muted", "page", TEXT, "hints and the footer"),
    ("muted", "soft", TEXT, "hints in a table heading"),
    ("link", "page", TEXT, "links"),
    ("link", "soft", TEXT, "links in a flash message or table heading"),
    ("link", "secondary", TEXT, "secondary buttons and staff links"),
    ("on_link", "link", TEXT, "primary buttons"),
    ("on_brand", "brand", TEXT, "the header band"),
    ("brand", "page", TEXT, "certificate headings"),
    ("bad", "page", TEXT, "field errors"),
    ("bad", "bad_soft", TEXT, "error messages"),
    ("bad", "bad_field", TEXT, "text in a field with an error"),
    ("good", "good_soft", TEXT, "success messages and done chips"),
    ("warn", "warn_soft", TEXT, "warnings and the test-mode band"),
    ("control", "page", LARGE_OR_UI, "form field borders"),
    ("focus", "page", LARGE_OR_UI, "the focus ring on the page"),
    ("focus", "brand", LARGE_OR_UI, "the focus ring in the header band"),
    ("focus", "page_dark", LARGE_OR_UI, "the focus ring in the catalogue's dark scheme"),
    ("attention", "page", LARGE_OR_UI, "a chart series"),
    ("good", "page", LARGE_OR_UI, "a chart series"),
    ("link_dark", "page_dark", TEXT, "links in the catalogue's dark scheme"),
)
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_CSS_VALUE = re.compile(r"^[\w\s.,%#()\"'-]+$")


class SocietyError(ValueError):
    """The settings file is missing a key, has a malformed value or a pair fails contrast."""


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def rgb(color: str) -> tuple[int, int, int]:
    """'#0b3d6e' -> (11, 61, 110)."""
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def luminance(color: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour."""
    r, g, b = (_channel(v / 255) for v in rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio between two #rrggbb colours (1 to 21)."""
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class Society:
    name: str
    portal_name: str
    logo_path: Path
    colors: Mapping[str, str]
    type: Mapping[str, str]
    space: Mapping[str, str]
    radius: Mapping[str, str]
    focus: Mapping[str, str]

    def color(self, key: str) -> str:
        return self.colors[key]

    def rgb(self, key: str) -> tuple[int, int, int]:
        """A colour as fpdf2 wants it."""
        return rgb(self.colors[key])

    @property
    def logo_svg(self) -> bytes:
        return self.logo_path.read_bytes()

    @property
    def logo_alt(self) -> str:
        return f"{self.name} logo"

    def failing_pairs(self) -> list[str]:
        """Every pair in PAIRS below its WCAG AA minimum, worded for a person."""
        out = []
        for fg, bg, need, where in PAIRS:
            ratio = contrast(self.colors[fg], self.colors[bg])
            if ratio < need:
                out.append(f"{fg} {self.colors[fg]} on {bg} {self.colors[bg]} ({where}) has contrast "
                           f"{ratio:.2f}:1, WCAG AA needs {need}:1")
        return out

    def tokens_css(self) -> str:
        """The design tokens as CSS custom properties: the one stylesheet both sites load first."""
        props = [f"--ce-color-{k.replace('_', '-')}: {v};" for k, v in self.colors.items()]
        props.append(f"--ce-font-family: {self.type['family']};")
        props += [f"--ce-font-size-{k.replace('_', '-')}: {v};" for k, v in self.type.items()
                  if k not in ("family", "line_height")]
        props.append(f"--ce-line-height: {self.type['line_height']};")
        props += [f"--ce-space-{k}: {v};" for k, v in self.space.items()]
        props += [f"--ce-radius-{k}: {v};" for k, v in self.radius.items()]
        props += [f"--ce-focus-width: {self.focus['width']};", f"--ce-focus-offset: {self.focus['offset']};",
                  "--ce-focus-ring: var(--ce-focus-width) solid var(--ce-color-focus);"]
        return TOKENS_HEADER + "\n:root {\n" + "\n".join(f"  {p}" for p in props) + "\n}\n"


def load(path: Path = SETTINGS_FILE) -> Society:
    """Read and check the settings file; SocietyError says what is wrong and where."""
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SocietyError(f"{where}: {e}") from None

    def table(key: str) -> dict[str, str]:
        value = data.get(key)
        if not isinstance(value, dict) or not value:
            raise SocietyError(f"{where}: [{key}] is missing")
        for k, v in value.items():
            if not isinstance(v, str) or not _CSS_VALUE.match(v):
                raise SocietyError(f"{where}: [{key}] {k} = {v!r} is not a plain CSS value")
        return {str(k): v for k, v in value.items()}

    for key in ("name", "portal_name", "logo"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise SocietyError(f"{where}: {key} must be set")
    colors = table("colors")
    needed = {k for fg, bg, _, _ in PAIRS for k in (fg, bg)}
    missing = sorted(needed - colors.keys())
    if missing:
        raise SocietyError(f"{where}: [colors] needs {', '.join(missing)}")
    bad = [f"{k} = {v!r}" for k, v in colors.items() if not _HEX.match(v)]
    if bad:
        raise SocietyError(f"{where}: [colors] must be #rrggbb: {'; '.join(bad)}")
    logo = path.parent / data["logo"]
    if not logo.is_file() or logo.suffix.lower() != ".svg":
        raise SocietyError(f"{where}: logo {data['logo']!r} must be an SVG file next to it")
    types = table("type")
    for k in ("family", "line_height", "base"):
        if k not in types:
            raise SocietyError(f"{where}: [type] needs {k}")
    focus = table("focus")
    for k in ("width", "offset"):
        if k not in focus:
            raise SocietyError(f"{where}: [focus] needs {k}")
    society = Society(name=data["name"].strip(), portal_name=data["portal_name"].strip(), logo_path=logo,
                      colors=colors, type=types, space=table("space"), radius=table("radius"), focus=focus)
    failing = society.failing_pairs()
    if failing:
        raise SocietyError(f"{where}: colours too close to read: " + "; ".join(failing))
    return society


#: The society, read once per process.
SOCIETY = load()
