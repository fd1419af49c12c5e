"""``aicompute threshold``: will this model cross 10^25 FLOP? A model's training compute, stage
by stage, as a distribution against the thresholds of law and guidance.

The inputs come one of three ways: the estimate's own options for a single stage (declared
from :data:`~aicompute.estimation.FIELDS`, as ``aicompute estimate`` declares them), a stages
file (``--stages``), or a record of the embedded dataset (``--record``). Everything the
command decides (a planned run's ``--as-of`` day included) goes into the assessment's inputs,
so the same command gives the same digest, and ``--verify`` can re-run a written report.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, Optional

import typer

from aicompute.cli.estimate import _option, flag_inputs
from aicompute.cli.output import console, print_json, user_errors
from aicompute.estimation.inputs import FIELDS

KINDS_HELP = "pretraining, continued_pretraining, sft, rl, distillation, synthetic_data"
"""The stage kinds as --kind's help lists them (tests/test_threshold_cli.py checks them
against :data:`aicompute.threshold.STAGE_KINDS`, which --help does not import: it loads
NumPy)."""

_STAGES, _THRESHOLDS = "Stages", "Thresholds"
_PLANNED, _BASE, _OUTPUT = "Planned run", "Downstream modification", "Output"


def _opt(kind: Any, panel: str, help: str, metavar: str | None = None) -> Any:
    """(type, the typer.Option's settings) of one option; its flag is the name's (_flag)."""
    return kind, {"metavar": metavar, "help": help, "rich_help_panel": panel}


_TABLE: dict[str, tuple[Any, dict[str, Any]]] = {
    "name": _opt(
        Optional[str],
        _STAGES,
        "Name of the stage built from the options (default: its kind).",
        "TEXT",
    ),
    "kind": _opt(
        Optional[str], _STAGES, f"Kind of that stage: {KINDS_HELP} (default pretraining).", "KIND"
    ),
    "generated_tokens": _opt(
        Optional[str],
        _STAGES,
        "Tokens generated for that stage (RL rollouts, synthetic data, a teacher's outputs): "
        "2 × --generator-params FLOP each, forward only.",
        "COUNT",
    ),
    "generator_params": _opt(
        Optional[str],
        _STAGES,
        "Parameters active per generated token (default: the stage's --active-params or --params).",
        "COUNT",
    ),
    "stages": _opt(
        Optional[str],
        _STAGES,
        "A YAML or JSON file of several stages (--schema prints its JSON Schema).",
        "FILE",
    ),
    "record": _opt(
        Optional[str],
        _STAGES,
        "A model of the embedded dataset, by id or name (its reported compute).",
        "NAME",
    ),
    "threshold": _opt(
        Optional[list[str]],
        _THRESHOLDS,
        "A threshold: eu-gpai, eu-systemic, ca-sb53 or a number of FLOP (repeat for several; "
        "default: the three of law and guidance).",
        "VALUE",
    ),
    "start": _opt(
        Optional[str],
        _PLANNED,
        "A planned run: its first day (YYYY-MM-DD); gives the date each threshold is crossed,"
        " from the stage's chips (--hardware, --count) or from --progress.",
        "DATE",
    ),
    "progress": _opt(
        Optional[str],
        _PLANNED,
        "Tokens trained so far in the planned run (with its --params).",
        "TOKENS",
    ),
    "as_of": _opt(
        Optional[str],
        _PLANNED,
        "The day --progress was counted (default: today).",
        "DATE",
    ),
    "stage": _opt(
        Optional[str],
        _PLANNED,
        "Which stage is the planned run (default: the first).",
        "NAME",
    ),
    "base_record": _opt(
        Optional[str],
        _BASE,
        "The base model being modified, from the embedded dataset: applies the EU one-third rule.",
        "NAME",
    ),
    "base_flop": _opt(
        Optional[str],
        _BASE,
        "The base model's training compute (×/÷3 unless --base-low-flop and --base-high-flop "
        "give its 90% interval).",
        "FLOP",
    ),
    "base_low_flop": _opt(
        Optional[str],
        _BASE,
        "Low end.",
        "FLOP",
    ),
    "base_high_flop": _opt(
        Optional[str],
        _BASE,
        "High end.",
        "FLOP",
    ),
    "base_stages": _opt(
        Optional[str],
        _BASE,
        "The base model's stages, as a stages file.",
        "FILE",
    ),
    "base_unknown": _opt(
        bool,
        _BASE,
        "The base model's compute is unknown: compare with a third of each threshold.",
    ),
    "samples": _opt(
        Optional[int],
        _OUTPUT,
        "Monte Carlo draws (default 100,000).",
        "N",
    ),
    "seed": _opt(
        Optional[int],
        _OUTPUT,
        "Seed of the draws (default 0).",
        "N",
    ),
    "as_json": _opt(
        bool,
        _OUTPUT,
        "Print JSON instead of tables.",
    ),
    "report": _opt(
        Optional[str],
        _OUTPUT,
        "Also write DIR/assessment.html, .md, .json (with its SHA-256) and distribution.svg.",
        "DIR",
    ),
    "verify": _opt(
        Optional[str],
        _OUTPUT,
        "Re-run the assessment written to DIR and compare (exit 1 on a difference).",
        "DIR",
    ),
    "schema": _opt(
        bool,
        _OUTPUT,
        "Print the stages file's JSON Schema.",
    ),
    "dataset": _opt(
        bool,
        _OUTPUT,
        "The embedded dataset's models against the thresholds.",
    ),
}


def _flag(name: str) -> str:
    """The option of a parameter: ``base_flop`` is ``--base-flop``."""
    return "--json" if name == "as_json" else "--" + name.replace("_", "-")


_OPTIONS: dict[str, tuple[Any, Any]] = {
    name: (kind, typer.Option(_flag(name), **spec)) for name, (kind, spec) in _TABLE.items()
}

_DEFAULTS = {"base_unknown": False, "as_json": False, "schema": False, "dataset": False}
_FLAGS = {
    "start": "--start",
    "as_of": "--as-of",
    "progress": "--progress",
    "stage": "--stage",
    "threshold": "--threshold",
    "thresholds": "--threshold",
    "samples": "--samples",
    "seed": "--seed",
    "stages": "--stages",
    "record": "--record",
    "report": "--report",
    "verify": "--verify",
    "base": "--base-flop",
}
"""The option behind each input the library names in an error."""


def threshold_command(**values: Any) -> None:
    """Will this model cross 10^25 FLOP? Its training compute, stage by stage, as a
    distribution, with the probability of exceeding each threshold of law and guidance (EU AI
    Act 10^23 and 10^25 FLOP, California SB 53 10^26), crossing dates for a planned run and the
    EU one-third rule for a modification.

    Give one stage with the options of `aicompute estimate` (--params, --tokens, --hardware
    ...), several with --stages FILE, or a dataset model with --record. An estimate of
    training compute with its uncertainty, not legal advice.
    """
    as_json = values.pop("as_json")
    if values.pop("schema"):
        _only("--schema", values)
        from aicompute.threshold.stages import StagesFile

        print_json(StagesFile.model_json_schema())
        return
    if values.pop("dataset"):
        _only("--dataset", values, allowed=("threshold",))
        from aicompute.cli.threshold_dataset import print_dataset_view

        print_dataset_view(as_json, values["threshold"])
        return
    folder = values.pop("verify")
    if folder is not None:
        _only("--verify", values)
        _verify(folder, as_json)
        return
    inputs, single = _inputs(values)
    from aicompute import __version__
    from aicompute.threshold import assess
    from aicompute.threshold.digest import digest

    with _errors(flags=single):
        assessment = assess(inputs)
        written = []
        if values["report"] is not None:
            from aicompute.report.threshold import write_report

            written = write_report(assessment, values["report"], __version__)
    outputs = assessment.to_dict()
    sha256 = digest(assessment.inputs, outputs, __version__)
    if as_json:
        extra: dict[str, Any] = {"report": [str(p) for p in written]} if written else {}
        print_json({**outputs, "sha256": sha256, "version": __version__, "inputs": inputs, **extra})
        return
    _print(outputs, sha256, __version__, single)
    if written:
        from rich.markup import escape

        names = ", ".join(p.name for p in written)
        console().print(f"Report written to [bold]{escape(values['report'])}[/]: {names}")


def _given(values: Mapping[str, Any], names: tuple[str, ...] | None = None) -> list[str]:
    """The options given among ``values`` (all, or ``names``), as flags."""
    out = []
    for name, value in values.items():
        if (names is None or name in names) and value not in (None, False, []):
            out.append(_flag(name))
    return out


def _only(option: str, values: Mapping[str, Any], allowed: tuple[str, ...] = ()) -> None:
    extra = _given({k: v for k, v in values.items() if k not in allowed})
    if extra:
        _fail(f"{option} takes no other inputs (got {', '.join(extra)})")


def _fail(message: str) -> None:
    from aicompute.errors import InputError

    with user_errors():
        raise InputError(None, message)


@contextmanager
def _errors(flags: bool) -> Iterator[None]:
    """One line and exit 2 for a bad input, naming the option that set it (``--start``); an
    estimate input by its flag in single-stage mode, by its name in a stages file's."""
    from aicompute.errors import InputError

    with user_errors(flags=flags):
        try:
            yield
        except InputError as error:
            if error.field in _FLAGS:
                raise InputError(_FLAGS[error.field], error.message) from None
            raise


def _inputs(values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The assessment's inputs from the options, and whether they are a single stage's
    flags."""
    flags = _given(values, (*FIELDS, *_GENERATION))
    sources = [
        *(["estimate inputs (" + ", ".join(flags) + ")"] if flags else []),
        *_given(values, ("stages", "record")),
    ]
    if not sources:
        _fail(
            "give the stage's estimate inputs (e.g. --params 405B --tokens 15.6T), "
            "--stages FILE or --record NAME"
        )
    if len(sources) > 1:
        _fail(f"give one of estimate inputs, --stages or --record, not {' and '.join(sources)}")
    stage_options = _given(values, ("name", "kind", *_GENERATION))
    if stage_options and not flags:
        _fail(
            f"{' and '.join(stage_options)}: for the stage built from the estimate options "
            "(--params ...); a stages file names its stages, a record is pre-training"
        )
    inputs: dict[str, Any] = {}
    single = bool(flags)
    if single:
        inputs["stages"] = [_single_stage(values)]
    elif values["stages"] is not None:
        with _errors(flags=False):
            inputs.update(_stages_file(values["stages"]))
    else:
        with _errors(flags=False):
            from aicompute.threshold.stages import record_stage

            record = _record(values["record"], "record")
            inputs["model"] = record.name
            inputs["stages"] = [record_stage(record)]
    if values["threshold"]:
        inputs["thresholds"] = list(values["threshold"])
    for name in ("samples", "seed"):
        if values[name] is not None:
            inputs[name] = values[name]
    planned = _planned(values)
    if planned:
        inputs["planned"] = planned
    base = _base(values)
    if base:
        inputs["base"] = base
    return inputs, single


def _single_stage(values: dict[str, Any]) -> dict[str, Any]:
    """The stage of the estimate options, checked as ``aicompute estimate`` checks them, so
    that an error names the option (``--tokens``)."""
    with user_errors(flags=True):
        from aicompute.errors import InputError
        from aicompute.estimation import estimate_from
        from aicompute.threshold.stages import STAGE_KINDS

        given = {k: v for k, v in flag_inputs(values).items() if v not in (None, False)}
        kind = (values["kind"] or "pretraining").strip().lower()
        if kind not in STAGE_KINDS:
            raise InputError(
                "--kind", f"unknown kind {kind!r}; use one of {', '.join(STAGE_KINDS)}"
            )
        generation = None
        if values["generator_params"] is not None and values["generated_tokens"] is None:
            raise InputError("--generator-params", "goes with --generated-tokens")
        if values["generated_tokens"] is not None:
            params = values["generator_params"] or given.get("active_params") or given.get("params")
            if params is None:
                raise InputError(
                    "--generator-params", "give the generating model's parameters (or --params)"
                )
            generation = {
                "params": params,
                "tokens": values["generated_tokens"],
                "backward_ratio": 0,
            }
            try:
                estimate_from(generation)
            except InputError as error:
                flag = {"params": "--generator-params", "tokens": "--generated-tokens"}
                raise InputError(flag.get(error.field or "", error.field), error.message) from None
        if given or generation is None:
            estimate_from(given)
    name = values["name"] if values["name"] else STAGE_KINDS[kind]
    stage = {"name": name, "kind": kind, **given}
    return stage if generation is None else {**stage, "generation": generation}


def _stages_file(path: str) -> dict[str, Any]:
    """A stages file as inputs: its model and its stages as validated (errors name the file
    as given, the stage and the field)."""
    from aicompute.threshold.stages import read_stages

    model, stages = read_stages(path)
    out: dict[str, Any] = {"stages": [dict(s.given) for s in stages]}
    if model is not None:
        out = {"model": model, **out}
    return out


def _record(name: str, field: str) -> Any:
    """The embedded dataset's record by id or name (case-insensitive); an unknown name is
    refused with the closest names."""
    from aicompute.dataset import read_embedded
    from aicompute.errors import InputError

    records = read_embedded().records
    key = name.strip().lower()
    match = [r for r in records if key in {r.id.lower(), r.name.lower()}]
    if not match:
        import difflib

        names = {r.name.lower(): r.name for r in records}
        close = [n for n in names if key and key in n][:3] or difflib.get_close_matches(
            key, list(names), n=3, cutoff=0.6
        )
        if close:
            hint = f"did you mean {', '.join(repr(names[c]) for c in close)}?"
        else:  # nothing alike: the nearest names all the same, and where to find the others
            close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.0)
            hint = (
                f"the closest names are {', '.join(repr(names[c]) for c in close)} "
                "(aicompute data list --search TEXT finds others)"
            )
        raise InputError(field, f"no model {name!r} in the embedded dataset; {hint}")
    return match[0]


def _planned(values: dict[str, Any]) -> dict[str, Any]:
    given = _given(values, ("progress", "as_of", "stage"))
    if values["start"] is None:
        if given:
            _fail(f"{' and '.join(given)}: for a planned run; give its --start")
        return {}
    planned: dict[str, Any] = {"start": values["start"]}
    if values["stage"] is not None:
        planned["stage"] = values["stage"]
    if values["progress"] is not None:
        planned["progress"] = values["progress"]
        planned["as_of"] = values["as_of"] or dt.date.today().isoformat()
    elif values["as_of"] is not None:
        _fail("--as-of is the day --progress was counted: give --progress too")
    return planned


def _base(values: dict[str, Any]) -> dict[str, Any]:
    """The base model of a downstream modification, from at most one of the --base options."""
    chosen = _given(values, ("base_record", "base_flop", "base_stages", "base_unknown"))
    ends = _given(values, ("base_low_flop", "base_high_flop"))
    if len(chosen) > 1:
        _fail(f"give one base model, not {' and '.join(chosen)}")
    if ends and values["base_flop"] is None:
        _fail(f"{' and '.join(ends)}: the interval of --base-flop; give it too")
    if not chosen:
        return {}
    with _errors(flags=False):
        from aicompute.units import parse_range

        if values["base_unknown"]:
            return {"unknown": True}
        if values["base_record"] is not None:
            from aicompute.threshold.stages import record_stage

            stage = record_stage(_record(values["base_record"], "--base-record"))
            return {"name": stage["name"], "source": stage["source"], "stages": [stage]}
        if values["base_stages"] is not None:
            data = _stages_file(values["base_stages"])
            return {"name": data.get("model") or values["base_stages"], "stages": data["stages"]}
        base: dict[str, Any] = {"name": "base model"}
        for name in ("base_flop", "base_low_flop", "base_high_flop"):
            if values[name] is not None:
                parse_range(values[name], "flop", _flag(name))
                base[name.removeprefix("base_")] = values[name]
        return base


# --- --verify -----------------------------------------------------------------------------


def _verify(folder: str, as_json: bool) -> None:
    from aicompute import __version__
    from aicompute.report.threshold import verify_report

    with _errors(flags=False):
        result = verify_report(folder, __version__)
    if as_json:
        print_json({"verified": result.ok, "sha256": result.sha256, "problems": result.problems})
    elif result.ok:
        typer.echo(f"verified: sha256 {result.sha256}")
    else:
        for line in result.problems:
            typer.echo(line)
    if not result.ok:
        raise typer.Exit(1)


# --- printing -----------------------------------------------------------------------------


def _print(outputs: Mapping[str, Any], sha256: str, version: str, flags: bool) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from aicompute.report import threshold as view

    out = console()
    stages = outputs["stages"]
    title = outputs["model"] or ", ".join(s["name"] for s in stages)
    count = f"{len(stages)} stage{'s' if len(stages) > 1 else ''}"
    out.print(Text.assemble(("Threshold assessment: ", "bold"), (title, "bold"), f" ({count})"))
    out.print(
        f"Total training compute {view.flop(outputs['total_flop'])} (median), "
        f"90% interval {view.interval(outputs['low_flop'], outputs['high_flop'])}"
    )
    table = Table(title="Stages", title_justify="left")
    for column, right in (("Stage", False), ("Kind", False), ("Median FLOP", True),
                          ("90% interval, FLOP", True), ("Share", True)):  # fmt: skip
        table.add_column(column, justify="right" if right else "left")
    for row in view.stage_rows(outputs):
        table.add_row(
            Text(row["name"]),
            row["kind"],
            row["flop"],
            row["interval"],
            row["share"],
        )
    out.print(table)
    table = Table(title="Thresholds", title_justify="left")
    for column, right in (("Threshold", False), ("FLOP", True), ("P(exceed)", True),
                          ("Status", False), ("Not counted / unclear", False)):  # fmt: skip
        table.add_column(column, justify="right" if right else "left")
    for t in view.threshold_rows(outputs):
        left_out = "; ".join(
            [f"not counted: {t['excluded']}"] * bool(t["excluded"])
            + [f"unclear: {t['unclear']}"] * bool(t["unclear"])
        )
        table.add_row(
            Text.assemble(t["name"], (f" ({t['key']})", "dim")),
            t["flop"],
            Text(t["p"], style="bold"),
            t["status"],
            Text(left_out or "–"),
        )
    out.print(table)
    crossings = view.crossing_rows(outputs)
    if crossings:
        out.print("[bold]Planned run[/]")
        for line in view.planned_lines(outputs):
            out.print(f"  {escape(line)}")
        table = Table(title_justify="left")
        progress = "progress" in (outputs.get("planned") or {})
        columns = ["Threshold", "Crosses on", "90% interval", "Notify by",
                   "P(crosses within the run)"] + ["P(already)"] * progress  # fmt: skip
        for column in columns:
            table.add_column(column)
        for c in crossings:
            cells = [c["key"], c["date"], c["range"], c["notify_by"], c["p"]]
            table.add_row(*map(Text, cells + [c["p_already"]] * progress))
        out.print(table)
        out.print(
            "  [dim]Notify by: the EU AI Act's two weeks (Article 52(1)) after the threshold "
            "is met, from the median date (and from the earliest, the 5% quantile).[/]"
        )
    downstream = view.downstream_lines(outputs)
    if downstream:
        out.print("[bold]Downstream modification (EU one-third rule)[/]")
        for line in downstream[:-1]:
            out.print(f"  {escape(line)}")
        out.print(f"  [dim]{escape(downstream[-1])}[/]")
    out.print("[bold]Calculations[/]")
    for c in view.calculation_rows(outputs, "flag" if flags else "name"):
        out.print(f"[bold]{escape(c['stage'])}[/] · {c['part']} ({c['method']})")
        out.print(f"  [dim]{escape(c['formula'])}[/]")
        out.print(f"  = {escape(c['calculation'])}")
        out.print(f"  [dim]interval {escape(c['interval_basis'])}[/]")
        for warning in c["warnings"]:
            out.print(f"  [bold yellow]Warning:[/] {escape(warning)}")
    out.print(f"[dim]{escape(outputs['method'])}. aicompute {version}, sha256 {sha256}[/]")
    out.print(f"[dim]{escape(outputs['disclaimer'])}[/]")


def _parameter(name: str) -> inspect.Parameter:
    kind, option = _OPTIONS[name]
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=_DEFAULTS.get(name),
        annotation=Annotated[kind, option],
    )


_GENERATION = ("generated_tokens", "generator_params")
_FIRST = ("stages", "record", "name", "kind", *_GENERATION)
"""The options that choose the stages, listed before the estimate's own."""
_PARAMETERS = [
    *map(_parameter, _FIRST),
    *(_option(f) for f in FIELDS.values()),
    *(_parameter(name) for name in _OPTIONS if name not in _FIRST),
]
threshold_command.__signature__ = inspect.Signature(_PARAMETERS)  # type: ignore[attr-defined]
threshold_command.__annotations__ = {p.name: p.annotation for p in _PARAMETERS}
