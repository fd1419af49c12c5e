"""Forward multiply-adds of a small architecture, counted layer by layer as the seed does.

A description is a list of layers, one per line (or separated by ``;``), each a kind followed
by its sizes and ``key=value`` options; ``#`` starts a comment::

    input 84x84x3            # height x width x channels, or a number of features
    conv 16 8x8 stride=4     # filters, kernel; stride, padding (number, same, valid), groups
    conv 32 4x4 stride=2
    dense 256                # units; repeat=N stacks N identical layers
    pool 2x2                 # max/avg pooling: changes the shape, no multiply-adds
    rnn 1280 layers=7 bidirectional merge=sum   # also lstm / gru; per time step
    embedding 50000 512      # vocabulary, width: a lookup, parameters but no multiply-adds

Descriptions are bounded so that no input can make the count slow or huge (limits in
:mod:`aicompute.constants`): the text's length, each ``repeat=`` and ``layers=``, the number of
layers once repeats are multiplied out (checked before counting) and every size.

Multiply-adds count the weights' products only (no bias adds, activations or pooling), per
example (per time step for recurrent layers), which is the seed's convention.

>>> net = count_architecture("input 84x84x3; conv 16 8x8 stride=4; conv 32 4x4 stride=2; dense 256")
>>> [layer.macs for layer in net.layers]
[0, 1228800, 663552, 663552]
>>> net.forward_macs
2555904
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from aicompute.constants import (
    MAX_ARCHITECTURE_CHARS,
    MAX_ARCHITECTURE_DIMS,
    MAX_ARCHITECTURE_LAYERS,
    MAX_ARCHITECTURE_REPEAT,
    MAX_ARCHITECTURE_SIZE,
)
from aicompute.errors import InputError

__all__ = ["ArchitectureCount", "LayerCount", "count_architecture"]

_GATES = {"rnn": 1, "gru": 3, "lstm": 4}


@dataclass(frozen=True)
class LayerCount:
    """One layer's output shape, forward multiply-adds and parameters."""

    line: int
    kind: str
    description: str
    output_shape: tuple[int, ...]
    macs: int
    params: int
    formula: str


@dataclass(frozen=True)
class ArchitectureCount:
    """The layer-by-layer count of a described architecture."""

    layers: tuple[LayerCount, ...]

    @property
    def forward_macs(self) -> int:
        """Forward multiply-adds per example (per time step for recurrent nets)."""
        return sum(layer.macs for layer in self.layers)

    @property
    def params(self) -> int:
        """Parameters, weights and biases."""
        return sum(layer.params for layer in self.layers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "forward_macs": self.forward_macs,
            "params": self.params,
            "layers": [
                {
                    "line": la.line,
                    "kind": la.kind,
                    "description": la.description,
                    "output_shape": list(la.output_shape),
                    "macs": la.macs,
                    "params": la.params,
                    "formula": la.formula,
                }
                for la in self.layers
            ],
        }


def _error(where: str, message: str) -> InputError:
    """A mistake in the description, naming its line (``where``) in the message."""
    return InputError("architecture", f"{where}: {message}")


def _size(text: str, what: str, where: str, limit: int = MAX_ARCHITECTURE_SIZE) -> int:
    """One positive whole number of the description, at most ``limit`` (checked on the digits,
    before any arithmetic)."""
    digits = text.strip()
    sign, digits = (digits[0], digits[1:]) if digits[:1] in ("+", "-") else ("", digits)
    if not digits.isdecimal():
        raise _error(where, f"{what} must be a whole number, got {text!r}")
    if sign == "-" or not digits.strip("0"):
        raise _error(where, f"{what} must be positive, got {text.strip()}")
    digits = digits.lstrip("0")
    if len(digits) > len(str(limit)) or int(digits) > limit:
        shown = digits if len(digits) <= 20 else f"{digits[:12]}... ({len(digits):,} digits)"
        raise _error(where, f"{what}={shown} is over the limit of {limit:,}")
    return int(digits)


def _ints(text: str, where: str) -> tuple[int, ...]:
    parts = [p.strip() for p in re.split(r"[x×*,]", text.lower())]
    if len(parts) > MAX_ARCHITECTURE_DIMS:
        raise _error(
            where,
            f"{text[:40]!r} has {len(parts):,} sizes, over the limit of {MAX_ARCHITECTURE_DIMS}",
        )
    if not all(p.lstrip("+-").isdecimal() for p in parts):
        raise _error(where, f"expected sizes like 8x8 or 84x84x3, got {text!r}")
    if any(p.startswith("-") or not p.lstrip("+").strip("0") for p in parts):
        raise _error(where, f"sizes must be positive, got {text!r}")
    return tuple(_size(p, "size", where) for p in parts)


_OPTION_WORDS = frozenset(
    {"stride", "padding", "groups", "repeat", "layers", "cell", "merge", "steps"}
)
"""Options that may be written without ``=`` ("stride 4")."""


class _Line:
    """Positional sizes and options of one description line."""

    def __init__(self, number: int, text: str) -> None:
        self.number = number
        self.text = text
        tokens = text.replace("=", " = ").split()
        self.kind = tokens[0].lower()
        self.positional: list[str] = []
        self.options: dict[str, str] = {}
        i = 1
        while i < len(tokens):
            token = tokens[i]
            if i + 1 < len(tokens) and tokens[i + 1] == "=":
                if i + 2 >= len(tokens):
                    raise _error(self.where, f"option {token!r} has no value")
                self.options[token.lower()] = tokens[i + 2]
                i += 3
            elif token.lower() in _OPTION_WORDS and i + 1 < len(tokens):
                self.options[token.lower()] = tokens[i + 1]  # "stride 4" without "="
                i += 2
            elif token.lower() in {"bidirectional", "bias", "nobias"}:
                self.options[token.lower()] = "yes"
                i += 1
            else:
                self.positional.append(token)
                i += 1

    @property
    def where(self) -> str:
        return f"line {self.number}"

    def positive_int(
        self, name: str, default: int, limit: int = MAX_ARCHITECTURE_SIZE, keep: bool = False
    ) -> int:
        """The option ``name`` as a whole number in 1..``limit`` (``default`` when absent);
        ``keep`` leaves it in place for a later read."""
        raw = self.options.get(name) if keep else self.options.pop(name, None)
        return default if raw is None else _size(raw, name, self.where, limit)

    def need(self, count: int, usage: str) -> list[str]:
        if len(self.positional) != count:
            raise _error(self.where, f"{self.kind!r} expects: {usage}; got {self.text!r}")
        return self.positional

    def done(self) -> None:
        if self.options:
            raise _error(
                self.where, f"unknown option(s) {', '.join(self.options)} for {self.kind!r}"
            )


def _padding(line: _Line) -> str:
    """The padding option: ``same``, ``valid`` or a bounded number of cells."""
    padding = line.options.pop("padding", "0").lower()
    if padding in {"same", "valid"}:
        return padding
    if not padding.isdecimal():
        raise _error(line.where, f"padding must be a number, same or valid, got {padding!r}")
    return str(_size(padding, "padding", line.where)) if padding.strip("0") else "0"


def _conv_out(size: int, kernel: int, stride: int, padding: str, where: str) -> tuple[int, int]:
    if padding == "same":
        return -(-size // stride), 0
    pad = 0 if padding == "valid" else int(padding)
    out = (size + 2 * pad - kernel) // stride + 1
    if out <= 0:
        raise _error(where, f"kernel {kernel} does not fit an input of {size} with padding {pad}")
    return out, pad


def _lines(description: object) -> list[str]:
    """The description's lines, refusing anything but bounded text."""
    if isinstance(description, str):
        lines = re.split(r"[;\n]", description)
    elif isinstance(description, (list, tuple)) and all(isinstance(x, str) for x in description):
        lines = list(description)
    else:
        raise InputError(
            "architecture",
            f"must be text (or a list of text lines), got {type(description).__name__}",
        )
    length = sum(len(line) + 1 for line in lines)
    if length > MAX_ARCHITECTURE_CHARS:
        raise InputError(
            "architecture",
            f"the description is {length:,} characters long, over the limit of "
            f"{MAX_ARCHITECTURE_CHARS:,}",
        )
    return lines


def count_architecture(description: str | list[str]) -> ArchitectureCount:
    """Count forward multiply-adds and parameters of a layer description (see module docs).

    Descriptions are bounded (see :mod:`aicompute.constants`): the text's length, each
    ``repeat=`` and recurrent ``layers=``, the layers after repeats are multiplied out (checked
    before any is counted) and every size.
    """
    parsed: list[tuple[_Line, int]] = []
    total = 0
    for number, raw in enumerate(_lines(description), start=1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        line = _Line(number, text)
        repeat = line.positive_int("repeat", 1, MAX_ARCHITECTURE_REPEAT)
        stacked = 1
        if line.kind in _GATES or line.kind == "recurrent":
            stacked = line.positive_int("layers", 1, MAX_ARCHITECTURE_REPEAT, keep=True)
        total += repeat * stacked
        if total > MAX_ARCHITECTURE_LAYERS:
            raise _error(
                line.where,
                f"the description reaches {total:,} layers with repeats multiplied out, over "
                f"the limit of {MAX_ARCHITECTURE_LAYERS:,}",
            )
        parsed.append((line, repeat))
    shape: tuple[int, ...] | None = None
    layers: list[LayerCount] = []
    for line, repeat in parsed:
        if line.kind == "input":
            (sizes,) = line.need(1, "input HxWxC or input FEATURES")
            shape = _ints(sizes, line.where)
            line.done()
            layers.append(LayerCount(line.number, "input", line.text, shape, 0, 0, "input"))
            continue
        if shape is None:
            raise _error(line.where, "the description must start with an 'input' line")
        for copy in range(repeat):
            saved = dict(line.options)  # each copy reads the same options
            layer, shape = _count_layer(line, shape)
            layers.append(layer)
            if copy == 0:
                line.done()
            line.options = saved
    if not layers:
        raise InputError("architecture", "the description has no layers")
    return ArchitectureCount(tuple(layers))


def _count_layer(line: _Line, shape: tuple[int, ...]) -> tuple[LayerCount, tuple[int, ...]]:
    kind = line.kind
    if kind in {"conv", "conv2d"}:
        return _conv(line, shape)
    if kind in {"pool", "maxpool", "avgpool"}:
        return _pool(line, shape)
    if kind in {"dense", "fc", "linear"}:
        return _dense(line, shape)
    if kind in _GATES or kind == "recurrent":
        return _recurrent(line, shape)
    if kind == "embedding":
        return _embedding(line)
    raise _error(
        line.where,
        f"unknown layer kind {kind!r}; use input, conv, pool, dense, rnn, lstm, gru or embedding",
    )


def _conv(line: _Line, shape: tuple[int, ...]) -> tuple[LayerCount, tuple[int, ...]]:
    filters_text, kernel_text = line.need(2, "conv FILTERS KxK [stride=S] [padding=P] [groups=G]")
    if len(shape) != 3:
        raise _error(line.where, f"conv needs an HxWxC input, the previous output is {shape}")
    (filters,) = _ints(filters_text, line.where)
    kernel = _ints(kernel_text, line.where)
    kh, kw = kernel if len(kernel) == 2 else (kernel[0], kernel[0])
    stride = line.positive_int("stride", 1)
    groups = line.positive_int("groups", 1)
    padding = _padding(line)
    line.options.pop("bias", None)
    h, w, c = shape
    if c % groups or filters % groups:
        raise _error(
            line.where, f"groups={groups} must divide input channels {c} and filters {filters}"
        )
    ho, _pad = _conv_out(h, kh, stride, padding, line.where)
    wo, _ = _conv_out(w, kw, stride, padding, line.where)
    per_output = kh * kw * (c // groups)
    macs = ho * wo * filters * per_output
    params = filters * per_output + filters
    formula = f"{ho}*{wo}*{filters} outputs * {kh}*{kw}*{c // groups} = {macs:,}"
    return (
        LayerCount(line.number, "conv", line.text, (ho, wo, filters), macs, params, formula),
        (ho, wo, filters),
    )


def _pool(line: _Line, shape: tuple[int, ...]) -> tuple[LayerCount, tuple[int, ...]]:
    (kernel_text,) = line.need(1, "pool KxK [stride=S] [padding=P]")
    if len(shape) != 3:
        raise _error(line.where, f"pool needs an HxWxC input, the previous output is {shape}")
    kernel = _ints(kernel_text, line.where)
    kh, kw = kernel if len(kernel) == 2 else (kernel[0], kernel[0])
    stride = line.positive_int("stride", kh)
    padding = _padding(line)
    h, w, c = shape
    ho, _ = _conv_out(h, kh, stride, padding, line.where)
    wo, _ = _conv_out(w, kw, stride, padding, line.where)
    return (
        LayerCount(line.number, "pool", line.text, (ho, wo, c), 0, 0, "no multiply-adds"),
        (ho, wo, c),
    )


def _dense(line: _Line, shape: tuple[int, ...]) -> tuple[LayerCount, tuple[int, ...]]:
    (units_text,) = line.need(1, "dense UNITS [repeat=N]")
    (units,) = _ints(units_text, line.where)
    line.options.pop("bias", None)
    inputs = math.prod(shape)
    macs = inputs * units
    formula = f"{' * '.join(map(str, shape))} inputs * {units} = {macs:,}"
    return (
        LayerCount(line.number, "dense", line.text, (units,), macs, macs + units, formula),
        (units,),
    )


def _recurrent(line: _Line, shape: tuple[int, ...]) -> tuple[LayerCount, tuple[int, ...]]:
    (hidden_text,) = line.need(1, "rnn|lstm|gru HIDDEN [layers=L] [bidirectional] [merge=sum]")
    (hidden,) = _ints(hidden_text, line.where)
    cell = line.options.pop("cell", line.kind if line.kind != "recurrent" else "rnn").lower()
    if cell not in _GATES:
        raise _error(line.where, f"cell must be rnn, lstm or gru, got {cell!r}")
    stacked = line.positive_int("layers", 1, MAX_ARCHITECTURE_REPEAT)
    directions = 2 if line.options.pop("bidirectional", None) else 1
    merge = line.options.pop("merge", "concat").lower()
    if merge not in {"concat", "sum"}:
        raise _error(line.where, f"merge must be concat or sum, got {merge!r}")
    gates = _GATES[cell]
    inputs = math.prod(shape)
    out_width = hidden * (directions if merge == "concat" else 1)
    macs = params = 0
    for _ in range(stacked):
        macs += directions * gates * (inputs * hidden + hidden * hidden)
        params += directions * gates * (inputs * hidden + hidden * hidden + hidden)
        inputs = out_width
    formula = (
        f"{stacked} layer(s) * {directions} direction(s) * {gates} gate(s) * "
        f"(input*{hidden} + {hidden}*{hidden}) = {macs:,} per step"
    )
    return (
        LayerCount(line.number, cell, line.text, (out_width,), macs, params, formula),
        (out_width,),
    )


def _embedding(line: _Line) -> tuple[LayerCount, tuple[int, ...]]:
    vocab_text, dim_text = line.need(2, "embedding VOCAB WIDTH")
    (vocab,) = _ints(vocab_text, line.where)
    (dim,) = _ints(dim_text, line.where)
    return (
        LayerCount(
            line.number,
            "embedding",
            line.text,
            (dim,),
            0,
            vocab * dim,
            "a table lookup: no multiply-adds",
        ),
        (dim,),
    )
