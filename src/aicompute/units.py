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
import numbers
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from aicompute.constants import (
    FLOP_PER_PETAFLOP,
    FLOP_PER_PFS_DAY,
    MAX_NUMBER_CHARS,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    SECONDS_PER_MINUTE,
    SECONDS_PER_WEEK,
    SECONDS_PER_YEAR,
)
from aicompute.errors import InputError
from aicompute.uncertainty import Range

__all__ = [
    "NO_VALUE",
    "Kind",
    "NumberKind",
    "check_length",
    "flop_to_petaflop",
    "flop_to_pfs_days",
    "format_count",
    "format_duration",
    "format_flop",
    "format_number",
    "format_percent",
    "format_pfs_days",
    "format_si",
    "format_usd",
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
    "show",
    "show_whole",
    "tidy_exponent",
]

Kind = Literal["count", "flop", "macs", "rate", "duration", "fraction", "number"]
NumberKind = Literal[
    "number", "flop", "pfs_days", "count", "count_words", "usd", "percent", "factor"
]


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
#
# Every parser reads the number exactly (as a decimal, then rounded once to the nearest float),
# then the words after it. A word it does not know is refused, never skipped: a silent partial
# read ("300BT" read as 300) is the worst answer a parser can give.

_SCALE_LETTERS: dict[str, int] = {
    "k": 3,
    "m": 6,
    "b": 9,
    "g": 9,
    "t": 12,
    "p": 15,
    "e": 18,
    "z": 21,
    "y": 24,
}
"""Scale letters after a count, as powers of ten: ``1.2M``, ``300B``, ``11.4G``, ``1.4T``. ``m``
is million (nobody trains on milli-images)."""

_SCALE_WORDS: dict[str, int] = {
    "thousand": 3,
    "thousands": 3,
    "mn": 6,
    "mil": 6,
    "mio": 6,
    "million": 6,
    "millions": 6,
    "bn": 9,
    "billion": 9,
    "billions": 9,
    "tn": 12,
    "trillion": 12,
    "trillions": 12,
    "quadrillion": 15,
}
"""Scale words: ``2.5 billion``, ``1.4tn``, ``3 bn``."""

_SI_PREFIX: dict[str, int] = {
    "": 0,
    **{letter: power for letter, power in _SCALE_LETTERS.items() if letter != "b"},
    "kilo": 3,
    "mega": 6,
    "giga": 9,
    "tera": 12,
    "peta": 15,
    "exa": 18,
    "zetta": 21,
    "yotta": 24,
}
"""SI prefixes in front of a unit ("GFLOP", "TFLOPS", "GMAC"), as powers of ten."""

NOUNS: dict[str, tuple[str, ...]] = {
    "tokens": ("tokens", "token", "toks", "tok", "T"),
    "parameters": ("params", "param", "parameters", "parameter", "weights"),
    "examples": (
        "examples",
        "example",
        "images",
        "image",
        "samples",
        "sample",
        "sequences",
        "sequence",
        "episodes",
        "episode",
        "games",
        "game",
        "frames",
        "frame",
        "utterances",
        "clips",
        "videos",
        "documents",
        "pairs",
        "positions",
        "sentences",
        "sentence pairs",
        "items",
    ),
    "epochs": ("epochs", "epoch", "passes", "pass"),
    "updates": ("steps", "step", "updates", "update", "iterations", "iteration", "iters"),
    "networks": ("runs", "run", "networks", "network", "models", "model", "trials", "seeds"),
    "chips": (
        "chips",
        "chip",
        "gpus",
        "gpu",
        "tpus",
        "tpu",
        "accelerators",
        "accelerator",
        "devices",
        "device",
        "cards",
        "card",
        "cpus",
        "cpu",
        "boards",
        "board",
    ),
    "chip-hours": (
        "chip-hours",
        "chip hours",
        "gpu-hours",
        "gpu hours",
        "gpu-hrs",
        "gpu hrs",
        "gpuh",
        "tpu-hours",
        "tpu hours",
        "accelerator-hours",
        "device-hours",
        "hours",
        "hour",
        "h",
        "hrs",
    ),
}
"""The words each kind of count may carry after its number (case, spaces and hyphens aside):
``300B tokens``, ``300BT``, ``1.2M images``, ``30.84M GPU-hours``. The estimate"s inputs take
theirs from here."""

COUNT_NOUNS: frozenset[str] = frozenset(
    re.sub(r"[\s\-_]", "", noun.lower()) for nouns in NOUNS.values() for noun in nouns
)
"""Nouns a count may carry when the caller does not name the nouns of its field."""

_BYTES = re.compile(r"^(?:[kmgtpe]i?b|bytes?|[kmgtpe]i?bytes?|[kmgtpe]b?ytes?)$", re.IGNORECASE)

_GROUP_SEPARATORS = ",_\u2009\u202f"
_MANTISSA = re.compile(
    r"""^(?P<sign>[+-]?)
    (?P<int>\d[\d,_\u2009\u202f]*)?(?:\.(?P<frac>\d*))?
    (?:[eE](?P<e>[+-]?\d+))?""",
    re.VERBOSE,
)
_TIMES_TEN = re.compile(r"^\s*(?:[x×*·]|\s)\s*10\s*(?:\^|\*\*)\s*(?P<exp>[+-]?\d+)")
_POWER_OF_TEN = re.compile(r"^10\s*(?:\^|\*\*)\s*(?P<exp>[+-]?\d+)")
_GROUPED = re.compile(r"^\d{1,3}(?:(?P<sep>[,_\u2009\u202f])\d{3})(?:(?P=sep)\d{3})*$")
_MAX_EXPONENT = 400
"""Exponents beyond this are refused before any arithmetic (no float comes near them)."""

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


def show(value: object, limit: int = 60) -> str:
    """``value`` for a message: its repr cut to about ``limit`` characters, since inputs can be
    huge (an integer too long for ``repr`` is described by its number of digits).

    >>> show("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (102 characters)"
    >>> show(10**5000)
    'an integer of about 5,001 digits'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 200:
        return f"an integer of about {int(abs(value).bit_length() * math.log10(2)) + 1:,} digits"
    try:
        text = repr(value)
    except Exception:  # an object whose repr fails still gets a message
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else f"{text[: limit - 10]}... ({len(text):,} characters)"


def show_whole(number: int) -> str:
    """A whole number with thousands separators, or its size when it is too long to print.

    >>> show_whole(10**12), show_whole(-(10**5000))
    ('1,000,000,000,000', 'an integer of about 5,001 digits')
    """
    return f"{number:,}" if abs(number).bit_length() <= 200 else show(number)


def _noun_key(text: str) -> str:
    """A unit or noun with case, spaces, hyphens and underscores removed."""
    return re.sub(r"[\s\-_]", "", text.lower())


def _read(text: object, field: str | None) -> tuple[Decimal, str]:
    """Read the number at the start of ``text`` exactly; return it and the words after it.

    Digits may be grouped by threes with commas (``1,200,000``), never otherwise: ``1,5`` is
    refused, since a decimal comma read as a separator would be a silent factor of ten.
    """
    if isinstance(text, bool):
        raise InputError(field, f"expected a number, got {text!r}")
    if isinstance(text, numbers.Integral):
        number = int(text)
        if abs(number) >= 10**MAX_NUMBER_CHARS:
            raise InputError(
                field, f"has more than {MAX_NUMBER_CHARS} digits; write it as 1.2e150 or 10^150"
            )
        return Decimal(number), ""
    if isinstance(text, numbers.Real):
        real = float(text)
        if not math.isfinite(real):
            raise InputError(field, f"must be a finite number, got {text!r}")
        return Decimal(repr(real)), ""
    if not isinstance(text, (str, Decimal)):
        raise InputError(field, f"expected a number or text, got {type(text).__name__}")
    raw = str(text)
    check_length(raw, field)
    s = raw.strip()
    if not s:
        raise InputError(field, "a value is required, got an empty string")
    if s.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        raise InputError(field, f"must be a finite number, got {raw!r}")
    if power := _POWER_OF_TEN.match(s):
        return Decimal(1).scaleb(_exponent(power["exp"], field, raw)), s[power.end() :].strip()
    match = _MANTISSA.match(s)
    if not match or (match["int"] is None and not match["frac"]):
        raise InputError(field, f"cannot read {raw!r} as a number")
    digits = match["int"] or "0"
    if any(sep in digits for sep in _GROUP_SEPARATORS):
        grouped = _GROUPED.match(digits)
        if not grouped:
            hint = ""
            if "," in digits and re.fullmatch(r"\d+,\d+", digits):
                hint = f"; for a decimal write a point: {digits.replace(',', '.')}"
            raise InputError(
                field,
                f"cannot read {raw!r}: a comma may only separate groups of three digits "
                f"(1,000,000){hint}",
            )
        digits = re.sub(f"[{_GROUP_SEPARATORS}]", "", digits)
    value = Decimal(f"{match['sign']}{digits}.{match['frac'] or '0'}")
    exponent = _exponent(match["e"], field, raw) if match["e"] else 0
    rest = s[match.end() :]
    if times := _TIMES_TEN.match(rest):
        exponent += _exponent(times["exp"], field, raw)
        rest = rest[times.end() :]
    return value.scaleb(exponent), rest.strip()


def check_length(text: str, field: str | None) -> None:
    """Refuse number text longer than :data:`~aicompute.constants.MAX_NUMBER_CHARS`, before
    reading it."""
    if len(text) > MAX_NUMBER_CHARS:
        raise InputError(
            field,
            f"{text[:20]!r}... is {len(text):,} characters long, over the limit of "
            f"{MAX_NUMBER_CHARS} for a number",
        )


def _exponent(text: str, field: str | None, raw: str) -> int:
    if len(text.lstrip("+-")) > 4 or abs(int(text)) > _MAX_EXPONENT:
        raise InputError(field, f"{raw!r} is out of range")
    return int(text)


def _to_float(value: Decimal, field: str | None, text: object) -> float:
    """The nearest float to ``value``; refuse what no float can hold."""
    out = float(value)
    if not math.isfinite(out):
        raise InputError(field, f"{text!r} is too large to represent")
    if out == 0 and value != 0:
        raise InputError(field, f"{text!r} is too small to represent")
    return out


def _take_scale(rest: str, nouns: frozenset[str]) -> tuple[int, str]:
    """Split a leading scale word or letter off ``rest``: (power of ten, what follows).

    A letter is a scale only when it stands alone or is followed by a space or by a noun of
    ``nouns`` (``300BT`` is 300 billion tokens when ``T`` is a noun of the field).
    """
    if not rest:
        return 0, rest
    word = re.match(r"^[A-Za-z]+", rest)
    if word and word[0].lower() in _SCALE_WORDS:
        after = rest[word.end() :]
        if not after or not after[0].isalpha():
            return _SCALE_WORDS[word[0].lower()], after.strip(" -")
    letter = rest[0].lower()
    if letter in _SCALE_LETTERS:
        after = rest[1:]
        if not after or not after[0].isalpha() or _noun_key(after) in nouns:
            return _SCALE_LETTERS[letter], after.strip(" -")
    return 0, rest


def _count_value(text: object, field: str | None, nouns: frozenset[str], what: str) -> Decimal:
    value, rest = _read(text, field)
    scale, rest = _take_scale(rest, nouns)
    if rest:
        key = _noun_key(rest)
        if _BYTES.match(key) or _BYTES.match(_noun_key(rest.lstrip("kKmMgGtTpP"))):
            raise InputError(
                field,
                f"{text!r} is a size in bytes, and bytes are not a count of {what}; "
                f"give the number of {what} (e.g. 70B)",
            )
        if key not in nouns:
            if key in _DURATION_UNITS or _flop_unit_scale(key) is not None:
                raise InputError(field, f"expected a count of {what}, got {text!r}")
            raise InputError(
                field,
                f"cannot read {text!r} as a count of {what}: unknown word {rest!r}"
                + (f" (known: {', '.join(sorted(nouns)[:8])})" if nouns else ""),
            )
    return value.scaleb(scale)


def parse_number(text: object, field: str | None = None) -> float:
    """Read a plain number with an optional scale: ``3.14e23``, ``1.2M``, ``300B``, ``11.4 G``,
    ``1,200,000``, ``2.5 billion``, ``10^9``.

    >>> parse_number("11.4 G"), parse_number("3.14e23"), parse_number("1.2 x 10^6")
    (11400000000.0, 3.14e+23, 1200000.0)
    """
    return _to_float(_count_value(text, field, frozenset(), "things"), field, text)


def parse_count(
    text: object,
    field: str | None = None,
    nouns: frozenset[str] | None = None,
    what: str | None = None,
) -> float:
    """Read a count of things, allowing a trailing noun: ``1.2M images``, ``300B tokens``,
    ``300BT``, ``1.4 trillion tokens``.

    ``nouns`` are the words the count may carry (case, spaces and hyphens aside); by default
    the common nouns of :data:`COUNT_NOUNS`. ``what`` names the things in messages.

    >>> parse_count("300B tokens"), parse_count("1.4tn")
    (300000000000.0, 1400000000000.0)
    """
    allowed = COUNT_NOUNS if nouns is None else frozenset(_noun_key(n) for n in nouns)
    value = _count_value(text, field, allowed, what or field or "things")
    return _to_float(value, field, text)


def _flop_unit_scale(unit: str) -> int | float | None:
    """FLOP per unit for an amount-of-compute unit (``GFLOP``, ``PF``, ``pfs-days``): a power
    of ten for prefixed FLOP, the pfs-day as a float."""
    unit = unit.lower().replace(" ", "").replace("-", "").replace("_", "")
    if unit in _PFS_DAY_UNITS:
        return FLOP_PER_PFS_DAY
    if unit in {"pf", "petaflop", "petaflops"}:
        return 15
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
    value, rest = _read(text, field)
    scale, rest = _take_scale(rest, frozenset())
    value = value.scaleb(scale)
    if rest:
        unit = _flop_unit_scale(rest)
        if unit is None:
            raise InputError(field, f"unknown unit in {text!r}; use FLOP, GFLOP, PF or pfs-days")
        if isinstance(unit, int):
            value = value.scaleb(unit)
        else:
            return _to_float(value, field, text) * unit if value else 0.0
    return _to_float(value, field, text)


def _prefixed(
    text: object, field: str | None, suffixes: tuple[str, ...]
) -> tuple[Decimal, str | None]:
    """A number and its SI-prefixed unit among ``suffixes``; the unknown unit text, if any."""
    value, rest = _read(text, field)
    scale, rest = _take_scale(rest, frozenset())
    value = value.scaleb(scale)
    if not rest:
        return value, None
    unit = rest.lower().replace(" ", "").replace("-", "")
    for suffix in suffixes:
        if unit.endswith(suffix) and unit[: -len(suffix)] in _SI_PREFIX:
            return value.scaleb(_SI_PREFIX[unit[: -len(suffix)]]), None
    return value, rest


def parse_macs(text: object, field: str | None = None) -> float:
    """Read a number of multiply-adds: ``11.4G``, ``0.75 GMAC``, ``2.55M MACs``.

    >>> parse_macs("0.75 GMACs")
    750000000.0
    """
    suffixes = ("multiplyadds", "multiplyadd", "macs", "mac", "madds", "madd")
    value, unknown = _prefixed(text, field, suffixes)
    if unknown is not None:
        if _flop_unit_scale(unknown) is not None:
            raise InputError(
                field,
                f"{text!r} is in FLOP; give multiply-adds here, or use the forward-FLOP input",
            )
        raise InputError(field, f"unknown unit in {text!r}; use a count of multiply-adds")
    return _to_float(value, field, text)


def parse_rate(text: object, field: str | None = None) -> float:
    """Read a speed in FLOP per second: ``1.58 TFLOPS``, ``989 TFLOP/s``, ``1.58e12``, ``1.58T``.

    >>> parse_rate("1.58 TFLOPS")
    1580000000000.0
    """
    suffixes = ("flop/s", "flops", "flop/sec", "ops", "op/s")
    value, unknown = _prefixed(text, field, suffixes)
    if unknown is not None:
        raise InputError(field, f"unknown unit in {text!r}; use FLOP/s, e.g. '1.58 TFLOPS'")
    return _to_float(value, field, text)


def parse_duration(text: object, field: str | None = None, default_unit: str = "days") -> float:
    """Read a duration and return seconds: ``5.5 days``, ``120 h``, ``90 min``, ``2 weeks``.
    A bare number is in ``default_unit``.

    >>> parse_duration("5.5 days"), parse_duration("120h"), parse_duration(2, default_unit="h")
    (475200.0, 432000.0, 7200.0)
    """
    value, rest = _read(text, field)
    unit = (rest or default_unit).lower().replace(" ", "")
    if unit not in _DURATION_UNITS:
        raise InputError(
            field, f"unknown time unit in {text!r}; use s, min, h, days, weeks or years"
        )
    return _to_float(value, field, text) * _DURATION_UNITS[unit]


def parse_fraction(text: object, field: str | None = None) -> float:
    """Read a fraction: ``0.33`` or ``33%``.

    >>> parse_fraction("33%")
    0.33
    """
    value, rest = _read(text, field)
    if rest == "%":
        return _to_float(value.scaleb(-2), field, text)
    if rest:
        raise InputError(field, f"cannot read {text!r} as a fraction; use 0.33 or 33%")
    return _to_float(value, field, text)


def parse_quantity(
    text: object,
    kind: Kind,
    field: str | None = None,
    default_unit: str = "days",
    nouns: frozenset[str] | None = None,
    what: str | None = None,
) -> float:
    """Dispatch to the parser for ``kind``; a count may carry one of ``nouns`` and counts
    ``what``."""
    if kind == "duration":
        return parse_duration(text, field, default_unit)
    if kind == "count":
        return parse_count(text, field, nouns, what)
    parser = {
        "flop": parse_flop,
        "macs": parse_macs,
        "rate": parse_rate,
        "fraction": parse_fraction,
        "number": parse_number,
    }[kind]
    return parser(text, field)


_RANGE_SEP = re.compile(r"\s*(?:\.\.|…|\bto\b)\s*")


def parse_range(
    text: object,
    kind: Kind = "number",
    field: str | None = None,
    default_unit: str = "days",
    nouns: frozenset[str] | None = None,
    what: str | None = None,
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
    if isinstance(text, str):
        check_length(text, field)
    if isinstance(text, (tuple, list)):
        if len(text) != 2:
            raise InputError(field, f"a range needs two values (low, high), got {show(text)}")
        low = parse_quantity(text[0], kind, field, default_unit, nouns, what)
        high = parse_quantity(text[1], kind, field, default_unit, nouns, what)
    elif isinstance(text, str) and len(parts := _RANGE_SEP.split(text.strip())) > 1:
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise InputError(field, f"cannot read {text!r} as a range; write LOW..HIGH")
        low_text, high_text = parts
        high = parse_quantity(high_text, kind, field, default_unit, nouns, what)
        try:
            low = parse_quantity(low_text, kind, field, default_unit, nouns, what)
        except InputError:
            # "5..6 days": the low end borrows the unit of the high end
            _, unit = _read(high_text, field)
            low = parse_quantity(f"{low_text} {unit}", kind, field, default_unit, nouns, what)
        else:
            _, low_unit = _read(low_text, field)
            _, high_unit = _read(high_text, field)
            if not low_unit and high_unit:
                low = parse_quantity(
                    f"{low_text} {high_unit}", kind, field, default_unit, nouns, what
                )
    else:
        value = parse_quantity(text, kind, field, default_unit, nouns, what)
        return Range(value, value)
    if low > high:
        raise InputError(field, f"range low end {low:g} is above its high end {high:g}")
    return Range(low, high)


# --- formatting ----------------------------------------------------------------------------

_COUNT_SHORT = [(1e15, ""), (1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
"""The letters of a bare count: thousand, million, billion, trillion (beyond: scientific)."""

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
    """Format with a scale letter and ``digits`` significant digits. A bare count takes the
    letters people write (``1.2M``, ``405B``, ``1.4T``; the parsers read them back), a unit its
    SI prefix after a space (``1.581 TFLOP/s``, ``11.4 GMAC``). Exponents are written as people
    write them: ``2e-5``, ``1.2e18``.

    >>> format_si(405e9), format_si(1200000), format_si(0.33), format_si(1.581e12, 4, "FLOP/s")
    ('405B', '1.2M', '0.33', '1.581 TFLOP/s')
    >>> format_si(2.5e-5), format_si(3e16), format_si(3e16, unit="FLOP")
    ('2.5e-5', '3e16', '30 PFLOP')
    """
    sep = " " if unit else ""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}{sep}{unit}"
    magnitude = abs(value)
    for scale, letter in _SI_SHORT if unit else _COUNT_SHORT:
        if magnitude >= scale * 0.9995:
            if not unit and scale >= 1e15:
                break
            return f"{tidy_exponent(f'{value / scale:.{digits}g}')}{sep}{letter}{unit}"
    return f"{tidy_exponent(f'{value:.{digits}g}')}{sep}{unit}"


def tidy_exponent(text: str) -> str:
    """A number from Python's ``g``/``e`` formats with its exponent as people write it:
    ``1e-05`` -> ``1e-5``, ``3e+16`` -> ``3e16``."""
    return re.sub(r"e([+-])0*(\d)", lambda m: f"e{'-' if m[1] == '-' else ''}{m[2]}", text)


# --- the one number formatter ---------------------------------------------------------------
#
# The CLI, the report and the web app print numbers with these rules; the report's
# ``static/format.js`` implements the same rules in JavaScript, string for string (the tests
# compare them on a battery of values). Rounding is to ``digits`` significant digits, half away
# from zero on the exact value of the float, as JavaScript's ``toExponential`` rounds.

_COUNT_SCALES = {6: ("M", " million"), 9: ("B", " billion"), 12: ("T", " trillion")}
NO_VALUE = "\u2013"
"""What a missing number prints as: an en dash."""


def _round_sig(magnitude: float, digits: int) -> tuple[str, int]:
    """A positive finite ``magnitude`` rounded to ``digits`` significant digits: the digits and
    the power of ten of the first one (``('314', 23)`` for 3.14e23)."""
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        text = format(Decimal(magnitude), f".{digits - 1}e")
    mantissa, exponent = text.split("e")
    return mantissa.replace(".", ""), int(exponent)


def _group(integer: str) -> str:
    """Digits grouped by threes with commas: ``1234567`` -> ``1,234,567``."""
    head = len(integer) % 3 or 3
    return ",".join([integer[:head]] + [integer[i : i + 3] for i in range(head, len(integer), 3)])


def _fixed(mantissa: str, exponent: int) -> str:
    """Rounded digits written out in full: grouped integer part, no trailing zeros."""
    if exponent >= len(mantissa) - 1:
        return _group(mantissa + "0" * (exponent - len(mantissa) + 1))
    if exponent < 0:
        integer, fraction = "0", "0" * (-exponent - 1) + mantissa
    else:
        integer, fraction = mantissa[: exponent + 1], mantissa[exponent + 1 :]
    fraction = fraction.rstrip("0")
    return _group(integer) + (f".{fraction}" if fraction else "")


def _scientific(mantissa: str, exponent: int) -> str:
    """Rounded digits in scientific notation as people write it: ``3.14e23``, ``5e-4``."""
    rest = mantissa[1:].rstrip("0")
    return f"{mantissa[0]}{'.' + rest if rest else ''}e{exponent}"


def _plain(magnitude: float, digits: int, fixed_below: int = 7) -> str:
    """A positive magnitude: written out from 0.001 up to ``10**fixed_below``, else
    scientific."""
    mantissa, exponent = _round_sig(magnitude, digits)
    if -3 <= exponent < fixed_below:
        return _fixed(mantissa, exponent)
    return _scientific(mantissa, exponent)


def _scaled(magnitude: float, digits: int, words: bool) -> str:
    """A positive count: in full below a million, then millions, billions and trillions
    (``1.2M``, ``405B``, ``1.8T``, or in words), scientific from a quadrillion."""
    mantissa, exponent = _round_sig(magnitude, digits)
    if exponent < 6:
        return _plain(magnitude, digits)
    if exponent >= 15:
        return _scientific(mantissa, exponent)
    power = exponent // 3 * 3
    short, long = _COUNT_SCALES[power]
    return _fixed(mantissa, exponent - power) + (long if words else short)


def format_number(value: float | None, kind: NumberKind = "number", digits: int = 3) -> str:
    """A number for people, with ``digits`` significant digits (at most: trailing zeros go).

    ``kind`` says what it counts:

    - ``number``: written out from 0.001 to 10 million, grouped by threes, else scientific;
    - ``flop``: FLOP, scientific from 10,000: ``3.14e23 FLOP``;
    - ``pfs_days``: a number of petaflop/s-days: ``3,640 pfs-days``, ``0.00543 pfs-days``;
    - ``count``: parameters, tokens, examples: ``25,000``, ``1.2M``, ``405B``, ``1.8T``;
    - ``count_words``: the same in words: ``405 billion``;
    - ``usd``: dollars, ``$25,000``, ``$2.5M``, ``$1.2B``;
    - ``percent``: a fraction as a percentage: 0.904 -> ``90.4%``;
    - ``factor``: a ratio: ``4.2x``.

    ``None`` and NaN print as an en dash, infinities as ``∞``. The report's ``format.js``
    gives the same strings.

    >>> format_number(3.14159e23, "flop"), format_number(3640.4, "pfs_days")
    ('3.14e23 FLOP', '3,640 pfs-days')
    >>> format_number(405e9, "count"), format_number(2.5e6, "usd"), format_number(0.9, "percent")
    ('405B', '$2.5M', '90%')
    >>> format_number(999.5), format_number(-0.00012345), format_number(None)
    ('1,000', '-1.23e-4', '–')
    """
    if digits < 1 or digits > 21:
        raise ValueError(f"digits must be 1 to 21, got {digits}")
    if value is None or math.isnan(value):
        return NO_VALUE
    value = float(value)
    if kind == "percent":
        value *= 100
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if math.isinf(magnitude):
        text = "\u221e"
    elif magnitude == 0:
        sign, text = "", "0"
    elif kind in ("count", "usd"):
        text = _scaled(magnitude, digits, words=False)
    elif kind == "count_words":
        text = _scaled(magnitude, digits, words=True)
    elif kind == "flop":
        text = _plain(magnitude, digits, fixed_below=4)
    else:
        text = _plain(magnitude, digits)
    if kind == "usd":
        text = "$" + text
    suffix = {"flop": " FLOP", "pfs_days": " pfs-days", "percent": "%", "factor": "x"}
    return sign + text + suffix.get(kind, "")


def format_flop(flop: float, digits: int = 3) -> str:
    """Format an amount of compute as people write it: ``1.05e19 FLOP``, ``1,890 FLOP``.

    >>> format_flop(1.0506e19), format_flop(1e24)
    ('1.05e19 FLOP', '1e24 FLOP')
    """
    return format_number(flop, "flop", digits)


def format_pfs_days(flop: float, digits: int = 3) -> str:
    """Format FLOP as petaflop/s-days with ``digits`` significant digits: ``0.122 pfs-days``,
    ``3,640 pfs-days``.

    >>> format_pfs_days(1.0506e19), format_pfs_days(3.14e23)
    ('0.122 pfs-days', '3,630 pfs-days')
    """
    return format_number(flop_to_pfs_days(flop), "pfs_days", digits)


def format_count(value: float, digits: int = 3, words: bool = False) -> str:
    """A count of parameters, tokens or examples: ``405B``, ``1.8T``, ``25,000``; with
    ``words``, ``405 billion``.

    >>> format_count(405e9), format_count(1.8e12, words=True)
    ('405B', '1.8 trillion')
    """
    return format_number(value, "count_words" if words else "count", digits)


def format_usd(value: float, digits: int = 3) -> str:
    """Dollars with at most ``digits`` significant digits: ``$2.5M``, ``$1.2B``.

    >>> format_usd(2_512_345.678), format_usd(1.2e9)
    ('$2.51M', '$1.2B')
    """
    return format_number(value, "usd", digits)


def format_percent(fraction: float, digits: int = 3) -> str:
    """A fraction as a percentage: ``0.904`` -> ``90.4%``."""
    return format_number(fraction, "percent", digits)


def format_duration(seconds: float) -> str:
    """Format seconds in the largest convenient unit: ``5.5 days``, ``120 h``."""
    if seconds >= 2 * SECONDS_PER_DAY:
        return f"{seconds / SECONDS_PER_DAY:.4g} days"
    if seconds >= 2 * SECONDS_PER_HOUR:
        return f"{seconds / SECONDS_PER_HOUR:.4g} h"
    return f"{seconds:.4g} s"
