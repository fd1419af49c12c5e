"""``aicompute.count``: exact operation counts of a model, forward and backward, to training
compute.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from aicompute.constants import FLOP_PER_MAC, FLOP_PER_PFS_DAY
from aicompute.counting import models
from aicompute.counting.counter import OperationCounter
from aicompute.counting.limits import check_sizes, classify_model
from aicompute.counting.presets import Preset, from_hf_config, presets
from aicompute.errors import InputError
from aicompute.units import show

if TYPE_CHECKING:
    from aicompute.estimation import Estimate

__all__ = ["ATTENTION_CONVENTIONS", "CountResult", "count", "resolve_model", "window_summary"]


ATTENTION_CONVENTIONS = ("full", "causal")
"""``full``: every score the kernels execute (the whole matrix, as PaLM and FlopCounterMode);
``causal``: only the scores the causal mask keeps, sliding windows included."""


class _AttentionSpy(TorchFunctionMode):
    """Lists, for :func:`models.record_attention`, each scaled_dot_product_attention call
    that the reference models' :func:`models.attend` did not list (a factory's own)."""

    def __torch_function__(
        self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None
    ) -> Any:
        kwargs = kwargs or {}
        if func is F.scaled_dot_product_attention and not models.inside_attend():
            q, k, v = args[0], args[1], args[2]
            causal = kwargs.get("is_causal", args[5] if len(args) > 5 else False)
            models.log_attention(q, k, v, bool(causal))
        return func(*args, **kwargs)


def window_summary(windows: list[int]) -> str:
    """The sliding windows of the layers (0: global) in words.

    >>> window_summary([4096, 0, 4096, 0])
    'window 4,096 on 2 of 4 layers (0, 2); global on 2 (1, 3)'
    """
    by_window: dict[int, list[int]] = {}
    for layer, window in enumerate(windows):
        by_window.setdefault(window or 0, []).append(layer)
    parts: list[str] = []
    for window in sorted(by_window, key=lambda w: (w == 0, w)):
        layers = by_window[window]
        shown = ", ".join(map(str, layers[:8])) + (", ..." if len(layers) > 8 else "")
        label = f"window {window:,}" if window else "global"
        of = f" of {len(windows)} layers" if not parts else ""
        parts.append(f"{label} on {len(layers)}{of} ({shown})")
    return "; ".join(parts)


@dataclass
class CountResult:
    """Counted operations of one model on one input, and training compute when data is given.

    Per-example figures are per sequence for text models (``batch_size`` divided out).
    """

    model: str
    params: int
    active_params: int
    batch_size: int
    seq_len: int | None
    input_shape: tuple[int, ...]
    forward_macs: float
    backward_macs: float
    forward_flop_all: float
    backward_flop_all: float
    backward_mode: str
    attention: str
    per_operator: dict[str, dict[str, float]]
    modules: list[dict[str, Any]]
    uncounted_ops: dict[str, int]
    formulas: dict[str, float] | None = None
    tokens: float | None = None
    examples: float | None = None
    epochs: float | None = None
    recompute: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    attention_windows: list[int | None] | None = None  # per layer; None: global attention
    attention_macs: dict[str, float] | None = None  # forward attention per example, both ways
    builder: str = "module"  # preset | native:<model_type> | transformers:<class> | factory |
    # module (an nn.Module passed in)

    @property
    def forward_flop(self) -> float:
        return FLOP_PER_MAC * self.forward_macs

    @property
    def backward_flop(self) -> float:
        return FLOP_PER_MAC * self.backward_macs

    @property
    def training_flop_per_example(self) -> float:
        """Forward + backward model FLOP per example (sequence)."""
        return self.forward_flop + self.backward_flop

    @property
    def backward_ratio(self) -> float:
        return self.backward_macs / self.forward_macs if self.forward_macs else float("nan")

    @property
    def training_ratio(self) -> float:
        """(Forward + backward) / forward: 3.000 for a language model, a little under 3 for a
        network whose first layer needs no input gradient (AlexNet 2.90)."""
        return 1.0 + self.backward_ratio

    @property
    def forward_flop_per_token(self) -> float | None:
        return self.forward_flop / self.seq_len if self.seq_len else None

    @property
    def training_flop(self) -> float | None:
        """Model FLOP of the whole training run, when tokens or examples are known."""
        if self.tokens is not None and self.seq_len:
            return self.training_flop_per_example / self.seq_len * self.tokens
        if self.examples is not None:
            return self.training_flop_per_example * self.examples * (self.epochs or 1)
        return None

    @property
    def hardware_flop(self) -> float | None:
        """With full activation recomputation, the forward runs twice: hardware FLOP."""
        if not self.recompute:
            return None
        total = self.training_flop
        scale = 1.0 if total is None else total / self.training_flop_per_example
        return (self.training_flop_per_example + self.forward_flop) * scale

    def to_estimate(self) -> Estimate:
        """This count as a method-1 estimate (:func:`aicompute.operations_estimate`)."""
        from aicompute.estimation import operations_estimate

        data: dict[str, Any] = {}
        if self.tokens is not None and self.seq_len:
            data = {"forward_flop": self.forward_flop / self.seq_len, "tokens": self.tokens}
        elif self.examples is not None:
            data = {
                "forward_flop": self.forward_flop,
                "examples": self.examples,
                "epochs": self.epochs,
            }
        else:
            raise InputError(
                "tokens", "give tokens or examples to turn a count into training compute"
            )
        return operations_estimate(**data, backward_ratio=self.backward_ratio)

    def to_record(self, date: str | None, domain: str = "Language") -> Any:
        """This count as a dataset record (:class:`aicompute.dataset.Record`): its training
        compute from :meth:`to_estimate`, the stored inputs that reproduce it, and how it was
        counted. Raises :class:`InputError` naming the field when it cannot be one."""
        from pydantic import ValidationError

        from aicompute.dataset import Record
        from aicompute.dataset.record import EstimateInputs, input_error

        if date is None:
            raise InputError("date", "a record needs its `date` (YYYY, YYYY-MM or YYYY-MM-DD)")
        estimate = self.to_estimate()
        per = "sequence" if self.seq_len else "example"
        try:
            return Record(
                name=self.model,
                date=date,
                domain=domain,
                flop=estimate.flop,
                low_flop=estimate.low_flop,
                high_flop=estimate.high_flop,
                confidence="confident",
                parameters=self.params,
                value_source="aicompute count (operations counted on the meta device)",
                estimates=[EstimateInputs(method="operations", inputs=estimate.inputs)],
                notes=f"{self.model}: {self.forward_macs:.4g} forward multiply-adds per {per}, "
                f"backward measured ({self.training_ratio:.3f}x forward in total)",
            )
        except ValidationError as error:
            raise input_error(error) from None

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form."""
        per = "sequence" if self.seq_len else "example"
        training = self.training_flop
        return {
            "model": self.model,
            "builder": self.builder,
            "attention": self.attention,
            "attention_windows": self.attention_windows,
            "attention_flop": None
            if self.attention_macs is None
            else {k: FLOP_PER_MAC * v for k, v in self.attention_macs.items()},
            "params": self.params,
            "active_params": self.active_params,
            "batch_size": self.batch_size,
            "seq_len": self.seq_len,
            "input_shape": list(self.input_shape),
            "per": per,
            "forward_macs": self.forward_macs,
            "backward_macs": self.backward_macs,
            "forward_flop": self.forward_flop,
            "backward_flop": self.backward_flop,
            "forward_flop_all_ops": self.forward_flop_all,
            "backward_flop_all_ops": self.backward_flop_all,
            "backward_ratio": self.backward_ratio,
            "training_ratio": self.training_ratio,
            "forward_flop_per_token": self.forward_flop_per_token,
            "training_flop": training,
            "training_pfs_days": None if training is None else training / FLOP_PER_PFS_DAY,
            "hardware_flop": self.hardware_flop,
            "tokens": self.tokens,
            "examples": self.examples,
            "epochs": self.epochs,
            "uncounted_ops": self.uncounted_ops,
            "per_operator": self.per_operator,
            "modules": self.modules,
            "formulas": self.formulas,
            "conventions": {
                "flop_per_mac": FLOP_PER_MAC,
                "matmul_only": "forward_flop / backward_flop count matmul-type operators "
                "(2 FLOP per multiply-add); *_all_ops add elementwise work",
                "attention": self.attention,
                "backward": self.backward_mode,
                "moe_routing": "expected (k of E experts per token)",
            },
            "seconds": self.seconds,
            "notes": self.notes,
        }


def _factory(ref: str) -> Callable[[], Any]:
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any import failure is the user's reference
        raise InputError("model", f"cannot import {module_name!r}: {error}") from None
    target: Any = module
    for part in attr.split("."):
        if not hasattr(target, part):
            raise InputError("model", f"{module_name!r} has no attribute {attr!r}")
        target = getattr(target, part)
    if not callable(target):
        raise InputError("model", f"{ref} is not callable")
    return target


def _floating_tensors(out: Any, depth: int = 0) -> list[torch.Tensor]:
    """Every floating-point tensor in a model's output: a tensor, or (recursively) a tuple,
    list, dict or transformers ``ModelOutput`` (a dict) of them."""
    if isinstance(out, torch.Tensor):
        return [out] if out.is_floating_point() or out.is_complex() else []
    if depth > 16:
        return []
    if isinstance(out, dict):
        values = list(out.values())
    elif isinstance(out, (tuple, list)):
        values = list(out)
    else:
        return []
    found: list[torch.Tensor] = []
    for value in values:
        for t in _floating_tensors(value, depth + 1):
            if not any(t is seen for seen in found):
                found.append(t)
    return found


def scalar_loss(out: Any, label: str) -> torch.Tensor:
    """The output reduced to a scalar to differentiate, the same way for every model: the sum
    of every floating-point tensor found in it (each counted once)."""
    tensors = _floating_tensors(out)
    if not tensors:
        raise InputError(
            "model",
            f"{label} returned {type(out).__name__} with no floating-point tensor to "
            "differentiate (return a tensor, or a tuple, list or dict of tensors)",
        )
    loss = tensors[0].real.float().sum() if tensors[0].is_complex() else tensors[0].float().sum()
    for t in tensors[1:]:
        loss = loss + (t.real if t.is_complex() else t).float().sum()
    return loss


@contextmanager
def _gradients_on() -> Iterator[None]:
    """Autograd on, even inside ``torch.no_grad`` or ``torch.inference_mode`` (which would
    count no backward and build parameters autograd cannot use)."""
    with torch.inference_mode(False), torch.enable_grad():
        yield


def resolve_model(model: Any) -> tuple[str, Preset | None, Callable[[], Any] | None]:
    """A preset, a Hugging Face config or a ``package.module:factory`` reference."""
    if isinstance(model, str):
        kind, ref = classify_model(model)
        if kind == "preset":
            return ref, presets()[ref], None
        if kind == "config":
            preset = from_hf_config(ref)
            return preset.name, preset, None
        return ref, None, _factory(ref)
    raise InputError("model", f"cannot count {type(model).__name__}")


def count(
    model: Any,
    *,
    batch_size: int = 1,
    seq_len: int | None = None,
    input_shape: tuple[int, ...] | None = None,
    tokens: float | None = None,
    examples: float | None = None,
    epochs: float | None = None,
    backward: str = "measured",
    attention: str | None = None,
    causal_half: bool = False,
    recompute: bool = False,
    device: str = "meta",
    top_modules: int = 15,
    progress: Callable[[str], None] | None = None,
) -> CountResult:
    """Count a model's operations on the meta device (no memory, no weights).

    ``model`` is a preset name, a Hugging Face ``config.json``, ``package.module:factory``,
    or an ``nn.Module`` (then give ``input_shape`` or ``seq_len``). ``backward`` is
    ``"measured"`` (autograd runs on meta and is counted) or ``"ratio"`` (2 × forward).
    ``attention`` is ``"full"`` (default: every score the kernels execute, as FlopCounterMode)
    or ``"causal"`` (only the scores a causal mask keeps, per layer's sliding window);
    ``causal_half=True`` is the older name of ``"causal"``.
    ``progress`` is called with each slow step's name (building, counting).

    >>> r = count("bert-base", seq_len=128)
    >>> round(r.forward_macs / 1e9, 3), round(r.training_ratio, 3)
    (11.174, 3.0)
    """
    attention = _check_options(
        backward, attention, causal_half, batch_size, seq_len, input_shape, tokens, examples, epochs
    )
    if input_shape is not None:
        input_shape = tuple(input_shape)
    started = time.perf_counter()
    say = progress or (lambda step: None)
    label, preset, module, builder, device, input_shape = _build_model(
        model, device, input_shape, batch_size, seq_len, say
    )
    notes: list[str] = []
    spec = preset.spec if preset is not None else None
    kind = preset.kind if preset is not None else ("text" if input_shape is None else "image")
    if builder == "transformers":
        from aicompute.counting.hf import auto

        builder = f"transformers:{type(module).__name__}"
        kind = auto.input_kind(module)
        notes.extend(auto.notes(module))
    inputs, shape, seq_len = _inputs(
        kind, preset, spec, label, batch_size, seq_len, input_shape, device, notes
    )
    params = sum(p.numel() for p in module.parameters())
    inactive = 0
    for m in module.modules():
        sparse: Callable[[], int] | None = getattr(m, "inactive_params", None)
        if sparse is not None:
            inactive += sparse()
    if builder.startswith("transformers:"):
        inactive += auto.inactive_params(module)
    say("counting forward and backward")
    with _gradients_on():  # inputs made inside torch.inference_mode cannot enter autograd
        inputs = tuple(x.clone() for x in inputs)
    counter, spy = OperationCounter(), _AttentionSpy()
    run = preset.run if preset is not None and preset.run is not None else None
    try:
        with _gradients_on(), models.record_attention() as calls, counter, spy:
            out = run(module, inputs) if run is not None else module(*inputs)
            if backward == "measured":
                loss = scalar_loss(out, label)
                if loss.requires_grad:
                    loss.backward()
                else:
                    notes.append("no output needs a gradient: no backward pass ran")
    except InputError:
        raise
    except Exception as error:
        raise InputError(
            "input",
            f"{label} failed on an input of shape {list(shape)}: "
            f"{type(error).__name__}: {str(error).splitlines()[0]}",
        ) from None
    fwd, bwd = counter.forward, counter.backward
    forward_macs, backward_macs = float(fwd.macs), float(bwd.macs)
    notes.extend((getattr(spec, "extra", None) or {}).get("notes", []))
    full_attention = float(sum(c.full_macs for c in calls))
    causal_attention = float(sum(c.causal_macs for c in calls))
    windows = list(getattr(spec, "windows", ()) or ())
    if attention == "causal":
        forward_macs -= full_attention - causal_attention
        if backward == "measured":  # the backward runs the attention matmuls twice
            backward_macs -= 2 * (full_attention - causal_attention)
        notes.append(
            "attention: causal, only the scores the causal mask keeps (query i sees i + 1 "
            "keys, or min(i + 1, W) in a layer of sliding window W)"
        )
        if windows:
            notes.append(f"sliding windows applied: {window_summary(windows)}")
        if not any(c.causal for c in calls):
            notes.append(
                "no attention call was causal (an explicit mask, or attention outside "
                "scaled_dot_product_attention): nothing was left out"
            )
    elif windows:
        causal_total = forward_macs - (full_attention - causal_attention)
        notes.append(
            f"sliding windows ({window_summary(windows)}) are not applied: attention full "
            "counts every score the kernels execute; `attention` causal (windows applied) "
            f"gives {FLOP_PER_MAC * causal_total / batch_size:.4g} forward FLOP per sequence "
            f"({causal_total / forward_macs - 1:+.1%})"
        )
    if backward == "ratio":
        backward_macs = 2 * forward_macs
        notes.append("backward assumed to cost 2x the forward (not measured)")
    b = float(batch_size)
    modules = sorted(
        (
            {
                "module": name,
                "forward_flop": FLOP_PER_MAC * macs / b,
                "backward_flop": FLOP_PER_MAC * bwd.by_module.get(name, 0) / b,
            }
            for name, macs in fwd.by_module.items()
            if name != "Global"
        ),
        key=lambda m: -m["forward_flop"],
    )[:top_modules]
    result = CountResult(
        model=label,
        params=params,
        active_params=params - inactive,
        batch_size=batch_size,
        seq_len=seq_len,
        input_shape=shape,
        forward_macs=forward_macs / b,
        backward_macs=backward_macs / b,
        forward_flop_all=(FLOP_PER_MAC * forward_macs + fwd.elementwise_flop) / b,
        backward_flop_all=(FLOP_PER_MAC * backward_macs + bwd.elementwise_flop) / b,
        backward_mode=backward,
        attention=attention,
        per_operator={
            "forward": {k: FLOP_PER_MAC * v / b for k, v in fwd.by_operator.items()},
            "backward": {k: FLOP_PER_MAC * v / b for k, v in bwd.by_operator.items()},
        },
        modules=modules,
        uncounted_ops=dict(fwd.uncounted + bwd.uncounted),
        tokens=tokens,
        examples=examples,
        epochs=epochs,
        recompute=recompute,
        notes=notes,
        builder=builder,
        attention_windows=[w or None for w in windows] if windows else None,
        attention_macs={
            "full": full_attention / batch_size,
            "causal": causal_attention / batch_size,
        }
        if calls
        else None,
    )
    if spec is not None and spec.kind in {"decoder", "encoder", "encoder-decoder"} and seq_len:
        result.formulas = _formulas(spec, module, result, seq_len)
    result.seconds = time.perf_counter() - started
    return result


def _check_options(
    backward: str,
    attention: str | None,
    causal_half: bool,
    batch_size: int,
    seq_len: int | None,
    input_shape: tuple[int, ...] | None,
    tokens: float | None,
    examples: float | None,
    epochs: float | None,
) -> str:
    """Refuse bad options before anything is built; the attention convention to use."""
    if backward not in {"measured", "ratio"}:
        raise InputError("backward", "use measured or ratio")
    if causal_half:
        if attention not in {None, "causal"}:
            raise InputError("attention", "causal_half means attention='causal'")
        attention = "causal"
    attention = attention or "full"
    if attention not in ATTENTION_CONVENTIONS:
        raise InputError("attention", f"use {' or '.join(ATTENTION_CONVENTIONS)}")
    if input_shape is not None:
        input_shape = tuple(input_shape)
    check_sizes(batch_size=batch_size, seq_len=seq_len, input_shape=input_shape)
    for name, value in (("tokens", tokens), ("examples", examples), ("epochs", epochs)):
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (value > 0 and math.isfinite(value))
        ):
            raise InputError(name, f"must be a positive finite number, got {show(value)}")
    if tokens is not None and examples is not None:
        raise InputError("tokens", "give tokens or examples, not both")
    return attention


def _build_model(
    model: Any,
    device: str,
    input_shape: tuple[int, ...] | None,
    batch_size: int,
    seq_len: int | None,
    say: Callable[[str], None],
) -> tuple[str, Preset | None, nn.Module, str, str, tuple[int, ...] | None]:
    """The module to count: (label, preset, module, builder, device, input shape)."""
    preset: Preset | None = None
    builder = "module"
    if isinstance(model, nn.Module):
        label, module = type(model).__name__, model
        first = next(model.parameters(), None)
        device = str(first.device) if first is not None else device
    else:
        label, preset, factory = resolve_model(model)
        builder = preset.builder if preset is not None else "factory"
        build = preset.build if preset is not None else factory
        if build is None:  # resolve_model gives a preset or a factory
            raise InputError("model", f"cannot count {label}: nothing builds it")
        say(f"building {label} on {device}")
        with torch.device(device), _gradients_on():
            try:
                module = build()
            except InputError:
                raise
            except Exception as error:
                raise InputError(
                    "model", f"building {label} failed: {type(error).__name__}: {error}"
                ) from None
        if isinstance(module, tuple):  # a factory may return (module, input_shape)
            try:
                module, input_shape = module[0], input_shape or tuple(module[1])
            except (TypeError, IndexError):
                raise InputError(
                    "model", f"{label} returned a tuple that is not (module, input_shape)"
                ) from None
            check_sizes(batch_size=batch_size, seq_len=seq_len, input_shape=input_shape)
        if not isinstance(module, nn.Module):
            raise InputError("model", f"{label} did not return a torch.nn.Module")
    return label, preset, module, builder, device, input_shape


def _inputs(
    kind: str,
    preset: Preset | None,
    spec: Any,
    label: str,
    batch_size: int,
    seq_len: int | None,
    input_shape: tuple[int, ...] | None,
    device: str,
    notes: list[str],
) -> tuple[tuple[torch.Tensor, ...], tuple[int, ...], int | None]:
    """The inputs of one batch, their shape, and the sequence length (None when the figures
    are per example: images, image+text pairs)."""
    if kind in {"text", "text+image"}:
        if seq_len is None:
            seq_len = preset.default_seq_len if preset is not None else None
        if seq_len is None:
            raise InputError("seq_len", "give `seq_len` (token ids) or `input_shape`")
        positions = getattr(spec, "max_positions", 0) - getattr(spec, "position_offset", 0)
        if positions > 0 and seq_len > positions:
            raise InputError("seq_len", f"{label} has {positions} positions; {seq_len} is too long")
        check_sizes(batch_size=batch_size, seq_len=seq_len, input_shape=None)
        shape: tuple[int, ...] = (batch_size, seq_len)
        inputs: tuple[torch.Tensor, ...] = (torch.zeros(shape, dtype=torch.long, device=device),)
        if kind == "text+image":  # CLIP: an image+text pair per example
            assert preset is not None
            size = preset.image_size
            image = input_shape or (getattr(spec, "channels", 3), size, size)
            check_sizes(batch_size=batch_size, seq_len=None, input_shape=image)
            inputs += (torch.empty((batch_size, *image), device=device),)
            notes.append(
                f"an image+text pair per example: token ids {list(shape)} and an image "
                f"{[batch_size, *image]}"
            )
            seq_len = None  # figures per pair (example), not per token
    else:
        if input_shape is None:
            size = preset.image_size if preset is not None else 224
            input_shape = (3, size, size)
        shape = (batch_size, *input_shape)  # the input of one example, batched
        inputs = (torch.empty(shape, device=device),)
        seq_len = None
    return inputs, shape, seq_len


def _formulas(spec: Any, module: nn.Module, result: CountResult, seq_len: int) -> dict[str, Any]:
    from aicompute.counting import formulas

    embedding = sum(m.weight.numel() for m in module.modules() if isinstance(m, nn.Embedding))
    tied = bool(getattr(spec, "tie_embeddings", False)) and getattr(spec, "lm_head", False)
    # parameters in matrices a token multiplies (the output layer too, even when tied)
    matmul = result.active_params - embedding + (spec.vocab * spec.d_model if tied else 0)
    norms = sum(
        p.numel()
        for m in module.modules()
        if isinstance(m, (nn.LayerNorm, nn.RMSNorm))
        for p in m.parameters()
    )
    non_embedding = result.active_params - embedding
    # head sizes of scores and values (they differ under multi-head latent attention)
    d_qk, d_v = spec.attention_dims
    d_attn = spec.n_heads * (d_qk + d_v) / 2
    layers = spec.n_layers + spec.decoder_layers
    moe = spec.moe
    per_token = {
        "six_nd": formulas.six_n(result.active_params),
        "kaplan": formulas.kaplan(non_embedding, layers, seq_len, d_attn),
        "chinchilla": formulas.chinchilla(
            vocab=spec.vocab,
            d_model=spec.d_model,
            layers=layers,
            heads=spec.n_heads,
            head_dim=d_qk,
            d_ff=(moe.d_ff_expert * moe.top_k + moe.shared_width if moe else spec.d_ff),
            seq_len=seq_len,
            ffn_matrices=3 if spec.ffn in {"swiglu", "geglu"} else 2,
            value_dim=d_v,
        ),
        "palm": formulas.palm(matmul - norms, layers, spec.n_heads, d_qk, seq_len, d_v),
        "counted": result.training_flop_per_example / seq_len,
    }
    out: dict[str, Any] = {"per_token_training_flop": per_token}
    # top-level values: the whole training run when tokens are known, else per token
    scale = result.tokens if result.tokens is not None else 1.0
    out["per"] = "training run" if result.tokens is not None else "token"
    out.update({k: v * scale for k, v in per_token.items()})
    out["explanation"] = (
        "6ND uses all active parameters and no attention; Kaplan adds 2·n_layer·n_ctx·d_attn "
        "per token and leaves out embeddings; Chinchilla also counts the embedding lookup as a "
        "matmul and softmax; PaLM adds 12·L·H·Q·T (6·L·H·(Q + Q_v)·T when values have another "
        "head size, as in multi-head latent attention). "
        + (
            "The count measures attention over the full score matrix at this sequence length, "
            "as these formulas do."
            if result.attention == "full"
            else "The count keeps only the scores the causal mask keeps (sliding windows "
            "applied); the formulas count the full matrix."
        )
    )
    return out
