"""``aicompute count``: exact operation counts of a model (needs the torch extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aicompute.cli.output import console, print_json, spinner, user_errors

Text = Optional[str]
_DATA = "Training data"
_CONV = "Conventions"


def count_command(
    model: Annotated[
        str,
        typer.Argument(
            help="A preset (e.g. gpt2, llama-3.1-405b, resnet50; "
            "'list' shows them), a Hugging Face config.json, or "
            "package.module:factory."
        ),
    ],
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size", help="Sequences or images per step (results are per example)."
        ),
    ] = 1,
    seq_len: Annotated[
        Optional[int], typer.Option("--seq-len", help="Tokens per sequence.")
    ] = None,
    input_shape: Annotated[
        Text,
        typer.Option(
            "--input-shape", metavar="CxHxW", help="Input of one example, e.g. 3x224x224."
        ),
    ] = None,
    tokens: Annotated[
        Text,
        typer.Option(
            "--tokens", metavar="COUNT", rich_help_panel=_DATA, help="Training tokens, e.g. 15.6T."
        ),
    ] = None,
    examples: Annotated[
        Text,
        typer.Option(
            "--examples",
            metavar="COUNT",
            rich_help_panel=_DATA,
            help="Training examples per epoch.",
        ),
    ] = None,
    epochs: Annotated[
        Text,
        typer.Option(
            "--epochs", metavar="COUNT", rich_help_panel=_DATA, help="Passes over --examples."
        ),
    ] = None,
    backward: Annotated[
        str,
        typer.Option(
            "--backward", rich_help_panel=_CONV, help="measured (autograd on meta) or ratio (2x)."
        ),
    ] = "measured",
    attention: Annotated[
        str,
        typer.Option(
            "--attention",
            rich_help_panel=_CONV,
            help="full: every score the kernels execute (as PaLM and FlopCounterMode); "
            "causal: only the scores the causal mask keeps, sliding windows applied.",
        ),
    ] = "full",
    causal_half: Annotated[
        bool,
        typer.Option("--causal-half", hidden=True, help="The older name of --attention causal."),
    ] = False,
    recompute: Annotated[
        bool,
        typer.Option(
            "--recompute",
            rich_help_panel=_CONV,
            help="Report hardware FLOP with full activation recomputation.",
        ),
    ] = False,
    by_module: Annotated[
        bool, typer.Option("--by-module", help="Show the modules and operators with the most FLOP.")
    ] = False,
    top: Annotated[int, typer.Option("--top", help="How many modules to show.")] = 15,
    save_record: Annotated[
        Optional[Path],
        typer.Option(
            "--save-record",
            metavar="FILE",
            help="Add the result as a record to a dataset file "
            "(needs --tokens or --examples, and --date).",
        ),
    ] = None,
    date: Annotated[
        Text, typer.Option("--date", help="Publication date for --save-record.")
    ] = None,
    domain: Annotated[str, typer.Option("--domain", help="Domain for --save-record.")] = (
        "Language"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count a model's multiply-adds forward and backward on the meta device (no weights, no
    memory), and turn them into training compute."""
    with user_errors(flags=True), spinner() as step:
        from aicompute.counting.limits import (
            check_sizes,
            classify_model,
            import_torch,
            parse_shape,
        )
        from aicompute.errors import InputError
        from aicompute.estimation.inputs import FIELDS

        def exact(name: str, value: str | None) -> float | None:
            """An input read as the estimate reads it; a range is refused here."""
            if value is None:
                return None
            r = FIELDS[name].read(value)
            if not r.is_point:
                raise InputError(name, f"give one value here, not a range ({value!r})")
            return r.low

        data = {
            n: exact(n, v)
            for n, v in (("tokens", tokens), ("examples", examples), ("epochs", epochs))
        }
        # every option is checked before torch loads (seconds), so bad input fails fast
        if seq_len is not None and input_shape is not None:
            raise InputError("input_shape", "give --seq-len or --input-shape, not both")
        shape = parse_shape(input_shape) if input_shape else None
        check_sizes(batch_size=batch_size, seq_len=seq_len, input_shape=shape)
        if model.strip().lower() not in {"list", "presets"}:
            kind, ref = classify_model(model)
            if kind == "config":  # read and checked without torch
                from aicompute.counting.presets import from_hf_config

                from_hf_config(ref)
        if backward not in {"measured", "ratio"}:
            raise InputError("backward", "use measured or ratio")
        if causal_half:
            attention = "causal"
        if attention not in {"full", "causal"}:
            raise InputError("attention", "use full or causal")
        step("importing torch")
        if save_record is not None and date is None:
            raise InputError("date", "--save-record needs --date (YYYY, YYYY-MM or YYYY-MM-DD)")
        import_torch()
        from aicompute.counting import PRESET_NAMES, count

        if model.strip().lower() in {"list", "presets"}:
            _list_presets(PRESET_NAMES, as_json)
            return
        result = count(
            model,
            batch_size=batch_size,
            seq_len=seq_len,
            input_shape=shape,
            tokens=data["tokens"],
            examples=data["examples"],
            epochs=data["epochs"],
            backward=backward,
            attention=attention,
            recompute=recompute,
            top_modules=top,
            progress=step,
        )
        if save_record is not None:
            path = _save(result, save_record, date, domain)
    if as_json:
        print_json(result.to_dict())
    else:
        _print(result, by_module)
    if save_record is not None:
        typer.echo(f"saved {result.model} to {path}", err=as_json)


def _list_presets(names: tuple[str, ...], as_json: bool) -> None:
    from aicompute.counting import presets

    table = presets()
    if as_json:
        print_json([{"name": n, "kind": table[n].kind, "source": table[n].source} for n in names])
        return
    for name in names:
        typer.echo(f"{name:<16} {table[name].kind:<6} {table[name].source}")


def _save(result, path: Path, date: str | None, domain: str) -> Path:
    """Add the count's record to the dataset file at ``path`` (replacing one of the same id)."""
    from aicompute.dataset import read, write

    record = result.to_record(date, domain)
    records = {r.id: r for r in read(path).records} if path.exists() else {}
    records[record.id] = record
    return write(records.values(), path)


def _print(result, by_module: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    from aicompute.estimation.inputs import render
    from aicompute.units import format_flop, format_pfs_days, format_si

    out = console()
    per = "sequence" if result.seq_len else "example"
    table = Table(
        title=f"{escape(result.model)}: input {list(result.input_shape)}, "
        f"counted on meta in {result.seconds:.2f} s",
        title_justify="left",
    )
    table.add_column("")
    table.add_column("multiply-adds", justify="right")
    table.add_column("FLOP (2 per MAC)", justify="right")
    table.add_column("FLOP, all ops", justify="right")
    table.add_row(
        f"forward, per {per}",
        format_si(result.forward_macs, 4),
        format_si(result.forward_flop, 4),
        format_si(result.forward_flop_all, 4),
    )
    table.add_row(
        f"backward, per {per}",
        format_si(result.backward_macs, 4),
        format_si(result.backward_flop, 4),
        format_si(result.backward_flop_all, 4),
    )
    if result.seq_len:
        table.add_row(
            "forward, per token",
            format_si(result.forward_macs / result.seq_len, 4),
            format_si(result.forward_flop_per_token, 4),
            "",
        )
    out.print(table)
    active = (
        f" ({format_si(result.active_params, 4)} active per token)"
        if result.active_params != result.params
        else ""
    )
    out.print(
        f"Parameters: {format_si(result.params, 4)}{active}. Forward + backward = "
        f"{result.training_ratio:.3f} x forward ({result.backward_mode}); attention "
        f"{result.attention}; 2 FLOP per multiply-add."
    )
    out.print(f"[dim]Built by {escape(result.builder)}.[/]")
    for note in result.notes:
        out.print(f"[dim]Note: {escape(render(note, 'flag').rstrip('.'))}.[/]")
    if result.training_flop is not None:
        data = (
            f"{format_si(result.tokens)} tokens"
            if result.tokens is not None
            else f"{format_si(result.examples)} examples x {result.epochs or 1:g} epochs"
        )
        out.print(
            f"[bold]Training compute[/] ({data}): {format_flop(result.training_flop, 4)} = "
            f"{format_pfs_days(result.training_flop)}"
        )
        if result.hardware_flop is not None:
            hardware = format_flop(result.hardware_flop, 4)
            out.print(f"  with activation recomputation, hardware FLOP: {hardware}")
    if result.formulas:
        ft = Table(title="Analytic formulas, training FLOP per token", title_justify="left")
        ft.add_column("formula")
        ft.add_column("FLOP/token", justify="right")
        ft.add_column("vs counted", justify="right")
        counted = result.formulas["per_token_training_flop"]["counted"]
        for name, value in result.formulas["per_token_training_flop"].items():
            ft.add_row(
                name,
                format_si(value, 4),
                "" if name == "counted" else f"{value / counted - 1:+.1%}",
            )
        out.print(ft)
        out.print(f"[dim]{result.formulas['explanation']}[/]")
    if result.uncounted_ops:
        out.print(
            "[yellow]Uncounted operators[/] (no formula; calls): "
            + ", ".join(f"{k} {v}" for k, v in sorted(result.uncounted_ops.items()))
        )
    else:
        out.print("[dim]Every operator executed was counted or is arithmetic-free.[/]")
    if by_module:
        mt = Table(title="Modules with the most forward FLOP", title_justify="left")
        for col in ("module", "forward FLOP", "backward FLOP"):
            mt.add_column(col, justify="left" if col == "module" else "right")
        for m in result.modules:
            mt.add_row(
                escape(m["module"]),
                format_si(m["forward_flop"], 4),
                format_si(m["backward_flop"], 4),
            )
        out.print(mt)
        ot = Table(title="Operators", title_justify="left")
        for col in ("operator", "forward FLOP", "backward FLOP"):
            ot.add_column(col, justify="left" if col == "operator" else "right")
        names = sorted(
            set(result.per_operator["forward"]) | set(result.per_operator["backward"]),
            key=lambda n: -result.per_operator["forward"].get(n, 0),
        )
        for name in names:
            ot.add_row(
                name,
                format_si(result.per_operator["forward"].get(name, 0), 4),
                format_si(result.per_operator["backward"].get(name, 0), 4),
            )
        out.print(ot)
