"""The accelerator catalog: peak FLOP/s by precision, memory, power, dates and prices.

The data live beside this module: ``accelerators.csv``, one row per chip with the source of
its numbers, and ``units.csv``, named units of several chips (a Cloud TPU v3 device, an EC2
instance, a DGX system). Most chip rows come from Epoch AI's "Machine Learning Hardware" data
(CC BY 4.0), checked against vendors' datasheets; ``docs/hardware-catalog.md`` lists the
corrections and how names are resolved.

Names are matched forgivingly: case, spaces and punctuation do not matter, vendor words
("NVIDIA", "GeForce", "Tesla", "Google"...) may be left out, aliases are known, and a form
factor or memory size in the name picks among a chip's variants.

>>> get("gtx580").name
'NVIDIA GeForce GTX 580'
>>> get("A100-SXM4-80GB").peak_flops("bf16")
(312000000000000.0, 'tensor16')
>>> found = resolve("Cloud TPU v3")
>>> found.accelerator.key, found.chips_per_unit, found.unit
('google-tpu-v3', 4, 'Cloud TPU v3 device')
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
    "Resolution",
    "Unit",
    "all_accelerators",
    "all_units",
    "get",
    "resolve",
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

PRECISION_LABELS: dict[str, str] = {
    "fp64": "FP64",
    "fp32": "FP32",
    "tf32": "TF32",
    "fp16": "FP16 (vector)",
    "tensor16": "FP16/BF16 tensor",
    "fp8": "FP8",
    "int8": "INT8",
}
"""Short names of the precision columns, for messages."""

_DEFAULT_ORDER: tuple[str, ...] = PRECISION_ORDER + tuple(
    p for p in ("fp16", "fp64", "fp8", "int8") if p not in PRECISION_ORDER
)
"""The order :meth:`Accelerator.peak_flops` tries columns in when no precision is given."""

_VENDOR_WORDS = frozenset(
    {
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
        "ec2",
        "huawei",
        "data",
        "center",
        "datacenter",
        "gpu",
    }
)
"""Words a name may start with that never tell chips apart ("NVIDIA Tesla V100")."""

_NOISE_WORDS = frozenset({"gpu", "gpus"})
"""Words dropped wherever they stand ("A100 GPU")."""

_FORM_FACTORS = frozenset({"sxm", "sxm2", "sxm3", "sxm4", "sxm5", "sxm6", "pcie", "nvl", "oam"})
_MEMORY_TYPES = frozenset(
    {"hbm", "hbm2", "hbm2e", "hbm3", "hbm3e", "gddr5", "gddr5x", "gddr6", "gddr6x", "gddr7"}
)
_MEMORY = re.compile(r"(\d+(?:\.\d+)?)(?:gb|gib)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

_AMBIGUITY_HINTS: dict[frozenset[str], str] = {
    frozenset({"nvidia-k80-board", "nvidia-k80-die"}): (
        "A Tesla K80 board carries two GK210 dies, and nvidia-smi, cloud instances (AWS p2, "
        "Google Cloud, Azure NC) and many 2016-2017 papers count each die as one 'GPU'"
    ),
}
"""Why some deliberately shared aliases are ambiguous, keyed by the entries that share them."""


def _tokens(text: str) -> list[str]:
    """Lower-case words of a name, a memory size joined to its unit ("80 GB" -> "80gb"), the
    words of :data:`_NOISE_WORDS` and "tensor core" dropped."""
    text = text.lower().replace("pci-e", "pcie").replace("pci express", "pcie")
    raw = re.findall(r"\d+\.\d+|[a-z0-9]+", text)
    words: list[str] = []
    for word in raw:
        if word in ("gb", "gib") and words and _NUMBER.fullmatch(words[-1]):
            words[-1] += word
        elif word == "core" and words and words[-1] == "tensor":
            words.pop()
        elif word not in _NOISE_WORDS:
            words.append(word)
    return words


def _strip_vendor(words: list[str]) -> list[str]:
    """``words`` without the vendor words they start with (at least one word is kept)."""
    start = 0
    while start < len(words) - 1 and words[start] in _VENDOR_WORDS:
        start += 1
    return words[start:]


def _forms(label: str) -> tuple[str, ...]:
    """The keys a name is looked up by: its words run together, with and without the vendor
    words it starts with, and with vendor words peeled off a name typed as one word."""
    words = _tokens(label)
    full = "".join(words)
    bare = "".join(_strip_vendor(words))
    peeled = bare
    changed = True
    while changed:
        changed = False
        for word in _VENDOR_WORDS:
            if peeled.startswith(word) and len(peeled) > len(word):
                peeled = peeled[len(word) :]
                changed = True
    return tuple(dict.fromkeys(f for f in (full, bare, peeled) if f))


@dataclass(frozen=True)
class _Parsed:
    """A name split into the chip it names and the qualifiers that pick a variant."""

    core: str
    form_factors: frozenset[str]
    memory_gb: float | None
    memory_types: frozenset[str]

    def describe(self) -> str:
        parts = [_form_factor_label(f) for f in sorted(self.form_factors)]
        if self.memory_gb is not None:
            parts.append(f"{self.memory_gb:g} GB")
        parts += [m.upper() for m in sorted(self.memory_types)]
        return ", ".join(parts)


def _parse(label: str) -> _Parsed:
    core: list[str] = []
    form_factors: set[str] = set()
    memory_types: set[str] = set()
    memory: float | None = None
    for word in _strip_vendor(_tokens(label)):
        size = _MEMORY.fullmatch(word)
        if word in _FORM_FACTORS:
            form_factors.add(word)
        elif word in _MEMORY_TYPES:
            memory_types.add(word)
        elif size:
            memory = float(size[1])
        else:
            core.append(word)
    return _Parsed("".join(core), frozenset(form_factors), memory, frozenset(memory_types))


def _form_factor_label(form_factor: str) -> str:
    return "PCIe" if form_factor == "pcie" else form_factor.upper()


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
    memory_type: str = ""
    """hbm2, hbm2e, hbm3, hbm3e, gddr5, gddr6...; several separated by ";" when names use
    more than one (the A100 40GB is sold as HBM2 and listed as HBM2e), "" when not stated."""
    memory_bandwidth_gbs: float | None = None
    tdp_w: float | None = None
    launch_price_usd: float | None = None
    clock_basis: str = ""
    spec_source: str = ""
    price_source: str = ""
    data_from: str = ""
    notes: str = ""
    aliases: tuple[str, ...] = field(default=())
    form_factor: str = ""
    """How the chip is mounted: sxm2, sxm4, sxm5, sxm (an SXM socket of unstated generation),
    pcie, nvl or oam; several separated by ";", or "" when not stated."""

    @property
    def default_utilization(self) -> float:
        """The seed's assumed utilization for this kind of chip (33% GPUs, 17% CPUs)."""
        return DEFAULT_UTILIZATION.get(self.kind, DEFAULT_UTILIZATION["gpu"])

    def peak_flops(self, precision: str | None = None) -> tuple[float, str]:
        """Peak FLOP/s at ``precision`` and the catalog column used.

        Without a precision, the first available of tensor FP16/BF16, TF32, FP32 (Epoch AI's
        order), then any other available figure.
        """
        order = _DEFAULT_ORDER if precision is None else resolve_precision(precision)
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


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(";") if part.strip())


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
        memory_type=row.get("memory_type", "").strip().lower(),
        memory_bandwidth_gbs=_float(row.get("memory_bandwidth_gbs", "")),
        tdp_w=_float(row.get("tdp_w", "")),
        launch_price_usd=_float(row.get("launch_price_usd", "")),
        clock_basis=row.get("clock_basis", "").strip(),
        spec_source=row.get("spec_source", "").strip(),
        price_source=row.get("price_source", "").strip(),
        data_from=row.get("data_from", "").strip(),
        notes=row.get("notes", "").strip(),
        aliases=_split(row.get("aliases", "")),
        form_factor=row.get("form_factor", "").strip().lower(),
    )


def _read(filename: str) -> list[dict[str, str]]:
    text = resources.files("aicompute.hardware").joinpath(filename).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.lru_cache(maxsize=1)
def all_accelerators() -> tuple[Accelerator, ...]:
    """Every accelerator of the catalog, in release order."""
    return tuple(_parse_row(row) for row in _read("accelerators.csv"))


@dataclass(frozen=True)
class Unit:
    """A named unit of several identical chips: a Cloud TPU device, a cloud instance, a DGX
    system, a rack. Rows of ``units.csv``."""

    name: str
    chip_key: str
    """The key of the chip in ``accelerators.csv``."""
    chips_per_unit: int
    source: str
    notes: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def chip(self) -> Accelerator:
        """The catalog entry of the unit's chips."""
        return _by_key(self.chip_key)


@functools.lru_cache(maxsize=1)
def all_units() -> tuple[Unit, ...]:
    """Every named multi-chip unit (and cloud instance) the catalog knows."""
    return tuple(
        Unit(
            name=row["name"].strip(),
            chip_key=row["chip"].strip(),
            chips_per_unit=int(row["chips_per_unit"]),
            source=row.get("source", "").strip(),
            notes=row.get("notes", "").strip(),
            aliases=_split(row.get("aliases", "")),
        )
        for row in _read("units.csv")
    )


@dataclass(frozen=True)
class Resolution:
    """What a hardware name resolved to (see :func:`resolve`)."""

    accelerator: Accelerator
    """The catalog entry whose peak is used."""
    chips_per_unit: int = 1
    """Chips in the named unit: 4 for "Cloud TPU v3", else 1."""
    unit: str = ""
    """The unit's name ("Cloud TPU v3 device") when ``chips_per_unit`` > 1, else ""."""
    notes: tuple[str, ...] = ()
    """One line each: which entry was used and why."""
    candidates: tuple[Accelerator, ...] = ()
    """Every entry the name matched (one for an exact match)."""


@dataclass(frozen=True)
class _Index:
    labels: dict[str, list[Accelerator]]
    """Each form of each key, name and alias -> the entries it names."""
    units: dict[str, list[Unit]]
    cores: dict[str, list[Accelerator]]
    """The chip part of each label (form factor, memory words removed) -> entries."""
    form_factors: dict[str, frozenset[str]]
    memory_gb: dict[str, frozenset[float]]
    memory_types: dict[str, frozenset[str]]
    order: dict[str, int]


def _add(index: dict[str, list[Any]], key: str, item: object) -> None:
    if key and item not in index.setdefault(key, []):
        index[key].append(item)


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    labels: dict[str, list[Accelerator]] = {}
    cores: dict[str, list[Accelerator]] = {}
    form_factors: dict[str, frozenset[str]] = {}
    memory: dict[str, frozenset[float]] = {}
    memory_types: dict[str, frozenset[str]] = {}
    for acc in all_accelerators():
        ffs = set(_split(acc.form_factor))
        sizes = {acc.memory_gb} if acc.memory_gb is not None else set()
        kinds = set(_split(acc.memory_type))
        for label in (acc.key, acc.name, *acc.aliases):
            for form in _forms(label):
                _add(labels, form, acc)
            parsed = _parse(label)
            _add(cores, parsed.core, acc)
            ffs |= parsed.form_factors
            kinds |= parsed.memory_types
            if parsed.memory_gb is not None:
                sizes.add(parsed.memory_gb)
        form_factors[acc.key] = frozenset(ffs)
        memory[acc.key] = frozenset(sizes)
        memory_types[acc.key] = frozenset(kinds)
    units: dict[str, list[Unit]] = {}
    for unit in all_units():
        for label in (unit.name, *unit.aliases):
            for form in _forms(label):
                _add(units, form, unit)
    order = {acc.key: i for i, acc in enumerate(all_accelerators())}
    return _Index(labels, units, cores, form_factors, memory, memory_types, order)


def _by_key(key: str) -> Accelerator:
    return next(a for a in all_accelerators() if a.key == key)


def _lookup(table: dict[str, list[Any]], forms: tuple[str, ...]) -> list[Any]:
    for form in forms:
        if form in table:
            return table[form]
    return []


def resolve(name: str, precision: str | None = None) -> Resolution:
    """Resolve a hardware name as papers, cloud consoles and ``nvidia-smi`` write it.

    In order: a named unit of several chips (``units.csv``: "Cloud TPU v3", "p4d.24xlarge");
    a key, name or alias of ``accelerators.csv``; else the name's chip part with its form
    factor (SXM, PCIe, NVL, OAM), memory size and memory type picking among that chip's
    entries. A form factor or memory size the name gives must agree with the entry.

    When several entries match and all have the same peak at ``precision`` (without one:
    the same figures at every precision), the earliest is used and a note names the others;
    when their peaks differ the name is refused as ambiguous, listing each candidate's peak.

    >>> resolve("V100 SXM2").accelerator.name
    'NVIDIA Tesla V100 SXM2 16GB'
    >>> resolve("NVIDIA H100 80GB HBM3").accelerator.key
    'nvidia-h100-sxm5'
    >>> resolve("TPU v3").chips_per_unit, resolve("Cloud TPU v3").chips_per_unit
    (1, 4)
    """
    if precision is not None:
        resolve_precision(precision)
    text = _name_text(name)
    index = _index()
    forms = _forms(text)
    units: list[Unit] = _lookup(index.units, forms)
    chips: list[Accelerator] = _lookup(index.labels, forms)
    if units and chips:
        options = [f"{_quote(a.name)} (one chip)" for a in chips]
        options += [f"{_quote(u.name)} ({_chips(u.chips_per_unit)})" for u in units]
        raise InputError(
            "hardware",
            f"{text!r} is ambiguous: it may name one chip or a unit of several: "
            f"{' or '.join(options)}. Name one of them",
        )
    if units:
        return _unit_resolution(text, units)
    if chips:
        return _choose(text, _in_order(chips), precision)
    return _choose(text, _by_core(text), precision)


def _name_text(name: str) -> str:
    """The name with its spaces normalised; empty or longer than any real name is refused
    before any matching (matching costs grow with the name's length)."""
    from aicompute.constants import MAX_NAME_CHARS

    if len(name) > MAX_NAME_CHARS:
        raise InputError(
            "hardware", f"a name of {len(name):,} characters; names have at most {MAX_NAME_CHARS}"
        )
    text = " ".join(name.split())
    if not text:
        raise InputError("hardware", "no accelerator name given")
    return text


def _chips(n: int) -> str:
    return "1 chip" if n == 1 else f"{n} chips"


def _quote(text: str) -> str:
    return "'" + text + "'"


def _in_order(entries: list[Accelerator]) -> list[Accelerator]:
    order = _index().order
    unique = {a.key: a for a in entries}
    return sorted(unique.values(), key=lambda a: order[a.key])


def _unit_resolution(text: str, units: list[Unit]) -> Resolution:
    distinct = {(u.chip_key, u.chips_per_unit) for u in units}
    if len(distinct) > 1:
        options = "; ".join(f"{_quote(u.name)}: {u.chips_per_unit} x {u.chip.name}" for u in units)
        raise InputError("hardware", f"{text!r} is ambiguous: {options}. Name one of them")
    unit = units[0]
    chip = unit.chip
    is_alias = _forms(text)[0] not in _forms(unit.name)
    called = f"{text!r} is a {unit.name}" if is_alias else f"{unit.name!r}"
    note = f"{called}: {unit.chips_per_unit} x {chip.name} per unit ({unit.source})"
    notes = (note, unit.notes) if unit.notes else (note,)
    return Resolution(
        accelerator=chip,
        chips_per_unit=unit.chips_per_unit,
        unit=unit.name if unit.chips_per_unit > 1 else "",
        notes=notes,
        candidates=(chip,),
    )


def _by_core(text: str) -> list[Accelerator]:
    """The entries of the chip ``text`` names, narrowed by the qualifiers it gives; raises
    with suggestions when nothing matches."""
    index = _index()
    parsed = _parse(text)
    family = _in_order(index.cores.get(parsed.core, []))
    found = [
        a
        for a in family
        if all(_form_factor_fits(f, index.form_factors[a.key]) for f in parsed.form_factors)
        and (parsed.memory_gb is None or _memory_fits(parsed.memory_gb, index.memory_gb[a.key]))
        and (not index.memory_types[a.key] or parsed.memory_types <= index.memory_types[a.key])
    ]
    if found:
        return found
    if family:
        options = ", ".join(f"{_quote(a.name)} ({_variant(a)})" for a in family)
        raise InputError(
            "hardware",
            f"unknown accelerator {text!r}: no catalog entry for this chip matches "
            f"{parsed.describe()}; did you mean {options}? (or give `peak_flops`)",
        )
    hints = suggest(text)
    if hints:
        hint = ", ".join(_quote(h) for h in hints)
        raise InputError(
            "hardware",
            f"unknown accelerator {text!r}; did you mean {hint}? (or give `peak_flops`)",
        )
    raise InputError(
        "hardware", f"unknown accelerator {text!r}: not in the catalog; give `peak_flops`"
    )


def _form_factor_fits(given: str, known: frozenset[str]) -> bool:
    """Whether a form factor the user wrote agrees with an entry's: "SXM" fits any SXM
    generation, "SXM4" only SXM4. An entry without a known form factor fits none."""
    return given in known or (given == "sxm" and any(k.startswith("sxm") for k in known))


def _memory_fits(given: float, known: frozenset[float]) -> bool:
    return any(abs(given - size) <= 0.01 * size for size in known)


def _variant(acc: Accelerator) -> str:
    parts = [_form_factor_label(f) for f in _split(acc.form_factor)]
    if acc.memory_gb is not None:
        parts.append(f"{acc.memory_gb:g} GB")
    return ", ".join(parts) or acc.kind


def _peak_at(acc: Accelerator, columns: tuple[str, ...]) -> tuple[float, str] | None:
    for column in columns:
        if column in acc.peaks:
            return acc.peaks[column], column
    return None


def _fmt_peak(acc: Accelerator, peak: tuple[float, str] | None, columns: tuple[str, ...]) -> str:
    if peak is None:
        wanted = " or ".join(PRECISION_LABELS[c] for c in columns)
        return f"{_quote(acc.name)} no {wanted} figure"
    value, column = peak
    per_second = "TOP/s" if column == "int8" else "TFLOP/s"
    return f"{_quote(acc.name)} {_tflops(value)} {per_second} {PRECISION_LABELS[column]}"


def _tflops(value: float) -> str:
    """FLOP/s as TFLOP/s to 4 significant figures, without an exponent."""
    return f"{float(f'{value / 1e12:.4g}'):,g}"


def _choose(text: str, candidates: list[Accelerator], precision: str | None) -> Resolution:
    """One entry for ``text``: the only candidate, or the first of candidates that share
    their peak; refuses candidates whose peaks differ.

    With a precision, the candidates' peaks at it are compared. Without one, or when no
    candidate has a figure at it, every precision is compared (a caller may ask for any
    later), and a refusal shows the first precision at which they differ."""
    if len(candidates) == 1:
        return Resolution(candidates[0], candidates=(candidates[0],))
    first, others = candidates[0], candidates[1:]
    names = ", ".join(_quote(a.name) for a in others)
    verb = "shares" if len(others) == 1 else "share"
    columns = resolve_precision(precision) if precision is not None else ()
    peaks = [_peak_at(a, columns) for a in candidates]
    gap = ""
    if any(peaks):
        if len({p[0] if p else None for p in peaks}) == 1:
            shared = _fmt_peak(first, peaks[0], columns).removeprefix(_quote(first.name) + " ")
            note = (
                f"{text!r} matches {len(candidates)} catalog entries with the same peak "
                f"({shared}): used {_quote(first.name)}; {names} {verb} that peak"
            )
            return Resolution(first, notes=(note,), candidates=tuple(candidates))
    else:
        differing = [c for c in _DEFAULT_ORDER if len({a.peaks.get(c) for a in candidates}) > 1]
        if not differing:
            note = (
                f"{text!r} matches {len(candidates)} catalog entries with the same peak "
                f"figures at every precision: used {_quote(first.name)}; {names} {verb} "
                "them (other specifications, such as memory, may differ)"
            )
            return Resolution(first, notes=(note,), candidates=tuple(candidates))
        if columns:
            wanted = " or ".join(PRECISION_LABELS[c] for c in columns)
            gap = f" (none has a {wanted} figure)"
        columns = (differing[0],)
        peaks = [_peak_at(a, columns) for a in candidates]
    listed = "; ".join(_fmt_peak(a, p, columns) for a, p in zip(candidates, peaks, strict=True))
    hint = _AMBIGUITY_HINTS.get(frozenset(a.key for a in candidates))
    raise InputError(
        "hardware",
        f"{text!r} is ambiguous: {len(candidates)} catalog entries match and their peaks "
        f"differ{gap}: {listed}. {hint + '. ' if hint else ''}Name one of them "
        "(or give `peak_flops`)",
    )


def get(name: str) -> Accelerator:
    """Find one chip by name, key or alias; raise :class:`InputError` with suggestions.

    Names resolve as in :func:`resolve`. A name for a unit of several chips ("Cloud TPU v3",
    4 chips) is refused, so that no caller counts such a unit as one chip.

    >>> get("TPU v4").key
    'google-tpu-v4'
    """
    found = resolve(name)
    if found.chips_per_unit != 1:
        chip, n = found.accelerator, found.chips_per_unit
        raise InputError(
            "hardware",
            f"{name!r} names a unit of {n} chips ({found.unit}: {n} x {chip.name}), not one "
            f"chip: use resolve() or the estimator, which count {n} chips per unit, or name "
            f"the chip ({_quote(chip.name)}) and multiply the count by {n}",
        )
    return found.accelerator


def suggest(name: str, limit: int = 4) -> list[str]:
    """Names of the catalog entries and units closest to ``name``, closest first."""
    query = "".join(_strip_vendor(_tokens(name)))
    if not query:
        return []
    index = _index()
    scores: dict[str, tuple[float, int]] = {}
    unit_order = {unit.name: len(index.order) + i for i, unit in enumerate(all_units())}
    labelled = [
        (form, acc.name, index.order[acc.key])
        for form, entries in index.labels.items()
        for acc in entries
    ]
    labelled += [
        (form, unit.name, unit_order[unit.name])
        for form, units in index.units.items()
        for unit in units
    ]
    for form, display, position in labelled:
        score = difflib.SequenceMatcher(None, query, form).ratio()
        if min(len(query), len(form)) >= 3 and (query in form or form in query):
            score += 0.2
        if score >= 0.6 and score > scores.get(display, (0.0, 0))[0]:
            scores[display] = (score, position)
    ranked = sorted(scores.items(), key=lambda item: (-item[1][0], item[1][1]))
    return [display for display, _ in ranked[:limit]]
