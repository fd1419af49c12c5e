"""Subsets of a records DataFrame: by date, domain, confidence, and frontier rules.

Frontier rules, applied in date order among records with compute:

- ``top-N``: records that were among the N largest training runs known at their publication;
- ``record``: record-setters, larger than every earlier run (a running maximum);
- ``residual`` (or ``residual:K``): records at least K orders of magnitude above the trend
  fitted to the whole selection (K = 0 by default: above the line).

>>> import pandas as pd
>>> f = pd.DataFrame({"name": list("abcde"), "year": [1., 2., 3., 4., 5.],
...                   "flop": [10., 5., 20., 15., 30.]})
>>> list(frontier(f, "record").name), list(frontier(f, "top-2").name)
(['a', 'c', 'e'], ['a', 'b', 'c', 'd', 'e'])
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from aicompute.dataset.record import CONFIDENCES, DOMAINS, parse_date
from aicompute.errors import InputError

__all__ = ["frontier", "parse_frontier", "select"]


def _year(value: str | float | None, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        _text, _precision, year = parse_date(value)
    except ValueError as error:
        raise InputError(field, str(error)) from None
    return year


def _bounds(value: str | float | None, field: str, end: bool) -> float | None:
    """A date as a year bound: ``--until 2017`` includes all of 2017."""
    if value is None or isinstance(value, (int, float)):
        return None if value is None else float(value)
    try:
        text, precision, _ = parse_date(value)
    except ValueError as error:
        raise InputError(field, str(error)) from None
    year = int(text[:4])
    if precision == "year":
        return year + (1.0 if end else 0.0) + (1e-9 if end else 0.0)
    if precision == "month":
        month = int(text[5:7])
        start = parse_date(f"{year:04d}-{month:02d}-01")[2]
        if not end:
            return start - 1e-9
        nxt = f"{year + (month == 12):04d}-{month % 12 + 1:02d}-01"
        return parse_date(nxt)[2] - 1e-9
    return _year(value, field) + (1e-9 if end else -1e-9)


def select(
    frame: Any,
    *,
    since: str | float | None = None,
    until: str | float | None = None,
    domain: str | list[str] | None = None,
    confidence: str | list[str] | None = None,
    frontier_rule: str | None = None,
) -> Any:
    """Rows of ``frame`` within the dates (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, inclusive),
    domains and confidence levels, then reduced by a frontier rule."""
    out = frame
    low = _bounds(since, "since", end=False)
    high = _bounds(until, "until", end=True)
    if low is not None and high is not None and low > high:
        raise InputError("since", f"{since} is after --until {until}")
    if low is not None:
        out = out[out["year"] >= low]
    if high is not None:
        out = out[out["year"] <= high]
    if domain:
        wanted = _choices(domain, DOMAINS, "domain")
        out = out[out["domain"].isin(wanted)]
    if confidence:
        wanted = _choices(confidence, CONFIDENCES, "confidence")
        out = out[out["confidence"].isin(wanted)]
    if frontier_rule:
        out = frontier(out, frontier_rule)
    return out


def _choices(value: str | list[str], allowed: tuple[str, ...], field: str) -> list[str]:
    items = value if isinstance(value, list) else [v for v in re.split(r"[,;]", value)]
    lookup = {a.lower(): a for a in allowed}
    out = []
    for item in items:
        key = item.strip().lower()
        if key not in lookup:
            raise InputError(
                field, f"unknown {field} {item.strip()!r}; use one of {', '.join(allowed)}"
            )
        out.append(lookup[key])
    return out


def parse_frontier(rule: str) -> tuple[str, float]:
    """``top-N`` → ("top", N); ``record`` → ("record", 0); ``residual[:K]`` → ("residual", K)."""
    text = rule.strip().lower()
    if text in {"record", "records", "record-setters"}:
        return "record", 0.0
    match = re.fullmatch(r"top-?(\d+)", text)
    if match:
        n = int(match[1])
        if n < 1:
            raise InputError("frontier", "top-N needs N >= 1")
        return "top", float(n)
    match = re.fullmatch(r"residual(?:[:=](-?\d+(?:\.\d+)?))?", text)
    if match:
        return "residual", float(match[1] or 0.0)
    raise InputError(
        "frontier", f"unknown rule {rule!r}; use top-N (e.g. top-5), record, or residual[:K]"
    )


def frontier(frame: Any, rule: str) -> Any:
    """The rows of ``frame`` that pass a frontier rule (see the module's docs)."""
    kind, value = parse_frontier(rule)
    data = frame[frame["flop"].notna()].sort_values(["year", "name"], kind="stable")
    if "exclude_from_trend" in data:
        data = data[~data["exclude_from_trend"].astype(bool)]
    flop = data["flop"].to_numpy(dtype=float)
    if kind == "record":
        running = np.maximum.accumulate(flop)
        previous = np.concatenate([[-math.inf], running[:-1]])
        return data[flop > previous]
    if kind == "top":
        n = int(value)
        keep = np.zeros(len(flop), dtype=bool)
        best: list[float] = []  # the n largest so far, ascending
        for i, v in enumerate(flop):
            if len(best) < n or v > best[0]:
                keep[i] = True
                best.append(v)
                best.sort()
                best = best[-n:]
        return data[keep]
    from aicompute.trends.fit import fit_frame

    fit = fit_frame(data, bootstrap=0)
    residual = np.log10(flop) - fit.predict_log10(data["year"].to_numpy(dtype=float))
    return data[residual >= value]
