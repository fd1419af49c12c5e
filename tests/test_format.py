"""The one number formatter: its rules in Python, and its JavaScript twin (the report's
``static/format.js``, shared with the web app) giving the same strings in a real browser.

The browser test is skipped when chromium or Playwright is missing on a developer's machine;
under CI (CI=true) a missing browser is a failure, as in tests/test_browser.py.
"""

from __future__ import annotations

import math
from importlib import resources

import pytest

from aicompute import units
from aicompute.units import format_number
from tests.browsers import ARGS, BROWSER, CHROMIUM, sync_playwright

KINDS = ["number", "flop", "pfs_days", "count", "count_words", "usd", "percent", "factor"]
VALUES = [
    0.0, -0.0, 1e-320, 5e-324, 1e-300, 2.5e-5, 0.000999949, 0.000999951, 0.001, 0.00543,
    0.0054, 0.125, 0.5, 1.0, 1.5, 2.5, 3.436, 9.995, 99.95, 999.4, 999.5, 999.6, 1234.5,
    3640.4, 9999.4, 9999.5, 25_000.0, 123_456.7, 999_499.0, 999_500.0, 1_000_000.0,
    2_512_345.678, 9_999_999.0, 1e7, 4.05e11, 405e9, 999.5e9, 1.8e12, 9.995e14, 1e15, 2.5e17,
    3.14159e23, 9.995e23, 1.0506e19, 4.86e17, 1e24, 1.7976931348623157e308, 0.07, 0.904,
    1 / 3, 2 / 3, math.pi, 1.005, 2.675, 0.045, 1e21, 123_456_789_012.0,
]  # fmt: skip
DIGITS = [1, 2, 3, 4, 6]


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (3.14159e23, "flop", "3.14e23 FLOP"),
        (1e24, "flop", "1e24 FLOP"),
        (1890.0, "flop", "1,890 FLOP"),
        (630.0, "flop", "630 FLOP"),
        (9.995e23, "flop", "9.99e23 FLOP"),  # the float is just below 9.995e23
        (9.9951e23, "flop", "1e24 FLOP"),
        (3640.4, "pfs_days", "3,640 pfs-days"),
        (0.0054, "pfs_days", "0.0054 pfs-days"),
        (2.84e-5, "pfs_days", "2.84e-5 pfs-days"),
        (405e9, "count", "405B"),
        (405e9, "count_words", "405 billion"),
        (1.8e12, "count", "1.8T"),
        (1.2e6, "count", "1.2M"),
        (999_500.0, "count", "1M"),  # rounds up into the next scale
        (25_000.0, "count", "25,000"),
        (2.5e16, "count", "2.5e16"),
        (2_512_345.678, "usd", "$2.51M"),
        (1.2e9, "usd", "$1.2B"),
        (-1.2e9, "usd", "-$1.2B"),
        (0.904, "percent", "90.4%"),
        (1.0, "percent", "100%"),
        (4.2, "factor", "4.2x"),
        (999.5, "number", "1,000"),
        (9_999_999.0, "number", "1e7"),
        (0.000999951, "number", "0.001"),
        (-0.00012345, "number", "-1.23e-4"),
        (0.0, "number", "0"),
        (-0.0, "flop", "0 FLOP"),
        (None, "number", "–"),
        (math.nan, "flop", "–"),
        (math.inf, "flop", "∞ FLOP"),
        (-math.inf, "number", "-∞"),
    ],
)
def test_rules(value: float | None, kind: units.NumberKind, text: str) -> None:
    assert format_number(value, kind) == text


def test_no_plus_or_padded_exponents_and_at_most_the_digits_asked() -> None:
    for value in VALUES:
        for kind in KINDS:
            for digits in DIGITS:
                text = format_number(value, kind, digits)  # type: ignore[arg-type]
                assert "e+" not in text and "e-0" not in text and "e0" not in text, text
                significant = text.split("e")[0].lstrip("-$").replace(",", "").replace(".", "")
                significant = "".join(c for c in significant if c.isdigit()).strip("0")
                assert len(significant) <= digits, (value, kind, digits, text)


def test_round_trip_through_the_parsers() -> None:
    """What the formatter prints, the parsers read back, to the digits printed."""
    for value in (3.14159e23, 2.5e-5, 405e9, 1.8e12, 25_000.0, 0.00543):
        assert units.parse_flop(format_number(value, "flop", 6)) == pytest.approx(value, 1e-5)
        assert units.parse_count(format_number(value, "count", 6)) == pytest.approx(value, 1e-5)


def test_named_formatters() -> None:
    assert units.format_flop(1.0506e19) == "1.05e19 FLOP"
    assert units.format_pfs_days(3.14e23) == "3,630 pfs-days"
    assert units.format_count(405e9) == "405B" and units.format_count(405e9, words=True) == (
        "405 billion"
    )
    assert units.format_usd(1.23456e10) == "$12.3B"
    assert units.format_percent(0.045, 2) == "4.5%"
    with pytest.raises(ValueError, match="digits"):
        format_number(1.0, digits=0)


@BROWSER[0]
@BROWSER[1]
def test_javascript_gives_the_same_strings() -> None:
    source = resources.files("aicompute.report").joinpath("static/format.js").read_text("utf-8")
    cases = [
        [value, kind, digits]
        for value in [*VALUES, *(-v for v in VALUES if v)]
        for kind in KINDS
        for digits in DIGITS
    ]
    cases += [[None, "number", 3], [None, "flop", 3]]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.add_script_tag(content=source)
        got = page.evaluate(
            "cases => cases.map(([v, k, d]) => window.aicomputeFormat.number(v, k, d))", cases
        )
        extremes = page.evaluate(
            "() => [NaN, Infinity, -Infinity].map(v => window.aicomputeFormat.flop(v))"
        )
        named = page.evaluate(
            "() => { const f = window.aicomputeFormat; return [f.flop(3.14159e23), "
            "f.pfsDays(3640.4), f.count(405e9), f.usd(2.5e6), f.percent(0.904)]; }"
        )
        browser.close()
    want = [format_number(v, k, d) for v, k, d in cases]
    mismatches = [(c, g, w) for c, g, w in zip(cases, got, want, strict=True) if g != w]
    assert not mismatches, mismatches[:10]
    assert len(got) > 2000
    assert extremes == [format_number(v, "flop") for v in (math.nan, math.inf, -math.inf)]
    assert named == ["3.14e23 FLOP", "3,640 pfs-days", "405B", "$2.5M", "90.4%"]
