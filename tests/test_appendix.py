"""The 16 calculations of the seed's appendix ("AI and Compute", 2018), each reproduced.

Every case gives the seed's stated inputs (including its per-GPU peak figures), the
arithmetic redone by hand here, and the pfs-days the seed prints. aicompute must equal the hand
arithmetic exactly and the seed's figure within its rounding (6%), except where the seed's own
arithmetic is wrong: there the test pins the correct value and checks that the seed's figure is
really off (see docs/method.md, "Where the seed's arithmetic slips").
"""

from __future__ import annotations

import math

import pytest

import aicompute
from aicompute import FLOP_PER_PFS_DAY

DAY = 86_400
DQN = "input 84x84x3; conv 16 8x8 stride=4; conv 32 4x4 stride=2; dense 256"
# DeepSpeech2, per time step: 7 bidirectional recurrent layers (directions summed) and 2 dense
# layers of 1280 units: 1280^2 * (7*4 + 2); the seed doubles it "for doubling parameters from
# 36M to 72M".
DS2 = "input 1280; rnn 1280 layers=7 bidirectional merge=sum; dense 1280 repeat=2"

# name, method, inputs, hand arithmetic (FLOP), seed's pfs-days, seed arithmetic correct?
CASES = [
    (
        "ResNet-151",
        "operations",
        dict(forward_macs=11.4e9, examples=1.2e6, epochs=128),
        11.4e9 * 2 * 3 * 1.2e6 * 128,
        0.117,
        True,
    ),
    (
        "AlexNet, GPU time",
        "hardware",
        dict(peak_flops=1.58e12, count=2, days=5.5),
        2 * 1.58e12 * 5.5 * DAY * 0.33,
        0.0058,
        True,
    ),
    (
        "AlexNet, counting",
        "operations",
        dict(forward_macs=0.75e9, examples=1.2e6, epochs=90),
        1.2e6 * 90 * 0.75e9 * 2 * 3,
        0.0054,
        True,
    ),
    (
        "Dropout",
        "hardware",
        dict(peak_flops=1.54e12, count=1, days=4),
        1 * 4 * DAY * 1.54e12 * 0.33,
        0.0021,
        True,
    ),
    (
        "Visualizing and Understanding Conv Nets",
        "hardware",
        dict(peak_flops=1.54e12, count=1, days=12),
        1 * 12 * DAY * 1.54e12 * 0.33,
        0.0062,
        True,
    ),
    (
        "DQN, layer by layer",
        "operations",
        dict(architecture=DQN, updates=5e6, batch_size=32),
        (20 * 20 * 3 * 16 * 8 * 8 + 9 * 9 * 16 * 32 * 4 * 4 + 9 * 9 * 32 * 256) * 5e6 * 32 * 2 * 3,
        2.7e-5,
        True,
    ),
    (
        "Seq2Seq, counting",
        "operations",
        dict(forward_macs=0.380e9, examples=348e6 + 304e6, epochs=7.5),
        (348e6 + 304e6) * 0.380e9 * 2 * 3 * 7.5,
        0.085,
        False,
    ),
    (
        "Seq2Seq, GPU time",
        "hardware",
        dict(peak_flops=3.5e12, count=8, days=10),
        10 * DAY * 8 * 3.5e12 * 0.33,
        0.093,
        True,
    ),
    (
        "VGG, counting",
        "operations",
        dict(forward_macs=16e9, examples=1.2e6, epochs=74),
        1.2e6 * 74 * 16e9 * 2 * 3,
        0.098,
        True,
    ),
    (
        "VGG, GPU time",
        "hardware",
        dict(peak_flops=5.1e12, count=4, days=15),
        4 * 15 * DAY * 5.1e12 * 0.33,
        0.12,
        False,
    ),
    (
        "DeepSpeech2, counting",
        "operations",
        dict(forward_macs=1280**2 * 30 * 2, examples=12_000 * 3600 * 50, epochs=20),
        20 * 12_000 * 3600 * 50 * (1280**2 * 30 * 2) * 3 * 2,
        0.30,
        True,
    ),
    (
        "DeepSpeech2, GPU time",
        "hardware",
        dict(peak_flops=6e12, count=16, days=5, utilization=0.5),
        16 * 5 * DAY * 6e12 * 0.5,
        0.25,
        True,
    ),
    (
        "Xception",
        "hardware",
        dict(peak_flops=8.5e12, count=60, days=30),
        60 * 30 * DAY * 8.5e12 * 0.33,
        5.0,
        True,
    ),
    (
        "Neural Architecture Search, counting",
        "operations",
        dict(forward_macs=10e9, examples=50_000, epochs=50, runs=12_800),
        50 * 50_000 * 10e9 * 12_800 * 2 * 3,
        22,
        True,
    ),
    (
        "Neural Architecture Search, GPU time",
        "hardware",
        dict(peak_flops=4.2e12, count=800, days=28),
        800 * 28 * DAY * 4.2e12 * 0.33,
        31,
        True,
    ),
    (
        "Neural Machine Translation (GNMT)",
        "hardware",
        dict(
            peak_flops=8.5e12,
            count=96,
            days=9,
            adjust=(10, 100),
            adjust_reason="production data 2-3 orders of magnitude larger, 1 epoch not 10",
        ),
        96 * 9 * DAY * 8.5e12 * 0.33 * math.sqrt(10 * 100),
        79,
        True,
    ),
]


def test_sixteen_cases() -> None:
    assert len(CASES) == 16


@pytest.mark.parametrize(
    ("name", "method", "inputs", "hand_flop", "seed_pfs", "seed_ok"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_appendix_calculation(
    name: str, method: str, inputs: dict, hand_flop: float, seed_pfs: float, seed_ok: bool
) -> None:
    result = aicompute.estimate(**inputs)
    est = result.by_method(method)
    assert est is not None and [e.method for e in result.estimates] == [method]
    assert est.flop == pytest.approx(hand_flop, rel=1e-9)
    assert est.pfs_days == pytest.approx(hand_flop / FLOP_PER_PFS_DAY, rel=1e-9)
    off = abs(est.pfs_days / seed_pfs - 1)
    if seed_ok:
        assert off <= 0.06, f"{name}: {est.pfs_days:.4g} vs seed {seed_pfs}"
    else:
        assert off > 0.15, f"{name}: the seed's figure was expected to be off"


def test_seq2seq_counting_correct_value() -> None:
    """The seed prints 7,300 PF = 0.085 pfs-days; its inputs give 11,149 PF = 0.129."""
    est = aicompute.estimate(forward_macs="0.380G", examples="652M", epochs=7.5)
    assert est.flop / 1e15 == pytest.approx(11_149, abs=1)
    assert est.pfs_days == pytest.approx(0.1290, abs=0.0001)


def test_vgg_gpu_time_correct_value() -> None:
    """The seed prints 10,000 PF = 0.12 pfs-days; its inputs give 8,725 PF = 0.101."""
    est = aicompute.estimate(peak_flops="5.1 TFLOPS", count=4, days=15)
    assert est.flop / 1e15 == pytest.approx(8_725, abs=1)
    assert est.pfs_days == pytest.approx(0.1010, abs=0.0001)


def test_alexnet_methods_agree_as_in_the_seed() -> None:
    """'0.0054 pfs-days vs 0.0058 with the GPU time method'."""
    result = aicompute.estimate(
        forward_macs="0.75G", examples="1.2M", epochs=90, peak_flops="1.58T", count=2, days=5.5
    )
    assert result.preferred.method == "operations"
    assert result.agreement_ratio == pytest.approx(
        (2 * 1.58e12 * 5.5 * DAY * 0.33) / (1.2e6 * 90 * 0.75e9 * 6), rel=1e-9
    )
    assert not result.disagreement


def test_dqn_layers_as_counted_by_hand() -> None:
    net = aicompute.count_architecture(DQN)
    assert [layer.macs for layer in net.layers[1:]] == [1_228_800, 663_552, 663_552]
    assert net.forward_macs == 2_555_904  # the seed's "Total ~ 2.55M add-multiplies"


def test_deepspeech2_timestep_from_architecture() -> None:
    net = aicompute.count_architecture(DS2)
    assert net.forward_macs == 1280**2 * (7 * 4 + 2)
    assert 2 * net.forward_macs == pytest.approx(98e6, rel=0.004)  # the seed's "98 MFLOPs"


def test_gnmt_adjustment_range_centres_on_sqrt_1000() -> None:
    est = aicompute.estimate(
        peak_flops=8.5e12,
        count=96,
        days=9,
        adjust="10..100",
        adjust_reason="more data, fewer epochs",
    )
    assert est.preferred.inputs["adjust"] == [10.0, 100.0]
    assert est.flop == pytest.approx(96 * 9 * DAY * 8.5e12 * 0.33 * math.sqrt(1000), rel=1e-9)
    # the adjustment's range (log-uniform over 10..100) adds to the method's spreads: the
    # interval is wider than the range's own 5%-95% quantiles, and its 95% point solves the
    # distribution of normal + uniform (integrated here numerically by scipy)
    from scipy import integrate, stats

    from aicompute.constants import METHOD_SPREAD, UTILIZATION_SPREAD

    base = 96 * 9 * DAY * 8.5e12 * 0.33
    assert est.low_flop < base * 10 * 10**0.05 and est.high_flop > base * 10 * 10**0.95
    sigma = math.hypot(math.log(METHOD_SPREAD["hardware"]), math.log(UTILIZATION_SPREAD))
    sigma /= stats.norm.ppf(0.95)
    half = math.log(10) / 2
    q = math.log(est.high_flop / est.flop)
    cdf = integrate.quad(lambda u: stats.norm.cdf((q - u) / sigma), -half, half)[0] / (2 * half)
    assert cdf == pytest.approx(0.95, abs=1e-6)
