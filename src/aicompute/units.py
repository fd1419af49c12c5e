"""Units of compute and forgiving parsing of the numbers people type.

FLOP, petaFLOP and petaflop/s-days, with conversion both ways, and parsers for counts
(``1.2M``, ``300B``, ``11.4 G``), amounts of compute (``3.14e23``, ``0.117 pfs-days``,
``10,000 PF``), rates (``1.58 TFLOPS``), durations (``5.5 days``, ``120 h``), fractions
(``0.33``, ``33%``) and ranges of any of them (``5..6``).

>>> flop_to_pfs_days(8.64e19)
1.0
>>> parse_count("1.2M")
1200000.0
>>> parse_flop("0.117 pfs-days")
1.01088e+19
>>> parse_duration("120 h", default_unit="days") / 86400
5.0
>>> parse_range("5..6", "duration", default_unit="days").central / 86400
5.477225575051661
"""

from __future__ import annotations

import math
import re
from typing import Literal

from aicompute.constants import (
    FLOP_PER_PETAFLOP,
    FLOP_PER_PFS_DAY,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    SECONDS_PER_MINUTE,
    SECONDS_PER_WEEK,
    SECONDS_PER_YEAR,
)
from aicompute.errors import InputError
from aicompute.uncertainty import Range

__all__ = [
    "Kind",
    "flop_to_petaflop",
    "flop_to_pfs_days",
    "format_duration",
    "format_flop",
    "format_pfs_days",
    "format_si",
    "parse_count",
    "parse_duration",
    "parse_flop",
    "parse_fraction",
    "parse_macs",
    "parse_number",
    "parse_quantity",
    "parse_range",
    "parse_rate",
    "pfs_days_to_flop",
]

Kind = Literal["count", "flop", "macs", "rate", "duration", "fraction", "number"]


def flop_to_pfs_days(flop: float) -> float:
    """Convert FLOP to petaflop/s-days (1 pfs-day = 8.64e19 FLOP)."""
    return flop / FLOP_PER_PFS_DAY


def pfs_days_to_flop(pfs_days: float) -> float:
    """Convert petaflop/s-days to FLOP."""
    return pfs_days * FLOP_PER_PFS_DAY


def flop_to_petaflop(flop: float) -> float:
    """Convert FLOP to petaFLOP ("PF" in the seed's appendix)."""
    return flop / FLOP_PER_PETAFLOP


# --- parsing -------------------------------------------------------------------------------

_SCALE_LETTERS = {
    "k": 1e3,
    "m": 1e6,  # million: nobody trains on milli-images
    "b": 1e9,
    "g": 1e9,
    "t": 1e12,
    "p": 1e15,
    "e": 1e18,
    "z": 1e21,
    "y": 1e24,
}
_SCALE_WORDS = {
    "thousand": 1e3,
    "mn": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "trillion": 1e12,
    "trillions": 1e12,
    "quadrillion": 1e15,
}
# SI prefixes in front of a unit ("GFLOP", "TFLOPS", "GMAC").
_SI_PREFIX = {
    "": 1.0,
    "k": 1e3,
    "m": 1e6,
    "g": 1e9,
    "t": 1e12,
    "p": 1e15,
    "e": 1e18,
    "z": 1e21,
    "y": 1e24,
    "kilo": 1e3,
    "mega": 1e6,
    "giga": 1e9,
    "tera": 1e12,
    "peta": 1e15,
    "exa": 1e18,
    "zetta": 1e21,
    "yotta": 1e24,
}

_NUMBER = re.compile(
    r"""^\s*
    (?P<mantissa>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    (?:\s*(?:[x×*]|\s)\s*10\s*(?:\^|\*\*)\s*(?P<exp>[+-]?\d+))?
    \s*(?P<rest>.*?)\s*$""",
    re.VERBOSE,
)
_POWER_OF_TEN = re.compile(r"^\s*10\s*(?:\^|\*\*)\s*(?P<exp>[+-]?\d+)\s*(?P<rest>.*?)\s*$")

_DURATION_UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": SECONDS_PER_MINUTE,
    "mins": SECONDS_PER_MINUTE,
    "minute": SECONDS_PER_MINUTE,
    "minutes": SECONDS_PER_MINUTE,
    "h": SECONDS_PER_HOUR,
    "hr": SECONDS_PER_HOUR,
    "hrs": SECONDS_PER_HOUR,
    "hour": SECONDS_PER_HOUR,
    "hours": SECONDS_PER_HOUR,
    "d": SECONDS_PER_DAY,
    "day": SECONDS_PER_DAY,
    "days": SECONDS_PER_DAY,
    "w": SECONDS_PER_WEEK,
    "wk": SECONDS_PER_WEEK,
    "week": SECONDS_PER_WEEK,
    "weeks": SECONDS_PER_WEEK,
    "month": SECONDS_PER_YEAR / 12,
    "months": SECONDS_PER_YEAR / 12,
    "y": SECONDS_PER_YEAR,
    "yr": SECONDS_PER_YEAR,
    "year": SECONDS_PER_YEAR,
    "years": SECONDS_PER_YEAR,
}
_PFS_DAY_UNITS = {
    "pfsday",
    "pfsdays",
    "pfday",
    "pfdays",
    "petaflopsday",
    "petaflopsdays",
    "petaflop/sday",
    "petaflop/sdays",
    "pf/sday",
    "pf/sdays",
    "pfs/day",
}
_MISSING = object()


def _split(text: object, field: str | None) -> tuple[float, str]:
    """Split ``text`` into a finite number (scale words applied) and the unit text after it."""
    if isinstance(text, bool):
        raise InputError(field, f"expected a number, got {text!r}")
    if isinstance(text, (int, float)):
        value = float(text)
        rest = ""
    else:
        raw = str(text)
        cleaned = raw.replace(",", "").replace("_", "").replace("\u2009", "").strip()
        if not cleaned:
            raise InputError(field, "a value is required, got an empty string")
        lowered = cleaned.lower()
        if lowered in {"nan", "+nan", "-nan"} or lowered.lstrip("+-") in {"inf", "infinity"}:
            raise InputError(field, f"must be a finite number, got {raw!r}")
        power = _POWER_OF_TEN.match(cleaned)
        match = _NUMBER.match(cleaned)
        if power:
            value = _power_of_ten(int(power["exp"]), field, raw)
            rest = power["rest"]
        elif match:
            value = float(match["mantissa"])
            if match["exp"] is not None:
                value *= _power_of_ten(int(match["exp"]), field, raw)
            rest = match["rest"]
        else:
            raise InputError(field, f"cannot read {raw!r} as a number")
    if not math.isfinite(value):
        raise InputError(field, f"must be a finite number, got {text!r}")
    return value, rest.strip()


def _power_of_ten(exponent: int, field: str | None, raw: str) -> float:
    if abs(exponent) > 300:
        raise InputError(field, f"{raw!r} is out of range")
    return 10.0**exponent


def _apply_scale(value: float, rest: str) -> tuple[float, str]:
    """Apply a leading scale word or letter of ``rest`` (``M``, ``billion``) to ``value``."""
    if not rest:
        return value, rest
    word, _, tail = rest.partition(" ")
    if word.lower() in _SCALE_WORDS:
        return value * _SCALE_WORDS[word.lower()], tail.strip()
    first = rest[0].lower()
    if first in _SCALE_LETTERS and (len(rest) == 1 or not rest[1].isalpha()):
        return value * _SCALE_LETTERS[first], rest[1:].strip()
    return value, rest


def _check_finite(value: float, field: str | None, text: object) -> float:
    if not math.isfinite(value):
        raise InputError(field, f"{text!r} is too large to represent")
    return value


def parse_number(text: object, field: str | None = None) -> float:
    """Read a plain number with an optional scale: ``3.14e23``, ``1.2M``, ``300B``, ``11.4 G``,
    ``1,200,000``, ``2.5 billion``, ``10^9``.

    >>> parse_number("11.4 G"), parse_number("3.14e23"), parse_number("1.2 x 10^6")
    (11400000000.0, 3.14e+23, 1200000.0)
    """
    value, rest = _apply_scale(*_split(text, field))
    if rest:
        raise InputError(field, f"cannot read {text!r} as a number (unexpected {rest!r})")
    return _check_finite(value, field, text)


def parse_count(text: object, field: str | None = None) -> float:
    """Read a count of things, allowing a trailing noun: ``1.2M images``, ``300B tokens``.

    >>> parse_count("300B tokens")
    300000000000.0
    """
    value, rest = _apply_scale(*_split(text, field))
    if rest:
        unit = rest.lower().replace(" ", "")
        if unit in _DURATION_UNITS or _flop_unit_scale(unit) is not None:
            raise InputError(field, f"expected a count, got {text!r} (a duration or compute?)")
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z \-/]*", rest):
            raise InputError(field, f"cannot read {text!r} as a count")
    return _check_finite(value, field, text)


def _flop_unit_scale(unit: str) -> float | None:
    """FLOP per unit for an amount-of-compute unit (``GFLOP``, ``PF``, ``pfs-days``)."""
    unit = unit.lower().replace(" ", "").replace("-", "").replace("_", "")
    if unit in _PFS_DAY_UNITS:
        return FLOP_PER_PFS_DAY
    if unit in {"pf", "petaflop", "petaflops"}:
        return FLOP_PER_PETAFLOP
    for suffix in ("flops", "flop", "ops", "op"):
        if unit.endswith(suffix):
            prefix = unit[: -len(suffix)]
            if prefix in _SI_PREFIX:
                return _SI_PREFIX[prefix]
    return None


def parse_flop(text: object, field: str | None = None) -> float:
    """Read an amount of compute and return FLOP: ``3.14e23``, ``3.14e23 FLOP``, ``11.4 GFLOP``,
    ``10,000 PF`` (petaFLOP), ``0.117 pfs-days``.

    >>> parse_flop("10,000 PF")
    1e+19
    """
    value, rest = _apply_scale(*_split(text, field))
    if rest:
        scale = _flop_unit_scale(rest)
        if scale is None:
            raise InputError(field, f"unknown unit in {text!r}; use FLOP, GFLOP, PF or pfs-days")
        value *= scale
    return _check_finite(value, field, text)


def parse_macs(text: object, field: str | None = None) -> float:
    """Read a number of multiply-adds: ``11.4G``, ``0.75 GMAC``, ``2.55M MACs``.

    >>> parse_macs("0.75 GMACs")
    750000000.0
    """
    value, rest = _apply_scale(*_split(text, field))
    if rest:
        unit = rest.lower().replace(" ", "").replace("-", "")
        for suffix in ("multiplyadds", "multiplyadd", "macs", "mac", "madds", "madd"):
            if unit.endswith(suffix) and unit[: -len(suffix)] in _SI_PREFIX:
                value *= _SI_PREFIX[unit[: -len(suffix)]]
                break
        else:
            if _flop_unit_scale(unit) is not None:
                raise InputError(
                    field,
                    f"{text!r} is in FLOP; give multiply-adds here, or use the forward-FLOP input",
                )
            raise InputError(field, f"unknown unit in {text!r}; use a count of multiply-adds")
    return _check_finite(value, field, text)


def parse_rate(text: object, field: str | None = None) -> float:
    """Read a speed in FLOP per second: ``1.58 TFLOPS``, ``989 TFLOP/s``, ``1.58e12``, ``1.58T``.

    >>> parse_rate("1.58 TFLOPS")
    1580000000000.0
    """
    value, rest = _apply_scale(*_split(text, field))
    if rest:
        unit = rest.lower().replace(" ", "").replace("-", "")
        for suffix in ("flop/s", "flops", "flop/sec", "ops", "op/s"):
            if unit.endswith(suffix) and unit[: -len(suffix)] in _SI_PREFIX:
                value *= _SI_PREFIX[unit[: -len(suffix)]]
                break
        else:
            raise InputError(field, f"unknown unit in {text!r}; use FLOP/s, e.g. '1.58 TFLOPS'")
    return _check_finite(value, field, text)


def parse_duration(text: object, field: str | None = None, default_unit: str = "days") -> float:
    """Read a duration and return seconds: ``5.5 days``, ``120 h``, ``90 min``, ``2 weeks``.
    A bare number is in ``default_unit``.

    >>> parse_duration("5.5 days"), parse_duration("120h"), parse_duration(2, default_unit="h")
    (475200.0, 432000.0, 7200.0)
    """
    value, rest = _split(text, field)
    unit = (rest or default_unit).lower().replace(" ", "")
    if unit not in _DURATION_UNITS:
        raise InputError(
            field, f"unknown time unit in {text!r}; use s, min, h, days, weeks or years"
        )
    return _check_finite(value * _DURATION_UNITS[unit], field, text)


def parse_fraction(text: object, field: str | None = None) -> float:
    """Read a fraction: ``0.33`` or ``33%``.

    >>> parse_fraction("33%")
    0.33
    """
    value, rest = _split(text, field)
    if rest == "%":
        return value / 100.0
    if rest:
        raise InputError(field, f"cannot read {text!r} as a fraction; use 0.33 or 33%")
    return value


def parse_quantity(
    text: object, kind: Kind, field: str | None = None, default_unit: str = "days"
) -> float:
    """Dispatch to the parser for ``kind``."""
    if kind == "duration":
        return parse_duration(text, field, default_unit)
    parser = {
        "count": parse_count,
        "flop": parse_flop,
        "macs": parse_macs,
        "rate": parse_rate,
        "fraction": parse_fraction,
        "number": parse_number,
    }[kind]
    return parser(text, field)


_RANGE_SEP = re.compile(r"\s*(?:\.\.|…|\bto\b)\s*")


def parse_range(
    text: object, kind: Kind = "number", field: str | None = None, default_unit: str = "days"
) -> Range:
    """Read a single value or a range ``LOW..HIGH`` (also ``LOW to HIGH``) of one kind.

    A unit written only after the high end applies to both ends (``5..6 days``).

    >>> parse_range("0.25..0.5", "fraction")
    Range(low=0.25, high=0.5)
    >>> parse_range("1.2M", "count")
    Range(low=1200000.0, high=1200000.0)
    """
    if isinstance(text, Range):
        return text
    if isinstance(text, (tuple, list)):
        if len(text) != 2:
            raise InputError(field, f"a range needs two values (low, high), got {text!r}")
        low = parse_quantity(text[0], kind, field, default_unit)
        high = parse_quantity(text[1], kind, field, default_unit)
    elif isinstance(text, str) and len(parts := _RANGE_SEP.split(text.strip())) > 1:
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise InputError(field, f"cannot read {text!r} as a range; write LOW..HIGH")
        low_text, high_text = parts
        high = parse_quantity(high_text, kind, field, default_unit)
        try:
            low = parse_quantity(low_text, kind, field, default_unit)
        except InputError:
            # "5..6 days": the low end borrows the unit of the high end
            _, unit = _split(high_text, field)
            low = parse_quantity(f"{low_text} {unit}", kind, field, default_unit)
        else:
            _, low_unit = _split(low_text, field)
            _, high_unit = _split(high_text, field)
            if not low_unit and high_unit:
                low = parse_quantity(f"{low_text} {high_unit}", kind, field, default_unit)
    else:
        value = parse_quantity(text, kind, field, default_unit)
        return Range(value, value)
    if low > high:
        raise InputError(field, f"range low end {low:g} is above its high end {high:g}")
    return Range(low, high)


# --- formatting ----------------------------------------------------------------------------

_SI_SHORT = [
    (1e24, "Y"),
    (1e21, "Z"),
    (1e18, "E"),
    (1e15, "P"),
    (1e12, "T"),
    (1e9, "G"),
    (1e6, "M"),
    (1e3, "k"),
]


def format_si(value: float, digits: int = 3, unit: str = "") -> str:
    """Format with an SI letter and ``digits`` significant digits: ``1.2M``, ``11.4G``; with a
    unit, a space goes before the prefixed unit: ``1.581 TFLOP/s``.

    >>> format_si(11.4e9), format_si(1200000), format_si(0.33), format_si(1.581e12, 4, "FLOP/s")
    ('11.4G', '1.2M', '0.33', '1.581 TFLOP/s')
    """
    sep = " " if unit else ""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}{sep}{unit}"
    magnitude = abs(value)
    for scale, letter in _SI_SHORT:
        if magnitude >= scale * 0.9995:
            return f"{value / scale:.{digits}g}{sep}{letter}{unit}"
    return f"{value:.{digits}g}{sep}{unit}"


def format_flop(flop: float, digits: int = 3) -> str:
    """Format an amount of compute in scientific notation: ``1.05e+19 FLOP``."""
    return f"{flop:.{digits}g} FLOP" if flop < 1e4 else f"{flop:.{digits - 1}e} FLOP"


def format_pfs_days(flop: float, digits: int = 3) -> str:
    """Format FLOP as petaflop/s-days with ``digits`` significant digits: ``0.122 pfs-days``."""
    value = flop_to_pfs_days(flop)
    if value != 0 and (abs(value) < 1e-4 or abs(value) >= 1e6):
        return f"{value:.{digits - 1}e} pfs-days"
    return f"{value:.{digits}g} pfs-days"


def format_duration(seconds: float) -> str:
    """Format seconds in the largest convenient unit: ``5.5 days``, ``120 h``."""
    if seconds >= 2 * SECONDS_PER_DAY:
        return f"{seconds / SECONDS_PER_DAY:.4g} days"
    if seconds >= 2 * SECONDS_PER_HOUR:
        return f"{seconds / SECONDS_PER_HOUR:.4g} h"
    return f"{seconds:.4g} s"
