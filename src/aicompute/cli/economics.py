"""``aicompute forecast`` and ``aicompute cost``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from aicompute.cli.common import (
    DataOpt,
    JsonOpt,
    SeedOpt,
    WithEmbeddedOpt,
    credits,
    load_frame,
)
from aicompute.cli.output import call_with, console, print_json, user_errors
from aicompute.constants import FORECAST_BOOTSTRAP
from aicompute.units import format_flop, format_number

Text = Optional[str]


def forecast_command(
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    trend: Annotated[
        str,
        typer.Option(
            "--trend",
            help="frontier (ten largest at "
            "publication), all, record, or a frontier rule such as "
            "top-5.",
        ),
    ] = "frontier",
    since: Annotated[
        Text, typer.Option("--since", metavar="DATE", help="Fit from this date (default 2010).")
    ] = None,
    until: Annotated[
        int, typer.Option("--until", metavar="YEAR", help="Project to this year.")
    ] = 2030,
    target: Annotated[
        Text,
        typer.Option("--target", metavar="FLOP", help="When does the trend reach this, e.g. 1e27?"),
    ] = None,
    backtest: Annotated[
        Text,
        typer.Option(
            "--backtest",
            metavar="DATE",
            help="Fit up to this date and check the later records instead.",
        ),
    ] = None,
    limits: Annotated[
        bool,
        typer.Option(
            "--limits",
            help="Also the year the largest run "
            "would cost 1%, 10% and 100% of the world's hardware "
            "budget.",
        ),
    ] = False,
    budget: Annotated[
        Text,
        typer.Option(
            "--budget",
            metavar="USD",
            help="World annual hardware budget (default the seed's $1 trillion).",
        ),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Resamples (the report uses the default).")
    ] = FORECAST_BOOTSTRAP,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Project the largest training runs with prediction intervals, the date a target is
    reached, a backtest, and the limits of cost."""
    from aicompute.trends import backtest_frame, forecast_frame
    from aicompute.units import parse_flop, parse_number

    with user_errors():
        from aicompute.trends.fit import check_bootstrap

        check_bootstrap(bootstrap, seed, zero=False, minimum=100)
        frame, results = load_frame(data, with_embedded)
        if backtest:
            bt = backtest_frame(frame, cutoff=backtest, trend=trend, bootstrap=bootstrap, seed=seed)
            if as_json:
                print_json(bt.to_dict())
            else:
                _print_backtest(bt)
            return
        result = forecast_frame(
            frame,
            trend=trend,
            until=until,
            since=since,
            target=parse_flop(target, "target") if target else None,
            bootstrap=bootstrap,
            seed=seed,
        )
        limit_rows = None
        if limits:
            from aicompute.economics import limits as limit_years
            from aicompute.economics import price_performance

            _, price_fit = price_performance(seed=seed)
            limit_rows = limit_years(
                result.fit, price_fit, budget_usd=parse_number(budget, "budget") if budget else None
            )
    if as_json:
        out = result.to_dict()
        if limit_rows is not None:
            out["limits"] = limit_rows
        out["credits"] = credits(results)
        print_json(out)
        return
    _print_forecast(result, limit_rows)


def bare(flop: float, digits: int = 3) -> str:
    """FLOP in a table column that names its unit: ``4.8e26``."""
    return format_flop(flop, digits).removesuffix(" FLOP")


def usd(value: float) -> str:
    return format_number(value, "usd")


def _print_forecast(result, limit_rows) -> None:
    from rich.table import Table

    from aicompute.units import format_pfs_days

    out = console()
    fit = result.fit
    info = result.to_dict()
    out.print(
        f"[bold]{result.selection}[/] trend: {fit.n} records {info['fit']['since']} to "
        f"{info['fit']['until']}, doubling every {fit.doubling_months:.3g} months "
        f"({format_number(fit.growth_per_year, 'factor')} per year)"
    )
    table = Table(
        title="Projected largest training run (90% prediction interval)", title_justify="left"
    )
    for col in ("year", "FLOP", "low", "high", "pfs-days"):
        table.add_column(col, justify="right")
    for row in info["projection"]:
        table.add_row(
            str(row["year"]),
            bare(row["flop"]),
            bare(row["low_flop"]),
            bare(row["high_flop"]),
            format_pfs_days(row["flop"]).removesuffix(" pfs-days"),
        )
    out.print(table)
    if result.target is not None:
        lo, hi = info["target_date_interval"]
        out.print(
            f"[bold]{format_flop(result.target)}[/] reached on the trend around "
            f"{info['target_date']} (90% interval {lo} to {hi or 'never'})"
        )
    if limit_rows:
        out.print(
            "Cost of the largest run's hardware against the world's annual hardware "
            "budget (price-performance trend of the catalog):"
        )
        for row in limit_rows:
            year = f"{row['year']:.1f}" if row["year"] else "never"
            usd = format_number(row["usd"], "usd")
            out.print(f"  {format_number(row['fraction'], 'percent')} ({usd}): {year}")
    for note in result.notes:
        out.print(f"[dim]{note}[/]")


def _print_backtest(bt) -> None:
    from rich.table import Table
    from rich.text import Text as RichText

    out = console()
    info = bt.to_dict()
    out.print(
        f"Backtest: fitted on {bt.forecast.fit.n} records up to {info['cutoff']} "
        f"(doubling {bt.forecast.fit.doubling_months:.3g} months); {len(bt.checks)} later "
        "records."
    )
    out.print(info["summary"][0].upper() + info["summary"][1:] + ".")
    table = Table(
        title="Later records against the prediction (error: actual minus predicted; "
        "negative = over-predicted)",
        title_justify="left",
    )
    for col in ("record", "date", "actual", "predicted", "90% interval", "error (OOM)"):
        table.add_column(col, justify="left" if col in {"record", "date"} else "right")
    for c in bt.checks:
        table.add_row(
            RichText(c["name"]),
            c["date"],
            bare(c["flop"]),
            bare(c["predicted_flop"]),
            f"{bare(c['low_flop'], 2)} – {bare(c['high_flop'], 2)}",
            RichText(
                f"{c['error_oom']:+.2f}" + ("" if c["inside"] else " ✗"),
                style="dark_orange" if c["error_oom"] < 0 else "blue",
            ),
        )
    out.print(table)


def cost_command(
    hardware: Annotated[str, typer.Option("--hardware", metavar="NAME", help="Accelerator.")],
    count: Annotated[Text, typer.Option("--count", metavar="COUNT")] = None,
    days: Annotated[Text, typer.Option("--days", metavar="DAYS")] = None,
    hours: Annotated[Text, typer.Option("--hours", metavar="HOURS")] = None,
    chip_hours: Annotated[Text, typer.Option("--chip-hours", metavar="HOURS")] = None,
    pricing: Annotated[
        str, typer.Option("--pricing", help="on-demand, committed-1y, committed-3y or amortized.")
    ] = "on-demand",
    usd_per_chip_hour: Annotated[Text, typer.Option("--usd-per-chip-hour", metavar="USD")] = None,
    purchase_usd: Annotated[Text, typer.Option("--purchase-usd", metavar="USD")] = None,
    depreciation_years: Annotated[
        Text, typer.Option("--depreciation-years", metavar="YEARS")
    ] = None,
    tdp_w: Annotated[Text, typer.Option("--tdp-w", metavar="WATTS")] = None,
    pue: Annotated[Text, typer.Option("--pue", metavar="RATIO")] = None,
    electricity_usd_per_kwh: Annotated[
        Text, typer.Option("--electricity-usd-per-kwh", metavar="USD")
    ] = None,
    kg_co2_per_kwh: Annotated[Text, typer.Option("--kg-co2-per-kwh", metavar="KG")] = None,
    include_energy: Annotated[
        bool,
        typer.Option(
            "--include-energy", help="Add electricity to the dollars (amortized pricing)."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Cost of a training run from hardware time: dollars, chip-hours, energy and CO2, with
    every assumption and its source."""
    values = dict(locals())
    from aicompute.economics import cost
    from aicompute.estimation.inputs import render

    with user_errors(flags=True):
        result = call_with(cost, values)
    if as_json:
        print_json(result.to_dict())
        return
    from rich.table import Table
    from rich.text import Text as RichText

    out = console()
    out.print(
        f"[bold]{usd(result.usd)}[/] (90% interval {usd(result.usd_low)} – "
        f"{usd(result.usd_high)}); {format_number(result.chip_hours, 'count')} chip-hours at "
        f"{usd(result.usd_per_chip_hour)} ({result.pricing}); "
        f"{format_number(result.energy_mwh)} MWh; {format_number(result.co2_tonnes)} t CO2"
    )
    table = Table(title="Assumptions", title_justify="left", show_header=False)
    table.add_column("input", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in result.assumptions.items():
        shown = value if not isinstance(value, dict) else f"{value['value']}  ({value['source']})"
        table.add_row(name, RichText(str(shown)))
    out.print(table)
    for note in result.notes:
        out.print(RichText(f"· {render(note, 'flag')}", style="dim"))
