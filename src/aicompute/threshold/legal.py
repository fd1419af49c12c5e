"""The compute thresholds written into law and guidance, as sourced data.

``thresholds.yaml`` (beside this module) holds each threshold with its instrument, the URL of
the official text, what crossing it means, what compute counts towards it and, for each kind of
stage, whether the source counts it. It also holds the rules built on them: the EU's two-week
notification and its one-third rule for downstream modifiers.

>>> [t.key for t in default_thresholds()]
['eu-gpai', 'eu-systemic', 'ca-sb53']
>>> threshold("eu-systemic").flop
1e+25
>>> threshold("3e24").name
'3e24 FLOP (user threshold)'
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aicompute.errors import InputError
from aicompute.units import parse_range

__all__ = ["DISCLAIMER", "Threshold", "default_thresholds", "rules", "threshold"]

DISCLAIMER = (
    "An estimate of training compute with its uncertainty, not legal advice: whether a "
    "threshold applies is for the law, the regulator and the courts to say."
)


@dataclass(frozen=True)
class Threshold:
    """One threshold: its ``flop``, its legal ``source`` and what counts towards it.

    ``stages`` maps each kind of stage to ``(counted, why)``, counted being True, False or
    ``"unclear"``; an unclear stage is counted (the cautious reading) and said so.
    """

    key: str
    name: str
    flop: float
    source: str
    instrument: str = ""
    jurisdiction: str = ""
    binding: bool = False
    effect: str = ""
    counts: str = ""
    stages: Mapping[str, tuple[bool | str, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def counted(self, kind: str) -> bool | str:
        """Whether a stage of ``kind`` counts: True, False or "unclear" (True when the
        threshold does not say, as for a user's own threshold)."""
        return self.stages[kind][0] if kind in self.stages else True

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "flop": self.flop,
            "source": self.source,
            "instrument": self.instrument,
            "jurisdiction": self.jurisdiction,
            "binding": self.binding,
            "effect": self.effect,
            "counts": self.counts,
            "notes": list(self.notes),
        }


@functools.cache
def _data() -> dict[str, Any]:
    import yaml

    text = resources.files("aicompute.threshold").joinpath("thresholds.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _from_row(row: Mapping[str, Any]) -> Threshold:
    stages = {
        kind: (value.get("counted", True), str(value.get("why", "")))
        for kind, value in (row.get("stages") or {}).items()
    }
    return Threshold(
        key=row["key"],
        name=row["name"],
        flop=float(row["flop"]),
        source=row["source"],
        instrument=row.get("instrument", ""),
        jurisdiction=row.get("jurisdiction", ""),
        binding=bool(row.get("binding", False)),
        effect=" ".join(str(row.get("effect", "")).split()),
        counts=" ".join(str(row.get("counts", "")).split()),
        stages=stages,
        notes=tuple(" ".join(str(n).split()) for n in row.get("notes") or ()),
    )


@functools.cache
def default_thresholds() -> tuple[Threshold, ...]:
    """The thresholds of law and guidance, lowest first."""
    return tuple(sorted((_from_row(r) for r in _data()["thresholds"]), key=lambda t: t.flop))


def rules() -> dict[str, Any]:
    """The rules built on the thresholds: ``notification`` (days, source) and ``downstream``
    (fraction, source, what to use when the base model's compute is unknown)."""
    data: dict[str, Any] = _data()["rules"]
    return data


def threshold(text: object) -> Threshold:
    """A threshold by its key (``eu-systemic``), or a user's own from a number of FLOP
    (``1e24``, ``3e24 FLOP``)."""
    known = {t.key: t for t in default_thresholds()}
    if isinstance(text, str) and text.strip().lower() in known:
        return known[text.strip().lower()]
    try:
        value = parse_range(text, "flop", "threshold")
    except InputError:
        raise InputError(
            "threshold",
            f"{text!r} is neither a number of FLOP nor a known threshold ({', '.join(known)})",
        ) from None
    if not value.is_point or not value.low > 0:
        raise InputError("threshold", f"give one positive number of FLOP, got {value}")
    shown = f"{value.low:.3g}".replace("e+", "e")
    return Threshold(
        key=f"user-{shown}",
        name=f"{shown} FLOP (user threshold)",
        flop=value.low,
        source="given by the user",
        effect="a threshold of the user's choosing",
        counts="every stage given",
    )
