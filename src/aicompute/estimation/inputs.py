"""The one definition of an estimate's inputs: name, kind, unit words, label and help.

The library (:func:`aicompute.estimate`), the command line (``aicompute estimate``'s options),
the web API (``/api/estimate``), the web calculator's form and stored records are all built
from :data:`FIELDS`, so they read, refuse and explain every input the same way.

Messages name other inputs between backticks (```peak_flops```); each face shows the name
its own way (:func:`render`): ``--peak-flops`` on the command line, "Peak FLOP/s per chip" on
a page.

>>> FIELDS["tokens"].read("300BT")
Range(low=300000000000.0, high=300000000000.0)
>>> FIELDS["chip_hours"].read("30.84M GPU-hours").low
30840000.0
>>> render("give `peak_flops` or `hardware`", "flag")
'give --peak-flops or --hardware'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aicompute.errors import InputError
from aicompute.uncertainty import Range
from aicompute.units import NOUNS, check_length, parse_range

__all__ = ["FIELDS", "InputField", "check_names", "field_label", "render"]

FieldKind = Literal[
    "count", "number", "macs", "flop", "duration", "fraction", "rate", "text", "flag", "choice"
]
Method = Literal["operations", "hardware", "both"]


@dataclass(frozen=True)
class InputField:
    """One input of the estimate.

    ``kind`` says how a value is read; ``nouns`` are the words a count may carry after its
    number (``300B tokens``, ``300BT``); ``what`` names the things counted in messages;
    ``example`` is shown as a placeholder; ``choices`` lists the accepted words of a choice.
    """

    name: str
    method: Method
    kind: FieldKind
    label: str
    help: str
    example: str = ""
    nouns: tuple[str, ...] = ()
    what: str = ""
    default_unit: str = ""
    positive: bool = True
    allow_zero: bool = False
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        """The command-line option: ``--forward-macs``."""
        return "--" + self.name.replace("_", "-")

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "flag", "choice")

    def read(self, value: object) -> Range:
        """Read a numeric value (number, text people type, ``(low, high)`` or ``LOW..HIGH``)."""
        kind = self.kind
        if kind == "text" or kind == "flag" or kind == "choice":  # not self.numeric
            raise TypeError(f"{self.name} is not numeric")
        nouns = frozenset(re.sub(r"[\s\-_]", "", n.lower()) for n in self.nouns)
        if kind == "count":
            r = _read_count(value, self.name, nouns, self.what or self.name)
        else:
            r = parse_range(value, kind, self.name, self.default_unit or "days")
        if self.positive and (r.low < 0 or (r.low == 0 and not self.allow_zero)):
            what = "non-negative" if self.allow_zero else "positive"
            raise InputError(self.name, f"must be {what}, got {r}")
        return r


def _read_count(value: object, name: str, nouns: frozenset[str], what: str) -> Range:
    if isinstance(value, str):
        check_length(value, name)
    if isinstance(value, str) and re.search(r"core[\s\-]*(?:hours?|h|hrs?)\b", value, re.I):
        raise InputError(
            name,
            f"{value!r} is in core-hours; a TPU v2/v3 chip has 2 cores and a GPU many, so "
            "convert to chip-hours first",
        )
    return parse_range(value, "count", name, nouns=nouns, what=what)


_FIELDS: tuple[InputField, ...] = (
    # -- method 1: counting operations ------------------------------------------------------
    InputField(
        "params",
        "operations",
        "count",
        "Parameters",
        "Parameters N, for 6·N·D with tokens, e.g. 175B.",
        "175B",
        NOUNS["parameters"],
        "parameters",
    ),
    InputField(
        "active_params",
        "operations",
        "count",
        "Active parameters",
        "Parameters active per token (mixture-of-experts).",
        "37B",
        NOUNS["parameters"],
        "active parameters",
    ),
    InputField(
        "tokens",
        "operations",
        "count",
        "Tokens",
        "Training tokens D, e.g. 300B, 1.4T tokens, 300BT.",
        "300B",
        NOUNS["tokens"],
        "tokens",
    ),
    InputField(
        "forward_macs",
        "operations",
        "macs",
        "Forward multiply-adds",
        "Forward multiply-adds per example (or per token), e.g. 11.4G.",
        "0.75G",
    ),
    InputField(
        "forward_flop",
        "operations",
        "flop",
        "Forward FLOP",
        "Forward FLOP per example (2 per multiply-add), e.g. 1.5 GFLOP.",
        "1.5 GFLOP",
    ),
    InputField(
        "architecture",
        "operations",
        "text",
        "Architecture",
        "Layers to count, e.g. 'input 84x84x3; conv 16 8x8 stride=4; dense 256'.",
        "input 84x84x3; conv 16 8x8 stride=4; dense 256",
    ),
    InputField(
        "encoder_decoder",
        "operations",
        "flag",
        "Encoder-decoder",
        "Encoder-decoder model: each token uses about half of the parameters.",
    ),
    InputField(
        "examples",
        "operations",
        "count",
        "Examples",
        "Examples in the dataset (images, sequences, episodes), e.g. 1.2M.",
        "1.2M",
        NOUNS["examples"],
        "examples",
    ),
    InputField(
        "epochs",
        "operations",
        "count",
        "Epochs",
        "Passes over the examples or tokens.",
        "90",
        NOUNS["epochs"],
        "epochs",
    ),
    InputField(
        "updates",
        "operations",
        "count",
        "Updates",
        "Optimizer updates (steps); use with batch size.",
        "5M",
        NOUNS["updates"],
        "updates",
    ),
    InputField(
        "batch_size",
        "operations",
        "count",
        "Batch size",
        "Examples (or tokens) per update.",
        "32",
        NOUNS["examples"] + NOUNS["tokens"],
        "examples per update",
    ),
    InputField(
        "backward_ratio",
        "operations",
        "number",
        "Backward ratio",
        "Backward FLOP per forward FLOP (default 2: forward + backward = 3 × forward).",
        "2",
        allow_zero=True,
    ),
    InputField(
        "runs",
        "operations",
        "count",
        "Networks trained",
        "Networks trained, e.g. the child networks of architecture search.",
        "1",
        NOUNS["networks"],
        "networks",
    ),
    # -- method 2: hardware time ------------------------------------------------------------
    InputField(
        "hardware",
        "hardware",
        "text",
        "Hardware",
        "Accelerator as a paper, a cloud or nvidia-smi names it: 'GTX 580', "
        "'NVIDIA H100 80GB HBM3', 'Cloud TPU v3'.",
        "GTX 580",
    ),
    InputField(
        "count",
        "hardware",
        "count",
        "Chips",
        "Number of chips (or of the named units, such as Cloud TPU devices).",
        "2",
        NOUNS["chips"],
        "chips",
    ),
    InputField(
        "days",
        "hardware",
        "duration",
        "Days",
        "Training time in days (or with a unit: '120 h').",
        "5..6",
        default_unit="days",
    ),
    InputField(
        "hours",
        "hardware",
        "duration",
        "Hours",
        "Training time in hours.",
        "120",
        default_unit="hours",
    ),
    InputField(
        "chip_hours",
        "hardware",
        "count",
        "Chip-hours",
        "Total chip-hours (GPU-hours), instead of chips with days or hours.",
        "30.84M",
        NOUNS["chip-hours"],
        "chip-hours",
    ),
    InputField(
        "utilization",
        "hardware",
        "fraction",
        "Utilization",
        "Fraction of peak achieved (MFU), e.g. 0.4 or 40%; when not given, the seed's 33% for "
        "GPUs/TPUs (17% for CPUs), with the spread of published runs added to the interval.",
        "0.33",
    ),
    InputField(
        "precision",
        "hardware",
        "choice",
        "Precision",
        "Number format of the peak: fp64, fp32, tf32, fp16, bf16, fp8 or int8 (default: "
        "tensor FP16/BF16, else TF32, else FP32).",
        "bf16",
        choices=("fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8"),
    ),
    InputField(
        "peak_flops",
        "hardware",
        "rate",
        "Peak FLOP/s per chip",
        "Peak FLOP/s per chip, instead of the catalog's, e.g. 1.58T.",
        "1.58 TFLOPS",
    ),
    # -- both ------------------------------------------------------------------------------
    InputField(
        "adjust",
        "both",
        "number",
        "Adjustment",
        "Extra factor applied to every method (a range such as 10..100 is centred on its "
        "geometric mean); needs a reason.",
        "10..100",
    ),
    InputField(
        "adjust_reason",
        "both",
        "text",
        "Reason for the adjustment",
        "Why the adjustment is needed (required with it).",
    ),
)

FIELDS: Mapping[str, InputField] = {f.name: f for f in _FIELDS}
"""Every input of the estimate, by name, in the order forms show them."""


def check_names(inputs: Mapping[str, Any]) -> None:
    """Refuse any name that is not an input, naming the closest one."""
    import difflib

    for name in inputs:
        if name not in FIELDS:
            close = difflib.get_close_matches(name, list(FIELDS), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise InputError(name, f"unknown input{hint} (known: {', '.join(FIELDS)})")


Style = Literal["name", "flag", "label"]


def render(message: str, style: Style) -> str:
    """Show the field names a message marks with backticks as a face shows them: an estimate
    input by its name, flag or label; any other field by its name, or as ``--its-name``.

    >>> render("give `seq_len` or `peak_flops`", "flag")
    'give --seq-len or --peak-flops'
    >>> render("give `seq_len`", "name")
    'give seq_len'
    """

    def show(match: re.Match[str]) -> str:
        field = FIELDS.get(match[1])
        if field is None:  # another command's option: its name, or its flag
            return "--" + match[1].replace("_", "-") if style == "flag" else match[1]
        if style == "flag":
            return field.flag
        if style == "label":
            return f"'{field.label}'"
        return field.name

    return re.sub(r"`([a-z_]+)`", show, message)


def field_label(name: str | None, style: Style) -> str | None:
    """A field name as a face shows it."""
    if name is None or name not in FIELDS:
        return name
    return render(f"`{name}`", style)
