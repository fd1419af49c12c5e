"""Every quantitative claim of "AI and Compute", recomputed from the embedded dataset.

Each claim pairs the published figure with aicompute's own computation and a stated rule for
"reproduced" (``ok``). Nothing here is typed in from the seed except the published figures.

>>> claims = reproduce()
>>> all(c.ok for c in claims), len(claims) >= 10
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aicompute.constants import FLOP_PER_PFS_DAY

__all__ = ["PUBLISHED_TRENDS", "Claim", "reproduce", "reproduce_extended"]

ERA_TOLERANCE = 2.0
"""Era ranges are checked with the seed's own accuracy: within a factor 2 of the range."""


@dataclass(frozen=True)
class Claim:
    """A published figure beside what aicompute computes, and whether they agree."""

    claim: str
    published: Any
    computed: Any
    ok: bool
    rule: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "published": self.published,
            "computed": self.computed,
            "ok": bool(self.ok),
            "rule": self.rule,
            "detail": self.detail,
        }


def _has(tag: str) -> Callable[[Any], bool]:
    return lambda tags: tag in tags


def reproduce(*, bootstrap: int = 1000, seed: int = 0) -> list[Claim]:
    """The seed's claims, each recomputed from the embedded records."""
    from aicompute import dataset, trends
    from aicompute.estimation import estimate_from

    frame = dataset.load()
    modern = frame[frame["tags"].apply(_has("seed-modern"))]
    first = frame[frame["tags"].apply(_has("seed-first-era"))]
    claims: list[Claim] = []

    fit = trends.fit_frame(modern, bootstrap=bootstrap, seed=seed)
    d = fit.doubling_months
    if d is None:
        raise ValueError("the modern-era records show no growth: no doubling time to check")
    lo, hi = fit.doubling_months_ci
    claims.append(
        Claim(
            "Doubling time of the largest training runs since 2012 (months); "
            "3.43 for the line shown",
            3.43,
            round(d, 3),
            abs(d - 3.43) < 0.05,
            "within 0.05 months of 3.43",
            f"least squares on the {fit.n} modern-era records; 90% bootstrap interval "
            f"{lo:.2f}-{hi:.2f} months",
        )
    )
    growth = trends.growth_frame(frame, "AlexNet", "AlphaGoZero")
    claims.append(
        Claim(
            "Growth from AlexNet to AlphaGo Zero",
            ">300,000x",
            round(growth.factor),
            growth.factor > 300_000,
            "more than 300,000",
            f"{growth.end_flop / FLOP_PER_PFS_DAY:.4g} / "
            f"{growth.start_flop / FLOP_PER_PFS_DAY:.4g} pfs-days over {growth.years:.2f} years",
        )
    )
    g = fit.growth_per_year
    claims.append(
        Claim(
            "Growth per year of the trend",
            "roughly 10x",
            round(g, 2),
            10 / 1.5 <= g <= 10 * 1.5,
            "within a factor 1.5 of 10",
            f"10^{fit.slope:.3f} per year",
        )
    )
    for months, published, label in ((24.0, 7, "2-year"), (18.0, 12, "18-month")):
        value = growth.moore_factor(months)
        claims.append(
            Claim(
                f"A {label} doubling over the same span (Moore's law) would give",
                f"{published}x",
                round(value, 2),
                abs(value / published - 1) <= 0.15,
                f"within 15% of {published}",
                f"2^({growth.years:.2f} years / {months / 12:g})",
            )
        )
    first_fit = trends.fit_frame(first, bootstrap=bootstrap, seed=seed)
    fd = first_fit.doubling_months or math.inf
    claims.append(
        Claim(
            "First-era doubling time, 1959-2012 (months)",
            "~24 (2 years)",
            round(fd, 2),
            18 <= fd <= 30,
            "between 18 and 30 months (about two years)",
            f"least squares on the {first_fit.n} first-era records",
        )
    )
    eras = trends.eras_frame(frame[frame["tags"].apply(_has("seed"))], bootstrap=200, seed=seed)
    brk = eras.break_year
    ci = eras.break_ci
    claims.append(
        Claim(
            "Two distinct eras, the second starting in ~2012",
            2012,
            None if brk is None else round(brk, 2),
            brk is not None and abs(brk - 2012) <= 1.5,
            "a break is detected within 1.5 years of 2012",
            f"model chosen by BIC: {eras.model}"
            + (f"; 90% bootstrap interval {ci[0]:.2f}-{ci[1]:.2f}" if ci else ""),
        )
    )
    if brk is not None and len(eras.segments) == 2:
        late = eras.segments[1].doubling_months or math.inf
        claims.append(
            Claim(
                "Doubling time after the break, two-eras view (months)",
                3.4,
                round(late, 2),
                abs(late - 3.4) <= 0.5,
                "within 0.5 months of 3.4",
                f"fit on the {eras.segments[1].n} records after the detected break",
            )
        )
    for (start, end), (low, high), text in (
        ((2012, 2014), (0.001, 0.1), "2012 to 2014: most results 0.001-0.1 pfs-days"),
        ((2014, 2016), (0.1, 10.0), "2014 to 2016: large-scale results 0.1-10 pfs-days"),
    ):
        era = modern[(modern["year"] >= start) & (modern["year"] < end)]
        inside = era[
            (era["pfs_days"] >= low / ERA_TOLERANCE) & (era["pfs_days"] <= high * ERA_TOLERANCE)
        ]
        outside = sorted(set(era["name"]) - set(inside["name"]))
        claims.append(
            Claim(
                text,
                f"{low:g}-{high:g} pfs-days",
                f"{len(inside)} of {len(era)} records",
                len(era) > 0 and len(inside) > len(era) / 2,
                "most of the era's records within the range (factor-2 tolerance)",
                "outside: " + ", ".join(outside) if outside else "all inside",
            )
        )
    alexnet = next(r for r in dataset.read_embedded().records if r.name == "AlexNet")
    inputs = {k: v for e in alexnet.estimates for k, v in e.inputs.items()}
    both = estimate_from(inputs)
    ops = both.by_method("operations")
    hw = both.by_method("hardware")
    assert ops is not None and hw is not None
    claims.append(
        Claim(
            "AlexNet, counting operations vs GPU time (pfs-days)",
            [0.0054, 0.0058],
            [round(ops.pfs_days, 5), round(hw.pfs_days, 5)],
            abs(ops.pfs_days / 0.0054 - 1) <= 0.06 and abs(hw.pfs_days / 0.0058 - 1) <= 0.06,
            "each within 6% (the seed's rounding)",
            f"from the record's stored inputs; ratio {both.agreement_ratio:.2f} "
            "(the seed's 486 PF by counting is printed as 470 PF)",
        )
    )
    return claims


PUBLISHED_TRENDS = {
    "sevilla_pre_dl": (
        "Sevilla et al. 2022, pre-deep-learning era (1952-2010)",
        20.0,
        (17.0, 29.0),
        "https://arxiv.org/abs/2202.05924",
    ),
    "sevilla_dl": (
        "Sevilla et al. 2022, deep learning era (2010-2022)",
        6.0,
        (4.0, 9.0),
        "https://arxiv.org/abs/2202.05924",
    ),
    "sevilla_large": (
        "Sevilla et al. 2022, large-scale era (late 2015-2022)",
        10.0,
        (7.0, 14.0),
        "https://arxiv.org/abs/2202.05924",
    ),
    "epoch_2024": (
        "Epoch AI 2024, notable and frontier models since 2010: 4-5x per year",
        5.6,
        (5.2, 6.0),
        "https://epoch.ai/blog/training-compute-of-frontier-ai-models-grows-by-4-5x-per-year",
    ),
}
"""Published doubling times in months (central, range); Epoch's 4-5x per year is 6.0-5.2
months."""


def reproduce_extended(frame=None, *, bootstrap: int = 1000, seed: int = 0) -> list[Claim]:
    """The trends of the present data (embedded by default) beside Sevilla et al. (2022) and
    Epoch AI (2024): the first era, the deep-learning era from 2010, the large-scale era, and
    the frontier. ``ok`` says whether the published figure lies in aicompute's 90% interval."""
    import numpy as np

    from aicompute import dataset, trends
    from aicompute.errors import InputError

    frame = dataset.load() if frame is None else frame
    rows = trends.trend_rows(frame)
    claims: list[Claim] = []

    def add(key: str, label: str, chosen, how: str) -> None:
        title, central, (low, high), url = PUBLISHED_TRENDS[key]
        try:
            fit = trends.fit_frame(chosen, bootstrap=bootstrap, seed=seed)
        except InputError as error:
            claims.append(
                Claim(
                    f"{label}: doubling time (months)",
                    f"{central:g} ({low:g}-{high:g}): {title}",
                    None,
                    False,
                    "needs at least 3 records",
                    f"{how}; {error.message}",
                )
            )
            return
        lo, hi = fit.doubling_months_ci
        hi_value = math.inf if hi is None else hi
        overlap = (lo or 0) <= high and low <= hi_value
        computed = round(fit.doubling_months or math.inf, 2)
        claims.append(
            Claim(
                f"{label}: doubling time (months)",
                f"{central:g} ({low:g}-{high:g}): {title}",
                computed,
                overlap,
                "the published range overlaps aicompute's 90% interval",
                f"{how}; {fit.n} records {fit.to_dict()['since'][:4]}-"
                f"{fit.to_dict()['until'][:4]}; 90% interval {lo:.2f}-"
                f"{'inf' if hi is None else f'{hi:.2f}'} months; "
                f"{fit.growth_per_year:.2f}x per year; source {url}",
            )
        )

    add(
        "sevilla_pre_dl",
        "First era",
        rows[rows["year"] < 2010],
        "all records published before 2010",
    )
    modern = rows[rows["year"] >= 2010]
    add("sevilla_dl", "Deep-learning era", modern, "all records from 2010")
    deep = trends.fit_frame(modern, bootstrap=0)
    residual = np.log10(modern["flop"].to_numpy()) - deep.predict_log10(modern["year"].to_numpy())
    large = modern[(modern["year"] >= 2015.75) & (residual >= 1.0)]
    add(
        "sevilla_large",
        "Large-scale era",
        large,
        "records from late 2015 at least one order of magnitude above the deep-learning-era trend",
    )
    add(
        "epoch_2024",
        "Frontier (top-10 at publication)",
        trends.frontier(modern, "top-10"),
        "records that were among the ten largest known at publication, from 2010",
    )
    return claims
