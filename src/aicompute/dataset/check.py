"""Keep a dataset honest: recompute every record, find duplicates and missing sources, and
compare with Epoch AI's database.

>>> from aicompute.dataset import read_embedded
>>> report = check(read_embedded().records)
>>> report.ok, report.checked >= 16
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from aicompute.dataset.match import Match, compare, normalize_name
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
