"""``aicompute mfu``: model and hardware FLOPs utilization of a training run."""

from __future__ import annotations

import re
from typing import Annotated, Any, Optional

import typer

from aicompute.cli.output import console, print_json, user_errors

Text = Optional[str]
_MODEL = "Model FLOP per token (one of MODEL, --params, --flop-per-token)"
_RUN = "The run"


def _opt(flag: str, metavar: str, help: str, panel: str = _RUN):
    return typer.Option(flag, metavar=metavar, help=help, rich_help_panel=panel)


def mfu_command(
    model: Annotated[
        Text,
        typer.Argument(
            help="A preset (llama-3.1-405b, gpt2, ...), a Hugging Face config.json or "
            "package.module:factory, counted at --seq-len (needs the torch extra). Or give "
            "--params with the shape, or --flop-per-token.",
            metavar="MODEL",
            show_default=False,
        ),
    ] = None,
    params: Annotated[
        Text,
        _opt(
            "--params",
            "N",
            "Parameters a token passes through (the active ones of a mixture of experts), "
            "for PaLM's 6N + 12·L·H·Q·T, e.g. 540.35B.",
            _MODEL,
        ),
    ] = None,
    layers: Annotated[Text, _opt("--layers", "L", "Transformer layers.", _MODEL)] = None,
    heads: Annotated[Text, _opt("--heads", "H", "Attention (query) heads.", _MODEL)] = None,
    head_dim: Annotated[Text, _opt("--head-dim", "Q", "Size of one attention head.", _MODEL)] = (
        None
    ),
    flop_per_token: Annotated[
        Text,
        _opt(
            "--flop-per-token",
            "FLOP",
            "Model FLOP per token, forward + backward, e.g. 3.28 TFLOP.",
            _MODEL,
        ),
    ] = None,
    seq_len: Annotated[
        Text, _opt("--seq-len", "T", "Training sequence length in tokens, e.g. 2048.", _MODEL)
    ] = None,
    attention: Annotated[
        Text,
        _opt(
            "--attention",
            "full|causal",
            "How a MODEL's attention is counted: full (every score, as PaLM; the default) or "
            "causal (only the scores a causal mask and any sliding window keep).",
            _MODEL,
        ),
    ] = None,
    tokens_per_second: Annotated[
        Text,
        _opt(
            "--tokens-per-second",
            "RATE",
            "Measured throughput of all chips together, e.g. 238.3K or 1.5M tokens/s.",
        ),
    ] = None,
    step_time: Annotated[
        Text, _opt("--step-time", "TIME", "Seconds per optimizer step (with --batch-tokens).")
    ] = None,
    batch_tokens: Annotated[
        Text,
        _opt(
            "--batch-tokens",
            "COUNT",
            "Global batch in tokens (sequences × length), e.g. 16,777,216.",
        ),
    ] = None,
    chips: Annotated[Text, _opt("--chips", "COUNT", "Chips the run used, e.g. 6144.")] = None,
    hardware: Annotated[
        Text, _opt("--hardware", "NAME", "Accelerator of the catalog, e.g. 'TPU v4', H100.")
    ] = None,
    precision: Annotated[
        str,
        _opt("--precision", "P", "Precision of the peak: bf16 (default), fp16, fp8, tf32, fp32."),
    ] = "bf16",
    peak_flops: Annotated[
        Text,
        _opt(
            "--peak-flops",
            "RATE",
            "Peak FLOP/s per chip instead of the catalog's (checked against --hardware).",
        ),
    ] = None,
    recompute: Annotated[
        str,
        _opt(
            "--recompute",
            "KIND",
            "Activation recomputation, for the HFU: none, selective, full, or the share of "
            "the forward recomputed (0.5, 50%).",
        ),
    ] = "none",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Model FLOPs utilization (MFU) and hardware FLOPs utilization (HFU) of a training run,
    from its throughput, chips and the model's FLOP per token, with every figure's source and
    warnings for the usual slips (sparse or FP8 peak, impossible or implausible MFU)."""
    values = dict(locals())
    from aicompute.errors import InputError

    with user_errors(flags=True):
        try:
            result = _run(values)
        except InputError as error:
            raise _as_flags(error) from None
    if as_json:
        print_json(result.to_dict())
    else:
        _print(result)


_PASSED = (
    "chips", "tokens_per_second", "step_time", "batch_tokens", "hardware", "precision", "peak_flops"
)  # fmt: skip
"""The run's inputs that go to :func:`aicompute.mfu.mfu` as they are."""


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _as_flags(error):
    """The error with the library's input names shown as this command's options."""
    from aicompute.errors import InputError

    field = error.field
    if field is not None and field != "model" and re.fullmatch(r"[a-z_]+", field):
        field = _flag(field)
    message = re.sub(r"`([a-z_]+)`", lambda m: _flag(m[1]), error.message)
    return InputError(field, message)


def _run(values: dict[str, Any]):
    """Read and check every input, then measure the model and its MFU."""
    from aicompute import mfu as lib
    from aicompute.errors import InputError

    # every input is read and checked before a model is counted (torch takes seconds to load)
    plan = lib.read_recompute(values["recompute"])
    lib.read_chips(values["chips"])
    lib.read_throughput(values["tokens_per_second"], values["step_time"], values["batch_tokens"])
    lib.resolve_peak(values["hardware"], values["precision"], values["peak_flops"])
    run = {name: values[name] for name in _PASSED}
    run["recompute"] = plan
    model, params, flop_per_token = values["model"], values["params"], values["flop_per_token"]
    layers, heads, head_dim, seq_len = (
        values[n] for n in ("layers", "heads", "head_dim", "seq_len")
    )
    attention = values["attention"]
    given = [
        name
        for name, v in (
            ("MODEL", model),
            ("--params", params),
            ("--flop-per-token", flop_per_token),
        )
        if v is not None
    ]
    if len(given) > 1:
        raise InputError(
            "model", f"give one of MODEL, --params, --flop-per-token, not {' and '.join(given)}"
        )
    if not given:
        raise InputError(
            "model",
            "give the model: a MODEL to count (a preset, config.json or factory), or "
            "--params with --layers, --heads, --head-dim and --seq-len (PaLM's 6N + 12·L·H·Q·T), "
            "or --flop-per-token",
        )
    if attention is not None:
        attention = attention.strip().lower()
        if attention not in {"full", "causal"}:
            raise InputError("attention", "use full or causal")
        if model is None:
            raise InputError("attention", "applies to a counted MODEL only")
    if params is not None:
        return lib.mfu(lib.palm_model_flop(params, layers, heads, head_dim, seq_len), **run)
    if flop_per_token is not None:
        flop = lib.given_model_flop(flop_per_token, layers, heads, head_dim, seq_len)
        return lib.mfu(flop, **run)
    counted = _counted(model, layers, heads, head_dim, seq_len, attention or "full", plan)
    return lib.mfu(counted, **run)


def _counted(model, layers, heads, head_dim, seq_len, attention, plan):
    """Count MODEL at the sequence length (torch loads here, after every other check)."""
    from aicompute import mfu as lib
    from aicompute.counting.limits import check_sizes, classify_model, import_torch
    from aicompute.errors import InputError

    if seq_len is None:
        raise InputError(
            "seq_len", "give the training sequence length: the attention FLOP grow with it"
        )
    seq = lib.read_seq_len(seq_len)
    check_sizes(batch_size=1, seq_len=seq, input_shape=None)
    kind, ref = classify_model(model)
    shape = (layers, heads, head_dim)
    if kind != "factory" and any(v is not None for v in shape):
        raise InputError(
            "layers", "the attention shape of a preset or config.json is read from the model"
        )
    if kind == "config":  # read and checked without torch
        from aicompute.counting.presets import from_hf_config

        from_hf_config(ref)
    if kind == "factory":
        lib.read_shape(layers, heads, head_dim, seq, seq_known=True)  # checked now
        if plan == "selective" and all(v is None for v in shape):
            raise InputError(
                "recompute",
                "selective recomputation of a factory's model needs its attention shape: "
                "give --layers, --heads and --head-dim",
            )
    try:
        import_torch()
    except InputError as error:
        raise InputError(
            "model",
            f"{error.message}; or give --params with the shape, or --flop-per-token, "
            "which need no torch",
        ) from None
    from aicompute.counting import count, resolve_model

    result = count(ref if kind == "preset" else model, seq_len=seq, attention=attention)
    if kind != "factory":
        _, preset, _ = resolve_model(ref if kind == "preset" else model)
        found = lib.attention_shape(preset.spec if preset is not None else None)
        if found is not None:
            layers, heads, head_dim = found
    return lib.count_model_flop(result, layers, heads, head_dim)


def _print(result) -> None:
    from rich.markup import escape
    from rich.table import Table

    from aicompute.units import format_si

    out = console()
    recompute = result.recompute
    if isinstance(recompute, float):
        recompute = f"{recompute:.0%} of the forward"
    out.print(f"[bold]MFU {result.mfu:.1%}[/]   HFU {result.hfu:.1%} (recomputation: {recompute})")
    table = Table(show_header=True, title_justify="left")
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    table.add_column("from", overflow="fold")
    s = result.sources
    rows = (
        (
            "model FLOP per token",
            format_si(result.model_flop_per_token, 4),
            s["model_flop_per_token"],
        ),
        (
            "hardware FLOP per token",
            format_si(result.hardware_flop_per_token, 4),
            s["hardware_flop_per_token"],
        ),
        ("tokens per second", format_si(result.tokens_per_second, 4), s["tokens_per_second"]),
        ("chips", f"{result.chips:,.0f}", s["chips"]),
        (
            "peak per chip",
            format_si(result.peak_flop_per_second, 4, "FLOP/s"),
            s["peak_flop_per_second"],
        ),
        (
            "achieved per chip",
            format_si(result.achieved_flop_per_second_per_chip, 4, "FLOP/s"),
            "model FLOP/s",
        ),
    )
    for name, value, source in rows:
        table.add_row(name, value, escape(source))
    out.print(table)
    for key in ("model_flop_per_token", "mfu", "hfu"):
        out.print(escape(result.formula[key]))
    for warning in result.warnings:
        out.print(f"[bold yellow]Warning:[/] {escape(_as_text(warning))}")
    for note in result.notes:
        out.print(f"[dim]· {escape(note)}[/]")


def _as_text(message: str) -> str:
    return re.sub(r"`([a-z_]+)`", lambda m: _flag(m[1]), message)
