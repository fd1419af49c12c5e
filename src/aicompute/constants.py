"""Every constant of the method, in one place.

The values follow OpenAI's "AI and Compute" (2018) appendix unless stated otherwise; each has
a short note on where it comes from so that printed results can cite it.

>>> FLOP_PER_PFS_DAY
8.64e+19
>>> DEFAULT_UTILIZATION["gpu"], DEFAULT_UTILIZATION["cpu"]
(0.33, 0.17)
"""

from __future__ import annotations

SEED_URL = "https://openai.com/blog/ai-and-compute/"
"""The analysis aicompute implements (Amodei & Hernandez, 2018; addendum 2019)."""

SECONDS_PER_MINUTE = 60.0
SECONDS_PER_HOUR = 3_600.0
SECONDS_PER_DAY = 86_400.0
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY
SECONDS_PER_YEAR = 365.25 * SECONDS_PER_DAY

PETA = 1e15
FLOP_PER_PETAFLOP = PETA
"""One petaFLOP ("PF" in the seed's appendix): 1e15 operations."""

FLOP_PER_PFS_DAY = PETA * SECONDS_PER_DAY
"""One petaflop/s-day: 1e15 operations per second for one day = 8.64e19 FLOP."""

FLOP_PER_MAC = 2.0
"""A multiply-add is two operations (the seed counts adds and multiplies separately)."""

DEFAULT_BACKWARD_RATIO = 2.0
"""Backward pass FLOP per forward FLOP; forward + backward = 3x forward (seed's "3 for forward
and backward pass")."""

DEFAULT_UTILIZATION: dict[str, float] = {
    "gpu": 0.33,
    "tpu": 0.33,
    "accelerator": 0.33,
    "cpu": 0.17,
}
"""Assumed fraction of peak FLOP/s actually achieved, by kind of chip (seed: "We typically
assume a 33% utilization for GPUs and a 17% utilization for CPU's")."""

UTILIZATION_SOURCE = "seed default: 33% for GPUs/TPUs/accelerators, 17% for CPUs (" + SEED_URL + ")"

METHOD_SPREAD: dict[str, float] = {
    "params_tokens": 1.29,
    "forward_work": 1.39,
    "params_examples": 10.0,
    "hardware": 1.82,
}
"""Each method's own uncertainty, as the 90% factor (×/÷) of a log-normal, by what the estimate
rests on:

* ``params_tokens``: 6·N·D from parameters and tokens;
* ``forward_work``: a forward cost per example (multiply-adds, FLOP or a counted
  architecture) times the data processed;
* ``params_examples``: parameters × examples, one multiply-add per parameter per example, which
  only holds for a plain stack of dense layers (a judgement, not calibrated: convolutions reuse
  each weight many times per example);
* ``hardware``: chips × peak × time × a *given* utilization.

The calibrated factors are fitted by ``tools/calibrate.py`` on the published runs of
``aicompute/calibration/runs.yaml`` (see docs/method.md, "How intervals are built"), and a test
checks that they still match it."""

METHOD_SPREAD_REASON: dict[str, str] = {
    "params_tokens": "6·N·D against the compute authors report, calibrated",
    "forward_work": "forward cost × data against the compute authors report, calibrated",
    "params_examples": "one multiply-add per parameter per example holds only for dense "
    "layers; a judgement",
    "hardware": "hardware time with a stated utilization against reported compute, calibrated",
}

UTILIZATION_SPREAD = 1.75
"""90% factor of the utilization when it is not given: the spread of the utilization (MFU)
published for real training runs around the seed's 33%, fitted by ``tools/calibrate.py`` from
the ``mfu`` list of ``aicompute/calibration/runs.yaml``."""

INTERVAL_LEVEL = 0.90
"""Coverage of every interval aicompute reports."""

DISAGREEMENT_FACTOR = 3.0
"""Two methods whose estimates differ by more than this factor are flagged."""

DEFAULT_SEED = 0

PRECISION_ORDER: tuple[str, ...] = ("tensor16", "tf32", "fp32")
"""Default choice of peak FLOP/s when the precision is not given (Epoch AI's convention:
tensor FP16/BF16, then TF32, then FP32)."""
