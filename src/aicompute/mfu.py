"""Model FLOPs utilization (MFU) and hardware FLOPs utilization (HFU) of a training run.

MFU (Chowdhery et al. 2022, PaLM, Appendix B) is the model FLOP/s a run achieves over the
chips' peak: model FLOP per token (forward + backward, recomputation excluded) × tokens per
second ÷ (chips × peak FLOP/s per chip). HFU counts the FLOP the chips execute, recomputed
activations included. Published figures have been wrong by large factors: a sparse peak in the
denominator (2x), an FP8 peak for a BF16 run (2x), all parameters of a mixture of experts
instead of the active ones, recomputation counted as model FLOP, or the throughput of one chip
read as the whole run's. Every figure of the result says where it came from, and such slips
raise warnings.

The model FLOP per token come from a count (:func:`count_model_flop`), from PaLM's
6N + 12·L·H·Q·T (:func:`palm_model_flop`), or are given (:func:`given_model_flop`). Nothing
here needs torch.

>>> palm = palm_model_flop("540.35B", layers=118, heads=48, head_dim=256, seq_len=2048)
>>> r = mfu(palm, tokens_per_second="238.3K", chips=6144, hardware="TPU v4")
>>> round(r.mfu, 3), round(r.peak_flop_per_second / 1e12)
(0.462, 275)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from aicompute.errors import InputError
from aicompute.units import NOUNS, format_si, parse_count, parse_duration, parse_flop, parse_rate

__all__ = [
    "IMPLAUSIBLE_MFU",
    "LOW_MFU",
    "RECOMPUTE",
    "MFUResult",
    "ModelFlop",
    "Peak",
    "attention_shape",
    "count_model_flop",
    "given_model_flop",
    "mfu",
    "palm_model_flop",
    "read_chips",
    "read_recompute",
    "read_seq_len",
    "read_shape",
    "read_throughput",
    "resolve_peak",
]

RECOMPUTE = ("none", "selective", "full")
"""Activation recomputation: none; selective (Korthikanti et al. 2022: the attention scores,
softmax and dropout, QKᵀ and AV recomputed); full (the whole forward pass runs again). A
fraction between 0 and 1 is the share of the forward pass recomputed."""

IMPLAUSIBLE_MFU = 0.75
"""Above this MFU a large training run is implausible: the best published runs reach about
40-60% (PaLM 46.2%, Korthikanti et al. 56%), and a single large matmul about 80% of peak."""

LOW_MFU = 0.05
"""Below this MFU the throughput is often that of one chip, or one replica, read as the
whole run's."""

PEAK_TOLERANCE = 0.02
"""A given peak within 2% of a catalog figure is that figure (rounding: 989 vs 989.4)."""

_TOKEN_RATE_NOUNS = frozenset(
    {
        "tokens/s",
        "token/s",
        "tok/s",
        "tokens/sec",
        "tokens/second",
        "tokenspersecond",
        "tokenspersec",
        "tps",
        "/s",
        "persecond",
    }
)
_SPARSE_COLUMNS = frozenset({"tensor16", "tf32", "fp8"})
"""Tensor-core precisions that datasheets also quote with 2:4 sparsity (twice the dense)."""
_LAYER_NOUNS = frozenset({"layers", "layer", "blocks", "block"})
_HEAD_NOUNS = frozenset({"heads", "head"})


# --- reading inputs --------------------------------------------------------------------------


def _positive(value: float, name: str, text: object) -> float:
    if not (value > 0 and math.isfinite(value)):
        raise InputError(name, f"must be positive, got {text!r}")
    return value


def _count(value: object, name: str, nouns: frozenset[str], what: str, whole: bool) -> float:
    number = _positive(parse_count(value, name, nouns, what), name, value)
    if whole and number != int(number):
        raise InputError(name, f"must be a whole number of {what}, got {value!r}")
    return number


def _params(value: object) -> float:
    return _count(value, "params", frozenset(NOUNS["parameters"]), "parameters", whole=False)


def read_chips(value: object) -> int:
    """A number of chips, exactly (``6144``, ``16,384 GPUs``; ``16K`` is refused: 16,384 to
    some and 16,000 to others).

    >>> read_chips("16,384 GPUs")
    16384
    """
    if value is None:
        raise InputError("chips", "give the number of chips the run used")
    return _whole(value, "chips", frozenset(NOUNS["chips"]), "chips")


def read_seq_len(value: object) -> int:
    """A sequence length in tokens, exactly.

    >>> read_seq_len("2,048 tokens")
    2048
    """
    return _whole(value, "seq_len", frozenset(NOUNS["tokens"]), "tokens")


def _whole(value: object, name: str, nouns: frozenset[str], what: str) -> int:
    """A whole number; a sequence length or chip count with a scale letter is refused ("8K"
    is 8192 to some and 8000 to others)."""
    exact = {"seq_len": "8192, not 8K", "chips": "16384, not 16K"}
    if name in exact and isinstance(value, str) and re.search(r"\d\s*[kKmM]", value):
        raise InputError(name, f"write the number exactly ({exact[name]}), got {value!r}")
    return int(_count(value, name, nouns, what, whole=True))


def read_throughput(
    tokens_per_second: object = None, step_time: object = None, batch_tokens: object = None
) -> tuple[float, str]:
    """Tokens per second of the whole run, and how it was found: given (``238.3K``,
    ``1.5M tokens/s``), or global batch tokens ÷ step time (``16M`` tokens every ``12.5 s``).

    >>> read_throughput(step_time="2 s", batch_tokens="4M")
    (2000000.0, 'batch tokens ÷ step time = 4,000,000 ÷ 2 s = 2M tokens/s')

    The batch is shown in full: "4M" is 4,000,000 tokens, while a batch of 2048 sequences of
    2048 tokens is 4,194,304 (write it so).
    """
    if tokens_per_second is not None:
        if step_time is not None or batch_tokens is not None:
            raise InputError(
                "tokens_per_second",
                "give tokens per second, or step time and batch tokens, not both",
            )
        rate = _count(
            tokens_per_second, "tokens_per_second", _TOKEN_RATE_NOUNS, "tokens per second", False
        )
        return rate, f"given: {format_si(rate, 4)} tokens/s (all chips together)"
    if step_time is None and batch_tokens is None:
        raise InputError(
            "tokens_per_second",
            "give the measured throughput: tokens per second, or step time and batch tokens",
        )
    if step_time is None:
        raise InputError("step_time", "batch tokens need the step time (seconds per step)")
    if batch_tokens is None:
        raise InputError(
            "batch_tokens", "the step time needs the global batch in tokens (sequences × length)"
        )
    seconds = _positive(parse_duration(step_time, "step_time", "s"), "step_time", step_time)
    tokens = _count(batch_tokens, "batch_tokens", frozenset(NOUNS["tokens"]), "tokens", True)
    rate = tokens / seconds
    return rate, (
        f"batch tokens ÷ step time = {tokens:,.0f} ÷ {seconds:.4g} s = "
        f"{format_si(rate, 4)} tokens/s"
    )


def read_recompute(value: object) -> str | float:
    """``none``, ``selective``, ``full``, or the fraction of the forward pass recomputed.

    >>> read_recompute("FULL"), read_recompute("75%"), read_recompute(0)
    ('full', 0.75, 'none')
    """
    from aicompute.units import parse_fraction

    if value is None:
        return "none"
    if isinstance(value, str) and value.strip().lower() in RECOMPUTE:
        return value.strip().lower()
    try:
        share = parse_fraction(value, "recompute")
    except InputError:
        raise InputError(
            "recompute",
            f"use none, selective, full, or the share of the forward pass recomputed "
            f"(0..1 or a percentage), got {value!r}",
        ) from None
    if not 0 <= share <= 1:
        raise InputError("recompute", f"the share recomputed is 0..1, got {value!r}")
    return {0.0: "none", 1.0: "full"}.get(share, share)


# --- model FLOP per token --------------------------------------------------------------------


@dataclass(frozen=True)
class ModelFlop:
    """Model FLOP per token of training (forward + backward) and where they come from."""

    per_token: float
    """Forward + backward model FLOP per token (2 per multiply-add, no recomputation)."""
    forward_per_token: float
    """The forward pass alone: what full recomputation runs again."""
    attention_forward_per_token: float | None
    """One forward of the attention scores and their product with V (QKᵀ, AV): what selective
    recomputation runs again. None when the attention shape is unknown."""
    source: str
    formula: str
    inputs: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "per_token": self.per_token,
            "forward_per_token": self.forward_per_token,
            "attention_forward_per_token": self.attention_forward_per_token,
            "source": self.source,
            "formula": self.formula,
            "inputs": dict(self.inputs),
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


def read_shape(
    layers: object, heads: object, head_dim: object, seq_len: object, seq_known: bool = False
) -> tuple[int, int, int, int] | None:
    """Layers, heads, head size and sequence length as whole numbers, or None when no shape is
    given; a partial shape is refused, naming what is missing. With ``seq_known`` the sequence
    length comes from elsewhere (a count) and is not part of the shape asked for."""
    given = {"layers": layers, "heads": heads, "head_dim": head_dim}
    if not seq_known:
        given["seq_len"] = seq_len
    if all(v is None for v in given.values()):
        return None
    missing = [k for k, v in given.items() if v is None]
    if missing:
        names = ", ".join(f"`{m}`" for m in missing)
        raise InputError(
            missing[0],
            f"the attention term 12·L·H·Q·T needs layers, heads, head_dim and seq_len: give "
            f"{names} too",
        )
    return (
        _whole(layers, "layers", _LAYER_NOUNS, "layers"),
        _whole(heads, "heads", _HEAD_NOUNS, "heads"),
        _whole(head_dim, "head_dim", frozenset(), "dimensions"),
        read_seq_len(seq_len),
    )


def _attention(factor: float, shape: tuple[int, int, float, int], inputs: dict[str, Any]) -> float:
    """``factor``·L·H·Q·T, PaLM's attention term (12 for forward and backward, 4 for the
    forward alone); the shape is recorded in ``inputs``."""
    n_layers, n_heads, q, t = shape
    inputs.update(layers=n_layers, heads=n_heads, head_dim=q, seq_len=t)
    return factor * n_layers * n_heads * q * t


def palm_model_flop(
    params: object,
    layers: object = None,
    heads: object = None,
    head_dim: object = None,
    seq_len: object = None,
) -> ModelFlop:
    """PaLM's model FLOP per token (Chowdhery et al. 2022, Appendix B): 6N + 12·L·H·Q·T.

    N is the parameters a token passes through (the active ones of a mixture of experts), L
    the layers, H the attention heads, Q the head size and T the sequence length; the attention
    term counts the full T × T score matrix, forward and backward. Without the shape, 6N alone
    (attention left out, with a warning).

    >>> f = palm_model_flop("540.35B", layers=118, heads=48, head_dim=256, seq_len=2048)
    >>> f"{f.per_token:.5e}", f"{f.attention_forward_per_token:.4e}"
    ('3.27773e+12', '1.1878e+10')
    """
    n = _params(params)
    shape = read_shape(layers, heads, head_dim, seq_len)
    inputs: dict[str, Any] = {"params": n}
    if shape is None:
        per_token = 6.0 * n
        return ModelFlop(
            per_token=per_token,
            forward_per_token=per_token / 3,
            attention_forward_per_token=None,
            source=f"6N with N = {format_si(n, 5)} parameters (attention not counted)",
            formula=f"6N = 6 × {format_si(n, 5)} = {format_si(per_token, 5)} FLOP per token",
            inputs=inputs,
            warnings=(
                "attention FLOP are left out (6N only): give `layers`, `heads`, `head_dim` "
                "and `seq_len` for PaLM's 6N + 12·L·H·Q·T; MFU is understated by the "
                "attention term (about 1% for PaLM 540B at 2048 tokens, more for long "
                "sequences)",
            ),
        )
    n_layers, n_heads, q, t = shape
    attention = _attention(12.0, shape, inputs)
    per_token = 6.0 * n + attention
    return ModelFlop(
        per_token=per_token,
        forward_per_token=per_token / 3,
        attention_forward_per_token=attention / 3,
        source="PaLM's 6N + 12·L·H·Q·T (Chowdhery et al. 2022, Appendix B)",
        formula=(
            f"6N + 12·L·H·Q·T = 6 × {format_si(n, 5)} + 12 × {n_layers} × {n_heads} × {q} × {t} "
            f"= {format_si(6.0 * n, 5)} + {format_si(attention, 5)} = "
            f"{format_si(per_token, 5)} FLOP per token"
        ),
        inputs=inputs,
    )


def given_model_flop(
    flop_per_token: object,
    layers: object = None,
    heads: object = None,
    head_dim: object = None,
    seq_len: object = None,
) -> ModelFlop:
    """Model FLOP per token given directly (``3.28 TFLOP``, ``2.4e12``); the forward pass is
    taken as a third of it (backward = 2 × forward). The attention shape, when given, sets the
    part selective recomputation runs again (4·L·H·Q·T).

    >>> given_model_flop("3 TFLOP").forward_per_token
    1000000000000.0
    """
    value = parse_flop(flop_per_token, "flop_per_token")
    value = _positive(value, "flop_per_token", flop_per_token)
    shape = read_shape(layers, heads, head_dim, seq_len)
    inputs: dict[str, Any] = {"flop_per_token": value}
    attention = None if shape is None else _attention(4.0, shape, inputs)
    return ModelFlop(
        per_token=value,
        forward_per_token=value / 3,
        attention_forward_per_token=attention,
        source="given",
        formula=f"given: {format_si(value, 5)} FLOP per token (forward + backward)",
        inputs=inputs,
    )


def count_model_flop(
    result: Any,
    layers: object = None,
    heads: object = None,
    head_dim: object = None,
) -> ModelFlop:
    """Model FLOP per token from a count (:class:`aicompute.counting.CountResult` of a text
    model): the forward and the measured backward of one sequence, divided by its length.

    With the attention shape (layers, query heads, head size; :func:`attention_shape` reads it
    from a model's spec) the attention part that selective recomputation runs again is known:
    4·L·H·Q·T per token forward over the full score matrix; from a count, the count's own
    attention under its convention (``full`` or ``causal``).
    """
    seq = getattr(result, "seq_len", None)
    if not seq:
        raise InputError(
            "model",
            f"{result.model} has no sequence length: MFU here is per token, for language "
            "models (an image model has no tokens)",
        )
    shape = read_shape(layers, heads, head_dim, seq, seq_known=True)
    per_token = result.training_flop_per_example / seq
    forward = result.forward_flop / seq
    attention = None
    measured = getattr(result, "attention_macs", None)
    if measured and result.attention in measured:
        # the count's own attention (QKᵀ and AV), under the convention it used
        attention = 2.0 * measured[result.attention] / seq
    elif shape is not None:
        n_layers, n_heads, q, t = shape
        attention = 4.0 * n_layers * n_heads * q * t
    warnings = []
    notes = []
    if result.uncounted_ops:
        ops = ", ".join(f"{k} ({v})" for k, v in sorted(result.uncounted_ops.items()))
        warnings.append(
            f"the count has operators without a formula, not counted: {ops}; the model FLOP "
            "and MFU may be understated"
        )
    if result.backward_mode != "measured":
        notes.append("backward assumed to cost 2x the forward (not measured)")
    if result.active_params != result.params:
        notes.append(
            f"mixture of experts: {format_si(result.active_params, 4)} of "
            f"{format_si(result.params, 4)} parameters are active per token, and the count "
            f"follows each token through its k experts; 6N with all parameters would "
            f"overstate the model FLOP about {result.params / result.active_params:.1f}x"
        )
    attention_note = (
        "causal attention: only the scores a causal mask (and any sliding window) keeps"
        if result.attention == "causal"
        else "attention over the full score matrix, as PaLM counts it"
    )
    notes.append(attention_note)
    return ModelFlop(
        per_token=per_token,
        forward_per_token=forward,
        attention_forward_per_token=attention,
        source=(
            f"counted: {result.model} at {seq} tokens on the meta device (forward + backward "
            f"{result.backward_mode}, {result.attention} attention)"
        ),
        formula=(
            f"(forward + backward FLOP per sequence) ÷ sequence length = "
            f"{format_si(result.training_flop_per_example, 5)} ÷ {seq} = "
            f"{format_si(per_token, 5)} FLOP per token"
        ),
        inputs={
            "model": result.model,
            "params": result.params,
            "active_params": result.active_params,
            "seq_len": seq,
            "attention": result.attention,
            "backward": result.backward_mode,
        },
        warnings=tuple(warnings),
        notes=tuple(notes),
    )


def attention_shape(spec: Any) -> tuple[int, int, float] | None:
    """(layers, query heads, head size) of a transformer spec for the attention term; the
    head size averages the query-key and value sizes when they differ (multi-head latent
    attention). None for a spec without attention layers."""
    if spec is None or not getattr(spec, "n_heads", 0):
        return None
    layers = spec.n_layers + getattr(spec, "decoder_layers", 0)
    mla = getattr(spec, "mla", None)
    head = (mla.qk_nope + mla.qk_rope + mla.v_head) / 2 if mla else spec.dim_head
    return layers, spec.n_heads, head


# --- peak FLOP/s -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Peak:
    """Peak FLOP/s of one chip and where the figure comes from."""

    flop_per_second: float
    source: str
    hardware: str | None = None
    """The catalog entry, when a chip was named."""
    precision: str | None = None
    """The catalog column of the peak (``tensor16`` for BF16/FP16 tensor), when known."""
    chips_per_unit: int = 1
    """Chips in the named unit (a Cloud TPU v3 device is 4); the chip count is multiplied."""
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _near(value: float, reference: float) -> bool:
    return abs(value / reference - 1) <= PEAK_TOLERANCE


def _tflops(value: float) -> str:
    return f"{value / 1e12:,.4g} TFLOP/s"


def resolve_peak(
    hardware: str | None = None, precision: str | None = "bf16", peak_flops: object = None
) -> Peak:
    """The peak per chip: the catalog's dense figure for ``hardware`` at ``precision``, or
    ``peak_flops``. When both are given the given peak is used and checked against the chip:
    twice the dense figure is the sparse one, and the figure of another precision (FP8 for a
    BF16 run) is refused as a slip with a warning.

    >>> p = resolve_peak("H100 SXM", "bf16", "1979 TFLOPS")
    >>> p.flop_per_second, "sparse" in p.warnings[0]
    (1979000000000000.0, True)
    """
    from aicompute.hardware.catalog import PRECISION_LABELS, resolve, resolve_precision

    precision = precision or "bf16"
    columns = resolve_precision(precision)
    given = None
    if peak_flops is not None:
        given = _positive(parse_rate(peak_flops, "peak_flops"), "peak_flops", peak_flops)
    if hardware is None:
        if given is None:
            raise InputError(
                "hardware", "give `hardware` (a chip of the catalog) or `peak_flops` per chip"
            )
        return Peak(given, f"given: {_tflops(given)} per chip", precision=None)
    found = resolve(hardware, precision)
    chip = found.accelerator
    notes = list(found.notes)
    catalog, column = chip.peak_flops(precision)
    label = PRECISION_LABELS[column]
    where = f"catalog: {chip.name}, {label} (dense), {_tflops(catalog)}"
    if chip.spec_source:
        where += f" ({chip.spec_source})"
    if column == "fp8":
        notes.append(
            "MFU against the FP8 peak (twice the BF16 peak on most chips): published MFU "
            "figures are mostly against the BF16 peak"
        )
    if given is None:
        return Peak(catalog, where, chip.name, column, found.chips_per_unit, (), tuple(notes))
    warnings = []
    if _near(given, catalog):
        notes.append(f"the given peak matches the {where}")
    else:
        matches = [f"sparse {label}"] if _near(given, 2 * catalog) else []
        matches += [
            f"{kind}{PRECISION_LABELS[name]}"
            for name, value in chip.peaks.items()
            if name not in columns and name != "int8"
            for factor, kind in ((1, ""), (2, "sparse "))
            if (factor == 1 or name in _SPARSE_COLUMNS) and _near(given, factor * value)
        ]
        if matches:
            sparse = (
                " (a sparse figure is the datasheet's 2:4 structured-sparsity rate; MFU is "
                "quoted against the dense peak)"
                if any(m.startswith("sparse") for m in matches)
                else ""
            )
            warnings.append(
                f"the given peak {_tflops(given)} is {chip.name}'s {' or '.join(matches)} "
                f"peak, not its dense {label} peak ({_tflops(catalog)}) for a {precision} run"
                f"{sparse}: MFU against it is {catalog / given:.3g}x the MFU against the "
                f"{label} peak; leave out the peak, or give the run's precision"
            )
        else:
            warnings.append(
                f"the given peak {_tflops(given)} differs from the {where} by "
                f"{given / catalog - 1:+.0%}"
            )
    return Peak(
        given,
        f"given: {_tflops(given)} per chip",
        chip.name,
        column,
        found.chips_per_unit,
        tuple(warnings),
        tuple(notes),
    )


# --- MFU -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MFUResult:
    """MFU and HFU of a run, with every input and where each figure came from."""

    model_flop_per_token: float
    hardware_flop_per_token: float
    tokens_per_second: float
    chips: float
    peak_flop_per_second: float
    """Per chip."""
    achieved_flop_per_second_per_chip: float
    """Model FLOP/s per chip."""
    hardware_flop_per_second_per_chip: float
    mfu: float
    hfu: float
    recompute: str | float
    hardware: str | None
    precision: str | None
    formula: dict[str, str]
    sources: dict[str, str]
    inputs: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {
            "mfu": self.mfu,
            "hfu": self.hfu,
            "model_flop_per_token": self.model_flop_per_token,
            "hardware_flop_per_token": self.hardware_flop_per_token,
            "tokens_per_second": self.tokens_per_second,
            "chips": self.chips,
            "peak_flop_per_second": self.peak_flop_per_second,
            "achieved_flop_per_second_per_chip": self.achieved_flop_per_second_per_chip,
            "hardware_flop_per_second_per_chip": self.hardware_flop_per_second_per_chip,
            "recompute": self.recompute,
            "hardware": self.hardware,
            "precision": self.precision,
            "formula": dict(self.formula),
            "sources": dict(self.sources),
            "inputs": dict(self.inputs),
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


def _recomputed(model: ModelFlop, recompute: str | float) -> tuple[float, str]:
    """FLOP per token run again, and how they were found."""
    if recompute == "none":
        return 0.0, "no recomputation: hardware FLOP = model FLOP"
    if recompute == "full":
        return model.forward_per_token, (
            f"full recomputation runs the forward again: + {format_si(model.forward_per_token, 5)}"
            " FLOP per token (hardware = 4/3 × model for a network of matmuls)"
        )
    if recompute == "selective":
        if model.attention_forward_per_token is None:
            raise InputError(
                "recompute",
                "selective recomputation reruns the attention scores, which needs the attention "
                "shape: give `layers`, `heads` and `head_dim` (or a preset or config.json model)",
            )
        return model.attention_forward_per_token, (
            "selective recomputation (Korthikanti et al. 2022) reruns QKᵀ, softmax and AV: "
            f"+ 4·L·H·Q·T = {format_si(model.attention_forward_per_token, 5)} FLOP per token"
        )
    share = float(recompute)
    return share * model.forward_per_token, (
        f"{share:.0%} of the forward recomputed: + {format_si(share * model.forward_per_token, 5)}"
        " FLOP per token"
    )


def mfu(
    model_flop: ModelFlop | object,
    *,
    chips: object,
    tokens_per_second: object = None,
    step_time: object = None,
    batch_tokens: object = None,
    hardware: str | None = None,
    precision: str | None = "bf16",
    peak_flops: object = None,
    recompute: object = "none",
) -> MFUResult:
    """MFU and HFU of a run.

    ``model_flop`` is a :class:`ModelFlop` or model FLOP per token (a number or text such as
    ``3.28 TFLOP``). The throughput is ``tokens_per_second`` of all chips together, or
    ``batch_tokens`` (global batch in tokens) every ``step_time``. The peak per chip comes from
    the catalog (``hardware`` at ``precision``, BF16 by default) or ``peak_flops``.
    ``recompute`` (none, selective, full or a share of the forward) sets the HFU.

    >>> r = mfu("3e12", chips=8, tokens_per_second=1000, peak_flops="1 PFLOP/s")
    >>> r.mfu, r.warnings
    (0.375, [])
    """
    model = model_flop if isinstance(model_flop, ModelFlop) else given_model_flop(model_flop)
    plan = read_recompute(recompute)
    n_given = read_chips(chips)
    rate, rate_source = read_throughput(tokens_per_second, step_time, batch_tokens)
    peak = resolve_peak(hardware, precision, peak_flops)
    n = n_given * peak.chips_per_unit
    extra, extra_source = _recomputed(model, plan)
    hardware_per_token = model.per_token + extra
    capacity = n * peak.flop_per_second
    achieved = model.per_token * rate / n
    achieved_hw = hardware_per_token * rate / n
    value = achieved / peak.flop_per_second
    hfu = achieved_hw / peak.flop_per_second
    warnings = list(model.warnings) + list(peak.warnings)
    notes = list(model.notes) + list(peak.notes)
    if peak.chips_per_unit > 1:
        notes.append(
            f"{hardware!r} is a unit of {peak.chips_per_unit} chips: {n_given:,.0f} units = "
            f"{n:,.0f} chips"
        )
    warnings += _plausibility(value, hfu, plan)
    chips_text = f"{n:,.0f}"
    formula = {
        "mfu": (
            "MFU = model FLOP per token × tokens/s ÷ (chips × peak FLOP/s per chip) = "
            f"{format_si(model.per_token, 4)} × {format_si(rate, 4)} ÷ ({chips_text} × "
            f"{_tflops(peak.flop_per_second)}) = {value:.1%}"
        ),
        "hfu": (
            "HFU = (model + recomputed FLOP per token) × tokens/s ÷ (chips × peak) = "
            f"{format_si(hardware_per_token, 4)} × {format_si(rate, 4)} ÷ ({chips_text} × "
            f"{_tflops(peak.flop_per_second)}) = {hfu:.1%}"
        ),
        "model_flop_per_token": model.formula,
        "achieved": (
            f"model FLOP/s per chip = {format_si(model.per_token, 4)} × {format_si(rate, 4)} ÷ "
            f"{chips_text} = {_tflops(achieved)} of {_tflops(peak.flop_per_second)}; all "
            f"chips: {format_si(model.per_token * rate, 4, 'FLOP/s')} of "
            f"{format_si(capacity, 4, 'FLOP/s')}"
        ),
    }
    sources = {
        "model_flop_per_token": model.source,
        "tokens_per_second": rate_source,
        "chips": f"given: {n_given:,.0f}"
        + (f" units × {peak.chips_per_unit} chips" if peak.chips_per_unit > 1 else ""),
        "peak_flop_per_second": peak.source,
        "hardware_flop_per_token": extra_source,
    }
    inputs: dict[str, Any] = {
        **model.inputs,
        "tokens_per_second": rate,
        "chips": n,
        "hardware": peak.hardware,
        "precision": precision,
        "peak_flop_per_second": peak.flop_per_second,
        "recompute": plan,
    }
    return MFUResult(
        model_flop_per_token=model.per_token,
        hardware_flop_per_token=hardware_per_token,
        tokens_per_second=rate,
        chips=n,
        peak_flop_per_second=peak.flop_per_second,
        achieved_flop_per_second_per_chip=achieved,
        hardware_flop_per_second_per_chip=achieved_hw,
        mfu=value,
        hfu=hfu,
        recompute=plan,
        hardware=peak.hardware,
        precision=precision,
        formula=formula,
        sources=sources,
        inputs=inputs,
        warnings=warnings,
        notes=notes,
    )


def _plausibility(value: float, hfu: float, plan: str | float) -> list[str]:
    checks = (
        "check the throughput (tokens of all chips, not sequences or one chip's), the chip "
        "count, the peak (dense, at the run's precision) and the model FLOP (active "
        "parameters of a mixture of experts; recomputation is not model FLOP)"
    )
    if value > 1:
        return [f"MFU {value:.1%} is impossible: the model FLOP/s exceed the chips' peak; {checks}"]
    out = []
    if hfu > 1:
        out.append(
            f"HFU {hfu:.1%} is impossible with recomputation {plan}: the chips cannot run "
            f"more FLOP/s than their peak; {checks}"
        )
    if value > IMPLAUSIBLE_MFU:
        out.append(
            f"MFU {value:.1%} is implausible for a training run (over {IMPLAUSIBLE_MFU:.0%}; "
            f"published large runs reach about 40-60%); {checks}"
        )
    elif value < LOW_MFU:
        out.append(
            f"MFU {value:.2%} is very low: is the throughput that of one chip or one replica "
            "rather than of all chips together?"
        )
    return out
