"""Text widths from the font's own metrics, so labels can be placed in Python.

The charts ask for ``Liberation Sans, Arial, Helvetica`` (then DejaVu Sans, sans-serif).
Liberation Sans is metric-compatible with Arial (every glyph has Arial's advance width), so
one table serves browsers that have either and vl-convert's static export. The advance
widths below are read from the ``hmtx`` table of Liberation Sans 2 (Regular and Bold; font
units, 2048 per em) for printable ASCII and the few other characters the charts write. A
character outside the table counts as one full em, wider than any glyph in it, so an unknown
name is never under-measured.

>>> round(text_width("AlexNet", 11), 1)
42.1
"""

from __future__ import annotations

__all__ = ["FONT", "UNITS_PER_EM", "text_width"]

FONT = "Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif"
"""DejaVu Sans only supplies glyphs the others lack (superscript digits such as ⁴ and ⁻)."""
UNITS_PER_EM = 2048
SAFETY = 1.04
"""Extra width (×) for kerning-free rendering differences and hinting at small sizes."""
MARGIN_PX = 2.0
"""Extra pixels on every measured text (anti-aliasing, sub-pixel positioning)."""

CHARS = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ["
    "\\]^_`abcdefghijklmnopqrstuvwxyz{|}~–—×·…’‘“”¹²³≥≤±°é→←↑↓€£½−"
)
REGULAR_UNITS = (
    569, 569, 727, 1139, 1139, 1821, 1366, 391, 682, 682, 797, 1196, 569, 682, 569, 569, 1139,
    1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 569, 569, 1196, 1196, 1196, 1139, 2079,
    1366, 1366, 1479, 1479, 1366, 1251, 1593, 1479, 569, 1024, 1366, 1139, 1706, 1479, 1593, 1366,
    1593, 1479, 1366, 1251, 1479, 1366, 1933, 1366, 1366, 1251, 569, 569, 569, 961, 1139, 682,
    1139, 1139, 1024, 1139, 1139, 569, 1139, 1139, 455, 455, 1024, 455, 1706, 1139, 1139, 1139,
    1139, 682, 1024, 569, 1139, 1024, 1479, 1024, 1024, 1024, 684, 532, 684, 1196, 1139, 2048,
    1196, 569, 2048, 455, 455, 682, 682, 682, 682, 682, 1124, 1124, 1124, 819, 1139, 2048, 2048,
    1024, 1024, 1139, 1139, 1708, 1196,
)  # fmt: skip
BOLD_UNITS = (
    569, 682, 971, 1139, 1139, 1821, 1479, 487, 682, 682, 797, 1196, 569, 682, 569, 569, 1139,
    1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 1139, 682, 682, 1196, 1196, 1196, 1251, 1997,
    1479, 1479, 1479, 1479, 1366, 1251, 1593, 1479, 569, 1139, 1479, 1251, 1706, 1479, 1593, 1366,
    1593, 1479, 1366, 1251, 1479, 1366, 1933, 1366, 1366, 1251, 682, 569, 682, 1196, 1139, 682,
    1139, 1251, 1139, 1251, 1139, 682, 1251, 1251, 569, 569, 1139, 569, 1821, 1251, 1251, 1251,
    1251, 797, 1139, 682, 1251, 1139, 1593, 1139, 1139, 1024, 797, 573, 797, 1196, 1139, 2048,
    1196, 569, 2048, 569, 569, 1024, 1024, 682, 682, 682, 1124, 1124, 1124, 819, 1139, 2048, 2048,
    1024, 1024, 1139, 1139, 1708, 1196,
)  # fmt: skip

_REGULAR = dict(zip(CHARS, REGULAR_UNITS, strict=True))
_BOLD = dict(zip(CHARS, BOLD_UNITS, strict=True))


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in pixels of one line of ``text`` at ``size`` px, with the safety margins."""
    table = _BOLD if bold else _REGULAR
    units = sum(table.get(ch, UNITS_PER_EM) for ch in text)
    return units * size / UNITS_PER_EM * SAFETY + MARGIN_PX
