"""Forecasts, backtests, costs and limits: known answers, coverage, and bad input."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from aicompute import InputError, dataset, economics, trends
from aicompute.cli import app

runner = CliRunner()


def simulated(seed: int, n: int = 60, slope: float = 0.6, noise: float = 0.4):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(2010, 2024, n))
    y = 18 + slope * (x - 2010) + rng.normal(0, noise, n)
    return x, y


def test_known_growth_is_recovered() -> None:
    x, y = simulated(1, n=200, slope=0.6, noise=0.3)
    f = trends.forecast_trend(x, 10**y, until=2030, bootstrap=1000)
    assert f.fit.growth_per_year == pytest.approx(10**0.6, rel=0.05)
    years = [p["year"] for p in f.to_dict()["projection"]]
    assert years == list(range(int(x.max()) + 1, 2031))
    medians = [p["flop"] for p in f.to_dict()["projection"]]
    assert all(b / a == pytest.approx(10**f.fit.slope) for a, b in itertools.pairwise(medians))


def test_prediction_interval_coverage() -> None:
    """About 90% of held-back later points fall inside the 90% prediction interval."""
    inside = total = 0
    for seed in range(120):
        x, y = simulated(seed)
        cut = np.quantile(x, 0.8)
        train = x <= cut
        slope, intercept, scale, rng = trends.forecast._draws(x[train] - 2017, y[train], 600, seed)
        noise = rng.standard_normal(len(slope)) * scale
        for xi, yi in zip(x[~train], y[~train], strict=True):
            pred = intercept + slope * (xi - 2017) + noise
            lo, hi = np.quantile(pred, [0.05, 0.95])
            inside += lo <= yi <= hi
            total += 1
    assert 0.85 <= inside / total <= 0.95


def test_target_date() -> None:
    x = np.linspace(2010, 2020, 40)
    f = trends.forecast_trend(x, 1e18 * 10 ** (0.6 * (x - 2010)), until=2025, target=1e26)
    assert f.target_year == pytest.approx(2010 + 8 / 0.6, abs=0.01)
    lo, hi = f.target_interval
    assert lo <= f.target_year <= hi
    with pytest.raises(InputError, match="already reached"):
        trends.forecast_trend(x, 1e18 * 10 ** (0.6 * (x - 2010)), until=2025, target=1e20)
    with pytest.raises(InputError, match="after the last record"):
        trends.forecast_trend(x, 1e18 * 10 ** (0.6 * (x - 2010)), until=2019)


def test_forecast_and_backtest_on_the_dataset() -> None:
    frame = dataset.load()
    f = trends.forecast_frame(frame, trend="frontier", until=2030, target=1e27)
    d = f.to_dict()
    assert {"target_date", "target_date_interval", "projection"} <= set(d)
    assert set(d["projection"][0]) == {"year", "flop", "low_flop", "high_flop"}
    assert "2025" <= d["target_date"] <= "2029"
    bt = trends.backtest_frame(frame, cutoff="2020-06", trend="frontier")
    by_name = {c["name"]: c for c in bt.checks}
    for name in ("GPT-4", "Gemini 1.0 Ultra"):
        assert by_name[name]["inside"], by_name[name]
        assert abs(by_name[name]["error_oom"]) < 1
    assert bt.coverage >= 0.8
    with pytest.raises(InputError, match="a backtest needs at least 3"):
        trends.backtest_frame(frame, cutoff="2010-03", trend="frontier")
    with pytest.raises(InputError, match="unknown rule"):
        trends.forecast_frame(frame, trend="biggest")


def test_cost_by_hand() -> None:
    c = economics.cost(hardware="A100 SXM4 40GB", count=1024, days=30)
    rate = economics.prices()["nvidia-a100-sxm4-40gb"]["on_demand_usd_per_hour"]
    assert c.chip_hours == 1024 * 30 * 24
    assert c.usd == pytest.approx(1024 * 30 * 24 * rate)
    assert (c.usd_low, c.usd_high) == pytest.approx((c.usd / 1.5, c.usd * 1.5))
    assert c.energy_mwh == pytest.approx(1024 * 30 * 24 * 400 * 1.2 / 1e6)
    assert c.co2_tonnes == pytest.approx(c.energy_mwh * 1000 * 0.44 / 1000)
    amortized = economics.cost(
        hardware="H100 SXM",
        chip_hours=1e6,
        pricing="amortized",
        purchase_usd=30000,
        depreciation_years=3,
    )
    assert amortized.usd == pytest.approx(1e6 * 30000 / (3 * 365.25 * 24))
    ranged = economics.cost(hardware="H100 SXM", chip_hours="1M..2M", usd_per_chip_hour=2)
    assert ranged.usd_low < ranged.usd < ranged.usd_high
    assert set(ranged.to_dict()) >= {
        "usd",
        "usd_low",
        "usd_high",
        "chip_hours",
        "energy_mwh",
        "co2_tonnes",
        "assumptions",
    }
    assert "source" in ranged.to_dict()["assumptions"]["pue"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        (dict(hardware="H100 SXM", chip_hours=1e6, usd_per_chip_hour=-2), "must be positive"),
        (dict(hardware="H100 SXM", chip_hours=1e6, pricing="free"), "use one of"),
        (dict(hardware="H100 SXM", count=8), "count with days or hours"),
        (dict(hardware="GTX 580", chip_hours=10, pricing="on-demand"), "no on-demand cloud price"),
        (dict(hardware="H100 SXM", chip_hours=1e6, pue=0), "must be positive"),
    ],
)
def test_cost_bad_input(kwargs: dict, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        economics.cost(**kwargs)


def test_price_performance_and_limits() -> None:
    rows, fit = economics.price_performance(bootstrap=200)
    assert len(rows) >= 20 and 1.1 < fit.growth_per_year < 2.0
    compute = trends.forecast_frame(dataset.load(), trend="frontier").fit
    limits = economics.limits(compute, fit)
    years = [row["year"] for row in limits]
    assert years == sorted(years) and years[0] > 2025
    # the cost formula behind the years: at the 1% year the run costs 1% of $1 trillion
    usd = economics.run_cost_usd(compute, fit, [years[0]])[0]
    assert usd == pytest.approx(0.01 * 1e12, rel=1e-6)
    with pytest.raises(InputError, match="must be positive"):
        economics.limits(compute, fit, budget_usd=-5)


def test_cli() -> None:
    r = runner.invoke(
        app, ["forecast", "--target", "1e27", "--limits", "--json", "--bootstrap", "500"]
    )
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["target_date"] and len(data["target_date_interval"]) == 2
    assert len(data["limits"]) == 3
    r = runner.invoke(app, ["forecast", "--backtest", "2020-06", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["checks"]
    r = runner.invoke(
        app, ["cost", "--hardware", "A100 SXM4 40GB", "--count", "1024", "--days", "30", "--json"]
    )
    assert r.exit_code == 0 and json.loads(r.stdout)["usd"] > 0
    for args, needle in (
        (["forecast", "--target", "1e20"], "already reached"),
        (["forecast", "--backtest", "2009"], "a backtest needs"),
        (
            ["cost", "--hardware", "H100 SXM", "--chip-hours", "1e6", "--usd-per-chip-hour", "-1"],
            "must be positive",
        ),
    ):
        r = runner.invoke(app, args)
        assert r.exit_code == 2 and needle in r.stderr and len(r.stderr.splitlines()) == 1


def test_a_backtest_reports_the_sign_of_its_errors() -> None:
    import pandas as pd

    # the trend slows after 2018: every later run falls below the earlier trend
    x = np.linspace(2010, 2024, 57)
    y = np.where(x <= 2018, 18 + 0.6 * (x - 2010), 22.8 + 0.2 * (x - 2018))
    y = y + np.tile([0.05, -0.05, 0.0], 19)
    frame = pd.DataFrame({
        "name": [f"run {i}" for i in range(len(x))], "year": x, "flop": 10**y,
        "low_flop": 10**y, "high_flop": 10**y, "in_trend": True,
        "date": [str(int(v)) for v in x],
    })  # fmt: skip
    bt = trends.backtest_frame(frame, cutoff=2018, trend="all", bootstrap=200)
    errors = [c["error_oom"] for c in bt.checks]
    assert len(errors) == (x > 2018).sum() and all(e < 0 for e in errors)
    assert bt.over_predicted == len(errors) and bt.under_predicted == 0
    # the later runs sit 0.4 OOM a year below the old trend: a median shortfall of ~1.2 OOM
    assert bt.bias_oom == pytest.approx(-0.4 * np.median(x[x > 2018] - 2018), abs=0.1)
    info = bt.to_dict()
    assert info["bias_oom"] == bt.bias_oom and info["mean_error_oom"] < 0
    assert f"over-predicted {len(errors)} of {len(errors)}" in info["summary"]
