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
    assert units.format_si(11.4e9) == "11.4B"  # a bare count: billions, as people write
    assert units.format_si(11.4e9, unit="MAC") == "11.4 GMAC"  # a unit takes its SI prefix
    assert units.format_si(999.96e6) == "1B"
    assert units.format_si(405e9) + " params" == "405B params"
    assert units.format_si(2.5e-5) == "2.5e-5" and units.format_si(3e16) == "3e16"
    assert units.format_pfs_days(1.0506e19) == "0.122 pfs-days"
    assert units.format_pfs_days(2.45e15) == "2.84e-5 pfs-days"
    assert units.format_pfs_days(3.14e23) == "3,630 pfs-days"
    assert units.format_flop(1.0506e19) == "1.05e19 FLOP"
    assert units.format_flop(1890) == "1,890 FLOP"
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


# --- reading what people write, exactly or not at all -------------------------------------

from decimal import Decimal  # noqa: E402

from aicompute.estimation import FIELDS  # noqa: E402


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("tokens", "300BT", 300e9),
        ("tokens", "1.4Ttokens", 1.4e12),
        ("tokens", "1.4tn", 1.4e12),
        ("tokens", "1.4 trillion", 1.4e12),
        ("tokens", "2T tokens", 2e12),
        ("tokens", "15.6T tokens", 15.6e12),
        ("tokens", "300 billion tokens", 300e9),
        ("tokens", "1.4 trillion tokens", 1.4e12),
        ("params", "175B parameters", 175e9),
        ("params", "70bn params", 70e9),
        ("params", "6.7 billion", 6.7e9),
        ("examples", "1.2M images", 1.2e6),
        ("examples", "14M samples", 14e6),
        ("updates", "500k steps", 5e5),
        ("chip_hours", "30.84M GPU-hours", 30.84e6),
        ("chip_hours", "3.3M GPU hours", 3.3e6),
        ("chip_hours", "1,720,320 GPU-hours", 1_720_320),
        ("count", "2048 GPUs", 2048),
        ("epochs", "90 epochs", 90),
        ("forward_flop", "3.14e23 FLOPs", 3.14e23),
        ("forward_macs", "0.75 GMACs", 0.75e9),
    ],
)
def test_quantities_as_papers_write_them(field: str, text: str, value: float) -> None:
    assert FIELDS[field].read(text).low == value


@pytest.mark.parametrize(
    ("field", "text", "needle"),
    [
        ("params", "70GB", "bytes are not a count of parameters"),
        ("params", "140 GiB", "bytes"),
        ("tokens", "2 TB", "bytes"),
        ("params", "1,5B", "for a decimal write a point: 1.5"),
        ("days", "1,5", "a comma may only separate groups of three digits"),
        ("params", "300B tokens", "unknown word 'tokens'"),
        ("tokens", "300B words", "unknown word 'words'"),
        ("tokens", "300BX", "unknown word"),
        ("tokens", "1.4 Trillions of tokens", "unknown word"),
        ("chip_hours", "1M core-hours", "core-hours"),
        ("params", "10^99999", "out of range"),
        ("params", "1e99999", "out of range"),
        ("params", "1" * 5000, "over the limit of 100 for a number"),
        ("utilization", "0,4", "a comma"),
    ],
)
def test_what_cannot_be_read_exactly_is_refused(field: str, text: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        FIELDS[field].read(text)
    assert info.value.field == field
    assert needle in str(info.value)


_SCALES = {
    "k": 3,
    "K": 3,
    "thousand": 3,
    "M": 6,
    "m": 6,
    "mn": 6,
    "million": 6,
    "B": 9,
    "b": 9,
    "G": 9,
    "bn": 9,
    "billion": 9,
    "T": 12,
    "t": 12,
    "tn": 12,
    "trillion": 12,
    "": 0,
}
_TOKEN_SPELLINGS = ["", "tokens", "Tokens", "TOKENS", "token", "toks", "tok", "T"]


@given(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3),
    st.sampled_from(sorted(_SCALES)),
    st.sampled_from(_TOKEN_SPELLINGS),
    st.sampled_from(["", " "]),
    st.sampled_from(["", " "]),
)
def test_every_scale_and_noun_spelling_reads_exactly(
    number: Decimal, scale: str, noun: str, gap1: str, gap2: str
) -> None:
    if not scale and noun == "T":
        noun = "tokens"  # "5T" alone is five trillion: the scale, not the noun
    if len(scale) > 1 and not gap1:
        gap1 = " " if scale[-1].isalpha() and noun[:1].isalpha() else ""
    text = f"{number}{gap1}{scale}{gap2 if noun else ''}{noun}"
    if scale and len(scale) > 1 and noun and not gap2:
        text = f"{number}{gap1}{scale} {noun}"
    expected = float(number.scaleb(_SCALES[scale]))
    assert FIELDS["tokens"].read(text).low == expected, text


@given(
    st.decimals(min_value=Decimal("1"), max_value=Decimal("999"), places=1),
    st.sampled_from(["", "B", "T", " billion"]),
    st.text(alphabet="abcdefghijklmnopqrsuvwxyzXQ", min_size=1, max_size=6),
)
def test_an_unknown_word_is_never_skipped(number: Decimal, scale: str, junk: str) -> None:
    """Whatever follows the number is either a scale or noun the field knows, or refused."""
    from aicompute.units import _SCALE_LETTERS, _SCALE_WORDS

    known = {"tokens", "token", "toks", "tok", "t"} | set(_SCALE_WORDS) | set(_SCALE_LETTERS)
    text = f"{number}{scale} {junk}"
    if junk.lower() in known:
        return
    with pytest.raises(InputError):
        FIELDS["tokens"].read(text)


@given(st.integers(min_value=1000, max_value=10**15), st.sampled_from([",", "_"]))
def test_digits_grouped_by_threes_read_exactly(n: int, sep: str) -> None:
    text = f"{n:,}".replace(",", sep)
    assert units.parse_number(text) == n


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=99))
def test_a_comma_not_between_groups_of_three_is_refused(a: int, b: int) -> None:
    with pytest.raises(InputError, match="comma"):
        units.parse_number(f"{a},{b}")
