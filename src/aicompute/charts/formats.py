"""Numbers as people write them, in Python (tooltips, notes) and as Vega expressions (ticks).

One format everywhere: three significant digits; ordinary notation with thousands separators
from 0.001 to under a million, otherwise a power of ten with superscript digits (``3.14×10²³``,
never ``3.14e+23``); money in short-scale words (``$12 M``, ``$1.5 B``).

>>> number_text(3640), number_text(0.012345), number_text(3.14e23), number_text(6.3e-5)
('3,640', '0.0123', '3.14×10²³', '6.3×10⁻⁵')
>>> flop_text(3.14e23), pfs_days_text(3.14e23), usd_text(2.5e9), usd_text(420)
('3.14×10²³ FLOP', '3,630 pfs-days', '$2.5 B', '$420')
"""

from __future__ import annotations

import math

from aicompute.constants import FLOP_PER_PFS_DAY

__all__ = [
    "flop_text",
    "linear_ticks",
    "log_ticks",
    "number_text",
    "pfs_days_text",
    "superscript",
    "usd_text",
]

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
MINUS = "⁻"
SHORT_SCALE = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
"""Words for money (and linear axes) as news articles write them: thousand, million, billion,
trillion."""


def superscript(exponent: int) -> str:
    """``-3`` as ``⁻³``."""
    digits = "".join(SUPERSCRIPT_DIGITS[int(d)] for d in str(abs(exponent)))
    return (MINUS if exponent < 0 else "") + digits


def _significant(value: float, digits: int) -> str:
    """``value`` (0.001 ≤ |value| < 1e6) with ``digits`` significant digits, grouped, no
    trailing zeros."""
    rounded = float(f"{value:.{digits}g}")
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded))))
    text = f"{rounded:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_text(value: float, digits: int = 3) -> str:
    """A number for people (see the module's docstring)."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    if 1e-3 <= abs(value) < 1e6:
        return _significant(value, digits)
    exponent = math.floor(math.log10(abs(value)))
    mantissa = float(f"{value / 10**exponent:.{digits - 1}f}")
    if abs(mantissa) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    text = f"{mantissa:.{digits - 1}f}".rstrip("0").rstrip(".")
    return f"{text}×10{superscript(exponent)}"


def flop_text(flop: float) -> str:
    return f"{number_text(flop)} FLOP"


def pfs_days_text(flop: float) -> str:
    """FLOP as petaflop/s-days."""
    return f"{number_text(flop / FLOP_PER_PFS_DAY)} pfs-days"


def usd_text(usd: float) -> str:
    """Dollars in short-scale words: ``$420``, ``$12 K``, ``$3.4 M``, ``$1.5 B``, ``$2 T``."""
    for size, word in SHORT_SCALE:
        if abs(usd) >= size and (word != "T" or abs(usd) < 1e15):
            return f"${_significant(usd / size, 2 if usd / size < 100 else 3)} {word}"
    if abs(usd) >= 1e15:
        return f"${number_text(usd, 2)}"
    return f"${_significant(usd, 2 if abs(usd) < 100 else 3)}" if usd else "$0"


# --- the same formats as Vega expressions, for axis labels -------------------------------------

_SUP_ARRAY = "[" + ",".join(f"'{d}'" for d in SUPERSCRIPT_DIGITS) + "]"


def _sup_expr(n: str) -> str:
    """Vega expression: the integer expression ``n`` (|n| < 100) in superscript digits."""
    return (
        f"(({n}) < 0 ? '{MINUS}' : '') + (abs({n}) >= 10 ? {_SUP_ARRAY}[floor(abs({n}) / 10)] : "
        f"'') + {_SUP_ARRAY}[abs({n}) % 10]"
    )


def log_ticks(money: bool = False) -> str:
    """labelExpr of an axis whose values are log10 of the quantity: ``10²⁴`` at whole
    decades (``$1 M`` style for money up to trillions), nothing between them."""
    n = "round(datum.value)"
    power = f"'10' + {_sup_expr(n)}"
    if money:
        words = " : ".join(
            f"{n} >= {e} ? '$' + pow(10, {n} - {e}) + ' {w}'"
            for e, w in ((12, "T"), (9, "B"), (6, "M"), (3, "K"))
        )
        small = f"{n} >= 0 ? '$' + pow(10, {n}) : '$' + {power}"
        power = f"{n} > 14 ? '$' + {power} : {words} : {small}"
    else:
        power = f"{n} == 0 ? '1' : {n} == 1 ? '10' : {power}"
    return f"abs(datum.value - {n}) < 1e-6 ? ({power}) : ''"


def linear_ticks(money: bool = False) -> str:
    """labelExpr of a linear axis: ``0``, ``250 K``, ``1.5 M``, ``10 B``, ``2 T``, and beyond
    a trillion ``2×10²⁶`` (``$`` in front for money)."""
    v = "datum.value"
    e = f"floor(log(abs({v})) / LN10 + 1e-9)"
    big = f"format({v} / pow(10, {e}), '.2~f') + '×10' + {_sup_expr(e)}"
    words = " : ".join(
        f"abs({v}) >= {size:g} ? format({v} / {size:g}, '.3~') + ' {w}'" for size, w in SHORT_SCALE
    )
    text = f"{v} == 0 ? '0' : abs({v}) >= 1e15 ? {big} : {words} : format({v}, '.3~')"
    return f"'$' + ({text})" if money else text
