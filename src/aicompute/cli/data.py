"""``aicompute data``: list, show, validate, import and export datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from aicompute.cli.common import (
    FILTERS,
    DataOpt,
    JsonOpt,
    WithEmbeddedOpt,
    credits,
    filter_options,
    load,
    report_rows,
)
from aicompute.cli.output import console, print_json, user_errors
from aicompute.units import format_flop, format_number, format_pfs_days

app = typer.Typer(
    help="The dataset: list, show, validate, import and export records.", no_args_is_help=True
)


def _filtered(
    data: list[Path] | None, with_embedded: bool, filters: dict[str, Any]
) -> tuple[dict[str, Any], Any, list[Any]]:
    """(records by id, the selected frame, load results)."""
    from aicompute.trends import RecordFilter

    chosen = RecordFilter.parse(**filters)
    records, frame, results = load(data, with_embedded)
    return {r.id: r for r in records}, chosen.apply(frame), results


@app.command("list")
@filter_options(*FILTERS)
def list_command(
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    filters: dict[str, Any] | None = None,
    as_json: JsonOpt = False,
) -> None:
    """List records: date, name, domain, compute, confidence."""
    with user_errors():
        _, frame, results = _filtered(data, with_embedded, filters or {})
    if as_json:
        print_json(frame.drop(columns=["sources", "notes"]).to_dict(orient="records"))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{len(frame)} records",
        title_justify="left",
        caption="; ".join(credits(results)) or None,
        caption_justify="left",
    )
    for col in ("date", "name", "domain", "pfs-days", "FLOP", "confidence", "methods"):
        table.add_column(
            col, justify="right" if col in {"pfs-days", "FLOP"} else "left", overflow="fold"
        )
    for row in frame.itertuples():
        known = row.flop == row.flop
        bound = "< " if row.upper_bound else ""
        table.add_row(
            row.date,
            Text(row.name),
            row.domain,
            bound + format_number(row.pfs_days) if known else "–",
            bound + format_flop(row.flop).removesuffix(" FLOP") if known else "–",
            row.confidence,
            ", ".join(row.methods) + ("" if row.in_trend or not known else " (not fitted)"),
        )
    console().print(table)


@app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="Record name or id.")],
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Show one record: its value, where it came from, and its calculations redone."""
    from aicompute.dataset import COMPUTE_SCOPES
    from aicompute.errors import InputError
    from aicompute.estimation import recompute

    with user_errors():
        records, _, _ = load(data, with_embedded)
        records = {r.id: r for r in records}
        key = name.strip().lower()
        match = [r for r in records.values() if key in {r.id.lower(), r.name.lower()}]
        if not match:
            import difflib

            close = difflib.get_close_matches(name, [r.name for r in records.values()], n=3)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise InputError("name", f"no record {name!r}{hint}")
        record = match[0]
    # a stored calculation that no longer computes is shown with its reason, not a failure
    redone: list[tuple[Any, Any, str | None]] = []
    for e in record.estimates:
        again = recompute(e)
        redone.append((e, again.estimate, again.reason))
    if as_json:
        out = record.to_dict()
        out["year"] = record.year
        out["pfs_days"] = record.pfs_days
        out["recomputed"] = [
            dict(est.to_dict(), note=e.note)
            if est is not None
            else {"method": e.method, "error": problem, "note": e.note}
            for e, est, problem in redone
        ]
        print_json(out)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(record.name), title_justify="left", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    value = (
        "–"
        if record.flop is None
        else (
            f"{'< ' if record.upper_bound else ''}{format_flop(record.flop, 4)} = "
            f"{format_pfs_days(record.flop, 4)} (range {format_flop(record.low_flop)} – "
            f"{format_flop(record.high_flop)})"
        )
    )
    for label, text in (
        ("id", record.id),
        ("organization", record.organization),
        ("date", record.date),
        ("domain", record.domain),
        ("training compute", value),
        ("confidence", record.confidence),
        ("value source", record.value_source),
        ("date source", record.date_source),
        ("compute covers", COMPUTE_SCOPES[record.compute_scope]),
        ("base model", record.base_model),
        (
            "other scopes",
            "; ".join(f"{k}: {format_flop(v)}" for k, v in record.flop_by_scope.items()),
        ),
        ("in trend fits", "yes" if record.in_trend else "no"),
        ("sources", "\n".join(record.sources)),
        ("notes", record.notes),
        ("tags", ", ".join(record.tags)),
    ):
        if text:
            table.add_row(label, Text(text))
    for e, est, problem in redone:
        shown = (
            f"cannot be recomputed: {problem}"
            if est is None
            else f"{est.calculation}\n= {est.pfs_days:.4g} pfs-days"
        )
        table.add_row(f"method: {e.method}", Text(shown + (f"\n{e.note}" if e.note else "")))
    console().print(table)


@app.command("validate")
def validate_command(
    files: Annotated[list[Path], typer.Argument(help="Dataset files to check.")],
    as_json: JsonOpt = False,
) -> None:
    """Check files row by row; every bad row is reported with its line. Exit 1 if any."""
    from aicompute.dataset import read

    reports = []
    with user_errors():
        for path in files:
            reports.append(read(path))
    if as_json:
        print_json(
            [
                {
                    "file": r.source,
                    "kind": r.kind,
                    "valid": len(r.records),
                    "errors": [
                        {"line": e.line, "name": e.name, "message": e.message} for e in r.errors
                    ],
                }
                for r in reports
            ]
        )
    else:
        out = console()
        for r in reports:
            status = "[green]valid[/]" if not r.errors else f"[red]{len(r.errors)} bad rows[/]"
            out.print(f"{r.source} ({r.kind}): {len(r.records)} valid records, {status}")
            for e in r.errors:
                out.print(f"  {e}", highlight=False, markup=False)
    if any(r.errors for r in reports):
        raise typer.Exit(1)


@app.command("export")
@filter_options(*FILTERS)
def export_command(
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="FILE", help="Where to write: .yaml, .csv, .json or .parquet."
        ),
    ],
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    filters: dict[str, Any] | None = None,
) -> None:
    """Write the (filtered) records to a file, atomically. The file may not be one of the
    --data files."""
    from aicompute._files import output_errors, refuse_overwriting_inputs
    from aicompute.dataset import write

    with user_errors():
        _check_format(out)
        refuse_overwriting_inputs(out, data or [])
        records, frame, _ = _filtered(data, with_embedded, filters or {})
        chosen = [records[i] for i in frame["id"]]
        with output_errors("out", out):
            path = write(chosen, out)
    typer.echo(f"wrote {len(chosen)} records to {path}")


def _check_format(out: Path) -> None:
    """Refuse an output whose extension names no format we write, before any work."""
    from aicompute.dataset import FORMATS
    from aicompute.errors import InputError

    suffix = out.suffix.lower().lstrip(".")
    if {"yml": "yaml", "jsonl": "json"}.get(suffix, suffix) not in FORMATS:
        raise InputError(
            "out", f"unknown format {out.suffix!r}; use .yaml, .csv, .json or .parquet"
        )


@app.command("import")
def import_command(
    source: Annotated[Path, typer.Argument(help="File to import (e.g. Epoch AI's CSV).")],
    out: Annotated[
        Path, typer.Option("--out", metavar="FILE", help="Where to write the validated records.")
    ],
    with_embedded: Annotated[
        bool,
        typer.Option(
            "--with-embedded",
            help="Merge with the embedded dataset (on the same id, the imported record wins, "
            "as with --data everywhere).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate a file (ours or Epoch AI's) and write its good rows in aicompute's format.
    When no row loads, nothing is written and the exit status is 1. --out may not be the
    file imported."""
    import sys

    from aicompute._files import output_errors, refuse_overwriting_inputs
    from aicompute.dataset import read, read_embedded, write

    with user_errors():
        _check_format(out)
        refuse_overwriting_inputs(out, [source])
        result = read(source)
    report_rows([result])
    if not result.records:
        sys.stderr.write(f"aicompute: {source}: no record loaded; nothing written to {out}\n")
        if as_json:
            print_json(
                {
                    "source": str(source),
                    "kind": result.kind,
                    "written": 0,
                    "out": None,
                    "bad_rows": len(result.errors),
                    "credit": result.credit,
                }
            )
        raise typer.Exit(1)
    with user_errors():
        # as everywhere (load_records): the user's file wins over the embedded dataset
        embedded = read_embedded().records if with_embedded else []
        records = {r.id: r for r in [*embedded, *result.records]}
        with output_errors("out", out):
            path = write(records.values(), out)
    if as_json:
        print_json(
            {
                "source": str(source),
                "kind": result.kind,
                "written": len(records),
                "out": str(path),
                "bad_rows": len(result.errors),
                "credit": result.credit,
            }
        )
    else:
        typer.echo(
            f"imported {len(result.records)} records from {source} ({result.kind}); "
            f"{len(result.errors)} bad rows skipped; wrote {len(records)} to {path}"
        )
        if result.credit:
            typer.echo(f"credit: {result.credit}")


@app.command("check")
def check_command(
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Also fail (exit 1) on records whose own figures disagree by more than 2x.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Recompute every record from its stored inputs; flag values outside their range,
    duplicates, missing sources and unknown base models, and list the records whose own figures
    (stored value, each method) disagree by more than 2x. Exit 1 when anything is flagged (with
    --strict, also on disagreements)."""
    from aicompute.dataset.check import check

    with user_errors():
        records, _, results = load(data, with_embedded)
        report = check(records)
        bad_rows = sum(len(r.errors) for r in results)
    failed = not report.ok or bool(bad_rows) or (strict and not report.strict_ok)
    if as_json:
        out = report.to_dict()
        out["bad_rows"] = bad_rows
        out["strict"] = strict
        print_json(out)
    else:
        from rich.text import Text

        con = console()
        if not report.ok or bad_rows:
            status = "[red]problems found[/]"
        elif report.disagreements:
            count = len(report.disagreements)
            status = f"[yellow]{count} record{'s' if count > 1 else ''} disagree with themselves[/]"
        else:
            status = "[green]clean[/]"
        con.print(
            f"{report.records} records, {report.checked} stored estimates recomputed: {status}"
        )
        for problem in report.problems:
            con.print(Text(f"  {problem.kind}: {problem.record}: {problem.message}"))
        if report.disagreements:
            con.print("Records whose own figures are more than 2x apart:")
        for d in report.disagreements:
            con.print(Text(f"  {d.record}: {d.message}"))
    if failed:
        raise typer.Exit(1)


@app.command("compare")
def compare_command(
    epoch: Annotated[
        Optional[Path],
        typer.Option(
            "--epoch",
            metavar="FILE",
            help="Epoch AI's models CSV (default: the snapshot `data update-epoch` cached).",
        ),
    ] = None,
    data: DataOpt = None,
    with_embedded: WithEmbeddedOpt = False,
    top: Annotated[
        int, typer.Option("--top", help="How many of the largest disagreements to explain.")
    ] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Records present both here and in Epoch AI's database, paired one to one (never two
    different models), with the ratio of the values and the reasoning of both sides for the
    largest disagreements; ambiguous and unmatched records are counted."""
    from aicompute.dataset import read
    from aicompute.dataset.match import match_epoch
    from aicompute.dataset.update import cached, since_update
    from aicompute.errors import InputError

    since = None
    with user_errors():
        if top < 0:
            raise InputError("top", f"must be 0 or more, got {top}")
        if epoch is None:
            snapshot = cached()
            if snapshot is None:
                raise InputError(
                    "epoch",
                    "no --epoch FILE and no cached snapshot; run `aicompute data update-epoch`",
                )
            epoch = snapshot.path
            since = since_update()
        records, _, _ = load(data, with_embedded)
        theirs = read(epoch)
        if theirs.kind != "epoch":
            raise InputError("epoch", f"{epoch} is not an Epoch AI CSV")
        result = match_epoch(records, theirs.records)
    matches = result.matches
    if as_json:
        out = result.to_dict()
        out["credit"] = theirs.credit
        out["epoch_file"] = str(epoch)
        out["new_since_update"] = since[0] if since else []
        out["changed_since_update"] = since[1] if since else []
        print_json(out)
        return
    import statistics

    from rich.table import Table
    from rich.text import Text

    con = console()
    counts = (
        f"{len(result.ambiguous)} ambiguous (not paired); {len(result.unmatched_ours)} of our "
        f"records with a value found no Epoch row; {len(result.unmatched_epoch)} Epoch rows "
        "with compute found none of ours."
    )
    if since is not None:
        con.print(
            Text(
                f"Since the last update: {len(since[0])} new models, {len(since[1])} changed "
                "compute values."
            )
        )
    if not matches:
        con.print("No record matches a model of Epoch AI's database. " + counts)
        return
    ratios = [m.ratio for m in matches]
    within2 = sum(1 / 2 <= r <= 2 for r in ratios)
    within3 = sum(1 / 3 <= r <= 3 for r in ratios)
    con.print(
        Text(
            f"{len(matches)} records matched with confidence; median ratio (ours / Epoch) "
            f"{statistics.median(ratios):.2f}; {within2} ({within2 / len(matches):.0%}) within "
            f"a factor of 2, {within3} within a factor of 3."
        )
    )
    con.print(Text(counts))
    for a in result.ambiguous:
        con.print(Text(f"  ambiguous: {', '.join(a.ours)} ~ {' | '.join(a.epoch)}"))
    if top == 0:
        return
    table = Table(
        title=Text(f"Largest disagreements (top {min(top, len(matches))})"),
        title_justify="left",
        show_lines=True,
        caption=theirs.credit,
        caption_justify="left",
    )
    for col in (
        "model",
        "ours (FLOP)",
        "Epoch (FLOP)",
        "ratio",
        "our reasoning",
        "Epoch's reasoning",
    ):
        table.add_column(
            col,
            overflow="fold",
            justify="right" if col in {"ours (FLOP)", "Epoch (FLOP)", "ratio"} else "left",
        )
    for m in matches[:top]:
        model = m.name if m.name == m.epoch_name else f"{m.name}\n= Epoch's {m.epoch_name}"
        table.add_row(
            Text(model),
            format_flop(m.ours).removesuffix(" FLOP"),
            format_flop(m.epoch).removesuffix(" FLOP"),
            f"{m.ratio:.2f}",
            Text(m.our_reasoning[:400]),
            Text(m.epoch_reasoning[:400]),
        )
    con.print(table)


@app.command("update-epoch")
def update_epoch_command(
    url: Annotated[
        Optional[str],
        typer.Option("--url", metavar="URL", help="Where to download Epoch AI's models CSV."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Download Epoch AI's latest models CSV into the cache ($XDG_CACHE_HOME/aicompute/epoch),
    keeping the one before as the previous snapshot, and list the new models and changed
    compute values. Offline, the cached snapshot is kept (exit 0); with no cache, exit 2."""
    import sys

    from aicompute.dataset.update import DEFAULT_URL, Offline, update_epoch
    from aicompute.errors import InputError

    with user_errors():
        try:
            done = update_epoch(url or DEFAULT_URL)
        except Offline as error:
            raise InputError("url", f"offline: {error}") from None
    if done.offline:
        sys.stderr.write(f"aicompute: offline: {done.offline}\n")
    if as_json:
        print_json(done.to_dict())
        return
    snap = done.snapshot
    if done.offline:
        typer.echo(f"using the cached snapshot: {snap.rows} rows, {snap.path}")
        return
    state = " (unchanged)" if done.unchanged else ""
    typer.echo(f"cached {snap.rows} rows from {snap.url} at {snap.path}{state}")
    typer.echo(f"{len(done.new)} new models, {len(done.changed)} changed compute values")
    for name in done.new[:20]:
        typer.echo(f"  new: {name}")
    for c in done.changed[:20]:
        old = "none" if c["old_flop"] is None else format_flop(c["old_flop"])
        new = "none" if c["new_flop"] is None else format_flop(c["new_flop"])
        typer.echo(f"  changed: {c['name']}: {old} -> {new} FLOP")
