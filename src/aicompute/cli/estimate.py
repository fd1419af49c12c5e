"""``aicompute estimate``: training compute from what a paper or a log says."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from aicompute.cli.output import console, print_json, user_errors
from aicompute.constants import MAX_ARCHITECTURE_CHARS, MAX_PATH_CHARS
from aicompute.estimation.inputs import FIELDS, InputField

_PANELS = {
    "operations": "Method 1: counting operations",
    "hardware": "Method 2: hardware time",
    "both": "Output",
}
_METAVARS = {
    "count": "COUNT",
    "number": "NUMBER",
    "macs": "MACS",
    "flop": "FLOP",
    "duration": "TIME",
    "fraction": "FRACTION",
    "rate": "FLOP/S",
    "text": "TEXT",
    "choice": "NAME",
}


def _option(field: InputField) -> inspect.Parameter:
    """The command-line option of one input, from its definition."""
    panel = _PANELS[field.method]
    if field.kind == "flag":
        annotation: Any = Annotated[
            bool, typer.Option(field.flag, help=field.help, rich_help_panel=panel)
        ]
        default: Any = False
    else:
        metavar = "SPEC|FILE" if field.name == "architecture" else _METAVARS[field.kind]
        annotation = Annotated[
            Optional[str],
            typer.Option(field.flag, metavar=metavar, help=field.help, rich_help_panel=panel),
        ]
        default = None
    return inspect.Parameter(
        field.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def estimate_command(**values: Any) -> None:
    """Estimate training compute by counting operations and/or from hardware time.

    Every method whose inputs are complete runs and the two are cross-checked; the estimate
    with the narrower interval is preferred, and a disagreement beyond 3x widens the interval
    to cover both. Any number may be a range LOW..HIGH (e.g. --days 5..6) and may be written as
    people write it (300BT, 1.4 trillion, 30.84M GPU-hours).
    """
    as_json = values.pop("as_json")
    with user_errors(flags=True):
        from aicompute.estimation import estimate_from

        result = estimate_from({k: v for k, v in flag_inputs(values).items() if v is not None})
    if as_json:
        print_json(result.to_dict())
        return
    _print_result(result)


def flag_inputs(values: dict[str, Any]) -> dict[str, Any]:
    """The estimate inputs among a command's ``values``, with ``--architecture`` read from
    its file when it names one; raises :class:`InputError` for a missing file."""
    from aicompute.errors import InputError

    inputs = {name: values[name] for name in FIELDS if name in values}
    arch = inputs.get("architecture")
    if arch is not None and "\n" not in arch and ";" not in arch:
        if _is_file(arch):
            inputs["architecture"] = _read_architecture(Path(arch))
        elif " " not in arch.strip():
            raise InputError(
                "architecture",
                f"no such file {arch!r}; or give the layers "
                "inline, e.g. 'input 84x84x3; conv 16 8x8 stride=4'",
            )
    return inputs


def _is_file(text: str) -> bool:
    """True when ``text`` names a file (a name too long for a path is not one)."""
    try:
        return len(text) <= MAX_PATH_CHARS and Path(text).is_file()
    except OSError:
        return False


def _read_architecture(path: Path) -> str:
    """A layer description from a file, read within the description's length limit."""
    from aicompute.errors import InputError

    try:
        with path.open(encoding="utf-8") as handle:
            text = handle.read(MAX_ARCHITECTURE_CHARS + 1)
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("architecture", f"cannot read {path}: {error}") from None
    if len(text) > MAX_ARCHITECTURE_CHARS:
        raise InputError(
            "architecture",
            f"{path} is over the limit of {MAX_ARCHITECTURE_CHARS:,} characters for a description",
        )
    return text


_JSON = inspect.Parameter(
    "as_json",
    inspect.Parameter.KEYWORD_ONLY,
    default=False,
    annotation=Annotated[
        bool,
        typer.Option("--json", help="Print JSON instead of a table.", rich_help_panel="Output"),
    ],
)
_PARAMETERS = [*(_option(f) for f in FIELDS.values()), _JSON]
estimate_command.__signature__ = inspect.Signature(_PARAMETERS)  # type: ignore[attr-defined]
estimate_command.__annotations__ = {p.name: p.annotation for p in _PARAMETERS}


def _print_result(result) -> None:
    from rich.markup import escape
    from rich.table import Table

    from aicompute.estimation.inputs import render
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
        out.print(f"  [dim]interval ×/÷{est.interval_factor:.2f}: {escape(est.interval_basis)}[/]")
        for note in est.notes:
            out.print(f"  [dim]·[/] {escape(note)}")
    ratio = result.agreement_ratio
    if ratio is not None:
        verdict = "[bold red]disagree[/]" if result.disagreement else "[green]agree within 3x[/]"
        out.print(f"[bold]Cross-check:[/] hardware time / operations = {ratio:.2f}, {verdict}")
    for warning in result.warnings:
        out.print(f"[bold yellow]Warning:[/] {escape(render(warning, 'flag'))}")
    out.print(f"[bold]Preferred:[/] {escape(result.preferred_reason)}")
    out.print(
        f"[bold]Estimate:[/] {format_flop(result.flop)} = {format_pfs_days(result.flop)}, "
        f"90% interval {format_pfs_days(result.low_flop).removesuffix(' pfs-days')} – "
        f"{format_pfs_days(result.high_flop)}"
    )
