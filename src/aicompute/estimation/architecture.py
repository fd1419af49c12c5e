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


def _ints(text: str, field: str) -> tuple[int, ...]:
    parts = re.split(r"[x×*,]", text.lower())
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise InputError(field, f"expected sizes like 8x8 or 84x84x3, got {text!r}") from None
    if any(v <= 0 for v in values):
        raise InputError(field, f"sizes must be positive, got {text!r}")
    return values


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
                    raise InputError(self.field, f"option {token!r} has no value")
                self.options[token.lower()] = tokens[i + 2]
                i += 3
            elif token.lower() in {
                "stride",
                "padding",
                "groups",
                "repeat",
                "layers",
                "cell",
                "merge",
                "steps",
            } and i + 1 < len(tokens):
                self.options[token.lower()] = tokens[i + 1]  # "stride 4" without "="
                i += 2
            elif token.lower() in {"bidirectional", "bias", "nobias"}:
                self.options[token.lower()] = "yes"
                i += 1
            else:
                self.positional.append(token)
                i += 1

    @property
    def field(self) -> str:
        return f"architecture line {self.number}"

    def positive_int(self, name: str, default: int) -> int:
        raw = self.options.pop(name, None)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InputError(self.field, f"{name} must be a whole number, got {raw!r}") from None
        if value <= 0:
            raise InputError(self.field, f"{name} must be positive, got {value}")
        return value

    def need(self, count: int, usage: str) -> list[str]:
        if len(self.positional) != count:
            raise InputError(self.field, f"{self.kind!r} expects: {usage}; got {self.text!r}")
        return self.positional

    def done(self) -> None:
        if self.options:
            raise InputError(
                self.field, f"unknown option(s) {', '.join(self.options)} for {self.kind!r}"
            )


def _conv_out(size: int, kernel: int, stride: int, padding: str, field: str) -> tuple[int, int]:
    if padding == "same":
        return math.ceil(size / stride), 0
    pad = 0 if padding == "valid" else int(padding)
    out = (size + 2 * pad - kernel) // stride + 1
    if out <= 0:
        raise InputError(
            field, f"kernel {kernel} does not fit an input of {size} with padding {pad}"
        )
    return out, pad


def count_architecture(description: str | list[str]) -> ArchitectureCount:
    """Count forward multiply-adds and parameters of a layer description (see module docs)."""
    lines = description if isinstance(description, list) else re.split(r"[;\n]", description)
    shape: tuple[int, ...] | None = None
    layers: list[LayerCount] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        line = _Line(number, text)
        repeat = line.positive_int("repeat", 1)
        if line.kind == "input":
            (sizes,) = line.need(1, "input HxWxC or input FEATURES")
            shape = _ints(sizes, line.field)
            line.done()
            layers.append(LayerCount(number, "input", text, shape, 0, 0, "input"))
            continue
        if shape is None:
            raise InputError(line.field, "the description must start with an 'input' line")
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


def _features(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


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
    raise InputError(
        line.field,
        f"unknown layer kind {kind!r}; use input, conv, pool, dense, rnn, lstm, gru or embedding",
    )


def _conv(line: _Line, shape: tuple[int, ...]) -> tuple[LayerCount, tuple[int, ...]]:
    filters_text, kernel_text = line.need(2, "conv FILTERS KxK [stride=S] [padding=P] [groups=G]")
    if len(shape) != 3:
        raise InputError(line.field, f"conv needs an HxWxC input, the previous output is {shape}")
    (filters,) = _ints(filters_text, line.field)
    kernel = _ints(kernel_text, line.field)
    kh, kw = kernel if len(kernel) == 2 else (kernel[0], kernel[0])
    stride = line.positive_int("stride", 1)
    groups = line.positive_int("groups", 1)
    padding = line.options.pop("padding", "0").lower()
    line.options.pop("bias", None)
    if padding not in {"same", "valid"} and not padding.isdigit():
        raise InputError(line.field, f"padding must be a number, same or valid, got {padding!r}")
    h, w, c = shape
    if c % groups or filters % groups:
        raise InputError(
            line.field, f"groups={groups} must divide input channels {c} and filters {filters}"
        )
    ho, _pad = _conv_out(h, kh, stride, padding, line.field)
    wo, _ = _conv_out(w, kw, stride, padding, line.field)
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
        raise InputError(line.field, f"pool needs an HxWxC input, the previous output is {shape}")
    kernel = _ints(kernel_text, line.field)
    kh, kw = kernel if len(kernel) == 2 else (kernel[0], kernel[0])
    stride = line.positive_int("stride", kh)
    padding = line.options.pop("padding", "0").lower()
    h, w, c = shape
    ho, _ = _conv_out(h, kh, stride, padding, line.field)
    wo, _ = _conv_out(w, kw, stride, padding, line.field)
    return (
        LayerCount(line.number, "pool", line.text, (ho, wo, c), 0, 0, "no multiply-adds"),
        (ho, wo, c),
    )


def _dense(line: _Line, shape: tuple[int, ...]) -> tuple[LayerCount, tuple[int, ...]]:
    (units_text,) = line.need(1, "dense UNITS [repeat=N]")
    (units,) = _ints(units_text, line.field)
    line.options.pop("bias", None)
    inputs = _features(shape)
    macs = inputs * units
    formula = f"{' * '.join(map(str, shape))} inputs * {units} = {macs:,}"
    return (
        LayerCount(line.number, "dense", line.text, (units,), macs, macs + units, formula),
        (units,),
    )


def _recurrent(line: _Line, shape: tuple[int, ...]) -> tuple[LayerCount, tuple[int, ...]]:
    (hidden_text,) = line.need(1, "rnn|lstm|gru HIDDEN [layers=L] [bidirectional] [merge=sum]")
    (hidden,) = _ints(hidden_text, line.field)
    cell = line.options.pop("cell", line.kind if line.kind != "recurrent" else "rnn").lower()
    if cell not in _GATES:
        raise InputError(line.field, f"cell must be rnn, lstm or gru, got {cell!r}")
    stacked = line.positive_int("layers", 1)
    directions = 2 if line.options.pop("bidirectional", None) else 1
    merge = line.options.pop("merge", "concat").lower()
    if merge not in {"concat", "sum"}:
        raise InputError(line.field, f"merge must be concat or sum, got {merge!r}")
    gates = _GATES[cell]
    inputs = _features(shape)
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
    (vocab,) = _ints(vocab_text, line.field)
    (dim,) = _ints(dim_text, line.field)
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
