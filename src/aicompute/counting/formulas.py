"""Analytic FLOP formulas for transformers, to set beside a measured count.

All return training FLOP per token (forward + backward) unless named ``*_forward``.

- :func:`six_n`: 6·N, the 6·N·D rule per token;
- :func:`kaplan`: Kaplan et al. 2020, forward 2N + 2·n_layer·n_ctx·d_attn (N without
  embeddings), training three times that;
- :func:`chinchilla`: Hoffmann et al. 2022, appendix F: embeddings, attention (projections,
  logits, softmax, reduction, output), dense blocks and final logits, backward twice forward;
- :func:`palm`: Chowdhery et al. 2022, appendix B: 6N + 12·L·H·Q·T.

Attention terms take the head size of the scores (Q) and of the values: they differ under
multi-head latent attention (DeepSeek: qk_nope + qk_rope and v_head). H counts query heads, so
the terms hold for grouped-query and multi-query attention too (the smaller K/V projections
are in N).

>>> round(palm(n=1e9, layers=24, heads=16, head_dim=128, seq_len=2048) / 6e9, 4)
1.2013
"""

from __future__ import annotations

__all__ = ["chinchilla", "kaplan", "palm", "six_n"]


def six_n(n: float) -> float:
    """6·N FLOP per token (N: parameters active per token)."""
    return 6.0 * n


def kaplan(n_non_embedding: float, layers: int, seq_len: int, d_attn: int) -> float:
    """Kaplan et al. (2020): 3 × (2N + 2·n_layer·n_ctx·d_attn)."""
    return 3.0 * (2.0 * n_non_embedding + 2.0 * layers * seq_len * d_attn)


def chinchilla(
    *,
    vocab: int,
    d_model: int,
    layers: int,
    heads: int,
    head_dim: int,
    d_ff: int,
    seq_len: int,
    ffn_matrices: int = 2,
    value_dim: int | None = None,
) -> float:
    """Hoffmann et al. (2022), appendix F, per token; ``ffn_matrices`` is 3 for gated FFNs
    (the appendix counts 2); ``value_dim`` is the value head size when it is not
    ``head_dim`` (multi-head latent attention). Keys and values are full width (H heads), as
    in the appendix."""
    kq = heads * head_dim
    kv = heads * (value_dim or head_dim)
    embeddings = 2 * seq_len * vocab * d_model
    attention = (
        2 * seq_len * d_model * (2 * kq + kv)  # key, query, value projections
        + 2 * seq_len * seq_len * kq  # logits
        + 3 * heads * seq_len * seq_len  # softmax
        + 2 * seq_len * seq_len * kv  # softmax @ value
        + 2 * seq_len * kv * d_model
    )  # output projection
    dense = 2 * seq_len * ffn_matrices * d_model * d_ff
    logits = 2 * seq_len * d_model * vocab
    forward = embeddings + layers * (attention + dense) + logits
    return 3.0 * forward / seq_len


def palm(
    n: float, layers: int, heads: int, head_dim: int, seq_len: int, value_dim: int | None = None
) -> float:
    """Chowdhery et al. (2022): 6N + 12·L·H·Q·T per token, i.e. 6N + 6·L·H·(Q + Q_v)·T when
    the value head size Q_v differs from the score head size Q (multi-head latent
    attention)."""
    return 6.0 * n + 6.0 * layers * heads * (head_dim + (value_dim or head_dim)) * seq_len
