"""Method 2, hardware time: chips × peak FLOP/s × training time × utilization.

The peak comes from the accelerator catalog (or ``peak_flops``); utilization defaults to the
seed's 33% for GPUs, TPUs and other accelerators and 17% for CPUs.

>>> e = hardware_estimate(hardware="GTX 580", count=2, days="5..6")
>>> round(e.pfs_days, 5), e.inputs["utilization"]
(0.00572, 0.33)
"""

from __future__ import annotations

from typing import Any

from aicompute import hardware as catalog
from aicompute.constants import (
    DEFAULT_UTILIZATION,
    MAX_NAME_CHARS,
    METHOD_SPREAD,
    METHOD_SPREAD_REASON,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    SEED_URL,
    UTILIZATION_SOURCE,
    UTILIZATION_SPREAD,
)
from aicompute.errors import InputError
from aicompute.estimation.inputs import FIELDS
from aicompute.estimation.result import Estimate, Working, fmt_range
from aicompute.hardware import Accelerator
from aicompute.hardware.catalog import PRECISIONS
from aicompute.uncertainty import Range, Spread
from aicompute.units import format_si, show

__all__ = ["HARDWARE_INPUTS", "hardware_estimate", "hardware_missing"]

HARDWARE_INPUTS = tuple(n for n, f in FIELDS.items() if f.method == "hardware")
"""Inputs that belong to the hardware-time method."""


def hardware_missing(**values: Any) -> str | None:
    """What the hardware-time method still needs, or None when its inputs are complete."""
    missing = []
    if values.get("hardware") is None and values.get("peak_flops") is None:
        missing.append("the chip (`hardware` or `peak_flops`)")
    if values.get("chip_hours") is None:
        if values.get("count") is None:
            missing.append("`count`")
        if values.get("days") is None and values.get("hours") is None:
            missing.append("`days` or `hours`")
    return "needs " + " and ".join(missing) if missing else None


def hardware_estimate(
    *,
    hardware: str | Accelerator | None = None,
    count: object = None,
    days: object = None,
    hours: object = None,
    chip_hours: object = None,
    utilization: object = None,
    precision: str | None = None,
    peak_flops: object = None,
    adjust: object = None,
    adjust_reason: str | None = None,
) -> Estimate:
    """Training compute from chips, their peak speed, the time and the utilization.

    Any numeric input may be a range. ``peak_flops`` (per chip) overrides the catalog. A
    ``hardware`` name that denotes a unit of several chips (a Cloud TPU v3 device holds 4)
    multiplies ``count`` (or ``chip_hours``) by its chips, and the notes say so.
    """
    missing = hardware_missing(**locals())
    if missing:
        raise InputError(None, f"hardware time {missing}")
    if precision is not None:
        if not isinstance(precision, str) or len(precision) > MAX_NAME_CHARS:
            raise InputError(
                "precision", f"must be a short text such as bf16, got {show(precision)}"
            )
        catalog.resolve_precision(precision)
    if isinstance(hardware, str) and len(hardware) > MAX_NAME_CHARS:
        raise InputError(
            "hardware", f"is {len(hardware):,} characters long, over the limit of {MAX_NAME_CHARS}"
        )
    if days is not None and hours is not None:
        raise InputError("hours", "give `days` or `hours`, not both")
    if chip_hours is not None and (count is not None or days is not None or hours is not None):
        raise InputError("chip_hours", "give `chip_hours` alone, or `count` with `days`/`hours`")
    work = Working("hardware")
    found: catalog.Resolution | None = None
    if isinstance(hardware, Accelerator):
        found = catalog.Resolution(hardware, candidates=(hardware,))
    elif hardware is not None:
        found = catalog.resolve(str(hardware), precision)
    acc = found.accelerator if found else None
    per_unit = found.chips_per_unit if found else 1
    # a unit of several chips (a Cloud TPU v3 device holds 4) multiplies what is counted
    of_units = f" × {per_unit}" if per_unit > 1 else ""
    if found is not None and acc is not None:
        work.inputs["hardware"] = acc.name
        work.inputs["hardware_key"] = acc.key
        work.notes.extend(found.notes)
        if per_unit > 1:
            work.inputs["chips_per_unit"] = per_unit
    if chip_hours is None:
        n = FIELDS["count"].read(count)
        work.inputs["count"] = n.to_json()
        work.factor("count", n.scaled(per_unit), f"{fmt_range(n)}{of_units} chips", "chips")
    _peak(work, acc, peak_flops, precision)

    if chip_hours is not None:
        name, unit, label, symbol = "chip_hours", SECONDS_PER_HOUR, "chip-hours", "chip-hours"
        time = FIELDS["chip_hours"].read(chip_hours)
        work.inputs[name] = time.to_json()
        work.factor(name, time.scaled(per_unit), f"{fmt_range(time)}{of_units} {label}", symbol)
    else:
        name = "days" if days is not None else "hours"
        unit = SECONDS_PER_DAY if days is not None else SECONDS_PER_HOUR
        label, symbol = ("days" if days is not None else "h"), "training time"
        given = days if days is not None else hours
        time = FIELDS[name].read(given).scaled(1 / unit)
        work.inputs[name] = time.to_json()
        work.factor(name, time, f"{fmt_range(time)} {label}", symbol)
    work.factors["seconds_per_unit"] = Range.point(unit)

    spreads = [Spread("method", METHOD_SPREAD["hardware"], METHOD_SPREAD_REASON["hardware"])]
    if utilization is not None:
        util = FIELDS["utilization"].read(utilization)
        if util.high > 1:
            raise InputError("utilization", f"must be a fraction in (0, 1], got {util}")
        work.inputs["utilization_source"] = "given"
    else:
        kind = acc.kind if acc is not None else "gpu"
        util = Range.point(DEFAULT_UTILIZATION.get(kind, DEFAULT_UTILIZATION["gpu"]))
        work.inputs["utilization_source"] = UTILIZATION_SOURCE
        work.sources.append(SEED_URL + "#appendixmethods")
        who = f"{kind.upper()}s" if acc is not None else "GPU-class chips (no catalog entry)"
        work.notes.append(
            f"utilization {util.low:.0%} assumed for {who} (seed default); the interval adds "
            f"the spread of published runs' utilization (×/÷{UTILIZATION_SPREAD:.3g})"
        )
        spreads.append(
            Spread(
                "utilization not given",
                UTILIZATION_SPREAD,
                "published runs' utilization around the seed's 33%, calibrated",
            )
        )
    work.inputs["utilization"] = util.to_json()
    work.factor("utilization", util, f"{fmt_range(util)} utilization", "utilization")
    work.adjust(adjust, adjust_reason)
    return work.finish(spreads=spreads)


def _peak(
    work: Working, acc: Accelerator | None, peak_flops: object, precision: str | None
) -> None:
    """Peak FLOP/s per chip: given, or from the catalog at the chosen precision."""
    if peak_flops is not None:
        peak = FIELDS["peak_flops"].read(peak_flops)
        work.inputs["peak_flops"] = peak.to_json()
        work.inputs["peak_source"] = "given"
        if precision is not None:
            work.inputs["precision"] = precision
    else:
        assert acc is not None
        value, column = acc.peak_flops(precision)
        peak = Range.point(value)
        work.inputs["peak_flops"] = value
        work.inputs["precision"] = column
        work.inputs["peak_source"] = acc.spec_source or acc.data_from
        if acc.spec_source:
            work.sources.append(acc.spec_source)
        basis = f", {acc.clock_basis} clock" if acc.clock_basis else ""
        peak_text = format_si(value, 4, "FLOP/s")
        work.notes.append(f"peak {peak_text} per chip: {acc.name}, {PRECISIONS[column]}{basis}")
        if acc.key.startswith("nvidia-k80"):
            work.notes.append(acc.notes)
    work.factor("peak_flops", peak, fmt_range(peak, 4, "FLOP/s"), "peak FLOP/s per chip")
