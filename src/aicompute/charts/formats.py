"""Numbers in the charts: text from the one formatter (:func:`aicompute.units.format_number`,
which the command line, the report and the web app use too), and its rules as Vega expressions
for the axis labels, which Vega computes in the browser.

Ticks on a log axis are whole decades written as powers of ten (``10²⁴``); on a linear axis,
as counts are written (``250,000``, ``1.5M``, ``10B``, ``2T``, then ``2e26``); money with a
``$`` in front (``$10,000``, ``$1B``).

>>> number_text(3640), number_text(0.012345), number_text(3.14e23), number_text(6.3e-5)
('3,640', '0.0123', '3.14e23', '6.3e-5')
>>> flop_text(3.14e23), pfs_days_text(3.14e23), usd_text(2.5e9), usd_text(420)
('3.14e23 FLOP', '3,630 pfs-days', '$2.5B', '$420')
"""

from __future__ import annotations

from aicompute.constants import FLOP_PER_PFS_DAY
from aicompute.units import format_number

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
SHORT_SCALE = ((1e12, "T"), (1e9, "B"), (1e6, "M"))
"""The suffixes of :func:`aicompute.units.format_number` for counts and money."""


def superscript(exponent: int) -> str:
    """``-3`` as ``⁻³``."""
    digits = "".join(SUPERSCRIPT_DIGITS[int(d)] for d in str(abs(exponent)))
    return (MINUS if exponent < 0 else "") + digits


def number_text(value: float, digits: int = 3) -> str:
    """A plain number (``3,640``, ``3.14e23``)."""
    return format_number(value, "number", digits)


def flop_text(flop: float) -> str:
    return format_number(flop, "flop")


def pfs_days_text(flop: float) -> str:
    """FLOP as petaflop/s-days."""
    return format_number(flop / FLOP_PER_PFS_DAY, "pfs_days")


def usd_text(usd: float) -> str:
    """Dollars: ``$420``, ``$12,000``, ``$3.4M``, ``$1.5B``, ``$2T``."""
    return format_number(usd, "usd")


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
    decades (``$1M`` style for money up to trillions), nothing between them."""
    n = "round(datum.value)"
    power = f"'10' + {_sup_expr(n)}"
    if money:
        words = " : ".join(
            f"{n} >= {e} ? '$' + pow(10, {n} - {e}) + '{w}'"
            for e, w in ((12, "T"), (9, "B"), (6, "M"))
        )
        small = f"{n} >= 0 ? '$' + format(pow(10, {n}), ',') : '$' + {power}"
        power = f"{n} > 14 ? '$' + {power} : {words} : {small}"
    else:
        power = f"{n} == 0 ? '1' : {n} == 1 ? '10' : {power}"
    return f"abs(datum.value - {n}) < 1e-6 ? ({power}) : ''"


def linear_ticks(money: bool = False) -> str:
    """labelExpr of a linear axis: ``0``, ``250,000``, ``1.5M``, ``10B``, ``2T``, and from a
    quadrillion ``2e26`` (``$`` in front for money), as :func:`format_number` writes counts."""
    v = "datum.value"
    e = f"floor(log(abs({v})) / LN10 + 1e-9)"
    big = f"format({v} / pow(10, {e}), '.3~r') + 'e' + {e}"
    words = " : ".join(
        f"abs({v}) >= {size:g} ? format({v} / {size:g}, '.3~r') + '{w}'" for size, w in SHORT_SCALE
    )
    text = f"{v} == 0 ? '0' : abs({v}) >= 1e15 ? {big} : {words} : format({v}, ',.3~r')"
    return f"'$' + ({text})" if money else text
