"""``aicompute estimate``: training compute from what a paper or a log says."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aicompute.cli.output import console, print_json, user_errors
from aicompute.constants import DEFAULT_UTILIZATION

_OPS = "Method 1: counting operations"
_HW = "Method 2: hardware time"
_OUT = "Output"

Text = Optional[str]


def estimate_command(
    forward_macs: Annotated[
        Text,
        typer.Option(
            "--forward-macs",
            metavar="MACS",
            help="Forward multiply-adds per example (or per token), e.g. 11.4G.",
            rich_help_panel=_OPS,
        ),
    ] = None,
    forward_flop: Annotated[
        Text,
        typer.Option(
            "--forward-flop",
            metavar="FLOP",
            help="Forward FLOP per example (2 per multiply-add), e.g. 1.5 GFLOP.",
            rich_help_panel=_OPS,
        ),
    ] = None,
    params: Annotated[
        Text,
        typer.Option(
            "--params",
            metavar="N",
            help="Parameters N, for 6·N·D with --tokens, e.g. 175B.",
            rich_help_panel=_OPS,
        ),
    ] = None,
    active_params: Annotated[
        Text,
        typer.Option(
            "--active-params",
            metavar="N",
            help="Parameters active per token (mixture-of-experts).",
            rich_help_panel=_OPS,
        ),
    ] = None,
    encoder_decoder: Annotated[
        bool,
        typer.Option(
            "--encoder-decoder",
            help="Encoder-decoder model: each token uses about half of --params.",
            rich_help_panel=_OPS,
        ),
    ] = False,
    architecture: Annotated[
        Text,
        typer.Option(
            "--architecture",
            metavar="SPEC|FILE",
            help="Layers to count, inline ('input 84x84x3; conv 16 8x8 stride=4; "
            "dense 256') or a file of one layer per line.",
            rich_help_panel=_OPS,
        ),
    ] = None,
    examples: Annotated[
        Text,
        typer.Option(
            "--examples",
            metavar="COUNT",
            help="Examples in the dataset, e.g. 1.2M.",
            rich_help_panel=_OPS,
        ),
    ] = None,
    epochs: Annotated[
        Text,
        typer.Option(
            "--epochs",
            metavar="COUNT",
            help="Passes over --examples or --tokens.",
            rich_help_panel=_OPS,
        ),
    ] = None,
    updates: Annotated[
        Text,
        typer.Option(
            "--updates",
            metavar="COUNT",
            help="Optimizer updates (steps); use with --batch-size.",
            rich_help_panel=_OPS,
        ),
    ] = None,
    batch_size: Annotated[
        Text,
        typer.Option(
            "--batch-size",
            metavar="COUNT",
            help="Examples (or tokens) per update.",
            rich_help_panel=_OPS,
        ),
    ] = None,
    tokens: Annotated[
        Text,
        typer.Option(
            "--tokens", metavar="COUNT", help="Training tokens D, e.g. 300B.", rich_help_panel=_OPS
        ),
    ] = None,
    backward_ratio: Annotated[
        Text,
        typer.Option(
            "--backward-ratio",
            metavar="RATIO",
            help="Backward FLOP per forward FLOP (default 2: forward + backward = 3 × forward).",
            rich_help_panel=_OPS,
        ),
    ] = None,
    runs: Annotated[
        Text,
        typer.Option(
            "--runs",
            metavar="COUNT",
            help="Networks trained, e.g. the child networks of architecture search.",
            rich_help_panel=_OPS,
        ),
    ] = None,
    hardware: Annotated[
        Text,
        typer.Option(
            "--hardware",
            metavar="NAME",
            help="Accelerator name, e.g. 'GTX 580', A100-SXM4-80GB, 'TPU v4'.",
            rich_help_panel=_HW,
        ),
    ] = None,
    count: Annotated[
        Text, typer.Option("--count", metavar="COUNT", help="Number of chips.", rich_help_panel=_HW)
    ] = None,
    days: Annotated[
        Text,
        typer.Option(
            "--days",
            metavar="DAYS",
            help="Training time in days (or with a unit: '120 h').",
            rich_help_panel=_HW,
        ),
    ] = None,
    hours: Annotated[
        Text,
        typer.Option(
            "--hours", metavar="HOURS", help="Training time in hours.", rich_help_panel=_HW
        ),
    ] = None,
    chip_hours: Annotated[
        Text,
        typer.Option(
            "--chip-hours",
            metavar="HOURS",
            help="Total chip-hours, instead of --count with --days/--hours.",
            rich_help_panel=_HW,
        ),
    ] = None,
    utilization: Annotated[
        Text,
        typer.Option(
            "--utilization",
            metavar="FRACTION",
            help="Fraction of peak achieved (default "
            f"{DEFAULT_UTILIZATION['gpu']:g} GPU/TPU, {DEFAULT_UTILIZATION['cpu']:g} CPU).",
            rich_help_panel=_HW,
        ),
    ] = None,
    precision: Annotated[
        Text,
        typer.Option(
            "--precision",
            metavar="NAME",
            help="fp64, fp32, tf32, fp16, bf16, fp8 or int8 (default: tensor "
            "FP16/BF16, else TF32, else FP32).",
            rich_help_panel=_HW,
        ),
    ] = None,
    peak_flops: Annotated[
        Text,
        typer.Option(
            "--peak-flops",
            metavar="FLOP/S",
            help="Peak FLOP/s per chip, overriding the catalog, e.g. 1.58T.",
            rich_help_panel=_HW,
        ),
    ] = None,
    adjust: Annotated[
        Text,
        typer.Option(
            "--adjust",
            metavar="FACTOR",
            help="Extra factor applied to every method "
            "(a range such as 10..100 is centred on its geometric mean).",
            rich_help_panel=_OUT,
        ),
    ] = None,
    adjust_reason: Annotated[
        Text,
        typer.Option(
            "--adjust-reason",
            metavar="TEXT",
            help="Why --adjust is needed (required with it).",
            rich_help_panel=_OUT,
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            metavar="INT",
            help="Seed of the Monte Carlo interval (several ranged inputs).",
            rich_help_panel=_OUT,
        ),
    ] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.", rich_help_panel=_OUT)
    ] = False,
) -> None:
    """Estimate training compute by counting operations and/or from hardware time.

    Every method whose inputs are complete runs; with both, the operation count is preferred
    and the two are cross-checked. Any number may be a range LOW..HIGH (e.g. --days 5..6).
    """
    with user_errors():
        from aicompute.errors import InputError
        from aicompute.estimation import estimate

        arch = architecture
        if arch is not None and "\n" not in arch and ";" not in arch:
            if Path(arch).is_file():
                arch = Path(arch).read_text(encoding="utf-8")
            elif " " not in arch.strip():
                raise InputError(
                    "architecture",
                    f"no such file {arch!r}; or give the layers "
                    "inline, e.g. 'input 84x84x3; conv 16 8x8 stride=4'",
                )
        result = estimate(
            forward_macs=forward_macs,
            forward_flop=forward_flop,
            params=params,
            active_params=active_params,
            architecture=arch,
            encoder_decoder=encoder_decoder,
            examples=examples,
            epochs=epochs,
            updates=updates,
            batch_size=batch_size,
            tokens=tokens,
            backward_ratio=backward_ratio,
            runs=runs,
            hardware=hardware,
            count=count,
            days=days,
            hours=hours,
            chip_hours=chip_hours,
            utilization=utilization,
            precision=precision,
            peak_flops=peak_flops,
            adjust=adjust,
            adjust_reason=adjust_reason,
            seed=seed,
        )
    if as_json:
        print_json(result.to_dict())
        return
    _print_result(result)


def _print_result(result) -> None:  # type: ignore[no-untyped-def]
    from rich.markup import escape
    from rich.table import Table

    from aicompute.constants import DISAGREEMENT_FACTOR
    from aicompute.units import format_flop, format_pfs_days, format_si

    out = console()
    names = {"operations": "1 · counting operations", "hardware": "2 · hardware time"}
    table = Table(title="Training compute", title_justify="left")
    table.add_column("Method", style="bold", no_wrap=True)
    table.add_column("FLOP", justify="right", no_wrap=True)
    table.add_column("pfs-days", justify="right", no_wrap=True)
    table.add_column("90% interval, pfs-days", justify="right", no_wrap=True)
    for est in result.estimates:
        star = " ★" if est is result.preferred and len(result.estimates) > 1 else ""
        table.add_row(
            names[est.method] + star,
            format_flop(est.flop).removesuffix(" FLOP"),
            format_si(est.pfs_days),
            f"{format_si(est.low_pfs_days)} – {format_si(est.high_pfs_days)}",
        )
    out.print(table)
    for est in result.estimates:
        out.print(f"[bold]{names[est.method]}[/]")
        out.print(f"  [dim]{escape(est.formula)}[/]")
        out.print(f"  = {escape(est.calculation)}")
        out.print(f"  = {format_pfs_days(est.flop)}")
        out.print(f"  [dim]interval: {escape(est.interval_basis)}[/]")
        for note in est.notes:
            out.print(f"  [dim]·[/] {escape(note)}")
    ratio = result.agreement_ratio
    if ratio is not None:
        verdict = (
            f"[bold red]disagree by more than {DISAGREEMENT_FACTOR:g}x: check the inputs[/]"
            if result.disagreement
            else "[green]agree within 3x[/]"
        )
        out.print(f"[bold]Cross-check:[/] hardware time / operations = {ratio:.2f}, {verdict}")
    for method, why in result.skipped.items():
        out.print(f"[yellow]Not run:[/] {method} method {escape(why)}")
    star = " (★ preferred: operation count)" if len(result.estimates) > 1 else ""
    out.print(
        f"[bold]Estimate:[/] {format_flop(result.flop)} = {format_pfs_days(result.flop)}, "
        f"90% interval {format_pfs_days(result.low_flop).removesuffix(' pfs-days')} – "
        f"{format_pfs_days(result.high_flop)}{star}"
    )
