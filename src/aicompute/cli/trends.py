"""``aicompute fit``, ``aicompute eras`` and ``aicompute reproduce``."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from aicompute.cli.common import (
    FILTERS,
    DataOpt,
    JsonOpt,
    SeedOpt,
    WithEmbeddedOpt,
    credits,
    filter_options,
    load_frame,
)
from aicompute.cli.output import console, print_json, user_errors
from aicompute.constants import FIT_BOOTSTRAP


def escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "∞" if value is None else f"{value:.{digits}g}"


@filter_options(*FILTERS[1:])
def fit_command(
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    filters: dict[str, Any] | None = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples (0: analytic interval only).")
    ] = FIT_BOOTSTRAP,
    point_uncertainty: Annotated[
        bool,
        typer.Option(
            "--point-uncertainty",
            help="Also draw each record within its own low/high range in the bootstrap.",
        ),
    ] = False,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Fit an exponential trend: doubling time and growth per year with 90% intervals."""
    from aicompute.trends import RecordFilter
    from aicompute.trends.eras import checked_fit
    from aicompute.trends.fit import check_bootstrap

    with user_errors():
        check_bootstrap(bootstrap, seed)
        frame, results = load_frame(data, with_embedded)
        chosen = RecordFilter.parse(**filters or {}).apply(frame)
        fit = checked_fit(
            chosen, bootstrap=bootstrap, seed=seed, point_uncertainty=point_uncertainty
        )
    if as_json:
        out = fit.to_dict()
        out["records"] = list(fit.names)
        out["credits"] = credits(results)
        print_json(out)
        return
    from rich.table import Table

    d_lo, d_hi = fit.doubling_months_ci
    g_lo, g_hi = fit.growth_per_year_ci
    table = Table(
        title=f"Trend fit: {fit.n} records, {fit.to_dict()['since']} to {fit.to_dict()['until']}",
        title_justify="left",
        show_header=True,
    )
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column(f"{fit.level:.0%} interval ({fit.ci_method})", justify="right")
    table.add_row(
        "doubling time",
        f"{_fmt(fit.doubling_months)} months",
        f"{_fmt(d_lo)} – {_fmt(d_hi)} months",
    )
    table.add_row("growth per year", f"{fit.growth_per_year:.3g}x", f"{g_lo:.3g}x – {g_hi:.3g}x")
    table.add_row(
        "slope", f"{fit.slope:.3f} OOM/year", f"{fit.slope_ci[0]:.3f} – {fit.slope_ci[1]:.3f}"
    )
    table.add_row("R²", f"{fit.r2:.3f}", "")
    out = console()
    out.print(table)
    a_lo, a_hi = fit.slope_ci_analytic
    out.print(
        f"[dim]analytic (t) slope interval: {a_lo:.3f} – {a_hi:.3f} OOM/year; "
        f"bootstrap: {fit.bootstrap} resamples, seed {fit.seed}[/]"
    )
    out.print(f"[dim]Records counted: {escape_markup(fit.scope)}[/]")
    if fit.warnings:
        from aicompute.estimation.inputs import render

        for warning in fit.warnings:
            out.print(f"[bold yellow]Warning:[/] {escape_markup(render(warning, 'flag'))}")
    for credit in credits(results):
        out.print(f"[dim]Data: {escape_markup(credit)}[/]")


@filter_options(*FILTERS[1:5])
def eras_command(
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    filters: dict[str, Any] | None = None,
    break_date: Annotated[
        Optional[str],
        typer.Option(
            "--break", metavar="DATE", help="Use this break date instead of searching for one."
        ),
    ] = None,
    min_points: Annotated[int, typer.Option("--min-points", help="Fewest records per era.")] = 5,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Resamples for the break date's interval.")
    ] = 200,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Find the break between eras (one line, a kink or a jump, by BIC) and fit each era."""
    from aicompute.trends import RecordFilter, eras_frame
    from aicompute.trends.fit import check_bootstrap
    from aicompute.trends.selection import year_of

    with user_errors():
        check_bootstrap(bootstrap, seed, minimum=1)
        frame, results = load_frame(data, with_embedded)
        chosen = RecordFilter.parse(**filters or {}).apply(frame)
        eras = eras_frame(
            chosen,
            min_points=min_points,
            bootstrap=bootstrap,
            seed=seed,
            break_year=year_of(break_date, "break"),
        )
    if as_json:
        out = eras.to_dict()
        out["credits"] = credits(results)
        print_json(out)
        return
    from rich.table import Table

    info = eras.to_dict()
    out = console()
    if eras.break_year is None:
        out.print(f"[bold]No break[/]: {'; '.join(eras.notes)}")
    else:
        ci = info["break_ci"]
        out.print(
            f"[bold]Break:[/] {info['break']} ({eras.model} model)"
            + (f", 90% interval {ci[0]} – {ci[1]}" if ci else "")
        )
    if eras.bic:
        out.print(
            "[dim]BIC (lower is better): "
            + ", ".join(f"{m} {v:.1f}" for m, v in eras.bic.items())
            + "[/]"
        )
    table = Table(title="Eras", title_justify="left")
    for col in ("era", "records", "doubling (months)", "90% interval", "growth/year"):
        table.add_column(col, justify="right" if col != "era" else "left")
    for segment in eras.segments:
        d = segment.to_dict()
        lo, hi = segment.doubling_months_ci
        table.add_row(
            f"{d['since']} – {d['until']}",
            str(segment.n),
            _fmt(segment.doubling_months),
            f"{_fmt(lo)} – {_fmt(hi)}",
            f"{segment.growth_per_year:.3g}x",
        )
    out.print(table)
    for credit in credits(results):
        out.print(f"[dim]Data: {escape_markup(credit)}[/]")


def reproduce_command(
    extended: Annotated[
        bool,
        typer.Option(
            "--extended",
            help="Also the trends of the present data beside Sevilla et al. (2022) "
            "and Epoch AI (2024).",
        ),
    ] = False,
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Every quantitative claim of "AI and Compute", recomputed from the embedded dataset;
    with --extended, today's trends next to the published ones."""
    from aicompute.reproduce import reproduce, reproduce_extended

    with user_errors():
        claims = reproduce(seed=seed)
        more = []
        if extended:
            frame, _ = load_frame(data, with_embedded) if data else (None, [])
            more = reproduce_extended(frame, seed=seed)
    if as_json:
        print_json(
            [dict(c.to_dict(), group="seed") for c in claims]
            + [dict(c.to_dict(), group="extended") for c in more]
        )
    else:
        _claims_table(claims, '"AI and Compute" (2018/2019), reproduced')
        if more:
            _claims_table(more, "Trends of the present data, beside the published ones")
    if not all(c.ok for c in claims):
        raise typer.Exit(1)


def _claims_table(claims, title: str) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("claim", ratio=3)
    table.add_column("published", justify="right")
    table.add_column("computed", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("how", ratio=3, style="dim")
    for c in claims:
        table.add_row(
            c.claim,
            str(c.published),
            f"{c.computed:,}" if isinstance(c.computed, int) else str(c.computed),
            "[green]✓[/]" if c.ok else "[red]✗[/]",
            f"{c.rule}. {c.detail}",
        )
    console().print(table)


def growth_command(
    start: Annotated[str, typer.Argument(help="The earlier record (name or id).")],
    end: Annotated[str, typer.Argument(help="The later record.")],
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Growth in compute between two records, beside Moore's law over the same span."""
    from aicompute.trends import growth_frame

    with user_errors():
        frame, results = load_frame(data, with_embedded)
        growth = growth_frame(frame, start, end)
    if as_json:
        print_json(growth.to_dict())
        return
    from rich.markup import escape

    out = console()
    doubling = growth.doubling_months
    out.print(
        f"[bold]{escape(growth.start_name)} → {escape(growth.end_name)}[/]: "
        f"{growth.factor:,.0f}x in "
        f"{growth.years:.2f} years"
        + (f" (a doubling every {doubling:.2f} months)" if doubling else "")
    )
    out.print(
        f"Moore's law over the same span: {growth.moore_factor(24):.3g}x with a 2-year "
        f"doubling, {growth.moore_factor(18):.3g}x with 18 months"
    )
    for credit in credits(results):
        out.print(f"[dim]Data: {escape_markup(credit)}[/]")
