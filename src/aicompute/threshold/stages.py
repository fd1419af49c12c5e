"""A model's development as a list of stages, each with its own estimate.

A stage is one kind of work (:data:`STAGE_KINDS`): pre-training, continued pre-training,
supervised fine-tuning, reinforcement learning, distillation or synthetic-data generation. It
holds up to three parts, each an estimate with its interval:

* ``training``: the stage's own training, from the estimate inputs of ``aicompute estimate``
  written at the stage's top level (``params``, ``tokens``, ``hardware``, ``days`` ...);
* ``generation``: inference done for the stage (RL rollouts, synthetic data, a teacher's
  outputs for distillation), from estimate inputs under ``generation``. Generation runs the
  forward pass only, so its ``backward_ratio`` is 0 unless given: 2 × active parameters per
  generated token, or ``forward_flop`` per token from an exact count;
* ``reported``: a figure someone reported (``flop``, with ``low_flop``/``high_flop`` or a
  ``confidence``), read as the dataset reads a record's figure.

Stages come from Python (:func:`stage`), from the command line, or from a YAML or JSON file
(:func:`read_stages`) checked against :data:`StagesFile`'s schema; a bad file gets one line
naming the stage and the field.

>>> s = stage({"name": "pre-training", "params": "405B", "tokens": "15.6T"})
>>> s.kind, f"{s.parts['training'].flop:.3g}"
('pretraining', '3.79e+25')
>>> g = stage({"name": "RL", "kind": "rl", "generation": {"params": "70B", "tokens": "1T"}})
>>> f"{g.parts['generation'].flop:.3g}"  # 2 x 70B x 1T
'1.4e+23'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from aicompute.constants import CONFIDENCES, INTERVAL_LEVEL
from aicompute.dataset.record import CONFIDENCE_FACTOR, Record
from aicompute.errors import InputError
from aicompute.estimation import FIELDS, EstimateResult, estimate_from
from aicompute.estimation.inputs import render
from aicompute.units import parse_range

__all__ = [
    "STAGE_KINDS",
    "Reported",
    "Stage",
    "StagesFile",
    "read_stages",
    "record_stage",
    "stage",
    "stages_from",
]

STAGE_KINDS: dict[str, str] = {
    "pretraining": "pre-training",
    "continued_pretraining": "continued pre-training",
    "sft": "supervised fine-tuning",
    "rl": "reinforcement learning",
    "distillation": "distillation",
    "synthetic_data": "synthetic-data generation",
}
"""Kinds of stage, and how they read in sentences."""

StageKind = Literal[
    "pretraining", "continued_pretraining", "sft", "rl", "distillation", "synthetic_data"
]

MAX_STAGES = 100
"""Most stages one assessment may hold: a model's development has a handful."""
MAX_STAGES_BYTES = 1_000_000
"""Largest stages file read: real ones are under a few kilobytes."""
_REPORTED = ("flop", "low_flop", "high_flop", "confidence")
_Z90 = NormalDist().inv_cdf(0.5 + INTERVAL_LEVEL / 2)

# --- the schema of a stages file ----------------------------------------------------------

_Number = float | int | str | list[float | int]


def _input_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, f in FIELDS.items():
        kind: Any = bool if f.kind == "flag" else (str if not f.numeric else _Number)
        fields[name] = (kind | None, Field(None, description=f.help))
    return fields


_Inputs: Any = create_model(
    "EstimateInputs",
    __config__=ConfigDict(extra="forbid"),
    **_input_fields(),
)


class _Generation(_Inputs):
    """Inference done for the stage, as estimate inputs (forward only unless
    ``backward_ratio`` is given)."""


class StageSpec(_Inputs):
    """One stage of a stages file: its name and kind, its training inputs at the top level,
    its ``generation`` inputs, or a ``reported`` figure (``flop`` and its interval)."""

    name: str = Field(min_length=1, max_length=200)
    kind: StageKind = "pretraining"
    generation: _Generation | None = None
    flop: _Number | None = Field(None, description="A reported figure for the stage, in FLOP.")
    low_flop: _Number | None = Field(None, description="Low end of its 90% interval.")
    high_flop: _Number | None = Field(None, description="High end of its 90% interval.")
    confidence: Literal["confident", "likely", "speculative", "unknown"] | None = Field(
        None, description="Without low/high: ×/÷3, 10, 30 or 3 as in the dataset."
    )
    source: str | None = Field(None, max_length=2_000, description="Where the figures come from.")
    notes: str | None = Field(None, max_length=20_000)


class StagesFile(BaseModel):
    """A stages file: an optional model name and its list of stages."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(None, max_length=500)
    stages: list[StageSpec] = Field(min_length=1, max_length=MAX_STAGES)


# --- stages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    """A reported figure and its 90% interval (median ``flop``; the interval may be
    asymmetric: each side is its own half-normal in log space)."""

    flop: float
    low_flop: float
    high_flop: float
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "flop": self.flop,
            "low_flop": self.low_flop,
            "high_flop": self.high_flop,
            "basis": self.basis,
        }

    @property
    def sigmas(self) -> tuple[float, float]:
        """Standard deviations of log(FLOP) below and above the median."""
        return (
            math.log(self.flop / self.low_flop) / _Z90,
            math.log(self.high_flop / self.flop) / _Z90,
        )

    def p_exceed(self, threshold: float) -> float:
        """P(compute > ``threshold``), in closed form: what sampling this figure gives.

        >>> round(Reported(1e25, 1e25 / 3, 3e25, "").p_exceed(3e25), 3)
        0.05
        """
        below, above = self.sigmas
        gap = math.log(threshold / self.flop)
        sigma = above if gap >= 0 else below
        if sigma == 0:
            return 0.0 if gap >= 0 else 1.0
        return 0.5 * math.erfc(gap / (sigma * math.sqrt(2)))  # erfc keeps tails under 1e-16

    @classmethod
    def from_record(cls, record: Record) -> Reported:
        """A dataset record's figure and its 90% interval (its own, or its confidence's)."""
        if record.flop is None or record.low_flop is None or record.high_flop is None:
            raise InputError("record", f"{record.name!r} has no training compute")
        basis = "the dataset's 90% interval" + (", an upper bound" if record.upper_bound else "")
        return cls(record.flop, record.low_flop, record.high_flop, basis)


@dataclass(frozen=True)
class Stage:
    """One stage: its name, kind and parts (``training``, ``generation`` as estimates, or
    ``reported``), with the inputs as given."""

    name: str
    kind: str
    parts: Mapping[str, EstimateResult | Reported]
    given: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    @property
    def label(self) -> str:
        return STAGE_KINDS[self.kind]


def _at(where: str, field: str | None, message: str) -> InputError:
    """An error in a stage, as one line: where (file, stage number and name), field, what."""
    return InputError(None, f"{where}: {field}: {message}" if field else f"{where}: {message}")


def _reported(values: Mapping[str, Any], where: str) -> Reported:
    def number(name: str) -> float:
        r = parse_range(values[name], "flop", name)
        if not r.is_point:
            raise _at(where, name, f"give one number, not a range ({r})")
        if not (r.low > 0 and math.isfinite(r.low)):
            raise _at(where, name, f"must be a positive number of FLOP, got {r.low:g}")
        return r.low

    flop = number("flop")
    low = number("low_flop") if values.get("low_flop") is not None else None
    high = number("high_flop") if values.get("high_flop") is not None else None
    confidence = values.get("confidence")
    if (low is None) != (high is None):
        missing = "high_flop" if high is None else "low_flop"
        raise _at(where, missing, "give both ends of the interval, or neither")
    if low is not None and high is not None:
        if confidence is not None:
            raise _at(where, "confidence", "give low/high or a confidence, not both")
        if not low <= flop <= high:
            raise _at(
                where,
                "low_flop",
                f"need low_flop <= flop <= high_flop, got {low:g}, {flop:g}, {high:g}",
            )
        return Reported(flop, low, high, f"the {INTERVAL_LEVEL:.0%} interval given")
    label = confidence or "unknown"
    if label not in CONFIDENCES:
        raise _at(where, "confidence", f"use one of {', '.join(CONFIDENCES)}")
    factor = CONFIDENCE_FACTOR[label]
    return Reported(
        flop, flop / factor, flop * factor, f"confidence {label!r}: ×/÷{factor:g}, as the dataset"
    )


def _estimate(inputs: Mapping[str, Any], where: str, prefix: str = "") -> EstimateResult:
    try:
        return estimate_from(inputs)
    except InputError as error:
        field = f"{prefix}{error.field}" if error.field else prefix.rstrip(".") or None
        raise _at(where, field, render(error.message, "name")) from None


def stage(values: Mapping[str, Any]) -> Stage:
    """A :class:`Stage` from a mapping as a stages file holds it (validated by
    :class:`StageSpec`); errors name the stage and the field."""
    name = str(values.get("name") or values.get("kind") or "stage")
    try:
        spec = StageSpec.model_validate(dict(values))
    except ValidationError as error:
        raise _schema_error(error, f"stage {name!r}") from None
    return _from_spec(spec, f"stage {spec.name!r}")


def _from_spec(spec: StageSpec, where: str) -> Stage:
    data = spec.model_dump(exclude_none=True)
    generation = data.pop("generation", None)
    name, kind, source = data.pop("name"), data.pop("kind"), data.pop("source", "")
    data.pop("notes", None)
    reported = {k: data.pop(k) for k in _REPORTED if k in data}
    parts: dict[str, EstimateResult | Reported] = {}
    if reported:
        if "flop" not in reported:
            raise _at(where, next(iter(reported)), "given without `flop`")
        parts["reported"] = _reported(reported, where)
    if data:
        if reported:
            raise _at(
                where,
                next(iter(data)),
                "give a reported `flop` or estimate inputs, not both (make two stages)",
            )
        parts["training"] = _estimate(data, where)
    if generation:
        generation.setdefault("backward_ratio", 0)
        parts["generation"] = _estimate(generation, where, "generation.")
    if not parts:
        raise _at(
            where,
            None,
            "give the estimate inputs of its training (e.g. params and tokens), its "
            "`generation` inputs, or a reported `flop`",
        )
    given = spec.model_dump(exclude_none=True)
    return Stage(name, kind, parts, given, source)


def stages_from(data: object, source: str = "stages") -> tuple[str | None, list[Stage]]:
    """(model name, stages) from a parsed stages document; errors name the stage and field."""
    if isinstance(data, list):
        data = {"stages": data}
    try:
        parsed = StagesFile.model_validate(data)
    except ValidationError as error:
        raise _schema_error(error, source, data) from None
    stages = []
    for index, spec in enumerate(parsed.stages, start=1):
        stages.append(_from_spec(spec, f"{source}: stage {index} ({spec.name!r})"))
    names = [s.name for s in stages]
    for name in names:
        if names.count(name) > 1:
            raise _at(source, "name", f"two stages are named {name!r}; name each once")
    return parsed.model, stages


def _schema_error(error: ValidationError, where: str, data: object = None) -> InputError:
    """The first schema problem as one line: where (stage number and name), field, message."""
    first = error.errors()[0]
    loc = [str(p) for p in first["loc"]]
    place = where
    if len(loc) >= 2 and loc[0] == "stages" and loc[1].isdigit():
        index = int(loc[1])
        stages = data.get("stages") if isinstance(data, dict) else None
        name = None
        if isinstance(stages, list) and index < len(stages) and isinstance(stages[index], dict):
            name = stages[index].get("name")
        place = f"{where}: stage {index + 1}" + (f" ({name!r})" if name else "")
        loc = loc[2:]
    # pydantic names the member of a union it tried (float, str ...): keep the field names
    loc = [p for p in loc if p not in {"float", "int", "str", "list[union[float,int]]"}]
    loc = [p for p in loc if not p.startswith(("list[", "function-", "literal["))]
    field_name = ".".join(loc) or "stages"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        import difflib

        known = [*FIELDS, *StageSpec.model_fields]
        close = difflib.get_close_matches(loc[-1] if loc else "", known, n=1, cutoff=0.7)
        message = "unknown field" + (f"; did you mean `{close[0]}`?" if close else "")
    elif first["type"] == "missing":
        message = "required"
    return _at(place, field_name, message)


def read_stages(path: str | Path) -> tuple[str | None, list[Stage]]:
    """(model name, stages) from a YAML or JSON stages file."""
    source = str(path)  # as the user wrote it: Path() would drop a leading ./
    path = Path(path)
    try:
        if path.stat().st_size > MAX_STAGES_BYTES:
            raise InputError(None, f"{source}: larger than {MAX_STAGES_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(
            "stages", f"{source}: cannot read it ({error.strerror or error})"
        ) from None
    except UnicodeDecodeError:
        raise InputError(None, f"{source}: not UTF-8 text") from None
    return stages_from(_parse(text, source, path.suffix.lower() == ".json"), source)


def _parse(text: str, source: str, as_json: bool) -> object:
    if as_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                None, f"{source}: line {error.lineno}: not valid JSON ({error.msg})"
            ) from None
    import yaml

    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1
                raise InputError(
                    None, f"{source}: line {line}: YAML anchors and aliases are not accepted"
                )
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = " ".join(str(getattr(error, "problem", "") or error).split())
        raise InputError(None, f"{source}: {where}not valid YAML ({problem})") from None


def record_stage(record: Record) -> dict[str, Any]:
    """A dataset record as one stage of an assessment (its reported figure and interval),
    in the form a stages file holds: the record's compute covers what its ``compute_scope``
    says (usually the final training run)."""
    figure = Reported.from_record(record)
    return {
        "name": record.name,
        "kind": "pretraining",
        "flop": figure.flop,
        "low_flop": figure.low_flop,
        "high_flop": figure.high_flop,
        "source": "; ".join(record.sources) or f"aicompute dataset record {record.id!r}",
        "notes": f"aicompute dataset record {record.id!r} ({record.compute_scope})",
    }
