"""Calibration of the estimate's intervals against published training runs.

``runs.yaml`` beside this module lists published runs: the training compute their authors
reported, with its source, and the facts a reader of the same paper would type (parameters and
tokens, hardware and time). It also lists the utilization (MFU) published for real runs.

* :func:`fit` derives the spreads of :mod:`aicompute.constants`: the utilization spread from the
  published MFU figures around the seed's 33%, and each method's own spread by maximum
  likelihood from the log-ratios reported / estimated (the known parts of each interval, input
  ranges and the utilization spread, held fixed).
* :func:`score` runs :func:`aicompute.estimation.estimate_from` on every run and says whether
  the reported figure falls inside each 90% interval.

``tools/calibrate.py`` prints both; ``tests/test_calibration.py`` checks that the constants
still match the fit and that coverage stays near 90%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aicompute.constants import DEFAULT_UTILIZATION, METHOD_SPREAD
from aicompute.errors import InputError

__all__ = ["Calibration", "Run", "RunScore", "coverage", "fit", "load", "score"]

_Z90 = 1.6448536269514722


@dataclass(frozen=True)
class Run:
    """One published run: what the authors reported and the facts a reader would type."""

    name: str
    date: str
    domain: str
    reported_flop: float
    source: str
    operations: dict[str, Any] = field(default_factory=dict)
    hardware: dict[str, Any] = field(default_factory=dict)
    reported_as: str = ""
    reported_by: str = "authors"
    notes: str = ""


@dataclass(frozen=True)
class Calibration:
    runs: tuple[Run, ...]
    mfu: tuple[dict[str, Any], ...]
    credit: str = ""


def load() -> Calibration:
    """The published runs and MFU figures of ``runs.yaml``."""
    import yaml

    text = resources.files("aicompute.calibration").joinpath("runs.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    runs = []
    for row in data["runs"]:
        runs.append(
            Run(
                name=str(row["name"]),
                date=str(row.get("date", "")),
                domain=str(row.get("domain", "")),
                reported_flop=float(row["reported_flop"]),
                source=str(row.get("source", "")),
                operations=dict(row.get("operations") or {}),
                hardware=dict(row.get("hardware") or {}),
                reported_as=str(row.get("reported_as", "")),
                reported_by=str(row.get("reported_by", "authors")),
                notes=str(row.get("notes", "")),
            )
        )
    return Calibration(tuple(runs), tuple(data.get("mfu") or ()), str(data.get("credit", "")))


@dataclass(frozen=True)
class RunScore:
    """One method's estimate of one published run, against the reported figure."""

    run: str
    method: str
    basis: str
    reported_flop: float
    flop: float
    low_flop: float
    high_flop: float
    known_sigma: float
    """Standard deviation of the log from the parts of the interval that are not the method's
    own spread (input ranges, the utilization spread)."""

    @property
    def log_ratio(self) -> float:
        """ln(reported / estimated)."""
        return math.log(self.reported_flop / self.flop)

    @property
    def inside(self) -> bool:
        return self.low_flop <= self.reported_flop <= self.high_flop

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "method": self.method,
            "basis": self.basis,
            "reported_flop": self.reported_flop,
            "flop": self.flop,
            "low_flop": self.low_flop,
            "high_flop": self.high_flop,
            "ratio": self.reported_flop / self.flop,
            "inside": self.inside,
        }


def _basis(method: str, inputs: dict[str, Any]) -> str:
    if method == "hardware":
        return (
            "hardware_given_util"
            if inputs.get("utilization") is not None
            else ("hardware_default_util")
        )
    if inputs.get("params") is not None or inputs.get("active_params") is not None:
        return "params_tokens" if inputs.get("tokens") is not None else "params_examples"
    return "forward_work"


def _known_sigma(inputs: dict[str, Any], utilization_spread: float | None) -> float:
    """The spread of an estimate that is not the method's own: its input ranges (a uniform
    of half-width h in log has variance h²/3) and, without a utilization, its spread."""
    from aicompute.estimation.inputs import FIELDS

    var = 0.0
    for name, value in inputs.items():
        field_ = FIELDS.get(name)
        if field_ is None or not field_.numeric:
            continue
        r = field_.read(value)
        if not r.is_point:
            var += (math.log(r.high / r.low) / 2) ** 2 / 3
    if utilization_spread is not None and inputs.get("utilization") is None:
        var += (math.log(utilization_spread) / _Z90) ** 2
    return math.sqrt(var)


def score(calibration: Calibration | None = None) -> list[RunScore]:
    """Each method's estimate of each run, with the current constants."""
    from aicompute.constants import UTILIZATION_SPREAD
    from aicompute.estimation import estimate_from

    calibration = calibration or load()
    out = []
    for run in calibration.runs:
        for method, inputs in (("operations", run.operations), ("hardware", run.hardware)):
            if not inputs:
                continue
            try:
                est = estimate_from(inputs).by_method(method)
            except InputError as error:
                raise InputError(error.field, f"calibration run {run.name!r}: {error}") from None
            if est is None:
                raise InputError(None, f"calibration run {run.name!r}: {method} inputs incomplete")
            out.append(
                RunScore(
                    run=run.name,
                    method=method,
                    basis=_basis(method, inputs),
                    reported_flop=run.reported_flop,
                    flop=est.flop,
                    low_flop=est.low_flop,
                    high_flop=est.high_flop,
                    known_sigma=_known_sigma(
                        inputs, UTILIZATION_SPREAD if method == "hardware" else None
                    ),
                )
            )
    return out


def coverage(scores: list[RunScore]) -> float:
    """The fraction of reported figures inside their 90% interval."""
    return sum(s.inside for s in scores) / len(scores) if scores else math.nan


def _ml_sigma(pairs: list[tuple[float, float]]) -> float:
    """Maximum-likelihood sigma of a normal residual, given (log ratio, known sigma) pairs:
    each log ratio ~ N(0, sigma² + known²)."""
    from scipy.optimize import minimize_scalar

    def nll(log_sigma: float) -> float:
        s2 = math.exp(2 * log_sigma)
        return sum(math.log(s2 + k * k) + z * z / (s2 + k * k) for z, k in pairs)

    best = minimize_scalar(nll, bounds=(math.log(1e-3), math.log(5.0)), method="bounded")
    return math.exp(best.x)


def utilization_figures(calibration: Calibration) -> list[float]:
    """The published utilization of each run, as a fraction of the dense peak: model FLOP
    utilization (MFU) or a figure not said to be either, never hardware FLOP utilization (HFU
    counts recomputed work, which an estimate of model FLOP must not). A range counts as its
    geometric mean."""
    from aicompute.units import parse_range

    return [
        parse_range(m["mfu"], "fraction", "mfu").central
        for m in calibration.mfu
        if str(m.get("kind", "")).upper() != "HFU"
    ]


@dataclass(frozen=True)
class Fit:
    """Spreads (90% factors) fitted on the published runs, with the data behind each."""

    utilization_spread: float
    utilization_n: int
    method_spread: dict[str, float]
    method_n: dict[str, int]


def fit(calibration: Calibration | None = None) -> Fit:
    """Fit the utilization spread and each calibrated method spread."""
    calibration = calibration or load()
    default = DEFAULT_UTILIZATION["gpu"]
    mfus = utilization_figures(calibration)
    sigma_u = math.sqrt(sum(math.log(m / default) ** 2 for m in mfus) / len(mfus))
    utilization_spread = math.exp(_Z90 * sigma_u)
    scores = score(calibration)
    groups: dict[str, list[tuple[float, float]]] = {}
    for s in scores:
        inputs = _inputs_of(calibration, s)
        known = _known_sigma(inputs, utilization_spread if s.method == "hardware" else None)
        basis = "hardware" if s.method == "hardware" else s.basis
        groups.setdefault(basis, []).append((s.log_ratio, known))
    spreads = {}
    counts = {}
    for basis, pairs in groups.items():
        if basis not in METHOD_SPREAD or basis == "params_examples":
            continue
        spreads[basis] = math.exp(_Z90 * _ml_sigma(pairs))
        counts[basis] = len(pairs)
    return Fit(utilization_spread, len(mfus), spreads, counts)


def _inputs_of(calibration: Calibration, s: RunScore) -> dict[str, Any]:
    run = next(r for r in calibration.runs if r.name == s.run)
    return run.operations if s.method == "operations" else run.hardware
