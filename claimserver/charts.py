"""Small server-side SVG charts (no JavaScript): horizontal bar charts for the outcome reports.

`bar_chart` returns inline SVG as Markup; every piece of text is escaped, so labels taken from
activity files or learners' answers can never inject markup. Each chart carries a title and an
aria-label, and the numbers are also printed next to the bars (and offered as CSV by the pages).
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from catalog.society import SOCIETY

#: Series colours, from the society's colours (each at least 3:1 on the page, catalog.society.PAIRS).
PALETTE = tuple(SOCIETY.color(k) for k in ("link", "good", "attention", "bad", "muted"))
_TEXT, _MUTED = SOCIETY.color("text"), SOCIETY.color("muted")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str = ""  # what is printed after the bar; defaults to the value
    color: str = PALETTE[0]


def _fmt(v: float) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def bar_chart(bars: list[Bar], *, title: str, max_value: float | None = None,
              width: int = 560, label_width: int = 220, bar_height: int = 22, gap: int = 8) -> Markup:
    """Horizontal bars, one row per `Bar`, scaled to `max_value` (default: the largest value)."""
    top = max_value if max_value else max((b.value for b in bars), default=0) or 1
    text_width = 70
    plot = max(width - label_width - text_width, 40)
    height = max(len(bars), 1) * (bar_height + gap) + gap
    label = escape(title)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'aria-label="{label}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
           f"<title>{label}</title>"]
    if not bars:
        out.append(f'<text x="0" y="{bar_height}" font-size="13" fill="{_MUTED}">No data yet</text>')
    for i, b in enumerate(bars):
        y = gap + i * (bar_height + gap)
        w = 0 if top <= 0 else round(plot * max(b.value, 0) / top, 1)
        fit = max(label_width // 8, 4)  # characters that fit in the label column at 13px
        name = escape(b.label if len(b.label) <= fit else b.label[:fit - 1] + "…")
        out.append(f'<g><title>{escape(b.label)}: {escape(b.text or _fmt(b.value))}</title>'
                   f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" font-size="13" '
                   f'text-anchor="end" fill="{_TEXT}">{name}</text>'
                   f'<rect x="{label_width}" y="{y}" width="{w}" height="{bar_height}" '
                   f'fill="{escape(b.color)}" rx="3"/>'
                   f'<text x="{label_width + w + 6}" y="{y + bar_height * 0.7:.1f}" font-size="13" '
                   f'fill="{_TEXT}">{escape(b.text or _fmt(b.value))}</text></g>')
    out.append("</svg>")
    return Markup("".join(out))
