"""The estimation API: shortcuts, ranges and intervals, cross-checks and bad input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    with pytest.raises(InputError, match="cannot exceed `params`"):
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


def _factor(est: aicompute.Estimate) -> float:
    return math.sqrt(est.high_flop / est.low_flop)


def test_method_spreads_come_from_the_constants_and_say_so() -> None:
    from aicompute.constants import METHOD_SPREAD, UTILIZATION_SPREAD

    six_nd = aicompute.estimate(params="7B", tokens="1T").preferred
    assert _factor(six_nd) == pytest.approx(METHOD_SPREAD["params_tokens"])
    assert f"×/÷{METHOD_SPREAD['params_tokens']:.3g}" in six_nd.interval_basis
    counted = aicompute.estimate(forward_macs="1G", examples="1M").preferred
    assert _factor(counted) == pytest.approx(METHOD_SPREAD["forward_work"])
    crude = aicompute.estimate(params="60M", examples="1.2M").preferred
    assert _factor(crude) == pytest.approx(METHOD_SPREAD["params_examples"])
    stated = aicompute.estimate(hardware="GTX 580", count=1, days=1, utilization=0.3).preferred
    assert _factor(stated) == pytest.approx(METHOD_SPREAD["hardware"])
    # utilization not given: the two log-normal spreads add in quadrature
    default = aicompute.estimate(hardware="GTX 580", count=1, days=1).preferred
    expected = math.exp(
        math.hypot(math.log(METHOD_SPREAD["hardware"]), math.log(UTILIZATION_SPREAD))
    )
    assert _factor(default) == pytest.approx(expected)
    assert "utilization not given" in default.interval_basis


def test_knowing_less_never_narrows_the_interval() -> None:
    """The issue's cases: a range for the days, and GPT-4's two ranges, only widen."""
    point = aicompute.estimate(hardware="A100", count=1024, days=30).preferred
    ranged = aicompute.estimate(hardware="A100", count=1024, days="30..34").preferred
    assert _factor(ranged) > _factor(point)
    stated = dict(hardware="A100", count=25000, days=95, utilization=0.34)
    two = aicompute.estimate(**{**stated, "days": "90..100", "utilization": "0.32..0.36"})
    assert _factor(two.preferred) > _factor(aicompute.estimate(**stated).preferred)
    # not giving the utilization is knowing less than giving it
    assert _factor(point) > _factor(aicompute.estimate(**stated).preferred)


def test_one_range_adds_to_the_method_spread_in_closed_form() -> None:
    """N(0, s²) + U(-h, h): the 95% quantile q solves the closed-form CDF; checked here against
    scipy's numerical integration of the convolution."""
    from scipy import integrate, stats

    from aicompute.constants import METHOD_SPREAD

    est = aicompute.estimate(forward_macs="1G", examples="1M", epochs="10..40").preferred
    s = math.log(METHOD_SPREAD["forward_work"]) / stats.norm.ppf(0.95)
    h = math.log(4) / 2
    q = math.log(est.high_flop / est.flop)

    def cdf(t: float) -> float:
        return integrate.quad(lambda u: stats.norm.cdf((t - u) / s), -h, h)[0] / (2 * h)

    assert cdf(q) == pytest.approx(0.95, abs=1e-6)
    assert est.flop == pytest.approx(1e9 * 6 * 1e6 * 20)  # geometric mean of 10 and 40
    assert est.interval_how == "exact"


def test_several_ranges_match_a_monte_carlo_sample() -> None:
    """Two ranges and a spread: the grid convolution agrees with 2 million samples."""
    import numpy as np

    from aicompute.uncertainty import Spread

    spread = Spread("method", 2.0, "test")
    iv = product_interval(
        {"a": Range(1, math.e), "b": Range(1, 4), "c": Range.point(3)}, spreads=[spread]
    )
    assert iv.how == "convolution"
    rng = np.random.default_rng(7)
    n = 2_000_000
    logs = rng.normal(0, spread.sigma, n) + rng.uniform(0, 1, n) + rng.uniform(0, math.log(4), n)
    low, high = np.exp(np.quantile(logs, [0.05, 0.95])) * 3
    assert iv.low == pytest.approx(low, rel=3e-3)
    assert iv.high == pytest.approx(high, rel=3e-3)
    assert iv.central == pytest.approx(3 * math.sqrt(math.e) * 2)


def test_ranges_alone_have_the_exact_sum_of_uniforms() -> None:
    """No spread: ln(product) = U1 + U2 with U ~ U(0, 1) is triangular on [0, 2], whose 5%
    quantile is sqrt(0.1)."""
    iv = product_interval({"a": Range(1, math.e), "b": Range(1, math.e)})
    assert math.log(iv.low) == pytest.approx(math.sqrt(0.1), abs=1e-4)
    assert math.log(iv.high) == pytest.approx(2 - math.sqrt(0.1), abs=1e-4)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(min_value=1.0001, max_value=50.0), min_size=0, max_size=3),
    st.floats(min_value=1.0, max_value=1e4),
    st.sampled_from([1.05, 1.3, 2.0, 3.0]),
)
@pytest.mark.slow
def test_adding_a_range_never_narrows(ratios: list[float], extra: float, factor: float) -> None:
    """Every estimate carries its method's spread (a normal in log space); any range added to
    it widens the interval, to the last digit."""
    from aicompute.uncertainty import Spread

    spreads = [Spread("method", factor, "test")]
    before = {f"r{i}": Range(1.0, r) for i, r in enumerate(ratios)}
    after = {**before, "new": Range(1.0, extra) if extra > 1 else Range.point(1.0)}
    a = product_interval(before, spreads=spreads)
    b = product_interval(after, spreads=spreads)
    assert b.factor >= a.factor * (1 - 1e-9)


def test_disagreement_above_three_x_is_flagged() -> None:
    result = aicompute.estimate(
        forward_macs="0.75G", examples="1.2M", epochs=90, hardware="GTX 580", count=2, days=30
    )
    assert result.agreement_ratio == pytest.approx(
        (2 * 1.581e12 * 30 * DAY * 0.33) / (0.75e9 * 6 * 1.2e6 * 90)
    )
    assert result.agreement_ratio > 3 and result.disagreement
    ops, hw = result.by_method("operations"), result.by_method("hardware")
    d = result.to_dict()
    # the interval to cite covers both methods' intervals; the narrower one is preferred
    assert d["low_flop"] == min(ops.low_flop, hw.low_flop) == ops.low_flop
    assert d["high_flop"] == max(ops.high_flop, hw.high_flop) == hw.high_flop
    assert d["flop"] == ops.flop and d["method"] == "operations"
    assert "narrower" in d["preferred_reason"]
    assert any(f"disagree by {result.agreement_ratio:.2f}x" in w for w in d["warnings"])
    assert [e["method"] for e in d["estimates"]] == ["operations", "hardware"]


def test_the_better_informed_method_is_preferred() -> None:
    """Parameters × examples is a crude count (×/÷10); a run with its utilization stated is
    the better estimate, and is preferred."""
    result = aicompute.estimate(
        params="60M",
        examples="1.2M",
        epochs=90,
        hardware="GTX 580",
        count=2,
        days=6,
        utilization=0.3,
    )
    assert result.preferred.method == "hardware"
    assert result.to_dict()["preferred_reason"].startswith("hardware time: its interval is")


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
        (dict(forward_macs=1, examples=1, batch_size=2), "batch_size", "with `updates`"),
        (dict(forward_macs=1, updates=1, batch_size=2, epochs=3), "epochs", "not with `updates`"),
        (dict(forward_macs=1, examples=1, adjust=2), "adjust_reason", "reason"),
        (dict(forward_macs=1, examples=1, adjust_reason="why"), "adjust_reason", "without"),
        (dict(forward_macs=1, examples=1, backward_ratio=-1), "backward_ratio", "non-negative"),
        (dict(architecture="conv 3 3x3", examples=1), "architecture", "line 1: the description"),
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
    assert "operations counting the forward work per example" in message
    assert "hardware time the chip (`hardware` or `peak_flops`)" in message
    with pytest.raises(InputError, match="batch_size"):
        aicompute.estimate(forward_macs=1, updates=10)


def test_cloud_tpu_devices_count_their_chips() -> None:
    """BERT-large: '16 Cloud TPUs (64 TPU chips total)' for 4 days. Each Cloud TPU v3 device
    holds 4 chips of 123 TFLOP/s (Google's documentation); the output says so."""
    result = aicompute.estimate(hardware="Cloud TPU v3", count=16, days=4)
    est = result.preferred
    assert est.flop == pytest.approx(64 * 123e12 * 4 * DAY * 0.33)
    assert est.inputs["chips_per_unit"] == 4
    assert "16 × 4 chips" in est.calculation
    assert any("4 x Google TPU v3" in n for n in est.notes)
    by_chip_hours = aicompute.estimate(hardware="Cloud TPU v3", chip_hours=16 * 96)
    assert by_chip_hours.flop == pytest.approx(est.flop)


def test_a_batch_size_in_tokens_makes_six_n_d() -> None:
    """Updates × a batch written in tokens is a token count: 6·N·D with its calibrated spread;
    a batch of sequences with parameters is the crude per-example count, and says so."""
    from aicompute.constants import METHOD_SPREAD

    tokens = aicompute.estimate(params="7B", updates=1000, batch_size="4M tokens").preferred
    assert tokens.flop == pytest.approx(6 * 7e9 * 1000 * 4e6)
    assert _factor(tokens) == pytest.approx(METHOD_SPREAD["params_tokens"])
    sequences = aicompute.estimate(params="7B", updates=1000, batch_size="32 sequences").preferred
    assert _factor(sequences) == pytest.approx(METHOD_SPREAD["params_examples"])
    assert any("undercounts by the tokens per example" in n for n in sequences.notes)


def test_encoder_decoder_with_active_parameters_is_refused() -> None:
    with pytest.raises(InputError, match="not to `active_params`"):
        aicompute.estimate(params="7B", active_params="1B", tokens="1T", encoder_decoder=True)


def test_each_estimator_takes_exactly_its_declared_inputs() -> None:
    """The estimators' keyword lists are typed copies of the one declaration of the inputs
    (``FIELDS``): this keeps the copies from drifting."""
    import inspect

    from aicompute import estimate, hardware_estimate, operations_estimate
    from aicompute.estimation.inputs import FIELDS

    def names(function: object) -> set[str]:
        return set(inspect.signature(function).parameters)  # type: ignore[arg-type]

    def declared(*methods: str) -> set[str]:
        return {n for n, f in FIELDS.items() if f.method in methods}

    assert names(estimate) == set(FIELDS)
    assert names(operations_estimate) == declared("operations", "both")
    assert names(hardware_estimate) == declared("hardware", "both")
