"""The probability that a model's training compute lies above each threshold.

Every part of every stage is an estimate whose 90% interval is a quantile of a known
distribution in log space (:class:`~aicompute.uncertainty.Interval`: a normal for the method's
calibrated spread plus a uniform for each ranged input). :func:`assess` draws from those
distributions with NumPy (seeded, vectorised), adds the parts and the stages, and reads the
median, the 90% interval, each stage's share and P(total > threshold) off the draws. One stage
with one part gives back its estimate's own interval (to sampling precision).

Two choices, both on the cautious side:

* the normal parts of all stages move together (one standard-normal draw scaled by each
  part's spread): a method's error is systematic (the same counting, the same utilization),
  and treating stages as independent would let errors cancel and narrow the total;
* the input ranges of different stages are independent, as they are separate facts;
* when an estimate's two methods disagree by more than 3x, each draw takes one method or the
  other with equal probability: at least one is wrong, and nothing says which.

Everything an assessment does follows from its inputs (:func:`assess` takes a JSON-able
mapping), so the same inputs give the same digits and the same digest (:mod:`.digest`).

>>> a = assess({"stages": [{"name": "pre-training", "params": "405B", "tokens": "15.6T"}]})
>>> [(t["key"], round(t["p_exceed"], 3)) for t in a.to_dict()["thresholds"]]
[('eu-gpai', 1.0), ('eu-systemic', 1.0), ('ca-sb53', 0.0)]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from aicompute.constants import DEFAULT_SEED, INTERVAL_LEVEL, MAX_SEED
from aicompute.errors import InputError
from aicompute.estimation import EstimateResult, estimate_from
from aicompute.estimation.result import fmt_range
from aicompute.threshold.legal import DISCLAIMER, Threshold, default_thresholds, rules, threshold
from aicompute.threshold.stages import Reported, Stage, stages_from
from aicompute.uncertainty import Range
from aicompute.units import parse_range

__all__ = ["DEFAULT_SAMPLES", "Assessment", "assess"]

DEFAULT_SAMPLES = 100_000
"""Monte Carlo draws: a probability's standard error is at most 0.0016, and quantiles of the
total move by well under 1%."""
MIN_SAMPLES = 1_000
MAX_SAMPLES = 2_000_000
"""Most draws (memory: 16 MB per array)."""
_Z90 = NormalDist().inv_cdf(0.5 + INTERVAL_LEVEL / 2)
_LOW_Q, _HIGH_Q = (1 - INTERVAL_LEVEL) / 2, 1 - (1 - INTERVAL_LEVEL) / 2
_INPUT_KEYS = {"model", "stages", "thresholds", "samples", "seed", "planned", "base"}


# --- drawing ------------------------------------------------------------------------------


def _draw_part(
    part: EstimateResult | Reported, z: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Natural-log FLOP draws of one part, its normal part driven by the shared ``z``."""
    if isinstance(part, Reported):
        below, above = part.sigmas
        return math.log(part.flop) + z * np.where(z < 0, below, above)
    estimates = part.estimates if part.disagreement else (part.preferred,)
    out = np.empty_like(z)
    pick = rng.integers(0, len(estimates), z.size) if len(estimates) > 1 else None
    for index, est in enumerate(estimates):
        mask: Any = slice(None) if pick is None else pick == index
        n = z.size if pick is None else int(np.count_nonzero(mask))
        logs = math.log(est.flop) + est.log_sigma * z[mask]
        for half in est.log_halves:
            logs = logs + rng.uniform(-half, half, n)
        out[mask] = logs
    return out


def _quantiles(draws: np.ndarray) -> tuple[float, float, float]:
    low, median, high = np.quantile(draws, [_LOW_Q, 0.5, _HIGH_Q])
    return float(median), float(low), float(high)


# --- the result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StageResult:
    stage: Stage
    draws: np.ndarray
    share: float

    def to_dict(self) -> dict[str, Any]:
        flop, low, high = _quantiles(self.draws)
        parts = {}
        for name, part in self.stage.parts.items():
            if isinstance(part, Reported):
                parts[name] = {"method": "reported", **part.to_dict()}
            else:
                parts[name] = {
                    "method": part.preferred.method,
                    "flop": part.flop,
                    "low_flop": part.low_flop,
                    "high_flop": part.high_flop,
                    "formula": part.preferred.formula,
                    "calculation": part.preferred.calculation,
                    "interval_basis": part.interval_basis,
                    "warnings": part.warnings,
                }
        return {
            "name": self.stage.name,
            "kind": self.stage.kind,
            "flop": flop,
            "low_flop": low,
            "high_flop": high,
            "share": self.share,
            "parts": parts,
            "source": self.stage.source,
        }


@dataclass(frozen=True)
class Crossing:
    """When a planned run's cumulative compute passes one threshold."""

    threshold: Threshold
    date: dt.date | None
    low_date: dt.date | None
    high_date: dt.date | None
    p_exceed: float
    p_already: float | None
    notify_days: int | None

    def to_dict(self) -> dict[str, Any]:
        def iso(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        def later(d: dt.date | None) -> str | None:
            if d is None or self.notify_days is None:
                return None
            return iso(d + dt.timedelta(days=self.notify_days))

        return {
            "key": self.threshold.key,
            "name": self.threshold.name,
            "flop": self.threshold.flop,
            "date": iso(self.date),
            "low_date": iso(self.low_date),
            "high_date": iso(self.high_date),
            "notify_by": later(self.date),
            "notify_by_earliest": later(self.low_date),
            "p_exceed": self.p_exceed,
            "p_already": self.p_already,
        }


@dataclass(frozen=True)
class Assessment:
    """Draws of every stage and of the total, and what they say about each threshold."""

    inputs: Mapping[str, Any]
    model: str | None
    stages: tuple[StageResult, ...]
    thresholds: tuple[Threshold, ...]
    total: np.ndarray
    counted_totals: Mapping[str, np.ndarray]
    samples: int
    seed: int
    crossings: tuple[Crossing, ...] = ()
    planned: Mapping[str, Any] = field(default_factory=dict)
    downstream: Mapping[str, Any] | None = None

    @property
    def flop(self) -> float:
        return _quantiles(self.total)[0]

    def p_exceed(self, key: str) -> float:
        """P(the compute threshold ``key`` counts > its FLOP): the share of draws above it."""
        t = next(t for t in self.thresholds if t.key == key)
        return float(np.mean(self.counted_totals[key] > t.flop))

    def to_dict(self) -> dict[str, Any]:
        flop, low, high = _quantiles(self.total)
        thresholds = []
        for t in self.thresholds:
            kinds = {s.stage.kind for s in self.stages}
            excluded = sorted(k for k in kinds if t.counted(k) is False)
            unclear = sorted(k for k in kinds if t.counted(k) == "unclear")
            thresholds.append(
                {
                    **t.to_dict(),
                    "p_exceed": self.p_exceed(t.key),
                    "excluded_stages": [
                        s.stage.name for s in self.stages if s.stage.kind in excluded
                    ],
                    "unclear_stages": [
                        s.stage.name for s in self.stages if s.stage.kind in unclear
                    ],
                    "why": {k: t.stages[k][1] for k in sorted(kinds) if k in t.stages},
                }
            )
        out: dict[str, Any] = {
            "model": self.model,
            "total_flop": flop,
            "low_flop": low,
            "high_flop": high,
            "mean_flop": float(np.mean(self.total)),
            "stages": [s.to_dict() for s in self.stages],
            "thresholds": thresholds,
            "samples": self.samples,
            "seed": self.seed,
            "method": (
                f"Monte Carlo over {self.samples:,} seeded draws of each estimate's "
                "distribution (the normal parts of all stages move together; input ranges are "
                "independent)"
            ),
            "generator": f"NumPy {np.__version__} PCG64",
            "disclaimer": DISCLAIMER,
        }
        if self.planned:
            out["planned"] = dict(self.planned)
            out["crossing_dates"] = [c.to_dict() for c in self.crossings]
        if self.downstream is not None:
            out["downstream"] = dict(self.downstream)
        return out


# --- assess -------------------------------------------------------------------------------


def _whole(value: object, name: str, low: int, high: int, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(name, f"must be a whole number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise InputError(name, f"must be a whole number, got {value!r}") from None
    if not number.is_integer() or not low <= number <= high:
        raise InputError(name, f"must be a whole number from {low:,} to {high:,}, got {value!r}")
    return int(number)


def _date(value: object, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(name, f"must be a date as YYYY-MM-DD, got {value!r}") from None


def assess(inputs: Mapping[str, Any]) -> Assessment:
    """Assess the stages of ``inputs`` against its thresholds.

    ``inputs`` holds ``stages`` (a list of stage mappings, as a stages file has them), and
    optionally ``model``, ``thresholds`` (keys or numbers of FLOP; default: those of law and
    guidance), ``samples``, ``seed``, ``planned`` (a planned run: ``start``, and ``progress``
    with ``as_of``; see :func:`_crossings`) and ``base`` (the base model of a downstream
    modification: ``name`` with ``stages``, or a reported ``flop``).
    """
    unknown = sorted(set(inputs) - _INPUT_KEYS)
    if unknown:
        raise InputError(unknown[0], f"unknown input (known: {', '.join(sorted(_INPUT_KEYS))})")
    model, stages = stages_from(
        {"model": inputs.get("model"), "stages": inputs.get("stages")}, "stages"
    )
    chosen = inputs.get("thresholds")
    thresholds = (
        default_thresholds()
        if chosen is None
        else tuple({t.key: t for t in map(threshold, chosen)}.values())
    )
    if not thresholds:
        raise InputError("thresholds", "give at least one threshold")
    samples = _whole(inputs.get("samples"), "samples", MIN_SAMPLES, MAX_SAMPLES, DEFAULT_SAMPLES)
    seed = _whole(inputs.get("seed"), "seed", 0, MAX_SEED, DEFAULT_SEED)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(samples)
    draws = [np.exp(_stage_logs(s, z, rng)) for s in stages]
    total = np.sum(draws, axis=0)
    mean_total = float(np.mean(total))
    results = tuple(
        StageResult(s, d, float(np.mean(d)) / mean_total)
        for s, d in zip(stages, draws, strict=True)
    )
    counted = {
        t.key: np.sum(
            [d for s, d in zip(stages, draws, strict=True) if t.counted(s.kind) is not False]
            or [np.zeros(samples)],
            axis=0,
        )
        for t in thresholds
    }
    planned: dict[str, Any] = {}
    crossings: tuple[Crossing, ...] = ()
    if inputs.get("planned") is not None:
        planned, crossings = _crossings(inputs["planned"], stages, draws, thresholds, z, rng)
    downstream = None
    if inputs.get("base") is not None:
        downstream = _downstream(inputs["base"], total, rng)
    return Assessment(
        inputs=inputs,
        model=model,
        stages=results,
        thresholds=thresholds,
        total=total,
        counted_totals=counted,
        samples=samples,
        seed=seed,
        crossings=crossings,
        planned=planned,
        downstream=downstream,
    )


def _stage_logs(stage: Stage, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    parts = [np.exp(_draw_part(p, z, rng)) for p in stage.parts.values()]
    return np.log(np.sum(parts, axis=0))


# --- a planned run ------------------------------------------------------------------------

_RATE_INPUTS = ("hardware", "count", "utilization", "precision", "peak_flops")
_PLANNED_KEYS = {"stage", "start", "progress", "as_of"}


def _crossings(
    planned: Mapping[str, Any],
    stages: Sequence[Stage],
    draws: Sequence[np.ndarray],
    thresholds: Sequence[Threshold],
    z: np.ndarray,
    rng: np.random.Generator,
) -> tuple[dict[str, Any], tuple[Crossing, ...]]:
    """When the planned stage's cumulative compute (after the stages listed before it) passes
    each threshold.

    The compute rate per day comes from the hardware (chips × peak × utilization, the
    hardware method's distribution for one day), or, with ``progress`` (tokens trained so far)
    and ``as_of`` (the day they were counted), from the tokens trained per day so far × the
    operation count per token (6 × parameters, the operations method's distribution). The date
    is ``start`` + (threshold − earlier stages) / rate, among the draws in which the run
    crosses at all: that happens with the probability that the stage's total, with the
    earlier ones, exceeds the threshold (``p_exceed``).
    """
    if not isinstance(planned, Mapping):
        raise InputError("planned", "must be a mapping with `start`")
    unknown = sorted(set(planned) - _PLANNED_KEYS)
    if unknown:
        raise InputError(
            unknown[0], f"unknown planned-run input (known: {', '.join(sorted(_PLANNED_KEYS))})"
        )
    names = [s.name for s in stages]
    name = planned.get("stage", names[0])
    if name not in names:
        raise InputError("stage", f"no stage named {name!r} (stages: {', '.join(names)})")
    index = names.index(name)
    run = stages[index]
    given = {k: v for k, v in run.given.items() if k not in ("name", "kind", "generation")}
    start = _date(planned.get("start"), "start")
    progress, as_of = planned.get("progress"), planned.get("as_of")
    if progress is not None:
        if as_of is None:
            raise InputError("as_of", "give the date the `progress` was counted (YYYY-MM-DD)")
        day = _date(as_of, "as_of")
        elapsed = (day - start).days
        if elapsed <= 0:
            raise InputError("as_of", f"must be after the start ({start.isoformat()})")
        tokens = parse_range(progress, "count", "progress", what="tokens")
        if not tokens.low > 0:
            raise InputError("progress", f"must be a positive number of tokens, got {tokens}")
        per_token: dict[str, Any] = {k: given[k] for k in ("params", "active_params") if k in given}
        if not per_token:
            raise InputError("params", "`progress` in tokens needs the stage's `params`")
        per_day = Range(tokens.low / elapsed, tokens.high / elapsed)
        basis = estimate_from({**per_token, "tokens": (per_day.low, per_day.high)})
        how = (
            f"{fmt_range(tokens)} tokens in {elapsed} days ({start.isoformat()} to "
            f"{day.isoformat()}), so a day: {basis.preferred.calculation}"
        )
        done = np.exp(
            _draw_part(estimate_from({**per_token, "tokens": (tokens.low, tokens.high)}), z, rng)
        )
    else:
        rate_inputs = {k: given[k] for k in _RATE_INPUTS if k in given}
        if "hardware" not in rate_inputs and "peak_flops" not in rate_inputs:
            raise InputError(
                "hardware",
                f"a planned run needs the stage's chips (`hardware` or `peak_flops`, with "
                f"`count`), or `progress` with `as_of`; stage {name!r} has neither",
            )
        if "count" not in rate_inputs:
            raise InputError("count", f"a planned run needs the number of chips of stage {name!r}")
        basis = estimate_from({**rate_inputs, "days": 1})
        how = basis.preferred.calculation.replace(" × 1 days ", " × 1 day ", 1)
        done = None
    rate = np.exp(_draw_part(basis, z, rng))
    notify = rules()["notification"]
    crossings = []
    for t in thresholds:
        if t.counted(run.kind) is False:
            continue
        counted = [
            d
            for s, d in zip(stages[:index], draws[:index], strict=True)
            if t.counted(s.kind) is not False
        ]
        earlier = np.sum([*counted, np.zeros(z.size)], axis=0)  # the stages before, as t counts
        stage_total = draws[index] + earlier
        crosses = stage_total > t.flop
        need = t.flop - earlier
        days = np.where(need > 0, need / rate, 0.0)[crosses]
        dates: list[dt.date | None] = [None, None, None]
        if days.size >= MIN_CROSSING_SHARE * z.size:  # dates among the draws that cross
            dates = [_after(start, float(v)) for v in np.quantile(days, [0.5, _LOW_Q, _HIGH_Q])]
        crossings.append(
            Crossing(
                threshold=t,
                date=dates[0],
                low_date=dates[1],
                high_date=dates[2],
                p_exceed=float(np.mean(stage_total > t.flop)),
                p_already=None if done is None else float(np.mean(done + earlier > t.flop)),
                notify_days=int(notify["days"]) if t.key in notify["applies_to"] else None,
            )
        )
    described = {
        "stage": name,
        "start": start.isoformat(),
        "rate_flop_per_day": float(np.median(rate)),
        "rate_low": float(np.quantile(rate, _LOW_Q)),
        "rate_high": float(np.quantile(rate, _HIGH_Q)),
        "rate_basis": how,
        "earlier_stages": names[:index],
    }
    if progress is not None:
        described.update(progress=str(progress), as_of=str(as_of))
    return described, tuple(crossings)


MIN_CROSSING_SHARE = 0.01
"""Least probability of crossing a threshold within the run for its dates to be given:
below, the run as planned almost surely stays under it, and the dates say None (a date
read from a handful of draws would look like a forecast it is not)."""


def _after(start: dt.date, days: float) -> dt.date | None:
    """``start`` + ``days``, or None past the calendar's end."""
    try:
        return start + dt.timedelta(days=math.floor(days))
    except OverflowError:
        return None


# --- a downstream modification ------------------------------------------------------------


def _downstream(base: object, modification: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Whether the modification's compute (every stage given) exceeds the fraction of the
    base model's that makes its author the provider of a new model (the EU guidelines' one
    third), with its probability. The base model's draws are independent of the
    modification's (another model, other people's estimate)."""
    rule = rules()["downstream"]
    fraction = float(rule["fraction"])
    if not isinstance(base, Mapping):
        raise InputError("base", "must be a mapping: a `name` with `stages`, or a reported `flop`")
    name = str(base.get("name") or "base model")
    if base.get("unknown"):
        out = []
        for key, flop in (rule.get("unknown_base_flop") or {}).items():
            if flop is None:
                continue
            out.append(
                {
                    "threshold": key,
                    "flop": float(flop),
                    "p_exceeds": float(np.mean(modification > float(flop))),
                }
            )
        return {
            "base": None,
            "fraction": fraction,
            "unknown_base": out,
            "rule": rule["text"],
            "source": rule["source"],
            "instrument": rule["instrument"],
        }
    stages = base.get("stages")
    if stages is None:
        stages = [
            {
                k: base[k]
                for k in ("flop", "low_flop", "high_flop", "confidence", "source")
                if k in base
            }
            | {"name": name}
        ]
    _, base_stages = stages_from({"stages": stages}, "base")
    z = rng.standard_normal(modification.size)
    base_total = np.sum([np.exp(_stage_logs(s, z, rng)) for s in base_stages], axis=0)
    ratio = modification / base_total
    median, low, high = (float(v) for v in np.quantile(ratio, [0.5, _LOW_Q, _HIGH_Q]))
    base_flop, base_low, base_high = _quantiles(base_total)
    p = float(np.mean(ratio > fraction))
    return {
        "base": {
            "name": name,
            "flop": base_flop,
            "low_flop": base_low,
            "high_flop": base_high,
            "source": str(base.get("source") or ""),
        },
        "fraction": fraction,
        "ratio": median,
        "low_ratio": low,
        "high_ratio": high,
        "p_exceeds": p,
        "rule": rule["text"],
        "source": rule["source"],
        "instrument": rule["instrument"],
    }
