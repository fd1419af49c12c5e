"""Method 1, counting operations: forward multiply-adds × 2 × (1 + backward ratio) × data.

The per-example forward work comes from exactly one of: forward multiply-adds, forward FLOP,
parameters (one multiply-add per parameter per token, the 6·N·D shortcut), or an architecture
description. The data processed comes from exactly one of: examples × epochs, updates × batch
size, or tokens (× epochs).

>>> e = operations_estimate(forward_macs="11.4G", examples="1.2M", epochs=128)
>>> round(e.pfs_days, 4)
0.1216
>>> e.calculation
'11.4G MAC × 2 FLOP/MAC × 3 (forward+backward) × 1.2M examples × 128 epochs = 1.05e+19 FLOP'
"""

from __future__ import annotations

from typing import Any

from aicompute.constants import (
    DEFAULT_BACKWARD_RATIO,
    FLOP_PER_MAC,
    METHOD_INTERVAL_FACTOR,
    METHOD_INTERVAL_REASON,
    SEED_URL,
)
from aicompute.errors import InputError
from aicompute.estimation.architecture import count_architecture
from aicompute.estimation.result import Estimate, apply_adjust, as_positive, fmt_range
from aicompute.uncertainty import Range, product_interval
from aicompute.units import format_flop, format_si

__all__ = ["OPERATIONS_INPUTS", "operations_estimate", "operations_missing"]

OPERATIONS_INPUTS = (
    "forward_macs",
    "forward_flop",
    "params",
    "active_params",
    "architecture",
    "examples",
    "epochs",
    "updates",
    "batch_size",
    "tokens",
    "backward_ratio",
    "runs",
    "encoder_decoder",
)
"""Inputs that belong to the operations method."""

WORK_INPUTS = ("forward_macs", "forward_flop", "params", "active_params", "architecture")
DATA_INPUTS = ("examples", "updates", "tokens")

NEEDS = (
    "forward work per example (forward_macs, forward_flop, params or active_params, or "
    "architecture) and data processed (examples [× epochs], updates × batch_size, or "
    "tokens [× epochs])"
)


def _given(values: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if values.get(n) is not None and values.get(n) is not False]


def operations_missing(**values: Any) -> str | None:
    """What the operations method still needs, or None when its inputs are complete."""
    missing = []
    if not _given(values, WORK_INPUTS):
        missing.append(
            "forward work per example (forward_macs, forward_flop, params, "
            "active_params or architecture)"
        )
    data = _given(values, DATA_INPUTS)
    if not data:
        missing.append("data processed (examples, updates × batch_size, or tokens)")
    elif data == ["updates"] and values.get("batch_size") is None:
        missing.append("batch_size (with updates)")
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
    seed: int = 0,
) -> Estimate:
    """Training compute by counting operations. Any numeric input may be a range.

    ``runs`` multiplies by the number of separately trained networks (e.g. the 12,800 child
    networks of architecture search); ``adjust`` is an extra factor with a stated reason.
    """
    values = dict(
        forward_macs=forward_macs,
        forward_flop=forward_flop,
        params=params,
        active_params=active_params,
        architecture=architecture,
        examples=examples,
        updates=updates,
        batch_size=batch_size,
        tokens=tokens,
    )
    missing = operations_missing(**values)
    if missing:
        raise InputError(None, f"operations counting {missing}")
    inputs: dict[str, Any] = {}
    notes: list[str] = []
    factors: dict[str, Range] = {}
    terms: list[str] = []

    # -- forward work per example -------------------------------------------------------
    work = _given(values, ("forward_macs", "forward_flop", "architecture"))
    if "params" in _given(values, WORK_INPUTS) or "active_params" in _given(values, WORK_INPUTS):
        work.append("params")
    if len(work) > 1:
        raise InputError(work[1], f"give only one of {', '.join(work)} for the forward work")
    per = "token" if tokens is not None else "example"
    symbolic = []
    if forward_macs is not None:
        macs = as_positive(forward_macs, "macs", "forward_macs")
        inputs["forward_macs"] = macs.to_json()
        terms.append(f"{fmt_range(macs)} MAC")
        symbolic.append(f"forward MACs per {per}")
    elif forward_flop is not None:
        flop = as_positive(forward_flop, "flop", "forward_flop")
        inputs["forward_flop"] = flop.to_json()
        macs = flop.scaled(1 / FLOP_PER_MAC)
        terms.append(f"({fmt_range(flop)} FLOP / 2) MAC")
        symbolic.append(f"forward FLOP per {per} / 2")
    elif architecture is not None:
        count = count_architecture(str(architecture))
        macs = Range.point(float(count.forward_macs))
        inputs["architecture"] = str(architecture)
        inputs["forward_macs"] = count.forward_macs
        inputs["architecture_params"] = count.params
        terms.append(f"{format_si(count.forward_macs)} MAC")
        symbolic.append(f"forward MACs per {per} (architecture)")
        notes.append(
            f"architecture: {count.forward_macs:,} multiply-adds and "
            f"{count.params:,} parameters per {per}, counted layer by layer"
        )
    else:
        total = as_positive(params, "count", "params") if params is not None else None
        active = (
            as_positive(active_params, "count", "active_params")
            if active_params is not None
            else None
        )
        if total is not None:
            inputs["params"] = total.to_json()
        if active is not None:
            if total is not None and active.high > total.high:
                raise InputError("active_params", "cannot exceed params")
            inputs["active_params"] = active.to_json()
            macs = active
            notes.append(
                "mixture-of-experts or sparse model: the active parameters per token "
                "are used, not the total"
            )
        else:
            assert total is not None
            macs = total
            if encoder_decoder:
                macs = total.scaled(0.5)
                inputs["encoder_decoder"] = True
                notes.append(
                    "encoder-decoder: each token passes through about half of the "
                    "parameters (encoder or decoder), so N/2 is used per token"
                )
        if tokens is None:
            notes.append(
                "parameters × examples assumes one multiply-add per parameter per "
                "example (a dense layer stack); give tokens for language models"
            )
        terms.append(f"{fmt_range(macs)} {'active ' if active is not None else ''}params")
        symbolic.append(
            "parameters active per token"
            if tokens is not None
            else f"parameters (1 MAC each) per {per}"
        )
    factors["forward_macs"] = macs

    # -- forward + backward ---------------------------------------------------------------
    ratio = (
        as_positive(backward_ratio, "number", "backward_ratio", allow_zero=True)
        if backward_ratio is not None
        else Range.point(DEFAULT_BACKWARD_RATIO)
    )
    inputs["backward_ratio"] = ratio.to_json()
    passes = Range(1 + ratio.low, 1 + ratio.high)
    factors["passes"] = passes
    if backward_ratio is None:
        notes.append(
            "backward pass assumed to cost 2x the forward pass (seed: '3 for forward "
            "and backward pass')"
        )
    terms.append("2 FLOP/MAC")
    terms.append(f"{fmt_range(passes)} (forward+backward)")
    symbolic += ["2 FLOP/MAC", "(1 + backward ratio)"]

    # -- data processed -------------------------------------------------------------------
    data = _given(values, DATA_INPUTS)
    if len(data) > 1:
        raise InputError(data[1], f"give only one of {', '.join(data)} for the data processed")
    if examples is not None or tokens is not None:
        name = "examples" if examples is not None else "tokens"
        amount = as_positive(examples if examples is not None else tokens, "count", name)
        inputs[name] = amount.to_json()
        factors[name] = amount
        terms.append(f"{fmt_range(amount)} {name}")
        symbolic.append(name)
        if batch_size is not None:
            raise InputError("batch_size", "goes with updates, not with examples or tokens")
        if epochs is not None:
            ep = as_positive(epochs, "number", "epochs")
            inputs["epochs"] = ep.to_json()
            factors["epochs"] = ep
            terms.append(f"{fmt_range(ep)} epochs")
            symbolic.append("epochs")
    else:
        if epochs is not None:
            raise InputError("epochs", "goes with examples or tokens, not with updates")
        steps = as_positive(updates, "count", "updates")
        batch = as_positive(batch_size, "count", "batch_size")
        inputs["updates"], inputs["batch_size"] = steps.to_json(), batch.to_json()
        factors["updates"], factors["batch_size"] = steps, batch
        terms += [f"{fmt_range(steps)} updates", f"{fmt_range(batch)} batch size"]
        symbolic += ["updates", "batch size"]

    if runs is not None:
        n_runs = as_positive(runs, "count", "runs")
        inputs["runs"] = n_runs.to_json()
        factors["runs"] = n_runs
        terms.append(f"{fmt_range(n_runs)} networks trained")
        symbolic.append("networks trained")
    apply_adjust(adjust, adjust_reason, inputs, factors, terms, symbolic, notes)

    interval = product_interval(
        factors,
        default_factor=METHOD_INTERVAL_FACTOR["operations"],
        default_basis=METHOD_INTERVAL_REASON["operations"],
        seed=seed,
    )
    flop = interval.central * FLOP_PER_MAC
    return Estimate(
        method="operations",
        flop=flop,
        low_flop=interval.low * FLOP_PER_MAC,
        high_flop=interval.high * FLOP_PER_MAC,
        formula=" × ".join(symbolic),
        calculation=" × ".join(terms) + f" = {format_flop(flop)}",
        inputs=inputs,
        interval_basis=interval.basis,
        interval_how=interval.how,
        notes=tuple(notes),
        sources=(SEED_URL + "#appendixmethods",),
    )
