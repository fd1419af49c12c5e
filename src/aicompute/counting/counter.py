"""Count the operations a PyTorch model executes, at the ATen level, forward and backward.

Every ATen operator the model runs falls in exactly one class:

- **matmul**: mm, addmm, bmm, baddbmm, _grouped_mm, convolution (any groups, transposed or not)
  and its backward, and the fused attention kernels (CPU flash, efficient, cuDNN) and their
  backward: counted in multiply-adds (MACs) by formula;
- **elementwise**: additions, activations, normalization, softmax...: counted in FLOP per output
  element (the "all ops" total only);
- **free**: views, copies, creation, indexing, lookups: no arithmetic;
- anything else is **uncounted**, listed with its call count, never silently dropped.

Works on the meta device (no memory, no weights) and on real tensors alike.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.module_tracker import ModuleTracker

__all__ = ["OpCounts", "OperationCounter"]

aten = torch.ops.aten


def _shape(t: Any) -> tuple[int, ...]:
    return tuple(t.shape)


def _mm(args: tuple, out: Any) -> int:
    a, b = args[0], args[1]
    return a.shape[0] * a.shape[1] * b.shape[1]


def _addmm(args: tuple, out: Any) -> int:
    return _mm(args[1:], out)


def _bmm(args: tuple, out: Any) -> int:
    a, b = args[0], args[1]
    return a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]


def _baddbmm(args: tuple, out: Any) -> int:
    return _bmm(args[1:], out)


def _grouped_mm(args: tuple, out: Any) -> int:
    """Grouped matmul (mixture-of-experts experts in one kernel)."""
    a, b = args[0], args[1]
    if a.dim() == 2 and b.dim() == 2:
        # (K, M_total) x (M_total, N), split along M by offsets: the weight gradient
        return a.shape[0] * a.shape[1] * b.shape[1]
    # (M_total, K) x (G, K, N) or batched (G, M, K) x (G, K, N): a dot product of K per output
    return out.numel() * a.shape[-1]


def _conv_macs(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], out_shape: tuple[int, ...], transposed: bool
) -> int:
    """Multiply-adds of one (possibly grouped, possibly transposed) convolution."""
    kernel = math.prod(w_shape[2:])
    if transposed:
        # weight (C_in, C_out/groups, k...): every input element meets C_out/groups kernels
        return math.prod(x_shape) * w_shape[1] * kernel
    # weight (C_out, C_in/groups, k...): every output element is a dot product of C_in/groups·k
    return math.prod(out_shape) * w_shape[1] * kernel


def _convolution(args: tuple, out: Any) -> int:
    x, w = args[0], args[1]
    transposed = bool(args[6]) if len(args) > 6 else False
    return _conv_macs(_shape(x), _shape(w), _shape(out), transposed)


def _convolution_backward(args: tuple, out: Any) -> int:
    grad_out, x, w = args[0], args[1], args[2]
    transposed = bool(args[7])
    mask = args[10]
    forward = _conv_macs(_shape(x), _shape(w), _shape(grad_out), transposed)
    # the input gradient and the weight gradient each cost one forward; groups do not multiply
    return forward * (int(bool(mask[0])) + int(bool(mask[1])))


def _attention(q_shape: tuple[int, ...], k_shape: tuple[int, ...], v_shape: tuple[int, ...]) -> int:
    """Q·Kᵀ and P·V of full (non-causal-halved) attention."""
    batch = math.prod(q_shape[:-2])
    lq, d = q_shape[-2], q_shape[-1]
    lk, dv = k_shape[-2], v_shape[-1]
    return batch * lq * lk * (d + dv)


def _sdpa(args: tuple, out: Any) -> int:
    return _attention(_shape(args[0]), _shape(args[1]), _shape(args[2]))


def _sdpa_backward(args: tuple, out: Any) -> int:
    # grad_out, q, k, v, ...: recomputes S = QKᵀ, then dV, dP, dQ, dK: twice the forward matmuls
    q, k, v = args[1], args[2], args[3]
    return 2 * _attention(_shape(q), _shape(k), _shape(v))


MATMUL = {
    aten.mm.default: _mm,
    aten.addmm.default: _addmm,
    aten.bmm.default: _bmm,
    aten.baddbmm.default: _baddbmm,
    aten._grouped_mm.default: _grouped_mm,
    aten.convolution.default: _convolution,
    aten.convolution_backward.default: _convolution_backward,
    aten._scaled_dot_product_flash_attention_for_cpu.default: _sdpa,
    aten._scaled_dot_product_flash_attention.default: _sdpa,
    aten._scaled_dot_product_efficient_attention.default: _sdpa,
    aten._scaled_dot_product_cudnn_attention.default: _sdpa,
    aten._scaled_dot_product_flash_attention_for_cpu_backward.default: _sdpa_backward,
    aten._scaled_dot_product_flash_attention_backward.default: _sdpa_backward,
    aten._scaled_dot_product_efficient_attention_backward.default: _sdpa_backward,
    aten._scaled_dot_product_cudnn_attention_backward.default: _sdpa_backward,
}
"""Operators counted in multiply-adds, by formula."""

# FLOP per output element of the elementwise and reduction operators ("all ops" total)
ELEMENTWISE_COST: dict[str, float] = {
    "add": 1, "sub": 1, "mul": 1, "div": 1, "neg": 1, "rsub": 1, "addcmul": 2, "addcdiv": 2,
    "relu": 1, "threshold_backward": 1, "gelu": 8, "gelu_backward": 12, "silu": 4,
    "silu_backward": 6, "sigmoid": 4, "sigmoid_backward": 2, "tanh": 4, "tanh_backward": 2,
    "exp": 1, "log": 1, "pow": 1, "sqrt": 1, "rsqrt": 1, "reciprocal": 1, "abs": 1,
    "erf": 4, "clamp": 1, "clamp_min": 1, "clamp_max": 1, "maximum": 1, "minimum": 1, "where": 1,
    "sum": 1, "mean": 1, "var": 3, "var_mean": 3, "amax": 1, "max": 1, "min": 1, "cumsum": 1,
    "_softmax": 5, "_safe_softmax": 5, "_softmax_backward_data": 4, "_log_softmax": 5,
    "_log_softmax_backward_data": 4, "native_layer_norm": 8, "native_layer_norm_backward": 14,
    "native_batch_norm": 8, "_native_batch_norm_legit": 8,
    "_native_batch_norm_legit_no_training": 4, "native_batch_norm_backward": 14,
    "max_pool2d_with_indices": 1, "max_pool2d_with_indices_backward": 1, "avg_pool2d": 1,
    "avg_pool2d_backward": 1, "_adaptive_avg_pool2d": 1, "_adaptive_avg_pool2d_backward": 1,
    "adaptive_avg_pool2d": 1, "mse_loss": 3, "nll_loss_forward": 1, "nll_loss_backward": 1,
    "native_dropout": 2, "native_dropout_backward": 1, "bernoulli": 1, "masked_fill": 1,
    "embedding_dense_backward": 1, "_rms_norm": 6, "_fused_rms_norm": 6,
    "_fused_rms_norm_backward": 10, "sort": 1, "topk": 1, "logical_not": 1, "eq": 1, "ne": 1,
    "lt": 1, "le": 1, "gt": 1, "ge": 1, "logical_and": 1, "sign": 1, "cos": 1, "sin": 1,
    "fill": 0, "index_add": 1, "scatter_add": 1, "lerp": 2, "scatter": 0,
}  # fmt: skip

FREE: frozenset[str] = frozenset({
    "view", "_unsafe_view", "reshape", "expand", "transpose", "t", "permute", "unsqueeze",
    "squeeze", "select", "slice", "as_strided", "alias", "detach", "clone", "copy", "copy_",
    "_to_copy", "contiguous", "empty", "empty_like", "empty_strided", "new_empty",
    "new_empty_strided", "zeros", "zeros_like", "ones", "ones_like", "full", "full_like",
    "new_zeros", "new_ones", "new_full", "arange", "scalar_tensor", "tril", "triu", "cat",
    "stack", "split", "split_with_sizes", "chunk", "unbind", "index", "index_select", "gather",
    "embedding", "lift_fresh", "lift_fresh_copy", "_local_scalar_dense", "t_", "view_as",
    "_reshape_alias", "repeat", "repeat_interleave", "flip", "roll", "narrow", "unfold",
    "constant_pad_nd", "pad", "slice_backward", "select_backward", "masked_select",
    "_has_compatible_shallow_copy_type", "set_", "resize_", "zero_", "fill_", "detach_",
    "lift", "fill", "rand", "randn", "rand_like", "randn_like", "normal", "uniform",
    "random_", "normal_", "uniform_", "to", "_to_dense", "sym_size", "sym_stride",
    "sym_numel", "sym_storage_offset", "is_same_size", "isnan", "argmax", "argmin",
    "_unsafe_index", "index_put", "index_put_", "diagonal", "linspace",
    "bitwise_and", "bitwise_or", "bitwise_not", "logical_or", "any", "all", "one_hot",
    "_assert_async", "_assert_tensor_metadata", "nonzero", "bincount", "histc",
    "expand_as", "unsafe_split", "unsafe_chunk", "_unsafe_index_put", "squeeze_",
    "unsqueeze_", "transpose_", "as_strided_", "split_copy", "view_copy",
})  # fmt: skip


def _op_name(func: Any) -> str:
    return (
        func.overloadpacket.__name__.removesuffix("_")
        if hasattr(func, "overloadpacket")
        else str(func)
    )


@dataclass
class OpCounts:
    """What one phase (forward or backward) executed."""

    macs: int = 0
    elementwise_flop: float = 0.0
    by_operator: Counter = field(default_factory=Counter)  # op name -> MACs
    calls: Counter = field(default_factory=Counter)  # op name -> calls
    by_module: defaultdict = field(default_factory=lambda: defaultdict(int))  # fqn -> MACs
    uncounted: Counter = field(default_factory=Counter)  # op name -> calls


class OperationCounter(TorchDispatchMode):
    """A dispatch mode that counts, per phase, every ATen operator executed inside it.

    >>> lin = torch.nn.Linear(8, 4, device="meta")
    >>> with OperationCounter() as c:
    ...     lin(torch.empty(2, 8, device="meta")).sum().backward()
    >>> c.forward.macs, c.backward.macs     # 2x8x4 forward; weight grad only (input needs none)
    (64, 64)
    """

    def __init__(self) -> None:
        super().__init__()
        self.forward = OpCounts()
        self.backward = OpCounts()
        self.tracker = ModuleTracker()

    def __enter__(self) -> OperationCounter:
        self.tracker.__enter__()
        return super().__enter__()

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        self.tracker.__exit__(*exc)

    def __torch_dispatch__(
        self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None
    ) -> Any:
        out = func(*args, **(kwargs or {}))
        phase = self.backward if self.tracker.is_bw else self.forward
        name = _op_name(func)
        phase.calls[name] += 1
        formula = MATMUL.get(func)
        if formula is not None:
            macs = int(formula(args, out))
            phase.macs += macs
            phase.by_operator[name] += macs
            for module in self.tracker.parents:
                phase.by_module[module] += macs
        elif name in ELEMENTWISE_COST:
            numel = sum(
                t.numel()
                for t in tree_flatten(out)[0]
                if isinstance(t, torch.Tensor) and t.is_floating_point()
            )
            phase.elementwise_flop += ELEMENTWISE_COST[name] * numel
        elif name not in FREE:
            phase.uncounted[name] += 1
        return out
