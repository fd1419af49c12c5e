"""The accelerator catalog: peak FLOP/s by precision, memory, power, dates and prices.

The data live in ``accelerators.csv`` beside this module, one row per chip with the source of
its numbers. Most rows come from Epoch AI's "Machine Learning Hardware" data (CC BY 4.0),
checked against vendors' datasheets; ``docs/hardware-catalog.md`` lists the corrections.

Names are matched forgivingly: case, spaces and punctuation do not matter, vendor words
("NVIDIA", "GeForce", "Tesla", "Google"...) may be left out, and aliases are known.

>>> get("gtx580").name
'NVIDIA GeForce GTX 580'
>>> get("A100-SXM4-80GB").peak_flops("bf16")
(312000000000000.0, 'tensor16')
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

from aicompute.constants import DEFAULT_UTILIZATION, PRECISION_ORDER
from aicompute.errors import InputError

__all__ = [
    "CREDIT",
    "PRECISIONS",
    "PRECISION_ALIASES",
    "Accelerator",
    "all_accelerators",
    "get",
    "resolve_precision",
    "suggest",
]

CREDIT = (
    "Accelerator data largely from Epoch AI, 'Machine Learning Hardware' (CC BY 4.0), "
    "https://epoch.ai/data/machine-learning-hardware, checked against vendors' datasheets"
)

PRECISIONS: dict[str, str] = {
    "fp64": "FP64 (double precision)",
    "fp32": "FP32 (single precision, non-tensor)",
    "tf32": "TF32 tensor (dense)",
    "fp16": "FP16 non-tensor (vector)",
    "tensor16": "FP16/BF16 tensor or matrix units (dense)",
    "fp8": "FP8 (dense)",
    "int8": "INT8 (dense, OP/s)",
}
"""The precisions the catalog records, each a column ``<name>_tflops`` (``int8_tops``)."""

PRECISION_ALIASES: dict[str, tuple[str, ...]] = {
    "bf16": ("tensor16",),
    "fp16": ("tensor16", "fp16"),
    "half": ("tensor16", "fp16"),
    "tensor": ("tensor16",),
    "tensor-fp16": ("tensor16",),
    "fp16-vector": ("fp16",),
    "single": ("fp32",),
    "double": ("fp64",),
}
"""Names users may give for a precision and the columns they try, in order. ``fp16`` means the
tensor rate when the chip has one, else the vector rate."""

_VENDOR_WORDS = (
    "nvidia",
    "geforce",
    "tesla",
    "quadro",
    "google",
    "amd",
    "radeon",
    "instinct",
    "intel",
    "habana",
    "amazon",
    "aws",
    "huawei",
    "cloud",
    "gpu",
    "datacenter",
)

_AMBIGUOUS: dict[str, tuple[tuple[str, ...], str]] = {
    "k80": (
        ("nvidia-k80-board", "nvidia-k80-die"),
        "a Tesla K80 board carries two GK210 dies; papers and cloud instances of 2016-2017 "
        "often counted each die as one 'GPU'. Say which: 'K80 board' or 'K80 die'",
    ),
}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _strip_vendor(normed: str) -> str:
    out = normed
    for word in _VENDOR_WORDS:
        if out.startswith(word) and len(out) > len(word):
            out = out[len(word) :]
    return out


def _strip_memory(label: str) -> str:
    """The label without a trailing memory size set off by a separator ("A100 SXM4 80GB")."""
    return _norm(re.sub(r"[\s_\-/]+\d+(?:\.\d+)?\s*gb?\s*$", "", label.lower()))


@dataclass(frozen=True)
class Accelerator:
    """One chip of the catalog. FLOP/s values are per chip, dense, at the vendor's peak."""

    key: str
    name: str
    manufacturer: str
    kind: str
    release_date: str
    peaks: dict[str, float]
    """Peak FLOP/s (OP/s for int8) by precision key of :data:`PRECISIONS`."""
    memory_gb: float | None = None
    memory_bandwidth_gbs: float | None = None
    tdp_w: float | None = None
    launch_price_usd: float | None = None
    clock_basis: str = ""
    spec_source: str = ""
    price_source: str = ""
    data_from: str = ""
    notes: str = ""
    aliases: tuple[str, ...] = field(default=())

    @property
    def default_utilization(self) -> float:
        """The seed's assumed utilization for this kind of chip (33% GPUs, 17% CPUs)."""
        return DEFAULT_UTILIZATION.get(self.kind, DEFAULT_UTILIZATION["gpu"])

    def peak_flops(self, precision: str | None = None) -> tuple[float, str]:
        """Peak FLOP/s at ``precision`` and the catalog column used.

        Without a precision, the first available of tensor FP16/BF16, TF32, FP32 (Epoch AI's
        order), then any other available figure.
        """
        if precision is None:
            order: tuple[str, ...] = PRECISION_ORDER + tuple(
                p for p in ("fp16", "fp64", "fp8", "int8") if p not in PRECISION_ORDER
            )
        else:
            order = resolve_precision(precision)
        for column in order:
            if column in self.peaks:
                return self.peaks[column], column
        available = ", ".join(self.peaks) or "none"
        raise InputError(
            "precision",
            f"{self.name} has no {precision} figure in the catalog; available: {available}",
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; peaks are in FLOP/s under ``peak_flops``."""
        data = asdict(self)
        data["peak_flops"] = data.pop("peaks")
        data["aliases"] = list(self.aliases)
        data["default_utilization"] = self.default_utilization
        return data


def resolve_precision(precision: str) -> tuple[str, ...]:
    """Catalog columns to try for a precision a user named.

    >>> resolve_precision("BF16"), resolve_precision("fp16")
    (('tensor16',), ('tensor16', 'fp16'))
    """
    key = precision.strip().lower().replace("_", "-")
    if key in PRECISION_ALIASES:
        return PRECISION_ALIASES[key]
    if key in PRECISIONS:
        return (key,)
    choices = ", ".join(sorted(set(PRECISIONS) | set(PRECISION_ALIASES)))
    raise InputError("precision", f"unknown precision {precision!r}; choose one of {choices}")


def _float(value: str) -> float | None:
    value = value.strip()
    return float(value) if value else None


def _parse_row(row: dict[str, str]) -> Accelerator:
    peaks: dict[str, float] = {}
    for precision in PRECISIONS:
        column = "int8_tops" if precision == "int8" else f"{precision}_tflops"
        value = _float(row.get(column, ""))
        if value is not None:
            peaks[precision] = value * 1e12
    return Accelerator(
        key=row["key"].strip(),
        name=row["name"].strip(),
        manufacturer=row.get("manufacturer", "").strip(),
        kind=row.get("kind", "gpu").strip() or "gpu",
        release_date=row.get("release_date", "").strip(),
        peaks=peaks,
        memory_gb=_float(row.get("memory_gb", "")),
        memory_bandwidth_gbs=_float(row.get("memory_bandwidth_gbs", "")),
        tdp_w=_float(row.get("tdp_w", "")),
        launch_price_usd=_float(row.get("launch_price_usd", "")),
        clock_basis=row.get("clock_basis", "").strip(),
        spec_source=row.get("spec_source", "").strip(),
        price_source=row.get("price_source", "").strip(),
        data_from=row.get("data_from", "").strip(),
        notes=row.get("notes", "").strip(),
        aliases=tuple(a.strip() for a in row.get("aliases", "").split(";") if a.strip()),
    )


@functools.lru_cache(maxsize=1)
def all_accelerators() -> tuple[Accelerator, ...]:
    """Every accelerator of the catalog, in release order."""
    text = resources.files("aicompute.hardware").joinpath("accelerators.csv").read_text("utf-8")
    return tuple(_parse_row(row) for row in csv.DictReader(io.StringIO(text)))


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Accelerator], dict[str, list[Accelerator]]]:
    exact: dict[str, Accelerator] = {}
    loose: dict[str, list[Accelerator]] = {}
    for acc in all_accelerators():
        for label in (acc.key, acc.name, *acc.aliases):
            for form in _forms(label):
                exact.setdefault(form, acc)
            for form in _forms(_strip_memory(label)):
                if acc not in loose.setdefault(form, []):
                    loose[form].append(acc)
    return exact, loose


def _forms(label: str) -> set[str]:
    normed = _norm(label)
    return {normed, _strip_vendor(normed)}


def _by_key(key: str) -> Accelerator:
    return next(a for a in all_accelerators() if a.key == key)


def get(name: str) -> Accelerator:
    """Find an accelerator by name, key or alias; raise :class:`InputError` with suggestions.

    >>> get("TPU v4").key
    'google-tpu-v4'
    """
    normed = _strip_vendor(_norm(name))
    if normed in _AMBIGUOUS:
        keys, why = _AMBIGUOUS[normed]
        names = " or ".join(repr(_by_key(k).name) for k in keys)
        raise InputError("hardware", f"{name!r} is ambiguous: {names}; {why}")
    exact, loose = _index()
    for form in (_norm(name), normed):
        if form in exact:
            return exact[form]
    for form in _forms(_strip_memory(name)):
        candidates = loose.get(form, [])
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            names = ", ".join(repr(a.name) for a in candidates)
            raise InputError("hardware", f"{name!r} is ambiguous; did you mean one of {names}?")
    hints = suggest(name)
    hint = f"; did you mean {', '.join(repr(h) for h in hints)}?" if hints else ""
    raise InputError(
        "hardware",
        f"unknown accelerator {name!r}{hint} (see `aicompute hardware list`, or give --peak-flops)",
    )


def suggest(name: str, limit: int = 4) -> list[str]:
    """Names of the catalog entries closest to ``name``."""
    exact, _ = _index()
    normed = _strip_vendor(_norm(name))
    forms = difflib.get_close_matches(normed, list(exact), n=limit * 3, cutoff=0.6)
    forms += [f for f in exact if normed and len(normed) >= 3 and normed in f]
    out: list[str] = []
    for form in forms:
        display = exact[form].name
        if display not in out:
            out.append(display)
    return out[:limit]
