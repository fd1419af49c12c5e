"""``aicompute.count``: exact operation counts of a model, forward and backward, to training
compute.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from aicompute.constants import FLOP_PER_MAC, FLOP_PER_PFS_DAY
from aicompute.counting.counter import OperationCounter
from aicompute.counting.limits import check_sizes, classify_model
from aicompute.counting.presets import Preset, from_hf_config, presets
from aicompute.errors import InputError
from aicompute.units import show

__all__ = ["CountResult", "count", "resolve_model"]


class _AttentionSpy(TorchFunctionMode):
    """Records each scaled_dot_product_attention call (shapes, causal flag)."""

    def __init__(self) -> None:
        super().__init__()
        self.causal_macs = 0

    def __torch_function__(
        self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None
    ) -> Any:
        kwargs = kwargs or {}
        if func is F.scaled_dot_product_attention:
            q, k, v = args[0], args[1], args[2]
            causal = kwargs.get("is_causal", args[5] if len(args) > 5 else False)
            if causal:
                batch = math.prod(q.shape[:-2])
                self.causal_macs += batch * q.shape[-2] * k.shape[-2] * (q.shape[-1] + v.shape[-1])
        return func(*args, **kwargs)


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

    def to_estimate(self):  # type: ignore[no-untyped-def]
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

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form."""
        per = "sequence" if self.seq_len else "example"
        training = self.training_flop
        return {
            "model": self.model,
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
    causal_half: bool = False,
    recompute: bool = False,
    device: str = "meta",
    top_modules: int = 15,
) -> CountResult:
    """Count a model's operations on the meta device (no memory, no weights).

    ``model`` is a preset name, a Hugging Face ``config.json``, ``package.module:factory``,
    or an ``nn.Module`` (then give ``input_shape`` or ``seq_len``). ``backward`` is
    ``"measured"`` (autograd runs on meta and is counted) or ``"ratio"`` (2 × forward).

    >>> r = count("bert-base", seq_len=128)
    >>> round(r.forward_macs / 1e9, 3), round(r.training_ratio, 3)
    (11.174, 3.0)
    """
    if backward not in {"measured", "ratio"}:
        raise InputError("backward", "use measured or ratio")
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
    started = time.perf_counter()
    preset = factory = None
    if isinstance(model, nn.Module):
        label, module = type(model).__name__, model
        first = next(model.parameters(), None)
        device = str(first.device) if first is not None else device
    else:
        label, preset, factory = resolve_model(model)
        with torch.device(device):
            try:
                module = preset.build() if preset is not None else factory()  # type: ignore[misc]
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
    spec = preset.spec if preset is not None else None
    text = (preset.kind == "text") if preset is not None else (input_shape is None)
    if text:
        if seq_len is None:
            seq_len = preset.default_seq_len if preset is not None else None
        if seq_len is None:
            raise InputError("seq_len", "give --seq-len (token ids) or --input-shape")
        if spec is not None and spec.max_positions and seq_len > spec.max_positions:
            raise InputError(
                "seq_len", f"{label} has {spec.max_positions} positions; {seq_len} is too long"
            )
        check_sizes(batch_size=batch_size, seq_len=seq_len, input_shape=None)
        shape: tuple[int, ...] = (batch_size, seq_len)
        inputs = (torch.zeros(shape, dtype=torch.long, device=device),)
    else:
        if input_shape is None:
            size = preset.image_size if preset is not None else 224
            input_shape = (3, size, size)
        shape = (batch_size, *input_shape)  # the input of one example, batched
        inputs = (torch.empty(shape, device=device),)
        seq_len = None
    params = sum(p.numel() for p in module.parameters())
    inactive = sum(m.inactive_params() for m in module.modules() if hasattr(m, "inactive_params"))
    counter, spy = OperationCounter(), _AttentionSpy()
    try:
        with counter, spy:
            out = module(*inputs)
            if backward == "measured":
                loss = sum(
                    t.float().sum()
                    for t in (out if isinstance(out, (tuple, list)) else (out,))
                    if isinstance(t, torch.Tensor)
                )
                loss.backward()
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
    notes = []
    if causal_half and spy.causal_macs:
        forward_macs -= spy.causal_macs / 2
        if backward == "measured":
            backward_macs -= spy.causal_macs
        notes.append("causal attention counted as half of the full score matrix")
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
        attention="causal-half" if causal_half else "full",
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
    )
    if spec is not None and spec.kind in {"decoder", "encoder", "encoder-decoder"} and seq_len:
        result.formulas = _formulas(spec, module, result, seq_len)
    result.seconds = time.perf_counter() - started
    return result


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
    d_attn = spec.n_heads * spec.dim_head
    layers = spec.n_layers + spec.decoder_layers
    per_token = {
        "six_nd": formulas.six_n(result.active_params),
        "kaplan": formulas.kaplan(non_embedding, layers, seq_len, d_attn),
        "chinchilla": formulas.chinchilla(
            vocab=spec.vocab,
            d_model=spec.d_model,
            layers=layers,
            heads=spec.n_heads,
            head_dim=spec.dim_head,
            d_ff=(spec.moe.d_ff_expert * spec.moe.top_k if spec.moe else spec.d_ff),
            seq_len=seq_len,
            ffn_matrices=3 if spec.ffn == "swiglu" else 2,
        ),
        "palm": formulas.palm(matmul - norms, layers, spec.n_heads, spec.dim_head, seq_len),
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
        "matmul and softmax; PaLM adds 12·L·H·Q·T. The count measures attention over the full "
        "score matrix at this sequence length."
    )
    return out
