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
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from aicompute.dataset.record import CONFIDENCES, DOMAINS, parse_date
from aicompute.errors import InputError
from aicompute.trends.fields import FILTER_FIELDS, FilterField

__all__ = [
    "FILTER_FIELDS",
    "FilterField",
    "RecordFilter",
    "fold",
    "frontier",
    "parse_frontier",
    "select",
    "year_of",
]


def year_of(value: str | float | None, field: str) -> float | None:
    """A date (``YYYY[-MM[-DD]]``) or a year as a fractional year; InputError naming
    ``field`` when it is not a date."""
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
    """A date as a year bound: ``until`` 2017 includes all of 2017."""
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
    day = parse_date(value)[2]  # parsed above
    return day + (1e-9 if end else -1e-9)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """The case-insensitive form of a name or a search: A-Z as a-z, every other character as
    it is, which every database does exactly alike (SQLite's ``lower``, SQL's ``translate``).

    >>> fold("GPT-3 Élan_%")
    'gpt-3 Élan_%'
    """
    return text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class RecordFilter:
    """Which records to use: a name search (a case-insensitive substring, wildcards literal),
    a date range (inclusive), domains, confidence levels and a frontier rule. Built from
    text, it validates (:class:`~aicompute.errors.InputError` names the field); it applies to
    a records frame (:meth:`apply`) or to an SQL query (:meth:`where`), with the same meaning.

    >>> RecordFilter(since="2020", until="2019")
    Traceback (most recent call last):
    ...
    aicompute.errors.InputError: since: since 2020 is after until 2019
    """

    search: str | None = None
    since: str | float | None = None
    until: str | float | None = None
    domain: str | list[str] | tuple[str, ...] | None = None
    confidence: str | list[str] | tuple[str, ...] | None = None
    frontier: str | None = None

    def __post_init__(self) -> None:
        low: Any = _day(self.since, "since", end=False)
        high: Any = _day(self.until, "until", end=True)
        if isinstance(low, str) != isinstance(high, str):
            low, high = self.bounds()
        if low is not None and high is not None and low > high:
            raise InputError("since", f"since {self.since} is after until {self.until}")
        set_ = object.__setattr__
        set_(self, "search", self.search or None)
        set_(self, "domain", tuple(_choices(self.domain, DOMAINS, "domain")) or None)
        set_(
            self,
            "confidence",
            tuple(_choices(self.confidence, CONFIDENCES, "confidence")) or None,
        )
        set_(self, "frontier", self.frontier or None)
        if self.frontier:
            parse_frontier(self.frontier)

    @classmethod
    def parse(cls, **values: Any) -> RecordFilter:
        """The filter from the faces' values (``None`` or empty: no filter on that field)."""
        return cls(**values)

    def values(self) -> tuple[Any, ...]:
        """The fields in order (a cache key)."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def bounds(self) -> tuple[float | None, float | None]:
        """The date range as fractional years (``until 2017`` includes all of 2017)."""
        return _bounds(self.since, "since", end=False), _bounds(self.until, "until", end=True)

    def apply(self, frame: Any, *, with_frontier: bool = True) -> Any:
        """The rows of a records frame that pass (the frontier rule last, unless not
        ``with_frontier``)."""
        out = frame
        if self.search:
            names = out["name"].astype(str).map(fold)
            out = out[names.str.contains(fold(self.search), regex=False)]
        low, high = self.bounds()
        if low is not None:
            out = out[out["year"] >= low]
        if high is not None:
            out = out[out["year"] <= high]
        if self.domain:
            out = out[out["domain"].isin(self.domain)]
        if self.confidence:
            out = out[out["confidence"].isin(self.confidence)]
        if with_frontier and self.frontier:
            out = frontier(out, self.frontier)
        return out

    def where(self, query: Any, columns: Any, sql_fold: Any) -> Any:
        """``query`` (SQLAlchemy) restricted to the records that pass, the frontier rule
        aside (it needs every record): ``columns`` has name, year, domain and confidence;
        ``sql_fold(column)`` is the SQL form of :func:`fold`."""
        if self.search:
            pattern = _like(fold(self.search))
            query = query.where(sql_fold(columns.name).like(pattern, escape="\\"))
        low, high = self.bounds()
        if low is not None:
            query = query.where(columns.year >= low)
        if high is not None:
            query = query.where(columns.year <= high)
        if self.domain:
            query = query.where(columns.domain.in_(self.domain))
        if self.confidence:
            query = query.where(columns.confidence.in_(self.confidence))
        return query


def _like(text: str) -> str:
    """A LIKE pattern (escape character ``\\``) matching ``text`` anywhere, its wildcards taken
    literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _day(value: str | float | None, field: str, end: bool) -> str | float | None:
    """The first (or last) day a date means, as comparable text (``YYYY-MM-DD``)."""
    if value is None or isinstance(value, (int, float)):
        return value
    try:
        text, precision, _ = parse_date(value)
    except ValueError as error:
        raise InputError(field, str(error)) from None
    pad = {"year": ("-01-01", "-12-31"), "month": ("-01", "-31")}.get(precision, ("", ""))
    return text + pad[end]


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
    domains and confidence levels, then reduced by a frontier rule (see :class:`RecordFilter`)."""
    return RecordFilter(
        since=since, until=until, domain=domain, confidence=confidence, frontier=frontier_rule
    ).apply(frame)


def _choices(
    value: str | list[str] | tuple[str, ...] | None, allowed: tuple[str, ...], field: str
) -> list[str]:
    if not value:
        return []
    items = list(value) if isinstance(value, (list, tuple)) else re.split(r"[,;]", value)
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
    if "in_trend" in data:
        data = data[data["in_trend"].astype(bool)]
    elif "exclude_from_trend" in data:
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
