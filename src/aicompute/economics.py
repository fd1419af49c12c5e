"""What training runs cost: money, energy and CO2, and how price-performance evolves.

Every default is an input with its source; any number may be a range, carried to the result's
90% interval like an estimate's.

>>> c = cost(hardware="A100 SXM4 40GB", count=1024, days=30)
>>> round(c.chip_hours), round(c.usd / 1e6, 2), c.pricing
(737280, 2.51, 'cloud on-demand')
"""

from __future__ import annotations

import csv
import functools
import io
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from aicompute.constants import MAX_NAME_CHARS, SECONDS_PER_DAY, SECONDS_PER_HOUR
from aicompute.errors import InputError
from aicompute.estimation.inputs import FIELDS
from aicompute.estimation.result import as_positive
from aicompute.uncertainty import Range, Spread, product_interval

if TYPE_CHECKING:
    from aicompute.trends.fit import Fit

__all__ = [
    "DEFAULTS",
    "PRICES_CREDIT",
    "CostResult",
    "cost",
    "cost_curve",
    "cost_points",
    "limits",
    "price_performance",
    "prices",
]

PRICES_CREDIT = (
    "Hardware prices: Epoch AI, 'Hardware prices' table (CC BY 4.0), "
    "https://epoch.ai/data/machine-learning-hardware; medians of its quotes"
)

DEFAULTS: dict[str, tuple[float, str]] = {
    "pue": (
        1.2,
        "power usage effectiveness of a modern hyperscale data centre (Google reports "
        "about 1.1, the Uptime Institute's 2023 industry average is 1.58): "
        "https://uptimeinstitute.com/resources/research-and-reports/uptime-institute-"
        "global-data-center-survey-results-2023",
    ),
    "electricity_usd_per_kwh": (
        0.08,
        "US industrial electricity, about 8 cents per kWh in "
        "2023-2024 (EIA Electric Power Monthly, table 5.6.A): "
        "https://www.eia.gov/electricity/monthly/",
    ),
    "kg_co2_per_kwh": (
        0.44,
        "world average grid carbon intensity, about 440 g CO2 per kWh in "
        "2023 (IEA / Ember): https://ember-energy.org/data/",
    ),
    "depreciation_years": (
        4.0,
        "accelerators written off over about 4 years (a common "
        "assumption; Epoch AI's training-cost analyses use 4 years)",
    ),
    "world_hardware_budget_usd": (
        1e12,
        "the seed's 'world's total hardware budget is 1 trillion "
        "dollars a year': https://openai.com/blog/ai-and-"
        "compute/",
    ),
}
"""Default inputs and where each comes from."""

PRICINGS = ("on-demand", "committed-1y", "committed-3y", "amortized")
PRICE_SPREAD = 1.5
"""Default 90% interval (×/÷) of a cost when no input is a range: cloud quotes for one chip
differ by about this much across providers and dates."""


TEXT_COLUMNS = frozenset({"key", "cloud_source", "purchase_source", "first_date", "last_date"})


@functools.lru_cache(maxsize=1)
def prices() -> dict[str, dict[str, Any]]:
    """Price quotes by catalog key (see ``hardware/prices.csv``)."""
    text = resources.files("aicompute.hardware").joinpath("prices.csv").read_text("utf-8")
    out = {}
    for row in csv.DictReader(io.StringIO(text)):
        out[row["key"]] = {
            k: (float(v) if v and k not in TEXT_COLUMNS else v or None) for k, v in row.items()
        }
    return out


@dataclass(frozen=True)
class CostResult:
    """The cost of one training run, with its assumptions."""

    usd: float
    usd_low: float
    usd_high: float
    chip_hours: float
    energy_mwh: float
    co2_tonnes: float
    pricing: str
    usd_per_chip_hour: float
    assumptions: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "usd": self.usd,
            "usd_low": self.usd_low,
            "usd_high": self.usd_high,
            "chip_hours": self.chip_hours,
            "energy_mwh": self.energy_mwh,
            "co2_tonnes": self.co2_tonnes,
            "pricing": self.pricing,
            "usd_per_chip_hour": self.usd_per_chip_hour,
            "assumptions": self.assumptions,
            "notes": list(self.notes),
        }


def cost(
    *,
    hardware: str,
    count: object = None,
    days: object = None,
    hours: object = None,
    chip_hours: object = None,
    pricing: str = "on-demand",
    usd_per_chip_hour: object = None,
    purchase_usd: object = None,
    depreciation_years: object = None,
    tdp_w: object = None,
    pue: object = None,
    electricity_usd_per_kwh: object = None,
    kg_co2_per_kwh: object = None,
    include_energy: bool = False,
) -> CostResult:
    """The cost of ``count`` chips for ``days``/``hours`` (or ``chip_hours``).

    ``pricing`` is ``on-demand``, ``committed-1y``, ``committed-3y`` (cloud prices per
    chip-hour) or ``amortized`` (purchase price spread over the depreciation period); a given
    ``usd_per_chip_hour`` overrides the table. Energy (TDP × PUE × hours) and CO2 are always
    reported; ``include_energy`` adds the electricity to the dollars (cloud prices already
    include it).
    """
    from aicompute.hardware import get

    if not isinstance(hardware, str) or len(hardware) > MAX_NAME_CHARS:
        shown = f"{len(hardware):,} characters" if isinstance(hardware, str) else repr(hardware)
        raise InputError(
            "hardware",
            f"must be a chip's name of at most {MAX_NAME_CHARS} characters, got {shown:.60}",
        )
    acc = get(hardware)
    if pricing not in PRICINGS:
        raise InputError("pricing", f"use one of {', '.join(PRICINGS)}")
    hours_total = _chip_hours(count, days, hours, chip_hours)
    assumptions: dict[str, Any] = {"hardware": acc.name, "pricing": pricing}
    notes: list[str] = []
    rate, label = _rate(
        acc, pricing, usd_per_chip_hour, purchase_usd, depreciation_years, assumptions, notes
    )
    interval = product_interval(
        {"chip_hours": hours_total, "rate": rate},
        spreads=[Spread("price quotes vary", PRICE_SPREAD, "a judgement")],
    )
    energy_mwh, co2_t, electricity = _energy(
        acc, hours_total, tdp_w, pue, electricity_usd_per_kwh, kg_co2_per_kwh, assumptions, notes
    )
    if include_energy and electricity:
        interval = type(interval)(
            interval.central + electricity,
            interval.low + electricity,
            interval.high + electricity,
            interval.basis,
            interval.how,
        )
        notes.append(f"electricity added: ${electricity:,.0f}")
    notes.append(f"interval: {interval.basis}")
    return CostResult(
        usd=interval.central,
        usd_low=interval.low,
        usd_high=interval.high,
        chip_hours=hours_total.central,
        energy_mwh=energy_mwh,
        co2_tonnes=co2_t,
        pricing=label,
        usd_per_chip_hour=rate.central,
        assumptions=assumptions,
        notes=tuple(notes),
    )


def _chip_hours(count: object, days: object, hours: object, chip_hours: object) -> Range:
    """Chip-hours from ``chip_hours`` alone, or ``count`` with ``days`` or ``hours``."""
    if chip_hours is not None:
        if count is not None or days is not None or hours is not None:
            raise InputError("chip_hours", "give chip_hours alone, or count with days/hours")
        return FIELDS["chip_hours"].read(chip_hours)
    if count is None or (days is None and hours is None):
        raise InputError("count", "cost needs count with days or hours, or chip_hours")
    if days is not None and hours is not None:
        raise InputError("hours", "give days or hours, not both")
    n = FIELDS["count"].read(count)
    span = FIELDS["days"].read(days) if days is not None else FIELDS["hours"].read(hours)
    return Range(n.low * span.low / SECONDS_PER_HOUR, n.high * span.high / SECONDS_PER_HOUR)


def _rate(
    acc: Any,
    pricing: str,
    usd_per_chip_hour: object,
    purchase_usd: object,
    depreciation_years: object,
    assumptions: dict[str, Any],
    notes: list[str],
) -> tuple[Range, str]:
    """Dollars per chip-hour and what they are: given, an amortized purchase, or the cloud
    price table; the assumptions and notes say where each figure came from."""
    quote = prices().get(acc.key, {})
    if usd_per_chip_hour is not None:
        rate = as_positive(usd_per_chip_hour, "number", "usd_per_chip_hour")
        assumptions["usd_per_chip_hour"] = {"value": rate.to_json(), "source": "given"}
        return rate, "given price per chip-hour"
    if pricing == "amortized":
        price = (
            as_positive(purchase_usd, "number", "purchase_usd")
            if purchase_usd is not None
            else _table(quote, "purchase_usd") or _launch(acc)
        )
        years = (
            as_positive(depreciation_years, "number", "depreciation_years")
            if depreciation_years is not None
            else Range.point(DEFAULTS["depreciation_years"][0])
        )
        rate = Range(price.low / (years.high * 365.25 * 24), price.high / (years.low * 365.25 * 24))
        assumptions["purchase_usd"] = {
            "value": price.to_json(),
            "source": quote.get("purchase_source") or acc.price_source,
        }
        assumptions["depreciation_years"] = {
            "value": years.to_json(),
            "source": (
                "given" if depreciation_years is not None else DEFAULTS["depreciation_years"][1]
            ),
        }
        notes.append(
            "amortized purchase price only: hosting, networking and staff are not included"
        )
        return rate, "amortized purchase"
    column = {
        "on-demand": "on_demand_usd_per_hour",
        "committed-1y": "committed_1y_usd_per_hour",
        "committed-3y": "committed_3y_usd_per_hour",
    }[pricing]
    listed = _table(quote, column)
    if listed is None:
        raise InputError(
            "usd_per_chip_hour",
            f"no {pricing} cloud price for {acc.name} in "
            "the table; give `usd_per_chip_hour`, or `pricing` amortized",
        )
    assumptions["usd_per_chip_hour"] = {
        "value": listed.to_json(),
        "source": (
            f"median of {int(quote.get('quotes') or 0)} quotes {quote.get('first_date')} to "
            f"{quote.get('last_date')}, newest {quote.get('cloud_source')}; {PRICES_CREDIT}"
        ),
    }
    return listed, f"cloud {pricing}"


def _energy(
    acc: Any,
    hours_total: Range,
    tdp_w: object,
    pue: object,
    electricity_usd_per_kwh: object,
    kg_co2_per_kwh: object,
    assumptions: dict[str, Any],
    notes: list[str],
) -> tuple[float, float, float]:
    """Energy (MWh), CO2 (tonnes) and the electricity bill (dollars) of the chip-hours, from
    the chip's TDP and the PUE; zeros, with a note, when the TDP is unknown."""
    watts = (
        as_positive(tdp_w, "number", "tdp_w")
        if tdp_w is not None
        else Range.point(acc.tdp_w)
        if acc.tdp_w
        else None
    )
    pue_r = _default(pue, "pue", assumptions)
    price_kwh = _default(electricity_usd_per_kwh, "electricity_usd_per_kwh", assumptions)
    co2 = _default(kg_co2_per_kwh, "kg_co2_per_kwh", assumptions)
    if watts is None:
        notes.append(
            f"{acc.name} has no TDP in the catalog: energy and CO2 not computed; give `tdp_w`"
        )
        return 0.0, 0.0, 0.0
    assumptions["tdp_w"] = {
        "value": watts.to_json(),
        "source": "given" if tdp_w is not None else acc.spec_source,
    }
    energy_kwh = hours_total.central * watts.central * pue_r.central / 1000
    return energy_kwh / 1000, energy_kwh * co2.central / 1000, energy_kwh * price_kwh.central


def _table(quote: dict[str, Any], column: str) -> Range | None:
    value = quote.get(column)
    return Range.point(float(value)) if value else None


def _launch(acc: Any) -> Range:
    if not acc.launch_price_usd:
        raise InputError(
            "purchase_usd", f"no purchase price known for {acc.name}; give `purchase_usd`"
        )
    return Range.point(acc.launch_price_usd)


def _default(value: object, name: str, assumptions: dict[str, Any]) -> Range:
    if value is not None:
        r = as_positive(value, "number", name)
        assumptions[name] = {"value": r.to_json(), "source": "given"}
        return r
    default, source = DEFAULTS[name]
    assumptions[name] = {"value": default, "source": source}
    return Range.point(default)


# --- price-performance and limits --------------------------------------------------------------


def price_performance(
    *, kind: str | None = "gpu", bootstrap: int = 1000, seed: int = 0
) -> tuple[list[dict[str, Any]], Fit]:
    """Peak FLOP/s per launch dollar of the catalog's accelerators, fitted against release
    date (default precision: tensor FP16/BF16, else TF32, else FP32). Returns (rows, fit)."""
    from aicompute.dataset.record import parse_date
    from aicompute.hardware import all_accelerators
    from aicompute.trends import fit_trend

    rows: list[dict[str, Any]] = []
    for acc in all_accelerators():
        if not acc.launch_price_usd or not acc.release_date or (kind and acc.kind != kind):
            continue
        peak, column = acc.peak_flops()
        rows.append(
            {
                "name": acc.name,
                "year": parse_date(acc.release_date)[2],
                "flops_per_usd": peak / acc.launch_price_usd,
                "precision": column,
            }
        )
    fit = fit_trend(
        [r["year"] for r in rows],
        [r["flops_per_usd"] for r in rows],
        bootstrap=bootstrap,
        seed=seed,
        names=tuple(r["name"] for r in rows),
    )
    return rows, fit


def run_cost_usd(
    compute_fit: Any,
    price_fit: Any,
    years: Any,
    *,
    utilization: float = 0.4,
    run_days: float = 100.0,
) -> list[float]:
    """Hardware dollars for the trend's largest run in each year: FLOP / (FLOP/s per dollar ×
    utilization × run length), from the two fitted trends."""
    seconds = run_days * SECONDS_PER_DAY
    return [
        float(
            10 ** (compute_fit.predict_log10(y) - price_fit.predict_log10(y))
            / (utilization * seconds)
        )
        for y in years
    ]


def cost_curve(
    compute_fit: Any,
    price_fit: Any,
    until: int = 2030,
    *,
    since: float | None = None,
    utilization: float = 0.4,
    run_days: float = 100.0,
) -> list[dict[str, float]]:
    """The rows of the cost chart: ``{"year", "usd", "usd_low", "usd_high"}`` at mid-year from
    ``since`` (the compute trend's first year by default) to ``until``, priced by
    :func:`run_cost_usd`. The band moves each fitted slope across its 90% interval about the
    fit's own centre year and adds the two shifts of log10(cost) in quadrature (the slopes are
    fitted to independent data)."""
    first = int(compute_fit.since if since is None else since)
    years = [y + 0.5 for y in range(first, until + 1)]
    costs = run_cost_usd(compute_fit, price_fit, years, utilization=utilization, run_days=run_days)
    rows = []
    for year, usd in zip(years, costs, strict=True):
        up_c, down_c = _slope_shifts(compute_fit, year)
        up_p, down_p = _slope_shifts(price_fit, year)
        # dollars = compute / price-performance: the price fit's upward shift lowers the cost
        up, down = math.hypot(up_c, down_p), math.hypot(down_c, up_p)
        rows.append({"year": year, "usd": usd, "usd_low": usd / 10**down, "usd_high": usd * 10**up})
    return rows


def _slope_shifts(fit: Any, year: float) -> tuple[float, float]:
    """How far up and down (orders of magnitude, both ≥ 0) the fitted line moves at ``year``
    when its slope runs across its interval, pivoting on the fit's centre year."""
    shifts = [(s - fit.slope) * (year - fit.centre) for s in fit.slope_ci]
    return max(0.0, *shifts), max(0.0, *(-v for v in shifts))


def cost_points(
    rows: Any,
    price_fit: Any,
    *,
    utilization: float = 0.4,
    run_days: float = 100.0,
) -> list[dict[str, Any]]:
    """The implied hardware cost of each record with compute in ``rows`` (a records frame):
    its FLOP priced at the price-performance trend at its date, as :func:`run_cost_usd` prices
    the trend's run: FLOP / (FLOP/s per dollar × utilization × run seconds)."""
    seconds = run_days * SECONDS_PER_DAY
    out = []
    for r in rows[rows["flop"].notna()].itertuples():
        per_usd = 10 ** float(price_fit.predict_log10(float(r.year)))
        out.append(
            {
                "name": r.name,
                "year": float(r.year),
                "date_text": r.date,
                "flop": float(r.flop),
                "usd": float(r.flop) / (per_usd * utilization * seconds),
            }
        )
    return out


def limits(
    compute_fit: Any,
    price_fit: Any,
    *,
    budget_usd: float | None = None,
    fractions: tuple[float, ...] = (0.01, 0.1, 1.0),
    utilization: float = 0.4,
    run_days: float = 100.0,
) -> list[dict[str, Any]]:
    """The year the largest run's hardware would cost each fraction of the world's annual
    hardware budget, at the fitted compute growth and the fitted price-performance trend
    (cost as in :func:`run_cost_usd`)."""
    budget = budget_usd if budget_usd is not None else DEFAULTS["world_hardware_budget_usd"][0]
    if not budget > 0:
        raise InputError("budget_usd", "must be positive")
    growth = compute_fit.slope - price_fit.slope  # orders of magnitude of dollars per year
    t0 = compute_fit.centre
    cost0 = math.log10(
        run_cost_usd(compute_fit, price_fit, [t0], utilization=utilization, run_days=run_days)[0]
    )
    out = []
    for fraction in fractions:
        target = math.log10(budget * fraction)
        year = t0 + (target - cost0) / growth if growth > 0 else None
        out.append(
            {
                "fraction": fraction,
                "usd": budget * fraction,
                "year": None if year is None else float(year),
                "assumptions": {
                    "utilization": utilization,
                    "run_days": run_days,
                    "budget_usd": budget,
                    "compute_growth_per_year": 10**compute_fit.slope,
                    "price_performance_growth_per_year": 10**price_fit.slope,
                },
            }
        )
    return out
