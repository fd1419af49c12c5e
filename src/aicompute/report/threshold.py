"""A threshold assessment as a folder anyone can check: a page, Markdown, the JSON record with
its digest, and the distribution chart; and the check itself (:func:`verify_report`).

The folder holds exactly :data:`FILES`:

* ``assessment.html``: one self-contained page (inline CSS, the chart as inline SVG, no
  script), readable on a phone and a desktop;
* ``assessment.md``: the same content as Markdown;
* ``assessment.json``: :func:`aicompute.threshold.digest.document`: the inputs, the outputs,
  the version of aicompute and their SHA-256 digest;
* ``distribution.svg``: the chart.

Every figure shown is read from the outputs; the page and the Markdown name the digest, so
:func:`verify_report` can tell that they belong to the JSON beside them. The rows shown (stages,
thresholds, crossing dates, the downstream verdict, the calculations) are built once here, for
the page, the Markdown and the command line's tables.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from aicompute._files import atomic_write, check_parents, describe_os_error
from aicompute.charts.threshold import p_text
from aicompute.errors import InputError
from aicompute.units import format_number

if TYPE_CHECKING:
    from aicompute.estimation.inputs import Style

__all__ = [
    "FILES",
    "Verification",
    "calculation_rows",
    "check_destination",
    "crossing_rows",
    "differences",
    "downstream_lines",
    "stage_rows",
    "threshold_rows",
    "verify_report",
    "write_report",
]

FILES = ("assessment.html", "assessment.md", "assessment.json", "distribution.svg")
"""What an assessment folder holds; a folder holding anything else is not written into."""
MAX_JSON_BYTES = 50_000_000
"""Largest ``assessment.json`` read back (real ones are tens of kilobytes)."""
MAX_DIFFERENCES = 20
"""Differences listed by a failed verification before "... and N more"."""
NARROW_CHART, WIDE_CHART = 360, 1100
"""Widths (px) of the page's two renderings of the chart: phone and desktop."""
_DIGEST_SHOWN = {
    "assessment.md": r"^SHA-256: `([0-9a-f]{64})`$",
    "assessment.html": r'<code id="sha256">([0-9a-f]{64})</code>',
}
"""Where the page and the Markdown name the digest (the templates write it so)."""
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.I)
_METHODS = {"operations": "counting operations", "hardware": "hardware time"}


# --- what is shown: rows built from an assessment's outputs -------------------------------


def flop(value: float | None) -> str:
    return format_number(value, "flop")


def interval(low: float | None, high: float | None) -> str:
    """``2.94e25 – 4.88e25 FLOP``."""
    return f"{flop(low).removesuffix(' FLOP')} – {flop(high)}"


def _bare(text: str) -> str:
    """A figure for a column headed "FLOP": the unit left out."""
    return text.removesuffix(" FLOP")


def stage_rows(outputs: Mapping[str, Any]) -> list[dict[str, str]]:
    """Per stage: name, kind (in words), median and 90% interval (in FLOP, the unit left
    out) and share of the total."""
    from aicompute.threshold.stages import STAGE_KINDS

    return [
        {
            "name": str(s["name"]),
            "kind": STAGE_KINDS.get(s["kind"], s["kind"]),
            "flop": _bare(flop(s["flop"])),
            "interval": _bare(interval(s["low_flop"], s["high_flop"])),
            "share": format_number(s["share"], "percent"),
            "source": str(s.get("source") or ""),
        }
        for s in outputs["stages"]
    ]


def threshold_rows(outputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per threshold: its name, FLOP, P(exceed) as text, binding or indicative, the stages
    it leaves out or may leave out, and its source."""
    from aicompute.threshold.stages import STAGE_KINDS

    rows = []
    for t in outputs["thresholds"]:
        status = (
            "your own"
            if str(t["key"]).startswith("user-")
            else "binding"
            if t["binding"]
            else "indicative"
        )
        rows.append(
            {
                "key": str(t["key"]),
                "name": str(t["name"]),
                "flop": _bare(flop(t["flop"])),
                "p": p_text(t["p_exceed"]),
                "status": status,
                "excluded": ", ".join(t["excluded_stages"]),
                "unclear": ", ".join(t["unclear_stages"]),
                "counts": str(t.get("counts") or ""),
                "effect": str(t.get("effect") or ""),
                "instrument": str(t.get("instrument") or ""),
                "source": str(t.get("source") or ""),
                "url": _url(t.get("source")),
                "why": {STAGE_KINDS.get(k, k): w for k, w in (t.get("why") or {}).items()},
                "notes": list(t.get("notes") or ()),
            }
        )
    return rows


def crossing_rows(outputs: Mapping[str, Any]) -> list[dict[str, str]]:
    """Per threshold the planned run counts: when it crosses (median and 90% interval of the
    date), notify by (the EU's 14 days, from the median and the earliest date), P(crosses
    within the run) and, with progress, P(already crossed)."""
    rows = []
    for c in outputs.get("crossing_dates") or ():
        notify = "–"
        if c["notify_by"]:
            notify = c["notify_by"]
            if c["notify_by_earliest"] and c["notify_by_earliest"] != c["notify_by"]:
                notify += f" (earliest {c['notify_by_earliest']})"
        rows.append(
            {
                "key": str(c["key"]),
                "name": str(c["name"]),
                "flop": flop(c["flop"]),
                "date": c["date"] or "not within the run",
                "range": f"{c['low_date']} – {c['high_date']}" if c["low_date"] else "–",
                "notify_by": notify,
                "p": p_text(c["p_exceed"]),
                "p_already": "–" if c["p_already"] is None else p_text(c["p_already"]),
            }
        )
    return rows


def planned_lines(outputs: Mapping[str, Any]) -> list[str]:
    """The planned run in two lines: which stage from when, and at what rate."""
    plan = outputs.get("planned")
    if not plan:
        return []
    earlier = plan.get("earlier_stages") or []
    after = f", after {', '.join(earlier)}" if earlier else ""
    return [
        f"Stage {plan['stage']!r} from {plan['start']}{after}: "
        f"{flop(plan['rate_flop_per_day'])} per day "
        f"(90% interval {interval(plan['rate_low'], plan['rate_high'])} per day)",
        f"rate: {plan['rate_basis']}",
    ]


def _verdict(p: float) -> str:
    if p >= 0.95:
        return "above one third"
    if p <= 0.05:
        return "below one third"
    return "uncertain: the interval straddles one third"


def downstream_lines(outputs: Mapping[str, Any]) -> list[str]:
    """The one-third rule for a modification: the ratio to the base model, P(more than a
    third) and the verdict; with an unknown base, P(more than a third of each threshold)."""
    down = outputs.get("downstream")
    if not down:
        return []
    lines = []
    if down.get("base") is None:
        for row in down.get("unknown_base") or ():
            p = float(row["p_exceeds"])
            lines.append(
                f"Base model's compute unknown, {row['threshold']}: the modification exceeds "
                f"{flop(row['flop'])} (a third of the threshold) with P {_p_phrase(p)}: "
                f"{_verdict(p)}"
            )
    else:
        base, p = down["base"], float(down["p_exceeds"])
        lines.append(
            f"Modification / base model ({base['name']}, {flop(base['flop'])}, 90% interval "
            f"{interval(base['low_flop'], base['high_flop'])}) = "
            f"{format_number(down['ratio'])} (90% interval {format_number(down['low_ratio'])} "
            f"– {format_number(down['high_ratio'])})"
        )
        lines.append(f"P(more than one third) {_p_phrase(p)}: {_verdict(p)}")
    lines.append(f"Rule: {down['rule']} ({down['instrument']})")
    return lines


def _p_phrase(p: float) -> str:
    shown = p_text(p)
    return shown if shown[0] in "<>" else f"= {shown}"


def calculation_rows(outputs: Mapping[str, Any], style: Style = "name") -> list[dict[str, Any]]:
    """Each stage part's working: its formula, the same with the numbers put in, the basis of
    its interval and its warnings (inputs named in ``style``: ``flag`` on the command line
    for a stage built from its options); a reported figure with its interval."""
    from aicompute.estimation.inputs import render

    rows = []
    for s in outputs["stages"]:
        for part, p in s["parts"].items():
            row: dict[str, Any] = {"stage": str(s["name"]), "part": part, "warnings": []}
            if p["method"] == "reported":
                row.update(
                    method="reported",
                    formula="a reported figure",
                    calculation=f"{flop(p['flop'])}, 90% interval "
                    f"{interval(p['low_flop'], p['high_flop'])}",
                    interval_basis=str(p["basis"]),
                )
            else:
                row.update(
                    method=_METHODS.get(p["method"], p["method"]),
                    formula=str(p["formula"]),
                    calculation=str(p["calculation"]),
                    interval_basis=f"{interval(p['low_flop'], p['high_flop'])}: "
                    f"{p['interval_basis']}",
                    warnings=[render(str(w), style) for w in p["warnings"]],
                )
            rows.append(row)
    return rows


def _url(text: object) -> str | None:
    return str(text) if isinstance(text, str) and _SAFE_URL.match(text) else None


# --- writing the folder -------------------------------------------------------------------


def check_destination(out: str | os.PathLike[str]) -> Path:
    """``out`` as a folder to write an assessment into, or :class:`InputError` (field
    ``report``): a file, or a folder holding anything but an earlier assessment's files."""
    path = Path(out)
    if (path.exists() or path.is_symlink()) and not path.is_dir():
        raise InputError("report", f"{out} exists and is not a folder")
    try:
        check_parents(path)
    except OSError as error:
        raise InputError("report", describe_os_error(error, out)) from None
    if path.is_dir():
        try:
            foreign = sorted(p.name for p in path.iterdir() if p.name not in FILES or p.is_dir())
        except OSError as error:
            raise InputError("report", f"cannot read {out}: {error.strerror or error}") from None
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise InputError(
                "report",
                f"{out} holds files other than an assessment's ({shown}); give a new or empty "
                "folder, or one an earlier assessment was written to",
            )
    return path


def write_report(assessment: Any, out: str | os.PathLike[str], version: str) -> list[Path]:
    """Write ``assessment`` (an :class:`~aicompute.threshold.Assessment`) into the folder
    ``out``, each file atomically, ``assessment.json`` last; return the paths written.
    Raises :class:`InputError` (field ``report``) when the folder may not or cannot be
    written."""
    from aicompute.charts.threshold import distribution_chart
    from aicompute.threshold.digest import document

    folder = check_destination(out)
    outputs = assessment.to_dict()
    doc = document(assessment.inputs, outputs, version)
    chart = distribution_chart(assessment.total, outputs["thresholds"], _title(outputs))
    wide = chart.to_svg(WIDE_CHART)
    context = _context(assessment, doc, _inline_svg(chart.to_svg(NARROW_CHART), "n"),
                       _inline_svg(wide, "w"))  # fmt: skip
    texts = {
        "distribution.svg": wide,
        "assessment.md": _render("assessment.md.j2", context, html=False),
        "assessment.html": _render("assessment.html.j2", context, html=True),
        "assessment.json": json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
    }
    written = []
    try:
        for name, text in texts.items():
            written.append(atomic_write(folder / name, _writer(text.encode("utf-8")), binary=True))
    except OSError as error:
        raise InputError("report", describe_os_error(error)) from None
    return written


def _writer(data: bytes) -> Callable[[IO[Any]], Any]:
    return lambda handle: handle.write(data)


def _title(outputs: Mapping[str, Any]) -> str:
    if outputs.get("model"):
        return str(outputs["model"])
    names = [str(s["name"]) for s in outputs["stages"]]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _inline_svg(svg: str, prefix: str) -> str:
    """An SVG ready to sit inline in a page beside another: no XML prologue, its ids (clip
    paths, gradients) prefixed so that two copies do not collide, and scaling with its box."""
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    return svg.replace("<svg ", '<svg role="img" aria-label="Distribution chart" ', 1)


def _sources(assessment: Any, outputs: Mapping[str, Any]) -> list[dict[str, str | None]]:
    """Every source behind the figures: the thresholds' instruments, the rules used, the
    stages' own sources and the estimates' (catalog data sheets, defaults)."""
    from aicompute.estimation import EstimateResult

    out: list[dict[str, str | None]] = []
    seen: set[tuple[str, str]] = set()

    def add(what: str, text: str) -> None:
        if text and (what, text) not in seen:
            seen.add((what, text))
            out.append({"what": what, "text": text, "url": _url(text)})

    for t in outputs["thresholds"]:
        add(f"{t['name']}: {t.get('instrument') or 'threshold'}", str(t.get("source") or ""))
    if outputs.get("crossing_dates"):
        from aicompute.threshold.legal import rules

        rule = rules()["notification"]
        add(f"Notification within {rule['days']} days: {rule['instrument']}", rule["source"])
    if outputs.get("downstream"):
        down = outputs["downstream"]
        add(f"One-third rule: {down['instrument']}", str(down["source"]))
    for s in outputs["stages"]:
        add(f"Stage {s['name']!r}", str(s.get("source") or ""))
    used: dict[tuple[str, str], list[str]] = {}  # (method, source) -> the parts using it
    for result in assessment.stages:
        for part, p in result.stage.parts.items():
            if not isinstance(p, EstimateResult):
                continue
            estimates = p.estimates if p.disagreement else (p.preferred,)
            for est in estimates:
                for url in est.sources:
                    users = used.setdefault((_METHODS[est.method], url), [])
                    users.append(f"{result.stage.name} ({part})")
    for (method, url), users in used.items():
        add(f"Estimate by {method} for {', '.join(dict.fromkeys(users))}", url)
    return out


def _notes(assessment: Any) -> dict[tuple[str, str], list[str]]:
    """The estimates' notes (defaults assumed, catalog figures used), by (stage, part)."""
    from aicompute.estimation import EstimateResult

    out: dict[tuple[str, str], list[str]] = {}
    for result in assessment.stages:
        for part, p in result.stage.parts.items():
            if isinstance(p, EstimateResult):
                estimates = p.estimates if p.disagreement else (p.preferred,)
                out[(result.stage.name, part)] = [n for e in estimates for n in e.notes]
    return out


def _context(assessment: Any, doc: Mapping[str, Any], narrow: str, wide: str) -> dict[str, Any]:
    outputs = doc["outputs"]
    inputs_json = json.dumps(doc["inputs"], indent=2, ensure_ascii=False)
    notes = _notes(assessment)
    calculations = calculation_rows(outputs)
    for row in calculations:
        row["notes"] = notes.get((row["stage"], row["part"]), [])
    return {
        "title": _title(outputs),
        "outputs": outputs,
        "total": flop(outputs["total_flop"]),
        "interval": interval(outputs["low_flop"], outputs["high_flop"]),
        "stages": stage_rows(outputs),
        "thresholds": threshold_rows(outputs),
        "planned": planned_lines(outputs),
        "crossings": crossing_rows(outputs),
        "downstream": downstream_lines(outputs),
        "calculations": calculations,
        "sources": _sources(assessment, outputs),
        "inputs_json": inputs_json,
        "inputs_heading": INPUTS_HEADING,
        # a Markdown fence longer than any run of backticks in the inputs
        "fence": "`" * max(3, 1 + max(map(len, re.findall("`+", inputs_json)), default=0)),
        "chart_narrow": narrow,
        "chart_wide": wide,
        "version": doc["version"],
        "sha256": doc["sha256"],
        "disclaimer": outputs["disclaimer"],
        "method": outputs["method"],
    }


def md_escape(text: object) -> str:
    """User text for Markdown: one line, the characters that would start markup escaped.

    >>> md_escape("a|b *c* <i>")
    'a\\\\|b \\\\*c\\\\* \\\\<i\\\\>'
    """
    line = " ".join(str(text).split())
    return re.sub(r"([\\`*_{}\[\]<>|#!])", r"\\\1", line)


def _render(name: str, context: Mapping[str, Any], html: bool) -> str:
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aicompute.report", "templates"),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    values = dict(context)
    if html:  # the charts are vl-convert's own SVG, not user text
        values["chart_narrow"] = Markup(values["chart_narrow"])
        values["chart_wide"] = Markup(values["chart_wide"])
    return env.get_template(name).render(**values)


# --- checking a folder --------------------------------------------------------------------


@dataclass
class Verification:
    """What re-running an assessment folder found: the stored digest and each difference
    (none when the folder reproduces)."""

    sha256: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _read_document(folder: Path, shown: str) -> dict[str, Any]:
    path = folder / "assessment.json"
    where = f"{shown.rstrip('/')}/assessment.json"
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise InputError("verify", f"{where}: larger than {MAX_JSON_BYTES:,} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("verify", f"{where}: no such file") from None
    except OSError as error:
        raise InputError("verify", f"{where}: cannot read it ({error.strerror or error})") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError("verify", f"{where}: not valid JSON ({error})") from None
    keys = ("inputs", "outputs", "version", "sha256")
    missing = [k for k in keys if not isinstance(data, dict) or k not in data]
    if missing:
        raise InputError("verify", f"{where}: not an assessment record (no {', '.join(missing)})")
    if not isinstance(data["inputs"], dict) or not isinstance(data["outputs"], dict):
        raise InputError("verify", f"{where}: not an assessment record (inputs, outputs)")
    return data


def verify_report(folder: str | os.PathLike[str], version: str) -> Verification:
    """Re-run the assessment stored in ``folder``'s ``assessment.json`` with this version of
    aicompute (``version``) and compare: the stored digest against the stored contents (an
    edit), the stored version, every output, the digest recomputed, and the digest the page
    and the Markdown name. Raises :class:`InputError` (field ``verify``) when there is no
    record to check."""
    from aicompute.jsonable import plain
    from aicompute.threshold import assess
    from aicompute.threshold.digest import digest

    shown = os.fspath(folder)
    path = Path(folder)
    doc = _read_document(path, shown)
    stored = str(doc["sha256"])
    result = Verification(stored)
    problems = result.problems
    pages: dict[str, str | None] = {}
    for name in ("assessment.md", "assessment.html"):
        try:
            pages[name] = (path / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pages[name] = None
    if digest(doc["inputs"], doc["outputs"], str(doc["version"])) != stored:
        problems.append(
            "the stored digest does not match the stored inputs and outputs: the file was edited"
        )
    if pages["assessment.md"] is not None:
        problems += _inputs_shown(pages["assessment.md"], doc["inputs"])
    if doc["version"] != version:
        problems.append(f"made by aicompute {doc['version']}, this is {version}")
    try:
        outputs = plain(assess(doc["inputs"]).to_dict())
    except InputError as error:
        problems.append(f"inputs: cannot be assessed again: {error}")
        outputs = None
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as error:
        problems.append(f"inputs: cannot be assessed again: not an assessment's inputs ({error})")
        outputs = None
    if outputs is not None:
        found = list(differences(plain(doc["outputs"]), outputs, "outputs"))
        problems += found[:MAX_DIFFERENCES]
        if len(found) > MAX_DIFFERENCES:
            problems.append(f"... and {len(found) - MAX_DIFFERENCES} more differences")
        again = digest(doc["inputs"], outputs, version)
        if again != stored and not problems:
            problems.append(f"sha256: {stored} -> {again}")
    for name, text in pages.items():
        if text is None:
            problems.append(f"{name}: missing or unreadable")
            continue
        named = set(re.findall(_DIGEST_SHOWN[name], text, re.M))
        if named != {stored}:
            other = ", ".join(sorted(named - {stored})) or "none"
            problems.append(f"{name}: names another digest ({other}), not {stored}")
    return result


INPUTS_HEADING = "## Inputs, as given"
"""The Markdown's heading over its JSON block of the inputs, which :func:`verify_report`
reads back to name the inputs an edit to ``assessment.json`` changed."""


def _inputs_shown(markdown: str, inputs: Mapping[str, Any]) -> list[str]:
    """The inputs that ``assessment.json`` holds and the Markdown does not show, one line
    each (nothing when the Markdown's block is missing or unreadable: its digest check
    reports that)."""
    match = re.search(
        rf"^{re.escape(INPUTS_HEADING)}\n\n(`{{3,}})json\n(.*?)\n\1$", markdown, re.S | re.M
    )
    if match is None:
        return []
    try:
        shown = json.loads(match[2])
    except ValueError:
        return []
    found = list(differences(shown, dict(inputs), "inputs"))
    if not found:
        return []
    head = "the inputs in assessment.json are not those assessment.md shows (shown -> stored):"
    return [head, *found[:MAX_DIFFERENCES]]


def differences(old: Any, new: Any, where: str) -> Iterator[str]:
    """One line per value that differs between ``old`` and ``new`` (JSON data), by path:
    ``outputs.thresholds[1].p_exceed: 0.62 -> 0.48``.

    >>> list(differences({"a": [1.0, 2.0], "b": "x"}, {"a": [1.0, 2.5], "c": 1}, "out"))
    ['out.a[1]: 2 -> 2.5', "out.b: 'x' -> (none)", 'out.c: (none) -> 1']
    """
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            inner = f"{where}.{key}"
            if key not in new:
                yield f"{inner}: {_shown(old[key])} -> (none)"
            elif key not in old:
                yield f"{inner}: (none) -> {_shown(new[key])}"
            else:
                yield from differences(old[key], new[key], inner)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from differences(a, b, f"{where}[{index}]")
    elif _canonical(old) != _canonical(new):
        if isinstance(old, str) and isinstance(new, str):
            a, b = _windows(old, new)
        else:
            a, b = _shown(old), _shown(new)
        if a == b:
            a, b = repr(old), repr(new)
        yield f"{where}: {a} -> {b}"


def _windows(old: str, new: str, width: int = 36) -> tuple[str, str]:
    """Two strings shown around where they first differ (the whole of each when short).

    >>> calc = "405B params × 2 FLOP/MAC × 3 (forward+backward) × {} tokens = {} FLOP"
    >>> _windows(calc.format("15.6T", "3.79e25"), calc.format("16T", "3.89e25"), 24)
    ("'...ackward) × 15.6T tokens ...'", "'...ackward) × 16T tokens = ...'")
    """
    if max(len(old), len(new)) <= 2 * width:
        return repr(old), repr(new)
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    at = min(len(old), len(new)) if at is None else at
    start = max(0, at - width // 2)

    def cut(text: str) -> str:
        piece = text[start : start + width]
        return repr(("..." if start else "") + piece + ("..." if start + width < len(text) else ""))

    return cut(old), cut(new)


def _canonical(value: Any) -> str:
    from aicompute.threshold.digest import canonical

    return canonical(value)


def _shown(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float | int):
        return f"{value:.6g}"
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "...")
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "{...}"
