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

__all__ = ["CheckReport", "Match", "Problem", "check", "compare", "normalize_name"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record."""

    record: str
    kind: str  # recomputation | estimate-fails | duplicate | no-source | no-value
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"record": self.record, "kind": self.kind, "message": self.message}


@dataclass
class CheckReport:
    records: int
    checked: int
    problems: list[Problem] = field(default_factory=list)
    recomputed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "estimates_checked": self.checked,
            "ok": self.ok,
            "problems": [p.to_dict() for p in self.problems],
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
    duplicates (the same name, punctuation and case aside) and records without sources."""
    from aicompute.estimation import recompute

    report = CheckReport(records=len(records), checked=0)
    seen: dict[str, str] = {}
    for r in records:
        key = normalize_name(r.name)
        if key in seen:
            report.problems.append(Problem(r.name, "duplicate", f"the same model as {seen[key]!r}"))
        seen[key] = f"{r.name} ({r.date})"
        if not r.sources:
            report.problems.append(Problem(r.name, "no-source", "no source URL"))
        if r.flop is None:
            report.problems.append(Problem(r.name, "no-value", "no training compute"))
            continue
        for e in r.estimates:
            report.checked += 1
            redone = recompute(e)
            est = redone.estimate
            if est is None:
                report.problems.append(Problem(r.name, "estimate-fails", str(redone.reason)))
                continue
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
    return report


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
