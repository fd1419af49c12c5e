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
from aicompute.constants import FIT_BOOTSTRAP, FLOP_PER_PFS_DAY, FORECAST_BOOTSTRAP
from aicompute.errors import InputError
from aicompute.jsonable import plain

__all__ = [
    "MARKER",
    "ReportResult",
    "above_thresholds",
    "appendix_rows",
    "build_report",
    "check_destination",
    "headline",
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
    """Rows of the page's records table (text only; the page escapes everything): each
    record's numbers as :func:`~aicompute.units.format_number` prints them, and its
    calculations, recomputed from the stored inputs as in :func:`appendix_rows`."""
    from aicompute.units import format_number

    rows = []
    for r in sorted(records, key=lambda r: (r.year, r.name)):
        bound = "< " if r.upper_bound else ""
        pfs_days = None if r.flop is None else r.flop / FLOP_PER_PFS_DAY
        ranged = r.low_flop is not None and r.high_flop is not None
        calculations = [
            {k: c[k] for k in ("method", "formula", "calculation", "pfs_text", "error") if k in c}
            for c in appendix_rows([r])
        ]
        rows.append({
            "id": r.id, "name": r.name, "organization": r.organization, "date": r.date,
            "year": r.year, "domain": r.domain, "pfs_days": pfs_days,
            "flop": r.flop, "low_flop": r.low_flop, "high_flop": r.high_flop,
            "pfs_text": bound + format_number(pfs_days),
            "flop_text": bound + format_number(r.flop, "flop").removesuffix(" FLOP"),
            "range_text": (
                f"{format_number(r.low_flop, 'flop', 2).removesuffix(' FLOP')} – "
                f"{format_number(r.high_flop, 'flop', 2)}" if ranged else None
            ),
            "upper_bound": r.upper_bound, "confidence": r.confidence,
            "in_trend": r.in_trend, "calculations": calculations,
            "methods": [e.method for e in r.estimates], "value_source": r.value_source,
            "sources": [s for s in r.sources if _SAFE_URL.match(s)], "notes": r.notes,
        })  # fmt: skip
    return rows


def appendix_rows(records: list[Any]) -> list[dict[str, Any]]:
    """The method appendix, generated from the records' own stored inputs: per calculation,
    its formula, the numbers put in, and the result (``pfs_text``, as the formatter prints
    it)."""
    from aicompute.estimation import recompute
    from aicompute.units import format_number

    rows = []
    for r in sorted(records, key=lambda r: (r.year, r.name)):
        for e in r.estimates:
            redone = recompute(e)
            if redone.error is not None:
                rows.append({"id": r.id, "name": r.name, "method": e.method, "error": redone.error})
                continue
            est = redone.estimate
            if est is None:
                continue
            rows.append(
                {
                    "id": r.id,
                    "name": r.name,
                    "date": r.date,
                    "method": e.method,
                    "formula": est.formula,
                    "calculation": est.calculation,
                    "pfs_days": est.pfs_days,
                    "pfs_text": format_number(est.pfs_days, "pfs_days"),
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
    bootstrap: int = FIT_BOOTSTRAP,
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
        today = headline(analysis)
    step("charts")
    with _timed(timings, "charts"):
        built = [fn(analysis) for fn in charts.CHARTS.values()]
    step("forecast and costs")
    with _timed(timings, "forecast"):
        outlook = _outlook(frame, seed=seed)
        built += outlook.pop("charts")
    step("models above the thresholds")
    with _timed(timings, "thresholds"):
        above = above_thresholds(records, seed=seed)
        built.append(charts.above_chart(above))
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
        "source": source, "credits": credits or [], "today": today, **analysis.to_dict(),
        "reproduce": claims, "trends_vs_published": present, "outlook": outlook,
        "above_thresholds": {k: v for k, v in above.items() if k != "records"},
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
        page = _render(
            analysis, built, records, claims, present, summary, static, outlook, today, above
        )
        (work / "index.html").write_text(page, encoding="utf-8")
    written = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    marker = {"aicompute": __version__, "kind": "report", "files": written}
    (work / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
    return summary


def headline(analysis: Any) -> dict[str, Any]:
    """The report's first cards: today's trends (the current era since the break, the
    frontier), the seed's 2012-2017 trend beside them, the published figures, and the warning
    of any fit that spans a break. Each card names the command that gives the same digits."""
    from aicompute.estimation.inputs import render
    from aicompute.reproduce import PUBLISHED_TRENDS

    bootstrap = analysis.modern_fit.bootstrap
    option = "" if bootstrap == FIT_BOOTSTRAP else f" --bootstrap {bootstrap}"
    seed = analysis.modern_fit.seed
    option += "" if seed == 0 else f" --seed {seed}"
    cards = []
    if analysis.recent_fit is not None:
        cards.append({
            "key": "recent", "title": "Training compute today",
            "selection": f"all {analysis.recent_fit.n} notable runs in the trend since the "
                         f"break between eras ({analysis.recent_since})",
            "command": f"aicompute fit --since {analysis.recent_since}{option}",
            "fit": analysis.recent_fit.to_dict(),
        })  # fmt: skip
    if analysis.frontier_fit is not None:
        cards.append({
            "key": "frontier", "title": "The frontier",
            "selection": f"the {analysis.frontier_fit.n} runs that were among the ten largest "
                         "at publication, from 2010",
            "command": f"aicompute fit --since 2010 --frontier top-10{option}",
            "fit": analysis.frontier_fit.to_dict(),
        })  # fmt: skip
    cards.append({
        "key": "seed", "title": "The seed's trend, 2012-2017",
        "selection": analysis.modern_label,
        "command": "aicompute reproduce",
        "fit": analysis.modern_fit.to_dict(),
    })  # fmt: skip
    published = [
        {"label": title, "doubling_months": central, "range": list(bounds), "url": url}
        for key, (title, central, bounds, url) in PUBLISHED_TRENDS.items()
        if key in {"sevilla_dl", "sevilla_large", "epoch_2024"}
    ]
    warnings = [
        f"A single line through all {analysis.all_fit.n} records gives a "
        f"{analysis.all_fit.doubling_months:.3g}-month doubling, but: {render(w, 'flag')}."
        for w in analysis.all_fit.warnings
    ]
    return {"cards": cards, "published": published, "warnings": warnings}


def above_thresholds(records: list[Any], *, seed: int = 0) -> dict[str, Any]:
    """The records against the thresholds of 10^25 and 10^26 FLOP, as
    ``aicompute threshold --dataset --json`` prints them (same draws, same seed): each
    record's probability of being above, and each year's count of models above (expected,
    90% interval, likely, certain). ``summary.json`` keeps all but the per-record rows."""
    from aicompute.threshold.dataset import dataset_view

    return dataset_view(records, seed=seed)


def _outlook(frame: Any, *, seed: int) -> dict[str, Any]:
    """Forecast, backtest and cost limits for the report (each skipped with a note when the
    data cannot support it), with the command line's settings (:data:`FORECAST_BOOTSTRAP`
    resamples), so ``aicompute forecast`` gives the same digits."""
    from aicompute import charts, economics, trends
    from aicompute.errors import InputError

    out: dict[str, Any] = {"charts": [], "notes": []}
    try:
        forecast = trends.forecast_frame(
            frame,
            trend="frontier",
            until=2030,
            target=1e27,
            bootstrap=FORECAST_BOOTSTRAP,
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
            frame, cutoff="2020-06", trend="frontier", bootstrap=FORECAST_BOOTSTRAP, seed=seed
        ).to_dict()
    except InputError as error:
        out["notes"].append(f"no backtest: {error.message}")
    _, price_fit = economics.price_performance(seed=seed)
    limits = economics.limits(forecast.fit, price_fit)
    out["limits"] = limits
    out["price_performance"] = price_fit.to_dict()
    out["charts"].append(charts.cost_chart(forecast.fit, price_fit, rows))
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
    today: dict[str, Any],
    above: dict[str, Any],
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
    from aicompute.units import format_number

    # Every number on the page goes through the one formatter (aicompute.units.format_number)
    env.filters["num"] = lambda v, d=3: format_number(v, "number", d)
    env.filters["flop"] = lambda v, d=3: format_number(v, "flop", d)
    env.filters["pfs"] = lambda v, d=3: format_number(v, "pfs_days", d)
    env.filters["usd"] = lambda v, d=3: format_number(v, "usd", d)
    env.filters["pct"] = lambda v, d=3: format_number(v, "percent", d)
    env.filters["times"] = lambda v, d=3: format_number(v, "factor", d)
    env.filters["value"] = lambda v, d=6: (
        format_number(v, "number", d) if isinstance(v, (int, float)) else str(v)
    )
    env.filters["signed"] = lambda v, d=2: f"{float(v):+.{d}f}".replace("-", "\u2212")
    env.filters["month"] = lambda v: "–" if not v else str(v)[:7]
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
        today=today,
        above=_above_tables(above),
    )


def _above_tables(above: dict[str, Any]) -> dict[str, Any]:
    """The page's tables of models above each threshold: the years the chart shows, each with
    its expected count, 90% interval, likely and certain counts and the likely models."""
    from aicompute.charts.above import SHOWN_FROM
    from aicompute.threshold.dataset import shown_years

    every = [row for rows in above["by_year"].values() for row in rows]
    years = set(shown_years(every, SHOWN_FROM))
    return {
        **above,
        "tables": [
            {**t, "rows": [r for r in above["by_year"][t["key"]] if r["year"] in years]}
            for t in above["thresholds"]
        ],
        "records_with_compute": len(above["records"]),
    }
