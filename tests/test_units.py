"""Units, conversions and the parsers of what people type."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aicompute import InputError, Range, units
from aicompute.constants import FLOP_PER_PFS_DAY


def test_pfs_day_is_1e15_times_86400() -> None:
    assert FLOP_PER_PFS_DAY == 1e15 * 86_400 == 8.64e19
    assert units.flop_to_pfs_days(8.64e19) == 1.0
    assert units.pfs_days_to_flop(0.117) == pytest.approx(1.01088e19)
    assert units.flop_to_petaflop(1e19) == 10_000  # the seed's "10,000 PF"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3.14e23", 3.14e23),
        ("1.2M", 1.2e6),
        ("300B", 300e9),
        ("11.4 G", 11.4e9),
        ("1,200,000", 1.2e6),
        ("2.5 billion", 2.5e9),
        ("1.2 x 10^6", 1.2e6),
        ("10^9", 1e9),
        ("5k", 5e3),
        ("1.5T", 1.5e12),
        ("  42 ", 42.0),
        ("1_000", 1000.0),
        (".5", 0.5),
        (7, 7.0),
        (2.5, 2.5),
        ("1.2×10^6", 1.2e6),
        ("3 bn", 3e9),
    ],
)
def test_parse_number(text: object, value: float) -> None:
    assert units.parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "flop"),
    [
        ("3.14e23", 3.14e23),
        ("3.14e23 FLOP", 3.14e23),
        ("11.4 GFLOP", 11.4e9),
        ("10,000 PF", 1e19),
        ("0.117 pfs-days", 0.117 * 8.64e19),
        ("2 petaflop/s-days", 1.728e20),
        ("1 pfs-day", 8.64e19),
        ("5 PFLOP", 5e15),
        ("1.5 ZFLOPs", 1.5e21),
    ],
)
def test_parse_flop(text: str, flop: float) -> None:
    assert units.parse_flop(text) == pytest.approx(flop)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5.5 days", 5.5 * 86400),
        ("120 h", 120 * 3600),
        ("120h", 120 * 3600),
        ("90 min", 5400),
        ("2 weeks", 14 * 86400),
        ("30 s", 30),
        ("1 day", 86400),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert units.parse_duration(text) == pytest.approx(seconds)


def test_bare_duration_uses_the_flag_unit() -> None:
    assert units.parse_duration("5.5", default_unit="days") == 5.5 * 86400
    assert units.parse_duration("5.5", default_unit="hours") == 5.5 * 3600


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("1.58 TFLOPS", 1.58e12),
        ("989 TFLOP/s", 989e12),
        ("1.58e12", 1.58e12),
        ("1.58T", 1.58e12),
        ("312 tflops", 312e12),
    ],
)
def test_parse_rate(text: str, rate: float) -> None:
    assert units.parse_rate(text) == pytest.approx(rate)


def test_parse_macs_and_counts_with_nouns() -> None:
    assert units.parse_macs("0.75 GMACs") == 0.75e9
    assert units.parse_macs("2.55M MACs") == 2.55e6
    assert units.parse_count("1.2M images") == 1.2e6
    assert units.parse_count("300B tokens") == 300e9
    assert units.parse_fraction("33%") == pytest.approx(0.33)
    assert units.parse_fraction("0.17") == 0.17


@pytest.mark.parametrize(
    ("parser", "text"),
    [
        (units.parse_number, "nan"),
        (units.parse_number, "inf"),
        (units.parse_number, "-Infinity"),
        (units.parse_number, ""),
        (units.parse_number, "abc"),
        (units.parse_number, "5 apples"),
        (units.parse_number, "1e400"),
        (units.parse_flop, "5 parsecs"),
        (units.parse_count, "5 days"),
        (units.parse_duration, "5 fortnights"),
        (units.parse_rate, "5 W"),
        (units.parse_macs, "5 GFLOP"),
        (units.parse_fraction, "half"),
        (units.parse_number, True),
    ],
)
def test_bad_numbers_raise_input_error_naming_the_field(parser, text: object) -> None:
    with pytest.raises(InputError) as info:
        parser(text, "the_field")
    assert info.value.field == "the_field"
    assert str(info.value).startswith("the_field: ")


def test_ranges() -> None:
    assert units.parse_range("5..6", "duration", default_unit="days") == Range(5 * 86400, 6 * 86400)
    assert units.parse_range("5..6 days", "duration") == Range(5 * 86400, 6 * 86400)
    assert units.parse_range("100 to 120 h", "duration") == Range(100 * 3600, 120 * 3600)
    assert units.parse_range("0.25..0.5", "fraction") == Range(0.25, 0.5)
    assert units.parse_range("25%..50%", "fraction") == Range(0.25, 0.5)
    assert units.parse_range("1M..2M", "count") == Range(1e6, 2e6)
    assert units.parse_range((10, 100), "number") == Range(10.0, 100.0)
    assert units.parse_range("7", "number").is_point
    with pytest.raises(InputError, match="low end 6 is above its high end 5"):
        units.parse_range("6..5", "number", "days")
    with pytest.raises(InputError, match=r"LOW\.\.HIGH"):
        units.parse_range("1..2..3", "number", "x")


def test_formatting() -> None:
    assert units.format_si(11.4e9) == "11.4G"
    assert units.format_si(999.96e6) == "1G"
    assert units.format_pfs_days(1.0506e19) == "0.122 pfs-days"
    assert units.format_pfs_days(2.45e15) == "2.84e-05 pfs-days"
    assert units.format_flop(1.0506e19) == "1.05e+19 FLOP"
    assert units.format_duration(475200) == "5.5 days"


# --- properties --------------------------------------------------------------------------

positive = st.floats(min_value=1e-6, max_value=1e26, allow_nan=False, allow_infinity=False)


@given(positive)
def test_si_format_round_trips(value: float) -> None:
    assert units.parse_number(units.format_si(value, 12)) == pytest.approx(value, rel=1e-9)


@given(positive)
def test_repr_round_trips(value: float) -> None:
    assert units.parse_number(repr(value)) == value
    assert units.parse_flop(f"{value!r} FLOP") == value


@given(positive)
def test_pfs_days_round_trip(value: float) -> None:
    assert units.pfs_days_to_flop(units.flop_to_pfs_days(value)) == pytest.approx(value)
    assert units.parse_flop(f"{value!r} pfs-days") == pytest.approx(value * 8.64e19)


@given(positive, positive)
def test_range_round_trip_and_order(a: float, b: float) -> None:
    low, high = min(a, b), max(a, b)
    r = units.parse_range(f"{low!r}..{high!r}", "number")
    assert (r.low, r.high) == (low, high)
    assert low <= r.central <= high * (1 + 1e-12)
    if a != b:
        with pytest.raises(InputError):
            units.parse_range(f"{high!r}..{low!r}", "number")


@given(st.text(max_size=20))
def test_parsers_never_raise_anything_but_input_error(text: str) -> None:
    for parser in (
        units.parse_number,
        units.parse_flop,
        units.parse_count,
        units.parse_macs,
        units.parse_rate,
        units.parse_duration,
        units.parse_fraction,
    ):
        try:
            value = parser(text, "f")
        except InputError:
            continue
        assert math.isfinite(value)
    with contextlib.suppress(InputError):
        units.parse_range(text, "number", "f")


@given(
    st.floats(min_value=0.01, max_value=1e4),
    st.sampled_from([("s", 1), ("min", 60), ("h", 3600), ("days", 86400), ("weeks", 604800)]),
)
def test_duration_units(value: float, unit: tuple[str, int]) -> None:
    assert units.parse_duration(f"{value!r} {unit[0]}") == pytest.approx(value * unit[1])
