"""Checks of what ``aicompute count`` is asked to count, before torch is imported.

Every face (the library's :func:`~aicompute.counting.count`, the command line) runs these, so
bad input is refused with one :class:`~aicompute.InputError` before torch loads or a model is
built; limits are in :mod:`aicompute.constants`.

>>> parse_shape("3x224x224")
(3, 224, 224)
>>> check_sizes(batch_size=8, seq_len=2048, input_shape=None)
"""

from __future__ import annotations

import importlib.util
import math
import operator
import re
from pathlib import Path
from typing import SupportsIndex

from aicompute.constants import (
    MAX_COUNT_DIMS,
    MAX_COUNT_ELEMENTS,
    MAX_COUNT_SIZE,
    MAX_PATH_CHARS,
)
from aicompute.errors import InputError
from aicompute.units import show, show_whole

__all__ = ["check_sizes", "classify_model", "import_torch", "parse_shape", "torch_failure"]


def parse_shape(text: str) -> tuple[int, ...]:
    """An example's input shape written ``3x224x224`` (or with ``×`` or ``,``), bounded."""
    if len(text) > MAX_COUNT_DIMS * (len(str(MAX_COUNT_SIZE)) + 2):
        raise InputError("input_shape", f"{text[:30]!r}... is too long for a shape")
    parts = [p.strip() for p in re.split(r"[x×,]", text.lower())]
    if not all(p.isdecimal() for p in parts):
        raise InputError("input_shape", f"expected sizes like 3x224x224, got {text!r}")
    dims = tuple(int(p) for p in parts)
    check_sizes(batch_size=1, seq_len=None, input_shape=dims)
    return dims


def _size(name: str, value: object) -> int:
    try:
        if isinstance(value, bool) or not isinstance(value, SupportsIndex):
            raise TypeError
        value = operator.index(value)
    except TypeError:
        raise InputError(name, f"must be a positive whole number, got {show(value)}") from None
    if value <= 0:
        raise InputError(name, f"must be a positive whole number, got {value}")
    if value > MAX_COUNT_SIZE:
        raise InputError(name, f"{show_whole(value)} is over the limit of {MAX_COUNT_SIZE:,}")
    return value


def check_sizes(
    *, batch_size: object, seq_len: object, input_shape: tuple[int, ...] | None
) -> None:
    """Refuse a batch, sequence length or input shape that is not positive whole numbers
    within the limits, or whose batched input has too many elements."""
    batch = _size("batch_size", batch_size)
    elements = batch
    if seq_len is not None:
        elements *= _size("seq_len", seq_len)
    if input_shape is not None:
        if not isinstance(input_shape, tuple) or not 1 <= len(input_shape) <= MAX_COUNT_DIMS:
            raise InputError(
                "input_shape",
                f"must be 1 to {MAX_COUNT_DIMS} sizes (an example's shape, e.g. 3x224x224), "
                f"got {show(input_shape)}",
            )
        elements *= math.prod(_size("input_shape", dim) for dim in input_shape)
    if elements > MAX_COUNT_ELEMENTS:
        raise InputError(
            "input_shape" if input_shape is not None else "seq_len",
            f"the batched input has {elements:.3g} elements, over the limit of "
            f"{MAX_COUNT_ELEMENTS:.0e}; count one example (batch size 1) or a smaller input",
        )


def classify_model(model: str) -> tuple[str, str]:
    """What a model reference names, found without torch: ``("preset", name)``,
    ``("config", path of a config.json)`` or ``("factory", "package.module:factory")``;
    anything else is refused, with the closest preset names.

    >>> classify_model(" GPT2 ")
    ('preset', 'gpt2')
    """
    from aicompute.counting.presets import PRESET_NAMES

    key = model.strip()
    if len(key) > MAX_PATH_CHARS:
        raise InputError(
            "model", f"{key[:40]!r}... is over the limit of {MAX_PATH_CHARS:,} characters"
        )
    if key.lower() in PRESET_NAMES:
        return "preset", key.lower()
    path = Path(key)
    try:
        config = path.suffix == ".json" or path.is_file() or (path / "config.json").is_file()
        if config and path.is_dir():
            path = path / "config.json"
        if config and not path.is_file():
            raise InputError("model", f"no such file: {path}")
    except OSError as error:
        raise InputError("model", f"cannot read {key[:80]!r}: {error.strerror}") from None
    if config:
        return "config", str(path)
    if ":" in key:
        return "factory", key
    import difflib

    close = difflib.get_close_matches(key.lower(), PRESET_NAMES, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise InputError(
        "model",
        f"unknown model {key[:80]!r}{hint} (a preset name, a config.json path, or "
        "package.module:factory)",
    )


def torch_failure(error: BaseException) -> InputError:
    """What to tell a user whose ``import torch`` raised ``error``: how to install PyTorch when
    it is absent, else the import's own error."""
    try:
        absent = importlib.util.find_spec("torch") is None
    except (ImportError, ValueError):  # a half-imported torch: it is there, but broken
        absent = False
    if absent:
        return InputError(
            None,
            "aicompute count needs PyTorch: pip install 'aicompute[torch]' "
            "(CPU wheel: pip install torch==2.13.0)",
        )
    lines = str(error).strip().splitlines()
    first = lines[0] if lines else type(error).__name__
    return InputError(
        None, f"PyTorch is installed but failed to import: {type(error).__name__}: {first}"
    )


def import_torch() -> None:
    """Import torch, or raise :func:`torch_failure`'s one-line error."""
    try:
        import torch  # noqa: F401
    except Exception as error:  # a broken install can raise anything, not only ImportError
        raise torch_failure(error) from None
