"""Keep a dataset honest: recompute every record, find duplicates and missing sources, and
compare with Epoch AI's database.

>>> from aicompute.dataset import read_embedded
>>> report = check(read_embedded().records)
>>> report.ok, report.checked >= 16
(True, True)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from aicompute.dataset.record import Record

__all__ = [
    "DISAGREEMENT",
    "CheckReport",
    "Disagreement",
    "Match",
    "Problem",
    "check",
    "compare",
    "normalize_name",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record."""

    record: str
    kind: str  # recomputation | estimate-fails | duplicate | no-source | no-value | base-model
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"record": self.record, "kind": self.kind, "message": self.message}


DISAGREEMENT = 2.0
"""Largest factor between a record's own figures (its stored value and each method's estimate,
or two methods) that :func:`check` lets pass without listing it: beyond 2x, one of the figures
is likely wrong, whatever the record's stated range."""


@dataclass(frozen=True)
class Disagreement:
    """Two of one record's own figures more than :data:`DISAGREEMENT` apart."""

    record: str
    first: str  # "stored" or a method
    second: str  # a method
    first_flop: float
    second_flop: float

    @property
    def factor(self) -> float:
        """The larger figure over the smaller (always >= 1)."""
        high, low = max(self.first_flop, self.second_flop), min(self.first_flop, self.second_flop)
        return high / low

    @property
    def message(self) -> str:
        first = "the stored value" if self.first == "stored" else f"the {self.first} estimate"
        return (
            f"{first} ({self.first_flop:.3g} FLOP) and the {self.second} estimate "
            f"({self.second_flop:.3g} FLOP) are {self.factor:.1f}x apart"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "first": self.first,
            "second": self.second,
            "first_flop": self.first_flop,
            "second_flop": self.second_flop,
            "factor": self.factor,
            "message": self.message,
        }


@dataclass
class CheckReport:
    records: int
    checked: int
    problems: list[Problem] = field(default_factory=list)
    recomputed: list[dict[str, Any]] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem: every record loads, recomputes inside its range, has a source."""
        return not self.problems

    @property
    def strict_ok(self) -> bool:
        """No problem and no record whose own figures disagree by more than 2x."""
        return self.ok and not self.disagreements

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "estimates_checked": self.checked,
            "ok": self.ok,
            "strict_ok": self.strict_ok,
            "problems": [p.to_dict() for p in self.problems],
            "disagreements": [d.to_dict() for d in self.disagreements],
            "recomputed": self.recomputed,
        }


def normalize_name(name: str) -> str:
    """A loose key for matching model names across databases.

    >>> normalize_name("GPT-3 175B (davinci)"), normalize_name("AlphaGo Zero")
    ('gpt3175bdavinci', 'alphagozero')
    """
    return re.sub(r"[^a-z0-9]", "", name.lower())


def check(records: list[Record]) -> CheckReport:
    """Recompute every stored estimate and flag values outside their record's range,
    duplicates (the same name, punctuation and case aside), records without sources and
    base models that are not in the dataset; list every record whose own figures (stored value
    and method estimates) are more than :data:`DISAGREEMENT` apart."""
    from aicompute.estimation import recompute

    report = CheckReport(records=len(records), checked=0)
    seen: dict[str, str] = {}
    ids = {r.id for r in records}
    for r in records:
        if r.base_model and r.base_model not in ids:
            report.problems.append(
                Problem(r.name, "base-model", f"base_model {r.base_model!r} is not a record id")
            )
        key = normalize_name(r.name)
        if key in seen:
            report.problems.append(Problem(r.name, "duplicate", f"the same model as {seen[key]!r}"))
        seen[key] = f"{r.name} ({r.date})"
        if not r.sources:
            report.problems.append(Problem(r.name, "no-source", "no source URL"))
        if r.flop is None:
            report.problems.append(Problem(r.name, "no-value", "no training compute"))
            continue
        figures: list[tuple[str, float]] = []
        for e in r.estimates:
            report.checked += 1
            redone = recompute(e)
            est = redone.estimate
            if est is None:
                report.problems.append(Problem(r.name, "estimate-fails", str(redone.reason)))
                continue
            figures.append((e.method, est.flop))
            inside = r.low_flop <= est.flop <= r.high_flop  # type: ignore[operator]
            report.recomputed.append(
                {
                    "record": r.name,
                    "method": e.method,
                    "stored_flop": r.flop,
                    "recomputed_flop": est.flop,
                    "ratio": est.flop / r.flop,
                    "inside_range": inside,
                }
            )
            if not inside:
                report.problems.append(
                    Problem(
                        r.name,
                        "recomputation",
                        f"{e.method} recomputes to {est.flop:.3g} FLOP, outside the stored range "
                        f"{r.low_flop:.3g}-{r.high_flop:.3g} (value {r.flop:.3g})",
                    )
                )
        report.disagreements += _disagreements(r.name, r.flop, figures)
    report.disagreements.sort(key=lambda d: -d.factor)
    return report


def _disagreements(
    name: str, stored: float, figures: list[tuple[str, float]]
) -> list[Disagreement]:
    """The record's own figures more than 2x apart: each pair of different methods, and a
    stored value outside the estimates against the nearest one (a value no method backs)."""
    pairs = [(a, b) for i, a in enumerate(figures) for b in figures[i + 1 :] if a[0] != b[0]]
    values = [f[1] for f in figures]
    if values and not min(values) <= stored <= max(values):  # between methods: the pair says it
        nearest = min(figures, key=lambda f: abs(math.log(f[1] / stored)))
        pairs.append((("stored", stored), nearest))
    found = []
    for (first, x), (second, y) in pairs:
        if max(x, y) / min(x, y) > DISAGREEMENT:
            found.append(Disagreement(name, first, second, x, y))
    return found


@dataclass(frozen=True)
class Match:
    """A model present in both databases, and how far apart the two values are."""

    name: str
    epoch_name: str
    date: str
    ours: float
    epoch: float
    our_reasoning: str
    epoch_reasoning: str

    @property
    def ratio(self) -> float:
        """Ours divided by Epoch's."""
        return self.ours / self.epoch

    @property
    def log_gap(self) -> float:
        return abs(math.log10(self.ratio))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "epoch_name": self.epoch_name,
            "date": self.date,
            "flop": self.ours,
            "epoch_flop": self.epoch,
            "ratio": self.ratio,
            "our_reasoning": self.our_reasoning,
            "epoch_reasoning": self.epoch_reasoning,
        }


def _reasoning(r: Record) -> str:
    parts = [r.value_source] if r.value_source else []
    parts += [f"{e.method}: {e.inputs}" for e in r.estimates]
    if r.notes:
        parts.append(r.notes)
    return "; ".join(parts)


def compare(ours: list[Record], epoch: list[Record], *, max_years: float = 1.0) -> list[Match]:
    """Records present in both lists (same normalized name, or one name containing the other,
    published within ``max_years``), largest disagreement first."""
    by_name: dict[str, list[Record]] = {}
    for r in epoch:
        if r.flop is not None:
            by_name.setdefault(normalize_name(r.name), []).append(r)
    matches = []
    for r in ours:
        if r.flop is None:
            continue
        key = normalize_name(r.name)
        candidates = [e for e in by_name.get(key, []) if abs(e.year - r.year) <= max_years]
        if not candidates and len(key) >= 5:  # "GPT-3 175B" and "GPT-3 175B (davinci)"
            candidates = [
                e
                for k, group in by_name.items()
                if (key in k or k in key) and min(len(k), len(key)) >= 5
                for e in group
                if abs(e.year - r.year) <= max_years
            ]
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda e: (abs(len(normalize_name(e.name)) - len(key)), abs(e.year - r.year)),
        )
        matches.append(
            Match(
                r.name,
                best.name,
                r.date,
                r.flop,
                best.flop,  # type: ignore[arg-type]
                _reasoning(r),
                best.notes,
            )
        )
    return sorted(matches, key=lambda m: -m.log_gap)
