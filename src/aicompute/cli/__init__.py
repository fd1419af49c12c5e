"""The ``aicompute`` command: thin wrappers that parse, call the library and print."""

from __future__ import annotations

import typer

from aicompute.cli import count as _count
from aicompute.cli import data as _data
from aicompute.cli import economics as _economics
from aicompute.cli import estimate as _estimate
from aicompute.cli import hardware as _hardware
from aicompute.cli import mfu as _mfu
from aicompute.cli import report as _report
from aicompute.cli import serve as _serve
from aicompute.cli import threshold as _threshold
from aicompute.cli import trends as _trends

app = typer.Typer(
    name="aicompute",
    help="Measure, estimate and forecast the compute used to train AI systems.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.command("estimate", no_args_is_help=True)(_estimate.estimate_command)
app.add_typer(_hardware.app, name="hardware")
app.command("fit")(_trends.fit_command)
app.command("eras")(_trends.eras_command)
app.command("growth")(_trends.growth_command)
app.command("reproduce")(_trends.reproduce_command)
app.add_typer(_data.app, name="data")
app.command("report")(_report.report_command)
app.command("chart")(_report.chart_command)
app.command("count", no_args_is_help=True)(_count.count_command)
app.command("mfu", no_args_is_help=True)(_mfu.mfu_command)
app.command("serve")(_serve.serve_command)
app.command("forecast")(_economics.forecast_command)
app.command("cost")(_economics.cost_command)
app.command("threshold", no_args_is_help=True)(_threshold.threshold_command)


def _print_version(value: bool) -> None:
    if value:
        from aicompute import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_print_version,
        help="Print the version and exit.",
    ),
) -> None:
    """Measure, estimate and forecast the compute used to train AI systems."""


def main() -> None:
    """Entry point of the console script and of ``python -m aicompute``."""
    app(prog_name="aicompute")
