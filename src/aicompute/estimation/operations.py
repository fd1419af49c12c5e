"""Method 1, counting operations: forward multiply-adds × 2 × (1 + backward ratio) × data.

The per-example forward work comes from exactly one of: forward multiply-adds, forward FLOP,
parameters (one multiply-add per parameter per token, the 6·N·D shortcut), or an architecture
description. The data processed comes from exactly one of: examples × epochs, updates × batch
size, or tokens (× epochs).

>>> e = operations_estimate(forward_macs="11.4G", examples="1.2M", epochs=128)
>>> round(e.pfs_days, 4)
0.1216
>>> e.calculation
'11.4B MAC × 2 FLOP/MAC × 3 (forward+backward) × 1.2M examples × 128 epochs = 1.05e19 FLOP'
"""

from __future__ import annotations

import re
from typing import Any

from aicompute.constants import (
    DEFAULT_BACKWARD_RATIO,
    FLOP_PER_MAC,
    METHOD_SPREAD,
    METHOD_SPREAD_REASON,
    SEED_URL,
)
from aicompute.errors import InputError
from aicompute.estimation.architecture import count_architecture
from aicompute.estimation.inputs import FIELDS
from aicompute.estimation.result import Estimate, Working, fmt_range
from aicompute.uncertainty import Range, Spread
from aicompute.units import format_si

__all__ = ["OPERATIONS_INPUTS", "operations_estimate", "operations_missing"]

OPERATIONS_INPUTS = tuple(n for n, f in FIELDS.items() if f.method == "operations")
"""Inputs that belong to the operations method."""

WORK_INPUTS = ("forward_macs", "forward_flop", "params", "active_params", "architecture")
DATA_INPUTS = ("examples", "updates", "tokens")


def _given(values: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if values.get(n) is not None and values.get(n) is not False]


def operations_missing(**values: Any) -> str | None:
    """What the operations method still needs, or None when its inputs are complete."""
    missing = []
    if not _given(values, WORK_INPUTS):
        missing.append(
            "the forward work per example (`forward_macs`, `forward_flop`, `params`, "
            "`active_params` or `architecture`)"
        )
    data = _given(values, DATA_INPUTS)
    if not data:
        missing.append("the data processed (`examples`, `updates` × `batch_size`, or `tokens`)")
    elif data == ["updates"] and values.get("batch_size") is None:
        missing.append("`batch_size` (with `updates`)")
    return "needs " + " and ".join(missing) if missing else None


def operations_estimate(
    *,
    forward_macs: object = None,
    forward_flop: object = None,
    params: object = None,
    active_params: object = None,
    architecture: object = None,
    encoder_decoder: bool = False,
    examples: object = None,
    epochs: object = None,
    updates: object = None,
    batch_size: object = None,
    tokens: object = None,
    backward_ratio: object = None,
    runs: object = None,
    adjust: object = None,
    adjust_reason: str | None = None,
) -> Estimate:
    """Training compute by counting operations. Any numeric input may be a range.

    ``runs`` multiplies by the number of separately trained networks (e.g. the 12,800 child
    networks of architecture search); ``adjust`` is an extra factor with a stated reason.
    """
    values = dict(locals())  # the inputs by name, as the checks below read them
    missing = operations_missing(**values)
    if missing:
        raise InputError(None, f"operations counting {missing}")
    work = Working("operations")
    work.sources.append(SEED_URL + "#appendixmethods")
    per_token = tokens is not None or (updates is not None and _in_tokens(batch_size))
    _forward_work(work, values, encoder_decoder, per="token" if per_token else "example")

    # -- forward + backward ---------------------------------------------------------------
    if backward_ratio is None:
        ratio = Range.point(DEFAULT_BACKWARD_RATIO)
        work.notes.append(
            "backward pass assumed to cost 2x the forward pass (seed: '3 for forward and "
            "backward pass')"
        )
    else:
        ratio = FIELDS["backward_ratio"].read(backward_ratio)
    work.inputs["backward_ratio"] = ratio.to_json()
    work.terms.append("2 FLOP/MAC")
    work.symbols.append("2 FLOP/MAC")
    passes = Range(1 + ratio.low, 1 + ratio.high)
    shown = "1 (forward only)" if ratio.high == 0 else f"{fmt_range(passes)} (forward+backward)"
    work.factor("passes", passes, shown, "(1 + backward ratio)")

    # -- data processed -------------------------------------------------------------------
    data = _given(values, DATA_INPUTS)
    if len(data) > 1:
        raise InputError(
            data[1],
            "give only one of " + ", ".join(f"`{d}`" for d in data) + " for the data processed",
        )
    if examples is not None or tokens is not None:
        if batch_size is not None:
            raise InputError("batch_size", "goes with `updates`, not with `examples` or `tokens`")
        name = "examples" if examples is not None else "tokens"
        _count(work, name, examples if examples is not None else tokens, name)
        if epochs is not None:
            _count(work, "epochs", epochs, "epochs")
    else:
        if epochs is not None:
            raise InputError("epochs", "goes with `examples` or `tokens`, not with `updates`")
        _count(work, "updates", updates, "updates")
        _count(work, "batch_size", batch_size, "batch size")
    if runs is not None:
        _count(work, "runs", runs, "networks trained")
    work.adjust(adjust, adjust_reason)
    basis = _basis(values, per_token)
    spread = Spread("method", METHOD_SPREAD[basis], METHOD_SPREAD_REASON[basis])
    return work.finish(spreads=[spread], scale=FLOP_PER_MAC)


def _in_tokens(batch_size: object) -> bool:
    """True when a batch size is written in tokens (``4M tokens``): updates × batch size then
    counts tokens, and parameters × tokens is the 6·N·D rule."""
    return isinstance(batch_size, str) and bool(
        re.search(r"(?:\d|\b)(?:tokens?|toks?)\s*$", batch_size.strip(), re.IGNORECASE)
    )


def _basis(values: dict[str, Any], per_token: bool) -> str:
    """What the estimate rests on, for the method's own uncertainty."""
    if _given(values, ("params", "active_params")):
        return "params_tokens" if per_token else "params_examples"
    return "forward_work"


def _count(work: Working, name: str, value: object, label: str) -> None:
    amount = FIELDS[name].read(value)
    work.inputs[name] = amount.to_json()
    work.factor(name, amount, f"{fmt_range(amount)} {label}", label)


def _forward_work(work: Working, values: dict[str, Any], encoder_decoder: bool, per: str) -> None:
    """Add the forward multiply-adds per example (or token) from whichever input gave them."""
    given = _given(values, ("forward_macs", "forward_flop", "architecture"))
    if _given(values, ("params", "active_params")):
        given.append("params")
    if len(given) > 1:
        raise InputError(
            given[1],
            "give only one of " + ", ".join(f"`{g}`" for g in given) + " for the forward work",
        )
    if values["forward_macs"] is not None:
        macs = FIELDS["forward_macs"].read(values["forward_macs"])
        work.inputs["forward_macs"] = macs.to_json()
        work.factor("forward_macs", macs, f"{fmt_range(macs)} MAC", f"forward MACs per {per}")
    elif values["forward_flop"] is not None:
        flop = FIELDS["forward_flop"].read(values["forward_flop"])
        work.inputs["forward_flop"] = flop.to_json()
        work.factor(
            "forward_macs",
            flop.scaled(1 / FLOP_PER_MAC),
            f"({fmt_range(flop)} FLOP / 2) MAC",
            f"forward FLOP per {per} / 2",
        )
    elif values["architecture"] is not None:
        count = count_architecture(str(values["architecture"]))
        if count.forward_macs == 0:
            raise InputError(
                "architecture",
                "the description has no layer with multiply-adds (input, pool and embedding "
                "layers have none); add its conv, dense or recurrent layers",
            )
        work.inputs["architecture"] = str(values["architecture"])
        work.inputs["forward_macs"] = count.forward_macs
        work.inputs["architecture_params"] = count.params
        work.factor(
            "forward_macs",
            Range.point(float(count.forward_macs)),
            f"{format_si(count.forward_macs)} MAC",
            f"forward MACs per {per} (architecture)",
        )
        work.notes.append(
            f"architecture: {count.forward_macs:,} multiply-adds and {count.params:,} "
            f"parameters per {per}, counted layer by layer"
        )
    else:
        _parameters(work, values, encoder_decoder, per)


def _parameters(work: Working, values: dict[str, Any], encoder_decoder: bool, per: str) -> None:
    """One multiply-add per (active) parameter per token: the 6·N·D rule."""
    total = active = None
    if values["params"] is not None:
        total = FIELDS["params"].read(values["params"])
        work.inputs["params"] = total.to_json()
    if values["active_params"] is not None:
        active = FIELDS["active_params"].read(values["active_params"])
        if total is not None and active.high > total.high:
            raise InputError("active_params", "cannot exceed `params`")
        if encoder_decoder:
            raise InputError(
                "encoder_decoder",
                "applies to `params` (halved per token), not to `active_params`, which already "
                "are the parameters each token goes through",
            )
        work.inputs["active_params"] = active.to_json()
        work.notes.append(
            "mixture-of-experts or sparse model: the active parameters per token are used, "
            "not the total"
        )
        macs, label = active, "active params"
    else:
        assert total is not None
        macs, label = total, "params"
        if encoder_decoder:
            macs, label = total.scaled(0.5), "params (half of the encoder-decoder's)"
            work.inputs["encoder_decoder"] = True
            work.notes.append(
                "encoder-decoder: each token passes through about half of the parameters "
                "(encoder or decoder), so N/2 is used per token"
            )
    if per != "token":
        work.notes.append(
            "parameters × examples assumes one multiply-add per parameter per example, which "
            "holds for a stack of dense layers only: for sequences or images split into "
            "patches it undercounts by the tokens per example, so give tokens (or a batch size "
            "in tokens, e.g. '4M tokens') for language and vision transformers"
        )
    symbol = "parameters active per token" if per == "token" else "parameters (1 MAC each)"
    work.factor("forward_macs", macs, f"{fmt_range(macs)} {label}", symbol)
