"""Build the report folder: an offline page, the charts as SVG and PNG, the data, a summary.

The report goes into a new or empty folder, or replaces a report aicompute wrote before,
recognised by the marker file :data:`MARKER` that lists the files it wrote. A folder holding
anything else is refused unless ``force=True``: a report never deletes a user's files by
surprise.

>>> import tempfile
>>> from aicompute import dataset
>>> out = build_report(dataset.load(), tempfile.mkdtemp(), bootstrap=100, static=False)
>>> sorted(p.name for p in out.path.iterdir())
['.aicompute-report', 'assets', 'charts', 'data', 'index.html', 'summary.json']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import itertools
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aicompute._files import check_parents, default_mode, describe_os_error
from aicompute.constants import FLOP_PER_PFS_DAY
from aicompute.errors import InputError
from aicompute.jsonable import plain

__all__ = [
    "MARKER",
    "ReportResult",
    "appendix_rows",
    "build_report",
    "check_destination",
    "record_rows",
]

MARKER = ".aicompute-report"
"""The file aicompute writes into every report folder: one line of JSON with the version and
the files it wrote. A folder with it may be replaced by the next report."""

_MARKER_BYTES = 1_000_000

_SAFE_URL = re.compile(r"^https?://", re.I)


@dataclass
class ReportResult:
    """Where the report was written, what it holds, and how long each step took."""

    path: Path
    files: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def record_rows(records: list[Any]) -> list[dict[str, Any]]:
    """Rows of the page's records table (text only; the page escapes everything)."""
    rows = []
    for r in sorted(records, key=lambda r: (r.year, r.name)):
        rows.append({
            "id": r.id, "name": r.name, "organization": r.organization, "date": r.date,
            "year": r.year, "domain": r.domain,
            "pfs_days": None if r.flop is None else r.flop / FLOP_PER_PFS_DAY,
            "flop": r.flop, "low_flop": r.low_flop, "high_flop": r.high_flop,
            "upper_bound": r.upper_bound, "confidence": r.confidence,
            "in_trend": r.in_trend,
            "methods": [e.method for e in r.estimates], "value_source": r.value_source,
            "sources": [s for s in r.sources if _SAFE_URL.match(s)], "notes": r.notes,
        })  # fmt: skip
    return rows


def appendix_rows(records: list[Any]) -> list[dict[str, Any]]:
    """The method appendix, generated from the records' own stored inputs."""
    from aicompute.estimation import recompute

    rows = []
    for r in sorted(records, key=lambda r: (r.year, r.name)):
        for e in r.estimates:
            redone = recompute(e)
            if redone.error is not None:
                rows.append({"name": r.name, "method": e.method, "error": redone.error})
                continue
            est = redone.estimate
            if est is None:
                continue
            rows.append(
                {
                    "name": r.name,
                    "date": r.date,
                    "method": e.method,
                    "formula": est.formula,
                    "calculation": est.calculation,
                    "pfs_days": est.pfs_days,
                    "note": e.note,
                    "sources": [s for s in r.sources if _SAFE_URL.match(s)][:1],
                }
            )
    return rows


@contextlib.contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[step] = time.perf_counter() - start


def build_report(
    frame: Any,
    out: str | os.PathLike[str],
    *,
    records: list[Any] | None = None,
    credits: list[str] | None = None,
    source: str = "embedded dataset",
    bootstrap: int = 1000,
    seed: int = 0,
    static: bool = True,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ReportResult:
    """Write the report for ``frame`` (records DataFrame) into the folder ``out``.

    ``out`` must be new, empty, or a report written before (see :func:`check_destination`);
    ``force=True`` replaces any other folder, deleting what it held. The folder is assembled
    beside its destination and swapped in at the end, so an interrupted run never leaves a
    half-written report. ``static=False`` skips the SVG/PNG exports (faster, for tests).
    Raises :class:`InputError` (field ``out``) when the folder may not or cannot be written.
    """
    from aicompute.dataset import read_embedded
    from aicompute.trends.fit import check_bootstrap

    step = progress or (lambda _name: None)
    out = Path(out)
    check_bootstrap(bootstrap, seed)
    target = check_destination(out, force=force)
    timings: dict[str, float] = {}
    if records is None:
        records = read_embedded().records
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
        work.chmod(default_mode(directory=True))
    except OSError as error:
        where = error.filename if error.errno == errno.ENOTDIR else target.parent
        error = OSError(error.errno, error.strerror, str(where))
        raise InputError("out", describe_os_error(error, out)) from None
    try:
        summary = _build(
            work, frame, records, credits, source, bootstrap, seed, static, step, timings
        )
        _swap(work, target)
    except OSError as error:
        shutil.rmtree(work, ignore_errors=True)
        raise InputError("out", describe_os_error(error, out)) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != MARKER)
    return ReportResult(out, files, timings, summary)


def check_destination(
    out: str | os.PathLike[str], *, force: bool = False, option: str = "force=True"
) -> Path:
    """Where the report ``out`` will go (links resolved), or :class:`InputError` when the folder
    may not be replaced: a file, the root, the home or current folder (or a folder holding
    them), or a folder with files aicompute did not write, unless ``force`` (``option`` is
    how the message names it: ``--force`` on the command line)."""
    out = Path(out)
    if (out.exists() or out.is_symlink()) and not out.is_dir():
        raise InputError("out", f"{out} exists and is not a folder")
    try:
        check_parents(out)
    except OSError as error:
        raise InputError("out", describe_os_error(error, out)) from None
    target = out.resolve()
    if target.parent == target:
        raise InputError("out", f"{out} is the root folder; give a folder for the report")
    for keep, what in ((Path.home, "your home folder"), (Path.cwd, "the current folder")):
        with contextlib.suppress(OSError, RuntimeError):
            if keep().resolve().is_relative_to(target):
                raise InputError(
                    "out", f"{out} is {what} or holds it; give a folder for the report"
                )
    if target.is_dir():
        foreign = _foreign_files(target)
        if foreign and not force:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise InputError(
                "out",
                f"{out} has files aicompute did not write ({shown}); give a new or empty folder, "
                f"or use {option} to replace the folder and delete them",
            )
    return target


def _marker_files(folder: Path) -> set[str] | None:
    """The files the folder's marker says aicompute wrote, or None without a valid marker."""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        with marker.open("rb") as handle:
            data = json.loads(handle.readline(_MARKER_BYTES))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) and "aicompute" in data else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def _foreign_files(folder: Path) -> list[str]:
    """What the folder holds that aicompute did not write (all of it, without a marker);
    folders aside, and an unreadable subfolder counts as foreign."""
    ours = _marker_files(folder)
    if ours is None:
        try:
            return sorted(p.name for p in itertools.islice(folder.iterdir(), 10))
        except OSError as error:
            return [f"unreadable: {error.strerror}"]
    foreign: list[str] = []

    def unreadable(error: OSError) -> None:
        foreign.append(str(Path(error.filename).relative_to(folder)))

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        for name in [*names, *(d for d in dirs if os.path.islink(os.path.join(root, d)))]:
            rel = Path(root, name).relative_to(folder).as_posix()
            if rel != MARKER and rel not in ours:
                foreign.append(rel)
    return sorted(foreign)


def _swap(work: Path, target: Path) -> None:
    """Put the finished folder ``work`` at ``target``, replacing what was there."""
    if not target.exists():
        work.rename(target)
        return
    trash = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old."))
    try:
        target.rename(trash / target.name)
    except BaseException:
        trash.rmdir()
        raise
    try:
        work.rename(target)
    except BaseException:
        (trash / target.name).rename(target)
        raise
    shutil.rmtree(trash, ignore_errors=True)


def _build(
    work: Path,
    frame: Any,
    records: list[Any],
    credits: list[str] | None,
    source: str,
    bootstrap: int,
    seed: int,
    static: bool,
    step: Callable[[str], None],
    timings: dict[str, float],
) -> dict[str, Any]:
    """Write every file of the report into the empty folder ``work``, the marker last; return
    the summary."""
    from aicompute import __version__, charts, trends
    from aicompute.dataset import write
    from aicompute.reproduce import reproduce, reproduce_extended

    step("analysis")
    with _timed(timings, "analysis"):
        analysis = trends.analyze(frame, bootstrap=bootstrap, seed=seed)
    step("charts")
    with _timed(timings, "charts"):
        built = [fn(analysis) for fn in charts.CHARTS.values()]
    step("forecast and costs")
    with _timed(timings, "forecast"):
        outlook = _outlook(frame, bootstrap=bootstrap, seed=seed)
        built += outlook.pop("charts")
    (work / "charts").mkdir()
    (work / "data").mkdir()
    (work / "assets").mkdir()
    if static:
        for chart in built:
            step(f"chart {chart.name}: SVG and PNG")
            with _timed(timings, f"export {chart.name}"):
                chart.save(work / "charts" / f"{chart.name}.svg")
                chart.save(work / "charts" / f"{chart.name}.png")
    for chart in built:
        chart.save(work / "charts" / f"{chart.name}.vl.json")
    step("reproduction table")
    with _timed(timings, "reproduce"):
        claims = [c.to_dict() for c in reproduce(bootstrap=bootstrap, seed=seed)]
        present = [c.to_dict() for c in reproduce_extended(frame, bootstrap=bootstrap, seed=seed)]
    step("data files")
    with _timed(timings, "data"):
        write(records, work / "data" / "records.csv")
        write(records, work / "data" / "records.json")
    step("checking the records")
    with _timed(timings, "check"):
        from aicompute.dataset.check import check

        checked = check(records)
    summary = {
        "data_check": {
            "records": checked.records,
            "estimates_checked": checked.checked,
            "problems": [p.to_dict() for p in checked.problems],
            "disagreements": [d.to_dict() for d in checked.disagreements],
        },
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": source, "credits": credits or [], **analysis.to_dict(),
        "reproduce": claims, "trends_vs_published": present, "outlook": outlook,
    }  # fmt: skip
    (work / "summary.json").write_text(json.dumps(plain(summary), indent=2), encoding="utf-8")
    step("page")
    with _timed(timings, "page"):
        (work / "assets" / "vega.js").write_text(charts.vega_bundle(), encoding="utf-8")
        static_dir = resources.files("aicompute.report").joinpath("static")
        for name in ("report.js", "report.css"):
            (work / "assets" / name).write_text(
                static_dir.joinpath(name).read_text("utf-8"), encoding="utf-8"
            )
        page = _render(analysis, built, records, claims, present, summary, static, outlook)
        (work / "index.html").write_text(page, encoding="utf-8")
    written = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    marker = {"aicompute": __version__, "kind": "report", "files": written}
    (work / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
    return summary


def _outlook(frame: Any, *, bootstrap: int, seed: int) -> dict[str, Any]:
    """Forecast, backtest and cost limits for the report (each skipped with a note when the
    data cannot support it)."""
    from aicompute import charts, economics, trends
    from aicompute.errors import InputError

    out: dict[str, Any] = {"charts": [], "notes": []}
    try:
        forecast = trends.forecast_frame(
            frame,
            trend="frontier",
            until=2030,
            target=1e27,
            bootstrap=max(bootstrap, 500),
            seed=seed,
        )
    except InputError as error:
        out["notes"].append(f"no forecast: {error.message}")
        return out
    out["forecast"] = forecast.to_dict()
    rows = trends.select_trend(frame, "frontier")
    out["charts"].append(charts.forecast_chart(rows, forecast))
    try:
        out["backtest"] = trends.backtest_frame(
            frame, cutoff="2020-06", trend="frontier", bootstrap=max(bootstrap, 500), seed=seed
        ).to_dict()
    except InputError as error:
        out["notes"].append(f"no backtest: {error.message}")
    _, price_fit = economics.price_performance(seed=seed)
    limits = economics.limits(forecast.fit, price_fit)
    costs = economics.cost_curve(forecast.fit, price_fit, until=2030)
    out["limits"] = limits
    out["price_performance"] = price_fit.to_dict()
    out["charts"].append(charts.cost_chart(costs, limits))
    return out


def _render(
    analysis: Any,
    built: list[Any],
    records: list[Any],
    claims: list[dict[str, Any]],
    present: list[dict[str, Any]],
    summary: dict[str, Any],
    static: bool,
    outlook: dict[str, Any],
) -> str:
    import jinja2

    from aicompute import __version__
    from aicompute.charts import safe_json

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aicompute.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["sig"] = lambda v, d=3: "–" if v is None else f"{v:.{d}g}"
    env.filters["pfs"] = _pfs
    template = env.get_template("index.html.j2")
    fit = analysis.modern_fit
    return template.render(
        version=__version__,
        summary=summary,
        analysis=analysis,
        fit=fit,
        charts=[
            {"name": c.name, "title": c.spec["title"]["text"], "spec_json": safe_json(c.spec)}
            for c in built
        ],
        static=static,
        records_json=safe_json(record_rows(records)),
        appendix=appendix_rows(records),
        claims=claims,
        present=present,
        outlook=outlook,
        growth=analysis.growth,
        eras=analysis.eras,
    )


def _pfs(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.4g}" if 1e-3 <= abs(value) < 1e7 else f"{value:.3g}"
