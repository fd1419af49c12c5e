"""Trend fits, intervals, selections, frontiers, eras and growth, against independent numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aicompute import InputError, dataset, trends
from tests.conftest import EPOCH, needs_shared


def synthetic(slope: float, n: int = 60, noise: float = 0.3, seed: int = 3):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(2010, 2020, n))
    y = 18 + slope * (x - 2015) + rng.normal(0, noise, n)
    return x, 10**y


def test_exact_exponential_is_recovered() -> None:
    x = np.linspace(2000, 2010, 11)
    fit = trends.fit_trend(x, 1e15 * 2 ** ((x - 2000) * 12 / 6), bootstrap=200)
    assert fit.doubling_months == pytest.approx(6.0)
    assert fit.growth_per_year == pytest.approx(4.0)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.doubling_months_ci == pytest.approx((6.0, 6.0))


@needs_shared
def test_epoch_fit_matches_numpy_polyfit_and_scipy() -> None:
    frame = trends.select(dataset.load([EPOCH]), since="2010")
    rows = trends.trend_rows(frame)
    x, y = rows["year"].to_numpy(), np.log10(rows["flop"].to_numpy())
    fit = trends.fit_frame(frame, bootstrap=0)
    slope, _ = np.polyfit(x, y, 1)
    reg = stats.linregress(x, y)
    assert fit.n == len(x) > 400
    assert fit.slope == pytest.approx(slope, rel=1e-9)
    assert fit.r2 == pytest.approx(reg.rvalue**2, rel=1e-9)
    half = stats.t.ppf(0.95, len(x) - 2) * reg.stderr
    assert fit.slope_ci_analytic == pytest.approx((reg.slope - half, reg.slope + half), rel=1e-9)
    assert fit.predict_log10(2020.0) == pytest.approx(reg.intercept + reg.slope * 2020.0)


def test_bootstrap_is_reproducible_and_equals_a_naive_loop() -> None:
    x, f = synthetic(0.6, n=40)
    a = trends.fit_trend(x, f, bootstrap=500, seed=7)
    b = trends.fit_trend(x, f, bootstrap=500, seed=7)
    c = trends.fit_trend(x, f, bootstrap=500, seed=8)
    assert a.slope_ci == b.slope_ci and a.slope_ci != c.slope_ci
    # the same resamples, fitted one at a time with numpy
    rng = np.random.default_rng(7)
    idx = rng.integers(0, len(x), size=(500, len(x)))
    y = np.log10(f)
    naive = np.array([np.polyfit(x[i], y[i], 1)[0] for i in idx])
    assert a.slope_ci == pytest.approx(tuple(np.quantile(naive, [0.05, 0.95])), rel=1e-9)


def test_bootstrap_covers_the_true_slope() -> None:
    hits = 0
    for seed in range(40):
        x, f = synthetic(0.5, n=50, seed=seed)
        lo, hi = trends.fit_trend(x, f, bootstrap=400, seed=seed).slope_ci
        hits += lo <= 0.5 <= hi
    assert 30 <= hits <= 40  # about 90% of 40


def test_doubling_interval_comes_from_the_slope_interval() -> None:
    x, f = synthetic(0.4, n=30)
    fit = trends.fit_trend(x, f, bootstrap=300)
    lo, hi = fit.doubling_months_ci
    s_lo, s_hi = fit.slope_ci
    assert lo == pytest.approx(12 * math.log10(2) / s_hi)
    assert hi == pytest.approx(12 * math.log10(2) / s_lo)
    assert lo < fit.doubling_months < hi
    g_lo, g_hi = fit.growth_per_year_ci
    assert g_lo < fit.growth_per_year < g_hi
    flat = trends.fit_trend(*synthetic(0.0, n=30, noise=1.0), bootstrap=300)
    assert flat.slope_ci[0] < 0 < flat.slope_ci[1]
    assert flat.doubling_months_ci[1] is None  # not significantly growing: unbounded


def test_point_uncertainty_widens_the_interval() -> None:
    x, f = synthetic(0.5, n=30, noise=0.1)
    plain = trends.fit_trend(x, f, bootstrap=1000)
    wide = trends.fit_trend(x, f, bootstrap=1000, low_flop=f / 30, high_flop=f * 30)
    assert wide.point_uncertainty
    assert np.diff(wide.slope_ci)[0] > 1.5 * np.diff(plain.slope_ci)[0]


def test_too_few_points_is_a_clear_error(seed_frame) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="at least 3 records"):
        trends.fit_trend([2010, 2011], [1e10, 1e11])
    with pytest.raises(InputError, match="same date"):
        trends.fit_trend([2010, 2010, 2010], [1e10, 1e11, 1e12])
    empty = trends.select(seed_frame, since="2020")
    with pytest.raises(InputError, match="this selection has 0"):
        trends.fit_frame(empty)


def frame_of(names, years, flops):  # type: ignore[no-untyped-def]
    return pd.DataFrame(
        {
            "name": names,
            "id": names,
            "year": years,
            "flop": flops,
            "domain": "Vision",
            "confidence": "confident",
        }
    )


def test_select_dates_domains_confidence(seed_frame) -> None:  # type: ignore[no-untyped-def]
    frame = seed_frame
    sel = trends.select(frame, since="2012", until="2014")
    assert sel["year"].between(2012, 2015).all()
    assert "Dropout" in set(sel.name) and "Seq2Seq" in set(sel.name)
    assert "ResNets" not in set(sel.name)
    june = trends.select(frame, since="2012-06", until="2012-07")
    assert list(june.name) == ["Dropout"]  # 2012-07-02
    games = trends.select(frame, domain="games")
    assert set(games.domain) == {"Games"}
    assert set(trends.select(frame, confidence="likely").confidence) == {"likely"}
    with pytest.raises(InputError, match="unknown domain 'Cooking'"):
        trends.select(frame, domain="Cooking")
    with pytest.raises(InputError, match="not a calendar date"):
        trends.select(frame, since="2012-02-30")
    with pytest.raises(InputError, match="since 2016 is after until 2014"):
        trends.select(frame, since="2016", until="2014")


def test_frontier_rules_by_hand() -> None:
    f = frame_of(list("abcdefg"), [1, 2, 3, 4, 5, 6, 7], [10, 5, 20, 15, 30, 1, 25])
    assert list(trends.frontier(f, "record").name) == ["a", "c", "e"]
    # top-2 at publication: a (1st), b (2nd), c (1st), d (2nd: 20,15), e, f no (1 < 20), g (2nd)
    assert list(trends.frontier(f, "top-2").name) == ["a", "b", "c", "d", "e", "g"]
    assert list(trends.frontier(f, "top-1").name) == ["a", "c", "e"]
    above = trends.frontier(f, "residual")
    fit = trends.fit_trend(f.year, f.flop, bootstrap=0)
    expected = f[np.log10(f.flop) >= fit.predict_log10(f.year.to_numpy())]
    assert list(above.name) == list(expected.name)
    assert len(trends.frontier(f, "residual:5")) == 0
    with pytest.raises(InputError, match="unknown rule"):
        trends.frontier(f, "biggest")


def test_kink_jump_and_line_are_told_apart() -> None:
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(1990, 2020, 120))
    kink = np.where(x < 2010, 0.2 * (x - 2010), 0.8 * (x - 2010)) + 18
    eras = trends.detect_eras(x, 10 ** (kink + rng.normal(0, 0.2, x.size)), bootstrap=100)
    assert eras.model == "kink"
    assert eras.break_year == pytest.approx(2010, abs=0.7)
    assert eras.break_ci[0] <= 2010 <= eras.break_ci[1]
    assert eras.segments[0].slope == pytest.approx(0.2, abs=0.05)
    assert eras.segments[1].slope == pytest.approx(0.8, abs=0.1)
    jump = np.where(x < 2005, 12 + 0.3 * (x - 2005), 15 + 0.3 * (x - 2005))
    eras = trends.detect_eras(x, 10 ** (jump + rng.normal(0, 0.2, x.size)), bootstrap=50)
    assert eras.model == "jump" and eras.break_year == pytest.approx(2005, abs=0.5)
    line = 15 + 0.3 * (x - 2005) + rng.normal(0, 0.2, x.size)
    eras = trends.detect_eras(x, 10**line, bootstrap=50)
    assert eras.model == "line" and eras.break_year is None and len(eras.segments) == 1


def test_break_search_matches_brute_force() -> None:
    """The closed-form search equals fitting every candidate with numpy."""
    from aicompute.trends.eras import search_break

    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(0, 10, 40))
    y = np.where(x < 4, x * 0.2, 0.8 + (x - 4) * 1.1) + rng.normal(0, 0.3, 40)
    found = search_break(x, y, 5)
    best_jump = best_kink = (math.inf, None)
    for k in range(5, 36):
        tau = (x[k - 1] + x[k]) / 2
        rss = sum(
            np.sum((np.polyval(np.polyfit(xs, ys, 1), xs) - ys) ** 2)
            for xs, ys in ((x[:k], y[:k]), (x[k:], y[k:]))
        )
        best_jump = min(best_jump, (rss, tau))
        design = np.column_stack([np.ones_like(x), x, np.maximum(0, x - tau)])
        _, res, *_ = np.linalg.lstsq(design, y, rcond=None)
        best_kink = min(best_kink, (float(res[0]), tau))
    assert found.rss["jump"] == pytest.approx(best_jump[0], rel=1e-6)
    assert found.breaks["jump"] == pytest.approx(best_jump[1])
    assert found.rss["kink"] == pytest.approx(best_kink[0], rel=1e-6)
    assert found.breaks["kink"] == pytest.approx(best_kink[1])


def test_seed_eras_break_near_2012() -> None:
    frame = dataset.load()
    seed_rows = frame[frame.tags.apply(lambda t: "seed" in t)]
    eras = trends.eras_frame(seed_rows, bootstrap=200)
    assert eras.model in {"kink", "jump"}
    assert 2010.5 <= eras.break_year <= 2012.5
    first, modern = eras.segments
    assert 18 <= first.doubling_months <= 26
    assert 3.0 <= modern.doubling_months <= 3.8
    with pytest.raises(InputError, match="at least 10 records"):
        trends.eras_frame(seed_rows.head(8))


def test_growth_alexnet_to_alphago_zero() -> None:
    g = trends.growth_frame(dataset.load(), "alexnet", "AlphaGoZero")
    assert g.factor == pytest.approx(1891.2 / 0.005887, rel=1e-3)
    assert g.years == pytest.approx(2017.7945 - 2012.4126, abs=0.01)
    assert g.moore_factor(24) == pytest.approx(2 ** (g.years / 2))
    assert g.moore_factor(18) == pytest.approx(2 ** (g.years / 1.5))
    with pytest.raises(InputError, match="no record named"):
        trends.growth_frame(dataset.load(), "AlexNet", "Skynet")


def _frame(x: np.ndarray, y: np.ndarray):  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.DataFrame({
        "name": [f"run {i}" for i in range(len(x))], "year": x, "flop": 10**y,
        "low_flop": 10**y, "high_flop": 10**y, "in_trend": True,
    })  # fmt: skip


def test_a_fit_across_a_break_warns_and_names_the_break() -> None:
    from aicompute.trends.eras import break_in, checked_fit

    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(1980, 2020, 120))
    true_break = 2005.0
    y = 15 + np.where(x < true_break, 0.1 * (x - true_break), 0.6 * (x - true_break))
    y = y + rng.normal(0, 0.3, len(x))
    frame = _frame(x, y)
    found = break_in(frame)
    assert found is not None and abs(found.year - true_break) < 1.5
    assert found.before + found.after == 120
    fit = checked_fit(frame, bootstrap=0)
    assert len(fit.warnings) == 1 and f"`since` {found.date}" in fit.warnings[0]
    # each era alone: no warning
    later = frame[frame["year"] >= found.year]
    assert break_in(later) is None and checked_fit(later, bootstrap=0).warnings == ()


def test_one_straight_line_does_not_warn() -> None:
    from aicompute.trends.eras import break_in

    for seed in range(10):  # noise alone must not pass the BIC threshold
        rng = np.random.default_rng(seed)
        x = np.sort(rng.uniform(2010, 2025, 150))
        y = 18 + 0.6 * (x - 2010) + rng.normal(0, 0.5, len(x))
        assert break_in(_frame(x, y)) is None, seed
    assert break_in(_frame(np.array([2010.0, 2011, 2012]), np.array([18.0, 19, 20]))) is None


def test_the_dataset_today_is_fitted_since_its_break() -> None:
    a = trends.analyze(dataset.load(), bootstrap=0)
    assert a.eras is not None and a.recent_since == a.eras.to_dict()["break"]
    assert a.recent_fit is not None and a.recent_fit.warnings == ()
    assert a.all_fit.warnings and a.recent_fit.n == len(a.recent)
    # today's trend is Sevilla et al.'s deep-learning era (6 months, 4-9) in this dataset
    assert 4 < a.recent_fit.doubling_months < 9
    assert a.frontier_fit is not None and a.frontier_fit.since >= 2010
    for domain, fit in a.domain_fits.items():
        assert fit.n >= 10, domain
    assert all(n < 10 for n in a.domain_skipped.values())
    assert set(a.domain_fits) | set(a.domain_skipped) == set(a.recent["domain"])
