"""``aicompute hardware``: the accelerator catalog."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from aicompute.cli.output import console, print_json, user_errors

app = typer.Typer(
    help="The accelerator catalog: peak FLOP/s, memory, power, prices.", no_args_is_help=True
)

_COLUMNS = (("fp32", "FP32"), ("tf32", "TF32"), ("tensor16", "16-bit"), ("fp8", "FP8"))


def _tflops(value: float | None) -> str:
    return "" if value is None else f"{value / 1e12:,.4g}"[:6]


@app.command("list")
def list_command(
    kind: Annotated[
        Optional[str], typer.Option("--kind", help="Only this kind: gpu, tpu, accelerator or cpu.")
    ] = None,
    search: Annotated[
        Optional[str], typer.Option("--search", help="Only names containing this text.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the catalog's accelerators with their peak dense TFLOPS."""
    from aicompute.errors import InputError
    from aicompute.hardware import CREDIT, all_accelerators

    with user_errors():
        kinds = {"gpu", "tpu", "accelerator", "cpu"}
        if kind is not None and kind.lower() not in kinds:
            raise InputError("kind", f"unknown kind {kind!r}; use {', '.join(sorted(kinds))}")
        rows = [
            a
            for a in all_accelerators()
            if (kind is None or a.kind == kind.lower())
            and (search is None or search.lower() in a.name.lower())
        ]
    if as_json:
        print_json([a.to_dict() for a in rows])
        return
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"{len(rows)} accelerators: peak dense TFLOPS per chip (16-bit: FP16/BF16 tensor)",
        title_justify="left",
        caption=CREDIT,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("Name", overflow="ellipsis", no_wrap=True, max_width=24)
    table.add_column("Kind", no_wrap=True, min_width=6)
    table.add_column("Year", no_wrap=True, min_width=4)
    for _, label in _COLUMNS:
        table.add_column(label, justify="right", no_wrap=True, min_width=6)
    table.add_column("GB", justify="right", no_wrap=True, min_width=4)
    for a in rows:
        short = a.name.removeprefix(a.manufacturer + " ") if a.manufacturer else a.name
        table.add_row(
            short,
            a.kind.replace("accelerator", "accel."),
            a.release_date[:4],
            *(_tflops(a.peaks.get(column)) for column, _ in _COLUMNS),
            f"{a.memory_gb:g}" if a.memory_gb else "",
        )
    console().print(table)


@app.command("units")
def units_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the named units of several chips (Cloud TPU devices, instances, systems)."""
    from dataclasses import asdict

    from aicompute.hardware import all_units

    units = all_units()
    if as_json:
        print_json([asdict(u) | {"aliases": list(u.aliases)} for u in units])
        return
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"{len(units)} named units: the chips each holds",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("Unit", no_wrap=True)
    table.add_column("Chips", justify="right", no_wrap=True)
    table.add_column("Chip", no_wrap=True)
    table.add_column("Also", overflow="fold")
    for unit in units:
        table.add_row(unit.name, str(unit.chips_per_unit), unit.chip.name, ", ".join(unit.aliases))
    console().print(table)


@app.command("show")
def show_command(
    name: Annotated[
        str,
        typer.Argument(
            help="Name, alias or unit, e.g. 'GTX 580', 'NVIDIA H100 80GB HBM3', 'Cloud TPU v3'."
        ),
    ],
    precision: Annotated[
        Optional[str],
        typer.Option(
            "--precision",
            help="Precision whose peak decides between variants, e.g. bf16, fp32, tf32.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one accelerator: every figure with its source, and how the name was resolved."""
    from aicompute.hardware import CREDIT, PRECISIONS, resolve

    with user_errors():
        found = resolve(name, precision)
    acc = found.accelerator
    if as_json:
        data = acc.to_dict()
        data["chips_per_unit"] = found.chips_per_unit
        data["unit"] = found.unit
        data["resolution_notes"] = list(found.notes)
        data["candidates"] = [a.key for a in found.candidates]
        print_json(data)
        return
    from rich.table import Table

    title = acc.name
    if found.chips_per_unit > 1:
        title = f"{found.unit}: {found.chips_per_unit} x {acc.name}"
    table = Table(
        title=title,
        title_justify="left",
        show_header=False,
        caption=CREDIT,
        caption_justify="left",
    )
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    peak, column = acc.peak_flops()
    rows: list[tuple[str, str]] = []
    if found.chips_per_unit > 1:
        rows.append(("unit", f"{found.unit} ({found.chips_per_unit} chips; figures are per chip)"))
    rows += [("resolved", note) for note in found.notes]
    rows += [
        ("key", acc.key),
        ("aliases", ", ".join(acc.aliases)),
        ("manufacturer", acc.manufacturer),
        ("kind", acc.kind),
        ("form factor", acc.form_factor),
        ("released", acc.release_date),
    ]
    rows += [
        (f"peak {label}", f"{acc.peaks[p] / 1e12:,.4g} T{'OP' if p == 'int8' else 'FLOP'}/s")
        for p, label in PRECISIONS.items()
        if p in acc.peaks
    ]
    rows += [
        ("default peak", f"{PRECISIONS[column]} ({peak / 1e12:,.4g} TFLOP/s)"),
        ("default utilization", f"{acc.default_utilization:.0%}"),
        ("clock basis", acc.clock_basis),
        (
            "memory",
            f"{acc.memory_gb:g} GB {acc.memory_type.upper().replace(';', '/')}".strip()
            if acc.memory_gb
            else "",
        ),
        (
            "memory bandwidth",
            f"{acc.memory_bandwidth_gbs:,.0f} GB/s" if acc.memory_bandwidth_gbs else "",
        ),
        ("TDP", f"{acc.tdp_w:g} W" if acc.tdp_w else ""),
        ("launch price", f"${acc.launch_price_usd:,.0f}" if acc.launch_price_usd else ""),
        ("spec source", acc.spec_source),
        ("price source", acc.price_source),
        ("data from", acc.data_from),
        ("notes", acc.notes),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, value)
    console().print(table)
