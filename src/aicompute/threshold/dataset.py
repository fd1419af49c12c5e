"""The dataset against the thresholds: how likely each record's training compute is above
10^25 or 10^26 FLOP, and how many models crossed each line, year by year.

Each record's compute is read as :meth:`Reported.from_record` reads it: the figure is the
median, and each side of it a half-normal in log space fitted to that side of the record's 90%
interval (its own low/high, or its confidence's default). ``P(compute > flop)`` is then exact
(:meth:`Reported.p_exceed`). An upper-bound record's high end is its figure, so it is never
above a threshold at or over that figure.

Every record with compute counts, whatever the trend fits do with it: records flagged
``exclude_from_trend`` and models derived from another record (``base_model``, whose compute
includes the base's) are models in their own right, and the question here is how many models
crossed a line, not how fast the largest runs grow.

>>> rows = exceedance(
...     [Record(name="A", date="2024-03", flop=1e25, low_flop=5e24, high_flop=3e25)], (1e25,)
... )
>>> rows[0]["p_above_1e25"], p_field(1e23), p_field(2.5e24)
(0.5, 'p_above_1e23', 'p_above_2.5e24')
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from aicompute.constants import INTERVAL_LEVEL
from aicompute.dataset.record import Record
from aicompute.errors import InputError
from aicompute.threshold.legal import DISCLAIMER, Threshold, threshold
from aicompute.threshold.stages import Reported
from aicompute.units import format_number, tidy_exponent

__all__ = [
    "DEFAULT_FLOPS",
    "DEFAULT_THRESHOLDS",
    "INDEPENDENCE",
    "LIKELY",
    "NEAR_CERTAIN",
    "SAMPLES",
    "TOLERANCE",
    "above_by_year",
    "at_least",
    "count_interval",
    "dataset_view",
    "exceedance",
    "p_above",
    "p_field",
    "probability_text",
    "shown_years",
]

DEFAULT_FLOPS: tuple[float, ...] = (1e25, 1e26)
"""The lines the dataset view draws by default: the EU's systemic-risk presumption (10^25)
and California SB 53's frontier model (10^26)."""
DEFAULT_THRESHOLDS: tuple[str, ...] = ("eu-systemic", "ca-sb53")
"""The keys of :data:`DEFAULT_FLOPS` in ``thresholds.yaml``."""
LIKELY = 0.5
"""A record is counted as *likely* above a line at this probability or more."""
NEAR_CERTAIN = 0.95
"""... and as *certain* at this probability or more."""
TOLERANCE = 1e-9
"""Slack of :func:`at_least`: a record whose 90% interval starts exactly at a line is above
it with probability 0.95, which floating point computes as 0.9499999999999998."""
SAMPLES = 100_000
"""Monte Carlo draws of each year's count (the 5% and 95% quantiles of a count move by at most
one at this many draws)."""
MIN_SAMPLES, MAX_SAMPLES = 1_000, 2_000_000
_CHUNK = 20_000
"""Draws simulated at once (memory: draws x records x 8 bytes per chunk)."""
_LOW_Q, _HIGH_Q = (1 - INTERVAL_LEVEL) / 2, 1 - (1 - INTERVAL_LEVEL) / 2

INDEPENDENCE = (
    "The count's 90% interval treats the records' errors as independent: a record's compute "
    "being over- or under-estimated says nothing about another's. Estimates that share a "
    "method or an assumption (the same utilization, the same leaked figures, a derived model "
    "and its base) err together, so the true interval is wider; the expected count does not "
    "depend on this."
)
"""What :func:`above_by_year`'s interval assumes, in a sentence (shown with the figures)."""


def p_field(flop: float) -> str:
    """The name of the field holding P(compute > ``flop``): ``p_above_1e25``."""
    return "p_above_" + tidy_exponent(f"{float(flop):.15g}")


def p_above(record: Record, flop: float) -> float | None:
    """P(the record's compute > ``flop``), or None for a record without compute."""
    if record.flop is None:
        return None
    return Reported.from_record(record).p_exceed(flop)


def at_least(p: Any, level: float) -> Any:
    """Whether ``p`` (a number or an array) reaches ``level``, within :data:`TOLERANCE`."""
    return p >= level - TOLERANCE


def _check_flop(flop: float) -> float:
    value = float(flop)
    if not (value > 0 and math.isfinite(value)):
        raise InputError("threshold", f"give a positive number of FLOP, got {flop!r}")
    return value


def _year(record: Record) -> int:
    return int(record.date[:4])


def _with_compute(records: Iterable[Record]) -> list[Record]:
    return sorted((r for r in records if r.flop is not None), key=lambda r: (r.date, r.name))


def exceedance(
    records: Iterable[Record], flops: Sequence[float] = DEFAULT_FLOPS
) -> list[dict[str, Any]]:
    """One row per record with compute, by date: its id, name, date, calendar ``year``,
    domain, figure and 90% interval (``flop``, ``low_flop``, ``high_flop``), whether the figure
    is an upper bound, and P(compute > each of ``flops``) as :func:`p_field` names it."""
    flops = [_check_flop(f) for f in flops]
    rows = []
    for r in _with_compute(records):
        figure = Reported.from_record(r)
        row: dict[str, Any] = {
            "id": r.id,
            "name": r.name,
            "date": r.date,
            "year": _year(r),
            "domain": r.domain,
            "flop": figure.flop,
            "low_flop": figure.low_flop,
            "high_flop": figure.high_flop,
            "upper_bound": r.upper_bound,
        }
        for flop in flops:
            row[p_field(flop)] = figure.p_exceed(flop)
        rows.append(row)
    return rows


def count_interval(
    p: Sequence[float] | np.ndarray, *, samples: int = SAMPLES, rng: np.random.Generator
) -> tuple[int, int]:
    """The 90% interval (5% and 95% quantiles, the smallest counts whose cumulative share of
    the draws reaches them) of the number of successes among independent Bernoulli trials
    with probabilities ``p``, from ``samples`` vectorised draws of ``rng``.

    Trials certain either way add to the count without a draw."""
    probabilities = np.asarray(p, dtype=float)
    sure = int(np.count_nonzero(probabilities >= 1))
    open_ = probabilities[(probabilities > 0) & (probabilities < 1)]
    if open_.size == 0:
        return sure, sure
    tally = np.zeros(open_.size + 1, dtype=np.int64)
    done = 0
    while done < samples:
        n = min(_CHUNK, samples - done)
        counts = np.count_nonzero(rng.random((n, open_.size)) < open_, axis=1)
        tally += np.bincount(counts, minlength=open_.size + 1)
        done += n
    cumulative = np.cumsum(tally) / samples
    low = int(np.searchsorted(cumulative, _LOW_Q - 1e-12))
    high = int(np.searchsorted(cumulative, _HIGH_Q - 1e-12))
    return sure + low, sure + high


def _check_samples(samples: int, seed: int) -> None:
    if isinstance(samples, bool) or not isinstance(samples, int):
        raise InputError("samples", f"give a whole number of draws, got {samples!r}")
    if not MIN_SAMPLES <= samples <= MAX_SAMPLES:
        raise InputError("samples", f"use {MIN_SAMPLES:,} to {MAX_SAMPLES:,} draws, got {samples}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", f"give a whole number of 0 or more, got {seed!r}")


def above_by_year(
    records: Iterable[Record], flop: float, *, samples: int = SAMPLES, seed: int = 0
) -> list[dict[str, Any]]:
    """How many models crossed ``flop``, per calendar year of publication (every year that has
    a record with compute, in order).

    Each row holds ``year``; ``n``, the records with compute that year; ``expected``, the sum
    of their probabilities of being above (exact); ``low`` and ``high``, the 90% interval of
    the count, from ``samples`` draws of one Bernoulli trial per record with its probability,
    seeded by (``seed``, year) so that a year's interval depends only on that year's records;
    ``likely`` and ``certain``, how many records are above with probability at least
    :data:`LIKELY` (0.5) and :data:`NEAR_CERTAIN` (0.95) (by :func:`at_least`); and
    ``records``, the names of the likely ones, by date.

    The trials are independent: one record's error tells nothing about another's. That is an
    assumption, and an optimistic one. Estimates that share a method or an input (the same
    utilization, the same leaked figures), and a derived model and its base (whose compute it
    includes), err together, which widens the true interval; the expected count does not
    depend on it. Every record with compute counts (see the module's docs).
    """
    _check_samples(samples, seed)
    flop = _check_flop(flop)
    by_year: dict[int, list[tuple[Record, float]]] = defaultdict(list)
    for r in _with_compute(records):
        by_year[_year(r)].append((r, Reported.from_record(r).p_exceed(flop)))
    rows = []
    for year in sorted(by_year):
        pairs = by_year[year]
        p = np.array([q for _, q in pairs])
        low, high = count_interval(p, samples=samples, rng=np.random.default_rng([seed, year]))
        rows.append(
            {
                "year": year,
                "n": len(pairs),
                "expected": math.fsum(float(q) for q in p),
                "low": low,
                "high": high,
                "likely": int(np.count_nonzero(at_least(p, LIKELY))),
                "certain": int(np.count_nonzero(at_least(p, NEAR_CERTAIN))),
                "records": [r.name for r, q in pairs if at_least(q, LIKELY)],
            }
        )
    return rows


def shown_years(rows: Iterable[Mapping[str, Any]], minimum: float = 0.05) -> list[int]:
    """The years worth showing of one or more :func:`above_by_year` lists (their rows
    together): from the first in which some list expects at least ``minimum`` models above
    its line, to the last year."""
    rows = list(rows)
    years = sorted({int(r["year"]) for r in rows})
    start = min((int(r["year"]) for r in rows if r["expected"] >= minimum), default=None)
    return [] if start is None else [y for y in years if y >= start]


def probability_text(p: float | None) -> str:
    """A probability as people read it: ``83.9%``; below 0.1% and above 99.9% as bounds
    (``< 0.1%``, ``> 99.9%``), and 0 and 1 exactly as ``0%`` and ``100%``."""
    if p is None or math.isnan(p):
        return format_number(None)
    if p <= 0 or p >= 1:
        return "0%" if p <= 0 else "100%"
    if p < 0.001:
        return "< 0.1%"
    if p > 0.999:
        return "> 99.9%"
    return format_number(p, "percent", 3)


def dataset_view(
    records: Iterable[Record],
    thresholds: Sequence[str] | None = None,
    *,
    samples: int = SAMPLES,
    seed: int = 0,
) -> dict[str, Any]:
    """The dataset against the thresholds, as ``aicompute threshold --dataset --json`` prints
    it and the report's ``summary.json`` keeps it: ``thresholds`` (key, name, flop and the
    records' field for each; given as keys such as ``eu-systemic`` or numbers of FLOP, by
    default :data:`DEFAULT_THRESHOLDS`), ``records`` (:func:`exceedance`), ``by_year`` (each
    threshold's :func:`above_by_year`, by key), the ``samples`` and ``seed`` of the count
    intervals, what the intervals assume and the disclaimer."""
    records = list(records)
    chosen: dict[str, Threshold] = {}
    for text in thresholds or DEFAULT_THRESHOLDS:
        t = threshold(text)
        chosen.setdefault(t.key, t)
    lines = sorted(chosen.values(), key=lambda t: t.flop)
    flops = list(dict.fromkeys(t.flop for t in lines))
    return {
        "thresholds": [
            {"key": t.key, "name": t.name, "flop": t.flop, "field": p_field(t.flop)} for t in lines
        ],
        "records": exceedance(records, flops),
        "by_year": {
            t.key: above_by_year(records, t.flop, samples=samples, seed=seed) for t in lines
        },
        "samples": samples,
        "seed": seed,
        "likely": LIKELY,
        "certain": NEAR_CERTAIN,
        "assumption": INDEPENDENCE,
        "disclaimer": DISCLAIMER,
    }
