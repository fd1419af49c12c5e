"""``aicompute report`` (the main job) and ``aicompute chart``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aicompute.cli.common import (
    DataOpt,
    JsonOpt,
    SeedOpt,
    WithEmbeddedOpt,
    credits,
    load,
)
from aicompute.cli.output import console, print_json, spinner, user_errors
from aicompute.constants import FIT_BOOTSTRAP

CHART_NAMES = ("modern", "eras", "domains", "estimate")


def report_command(
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder to write.")] = Path(
        "aicompute-report"
    ),
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples for the fits' intervals.")
    ] = FIT_BOOTSTRAP,
    static: Annotated[
        bool, typer.Option("--static/--no-static", help="Export the charts as SVG and PNG.")
    ] = True,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace --out even if it holds files aicompute did not write (they are deleted).",
        ),
    ] = False,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Write the full report: an offline page with charts, records, method appendix and the
    seed's claims reproduced, plus SVG/PNG charts, CSV/JSON data and summary.json.

    --out must be a new or empty folder, or a report aicompute wrote before; any other folder
    is refused unless --force."""
    from aicompute._files import refuse_overwriting_inputs
    from aicompute.report import build_report
    from aicompute.report.build import check_destination

    with user_errors():
        from aicompute.trends.fit import check_bootstrap

        check_bootstrap(bootstrap, seed)
        check_destination(out, force=force, option="--force")
        refuse_overwriting_inputs(out, data or [], folder=True)
        with spinner(quiet=as_json) as step:
            step("loading records")
            records, frame, results = load(data, with_embedded)
            from aicompute.dataset.io import embedded_updated

            embedded = f"embedded dataset (updated {embedded_updated()})"
            source = (
                embedded
                if not data
                else ", ".join(str(p) for p in data) + (f" + {embedded}" if with_embedded else "")
            )
            result = build_report(
                frame,
                out,
                records=records,
                credits=credits(results),
                source=source,
                bootstrap=bootstrap,
                seed=seed,
                static=static,
                force=force,
                progress=step,
            )
    index = (result.path / "index.html").resolve()
    if as_json:
        print_json(
            {
                "path": str(result.path),
                "index": str(index),
                "files": [str(p.relative_to(result.path)) for p in result.files],
                "timings": result.timings,
                "summary": {
                    k: result.summary[k] for k in ("records", "modern_era", "eras", "growth")
                },
            }
        )
        return
    total = sum(result.timings.values())
    console().print(
        f"Report written to [bold]{result.path}[/] ({len(result.files)} files, "
        f"{total:.1f} s). Open:\n  {index.as_uri()}"
    )


def chart_command(
    name: Annotated[str, typer.Argument(help="modern, eras, domains or estimate.")],
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    fmt: Annotated[
        Optional[str],
        typer.Option(
            "--format",
            help="svg, png, html or json (default: from --out, else svg).",
        ),
    ] = None,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="FILE")] = None,
    flop: Annotated[
        Optional[str],
        typer.Option(
            "--flop",
            help="For 'estimate': your estimate, e.g. 3.14e23 or '3640 pfs-days'.",
        ),
    ] = None,
    date: Annotated[
        Optional[str],
        typer.Option(
            "--date",
            help="For 'estimate': its date, YYYY[-MM[-DD]].",
        ),
    ] = None,
    label: Annotated[str, typer.Option("--label", help="For 'estimate': its name.")] = (
        "Your estimate"
    ),
    seed: SeedOpt = 0,
) -> None:
    """Write one chart as SVG, PNG, an offline HTML page, or its Vega-Lite JSON."""
    from aicompute import charts, trends
    from aicompute._files import output_errors, refuse_overwriting_inputs
    from aicompute.errors import InputError

    with user_errors():
        key = name.strip().lower()
        if key not in CHART_NAMES:
            raise InputError("name", f"unknown chart {name!r}; use {', '.join(CHART_NAMES)}")
        chosen = (fmt or (out.suffix.lstrip(".") if out and out.suffix else "svg")).lower()
        if chosen not in charts.FORMATS:
            raise InputError("format", f"unknown format {chosen!r}; use svg, png, html or json")
        target = out or Path(f"{key}.{chosen}")
        refuse_overwriting_inputs(target, data or [])
        if key == "estimate" and (flop is None or date is None):
            raise InputError("flop", "the estimate chart needs --flop and --date")
        value = charts.estimate_point(flop, date) if key == "estimate" else None
        _, frame, _ = load(data, with_embedded)
        analysis = trends.analyze(frame, bootstrap=200, seed=seed)
        if value is not None and date is not None:
            chart = charts.estimate_chart(analysis, value, date, label)
        else:
            chart = charts.CHARTS[key](analysis)
        with output_errors("out", target):
            path = chart.save(target, chosen)
    typer.echo(f"wrote {path}")
