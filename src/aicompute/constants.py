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

FIT_BOOTSTRAP = 1000
"""Resamples of a trend fit's interval, the same everywhere: ``aicompute fit``, the report's
cards, the web app's fits."""

FORECAST_BOOTSTRAP = 2000
"""Resamples of a forecast or backtest, the same everywhere: ``aicompute forecast``, the
report's outlook and the web app's forecast and cost charts, so each gives the same digits."""

PRECISION_ORDER: tuple[str, ...] = ("tensor16", "tf32", "fp32")
"""Default choice of peak FLOP/s when the precision is not given (Epoch AI's convention:
tensor FP16/BF16, then TF32, then FP32)."""

# --- limits on inputs ----------------------------------------------------------------------
#
# Every face (library, command line, web) reads inputs through the library, so these bound the
# work any input can cause; each is checked before the work it bounds.

MAX_NUMBER_CHARS = 100
"""Longest text of one number, and most digits of an integer, an input may have: written
numbers need a few dozen characters ("1.2 x 10^6 tokens"); more is a mistake or an attack."""

MAX_TEXT_CHARS = 1_000
"""Longest free-text input (an adjustment's reason): a sentence or two."""

MAX_NAME_CHARS = 200
"""Longest name of a chip or a precision: names from papers, clouds and nvidia-smi are under 50
characters, and matching a name against the catalog takes time that grows with its square."""

MAX_ARCHITECTURE_CHARS = 200_000
"""Longest layer description: a 1,000-layer network written line by line with comments at
~100 characters a line is 100,000."""

MAX_ARCHITECTURE_REPEAT = 10_000
"""Largest ``repeat=`` (and recurrent ``layers=``) in a layer description: ten times the
deepest published networks (ResNet-1001, 1,000-layer transformers)."""

MAX_ARCHITECTURE_LAYERS = 20_000
"""Most layers a description may expand to, repeats multiplied out: twice the largest
``repeat`` (the counting is a Python loop per layer, so this bounds its time and memory)."""

MAX_ARCHITECTURE_SIZE = 10**8
"""Largest single size in a layer description (features, filters, kernel, units, vocabulary,
stride, groups, padding): a hundred times the widest layers and largest vocabularies of
published models, and small enough that every count stays a finite float."""

MAX_ARCHITECTURE_DIMS = 4
"""Most sizes in one ``AxBxC`` group of a layer description (an image is HxWxC)."""

MAX_BOOTSTRAP = 100_000
"""Most bootstrap resamples a trend fit may draw: 1,000 to 10,000 give stable 90% intervals;
100,000 takes seconds and bounded memory, beyond is waste or an attack."""

MIN_BOOTSTRAP = 10
"""Fewest bootstrap resamples that give a 90% interval at all (5% tails need 10 draws); 0 asks
for the analytic interval only."""

MAX_SEED = 2**63 - 1
"""Largest random seed: the largest signed 64-bit integer, what every generator accepts."""

MAX_COUNT_SIZE = 10**8
"""Largest size ``aicompute count`` takes: a batch, a sequence length, one dimension of an
input shape, a width or vocabulary of a Hugging Face config (the longest contexts are 10^7
tokens; the widest layers 10^5)."""

MAX_COUNT_DIMS = 5
"""Most dimensions of one example's input shape (C×T×H×W for video or volumes, plus one)."""

MAX_COUNT_ELEMENTS = 10**12
"""Most elements in the batched input of a count (a batch of 1,000 8K images has 2·10^11):
meta tensors cost no memory, but larger inputs overflow torch's 64-bit sizes inside the
model."""

MAX_MODEL_LAYERS = 1_000
"""Most layers a Hugging Face config may ask ``aicompute count`` to build: a 1,000-layer
transformer, ten times GPT-3's 96 (each layer is a Python module built and run)."""

MAX_MODEL_EXPERTS = 4_096
"""Most experts per layer in a config: twice Switch-C's 2,048."""

MAX_MODEL_EXPERT_LAYERS = 100_000
"""Most experts summed over layers (an expert can cost a Python step each): DeepSeek-V3 has
61 × 256 = 15,616, Switch-C 15 × 2,048 = 30,720."""

MAX_PATH_CHARS = 4_096
"""Longest model reference ``aicompute count`` takes (a path or ``package.module:factory``):
Linux's PATH_MAX."""

MAX_CONFIG_BYTES = 5_000_000
"""Largest Hugging Face ``config.json`` read: real ones are a few kilobytes (under 100 kB with
a label table)."""

CONFIDENCES: tuple[str, ...] = ("confident", "likely", "speculative", "unknown")
"""Epoch AI's confidence labels: within a factor 3, 10 or 30 of the true value."""
