"""The estimation API: shortcuts, ranges and intervals, cross-checks and bad input."""

from __future__ import annotations

import math

import pytest

import aicompute
from aicompute import InputError, Range
from aicompute.uncertainty import product_interval

DAY = 86_400


def test_six_n_d_gpt3() -> None:
    """GPT-3 175B on 300B tokens: 6·N·D = 3.15e23, the paper's Table D.1 gives 3.14e23."""
    result = aicompute.estimate(params="175B", tokens="300B")
    assert result.flop == pytest.approx(6 * 175e9 * 300e9)
    assert result.flop == pytest.approx(3.14e23, rel=0.01)
    assert "tokens" in result.preferred.formula


def test_active_params_for_mixture_of_experts() -> None:
    # Mixtral-8x7B-like: 46.7B total, 12.9B active per token
    result = aicompute.estimate(params="46.7B", active_params="12.9B", tokens="1T")
    assert result.flop == pytest.approx(6 * 12.9e9 * 1e12)
    assert any("active parameters" in n for n in result.preferred.notes)
    with pytest.raises(InputError, match="cannot exceed params"):
        aicompute.estimate(params="7B", active_params="13B", tokens="1T")


def test_encoder_decoder_uses_half_the_parameters_per_token() -> None:
    result = aicompute.estimate(params="11B", tokens="1T", encoder_decoder=True)
    assert result.flop == pytest.approx(6 * 5.5e9 * 1e12)
    assert result.preferred.inputs["encoder_decoder"] is True


def test_forward_flop_and_backward_ratio() -> None:
    result = aicompute.estimate(
        forward_flop="1.5 GFLOP", examples="1M", epochs=10, backward_ratio=1
    )
    # forward FLOP 1.5e9 × (1 + 1) × 1e6 × 10
    assert result.flop == pytest.approx(1.5e9 * 2 * 1e6 * 10)


def test_tokens_with_epochs() -> None:
    assert aicompute.estimate(params=1e9, tokens=1e10, epochs=4).flop == pytest.approx(
        6 * 1e9 * 4e10
    )


def test_hours_and_chip_hours_equal_days() -> None:
    by_days = aicompute.estimate(hardware="GTX 580", count=2, days=5.5).flop
    assert aicompute.estimate(hardware="GTX 580", count=2, hours=132).flop == pytest.approx(by_days)
    assert aicompute.estimate(hardware="GTX 580", chip_hours=264).flop == pytest.approx(by_days)
    assert aicompute.estimate(hardware="GTX 580", count=2, days="132 h").flop == pytest.approx(
        by_days
    )


def test_cpu_default_utilization_is_17_percent() -> None:
    cpu = next(a for a in aicompute.hardware.all_accelerators() if a.kind == "cpu")
    est = aicompute.estimate(hardware=cpu.key, count=10, days=1, precision="fp32")
    assert est.preferred.inputs["utilization"] == 0.17
    assert est.flop == pytest.approx(10 * cpu.peaks["fp32"] * DAY * 0.17)


def test_precision_selection() -> None:
    a100 = aicompute.hardware.get("A100 SXM4 40GB")
    default = aicompute.estimate(hardware=a100.key, count=1, days=1)
    assert default.preferred.inputs["precision"] == "tensor16"
    fp32 = aicompute.estimate(hardware=a100.key, count=1, days=1, precision="fp32")
    assert fp32.preferred.inputs["precision"] == "fp32"
    assert default.flop / fp32.flop == pytest.approx(a100.peaks["tensor16"] / a100.peaks["fp32"])
    with pytest.raises(InputError, match="no fp8 figure"):
        aicompute.estimate(hardware="GTX 580", count=1, days=1, precision="fp8")
    with pytest.raises(InputError, match="unknown precision"):
        aicompute.estimate(hardware="GTX 580", count=1, days=1, precision="fp7")


# --- intervals ---------------------------------------------------------------------------


def test_default_intervals_say_which_method() -> None:
    ops = aicompute.estimate(forward_macs="1G", examples="1M").preferred
    assert (ops.low_flop, ops.high_flop) == pytest.approx((ops.flop / 2, ops.flop * 2))
    assert "×/÷2" in ops.interval_basis
    hw = aicompute.estimate(hardware="GTX 580", count=1, days=1).preferred
    assert (hw.low_flop, hw.high_flop) == pytest.approx((hw.flop / 3, hw.flop * 3))
    assert "×/÷3" in hw.interval_basis


def test_single_range_interval_is_exact() -> None:
    hw = aicompute.estimate(hardware="GTX 580", count=2, days="5..6").preferred
    per_day = 2 * 1.581e12 * DAY * 0.33
    # log-uniform on [5, 6]: median sqrt(30), 5% and 95% quantiles 5·1.2^0.05 and 5·1.2^0.95
    assert hw.flop == pytest.approx(per_day * math.sqrt(30))
    assert hw.low_flop == pytest.approx(per_day * 5 * 1.2**0.05)
    assert hw.high_flop == pytest.approx(per_day * 5 * 1.2**0.95)
    assert hw.interval_how == "exact"
    assert hw.inputs["days"] == [5.0, 6.0]


def test_several_ranges_monte_carlo_is_reproducible_and_sound() -> None:
    kwargs = dict(hardware="GTX 580", count=2, days="5..6", utilization="0.25..0.5")
    a = aicompute.estimate(**kwargs, seed=1).preferred
    b = aicompute.estimate(**kwargs, seed=1).preferred
    c = aicompute.estimate(**kwargs, seed=2).preferred
    assert a.interval_how == "monte-carlo"
    assert (a.low_flop, a.high_flop) == (b.low_flop, b.high_flop)
    assert a.low_flop == pytest.approx(c.low_flop, rel=0.01)
    base = 2 * 1.581e12 * DAY
    # central: product of geometric means; interval strictly inside the extreme corners
    assert a.flop == pytest.approx(base * math.sqrt(30) * math.sqrt(0.125))
    assert base * 5 * 0.25 < a.low_flop < a.flop < a.high_flop < base * 6 * 0.5
    assert "utilization 0.25..0.5" in a.interval_basis


def test_monte_carlo_matches_exact_convolution() -> None:
    """Two log-uniform factors: the log of the product is a triangular-ish sum of uniforms."""
    iv = product_interval({"a": Range(1, math.e), "b": Range(1, math.e)}, samples=200_000)
    # ln(product) = U1 + U2 with U ~ U(0, 1): triangular on [0, 2]; 5% quantile sqrt(0.1)
    assert math.log(iv.low) == pytest.approx(math.sqrt(0.1), abs=0.01)
    assert math.log(iv.high) == pytest.approx(2 - math.sqrt(0.1), abs=0.01)
    assert iv.central == pytest.approx(math.e)


# --- cross-check -------------------------------------------------------------------------


def test_disagreement_above_three_x_is_flagged() -> None:
    result = aicompute.estimate(
        forward_macs="0.75G", examples="1.2M", epochs=90, hardware="GTX 580", count=2, days=30
    )
    assert result.agreement_ratio == pytest.approx(
        (2 * 1.581e12 * 30 * DAY * 0.33) / (0.75e9 * 6 * 1.2e6 * 90)
    )
    assert result.agreement_ratio > 3 and result.disagreement
    d = result.to_dict()
    assert d["flop"] == result.by_method("operations").flop
    assert [e["method"] for e in d["estimates"]] == ["operations", "hardware"]


def test_partial_method_is_skipped_with_reason() -> None:
    result = aicompute.estimate(forward_macs="1G", examples="1M", hardware="GTX 580")
    assert [e.method for e in result.estimates] == ["operations"]
    assert "count" in result.skipped["hardware"]
    assert result.agreement_ratio is None


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        (dict(forward_macs=-1, examples=1), "forward_macs", "positive"),
        (dict(forward_macs=0, examples=1), "forward_macs", "positive"),
        (dict(forward_macs="nan", examples=1), "forward_macs", "finite"),
        (dict(forward_macs="inf", examples=1), "forward_macs", "finite"),
        (dict(forward_macs=1, examples="5..3"), "examples", "above its high end"),
        (dict(hardware="GTX 580", count=1, days=1, utilization=1.5), "utilization", "(0, 1]"),
        (dict(hardware="GTX 580", count=1, days=1, utilization=0), "utilization", "positive"),
        (dict(hardware="GTX 580", count=1, days=1, hours=2), "hours", "not both"),
        (dict(hardware="GTX 580", count=0, days=1), "count", "positive"),
        (dict(hardware="GTX 580", chip_hours=10, count=2), "chip_hours", "alone"),
        (dict(hardware="GTX 9000", count=1, days=1), "hardware", "did you mean"),
        (dict(forward_macs=1, forward_flop=2, examples=1), "forward_flop", "only one"),
        (dict(forward_macs=1, examples=1, tokens=2), "tokens", "only one"),
        (dict(forward_macs=1, examples=1, batch_size=2), "batch_size", "with updates"),
        (dict(forward_macs=1, updates=1, batch_size=2, epochs=3), "epochs", "not with updates"),
        (dict(forward_macs=1, examples=1, adjust=2), "adjust_reason", "reason"),
        (dict(forward_macs=1, examples=1, adjust_reason="why"), "adjust_reason", "without"),
        (dict(forward_macs=1, examples=1, backward_ratio=-1), "backward_ratio", "non-negative"),
        (dict(architecture="conv 3 3x3", examples=1), "architecture line 1", "start with"),
    ],
)
def test_bad_inputs(kwargs: dict, field: str, text: str) -> None:
    with pytest.raises(InputError) as info:
        aicompute.estimate(**kwargs)
    assert info.value.field == field
    assert text in str(info.value)


def test_nothing_complete_says_what_each_method_needs() -> None:
    with pytest.raises(InputError) as info:
        aicompute.estimate(examples="1M")
    message = str(info.value)
    assert "operations counting forward work per example" in message
    assert "hardware time the chip (hardware or peak_flops)" in message
    with pytest.raises(InputError, match="batch_size"):
        aicompute.estimate(forward_macs=1, updates=10)
