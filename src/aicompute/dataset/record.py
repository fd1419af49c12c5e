"""The validated record of one training run, with its provenance.

A record holds what the analysis needs (name, date, domain, training compute with a range)
and where the value came from: the estimate inputs that reproduce it, a confidence level and
source URLs.

>>> r = Record(name="AlexNet", date="2012-05-30", domain="vision", flop=5.0866e17,
...            sources=["https://papers.nips.cc/paper/4824"])
>>> r.domain, r.date_precision, round(r.year, 4), round(r.pfs_days, 5)
('Vision', 'day', 2012.4126, 0.00589)
>>> r.low_flop == r.flop / 3  # default range: the seed's "within a factor 2-3"
True
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from aicompute.constants import CONFIDENCES, FLOP_PER_PFS_DAY
from aicompute.errors import InputError

__all__ = [
    "COMPUTE_SCOPES",
    "CONFIDENCES",
    "CONFIDENCE_FACTOR",
    "DATE_SOURCES",
    "DOMAINS",
    "DOMAIN_RULE",
    "ID_PATTERN",
    "LIMITS",
    "TREND_SCOPE",
    "EstimateInputs",
    "Record",
    "fractional_year",
    "input_error",
    "parse_date",
    "slugify",
]

DOMAINS: tuple[str, ...] = (
    "Vision",
    "Language",
    "Speech",
    "Games",
    "Fundamentals",
    "Autonomous Vehicles",
    "Multimodal",
    "Other",
)
"""The domains of the seed's charts, plus Multimodal and Other."""

DOMAIN_RULE = (
    "A record's domain is what the released model takes in and puts out. Language: text in, "
    "text out (code counts as text). Multimodal: the model also accepts images, audio or video, "
    "or produces something other than text, text-to-image and text-to-video generators "
    "included. Vision: images or video without language generation. Speech: audio alone. Games: "
    "agents that play games. Autonomous Vehicles: driving. Fundamentals: the seed's basic "
    "research results. Other: science and everything else."
)
"""The one rule that assigns a domain (issue 15), shown in the report and the docs."""

COMPUTE_SCOPES: dict[str, str] = {
    "final-run": "the model's own training run: pre-training, plus post-training where the "
    "record's notes say it is counted",
    "including-base": "the derived model's own training plus all the compute of its base model "
    "(base_model)",
    "fine-tuning-only": "only the training added on top of its base model (base_model)",
    "including-self-play": "the training run plus the compute spent generating its self-play "
    "games, the convention of OpenAI's 2018 analysis",
}
"""What a record's ``flop`` covers. Trend fits count each training run once: see
:data:`TREND_SCOPE`."""

TREND_SCOPE = (
    "Trend fits count each training run once: a record counts unless its compute is unknown or "
    "only an upper bound, it is flagged exclude_from_trend, or it derives from another record "
    "(base_model: fine-tuned, continued or reinforced from it), whose run is already counted. "
    "A record's flop is taken as it stands, so the self-play records (AlphaGo Zero, AlphaZero) "
    "keep the self-play generation that OpenAI's 2018 analysis counted."
)
"""The records a trend is fitted to, by default (issue 15): shown by the report and `fit`."""

DATE_SOURCES: dict[str, str] = {
    "preprint": "a preprint (arXiv or similar)",
    "blog": "the developer's blog post or press announcement",
    "release": "the release of the model, its weights or its API",
    "paper": "a peer-reviewed paper or conference, when nothing earlier was public",
    "event": "a public event: a match, a competition, a talk or a demonstration",
}
"""Where a record's date comes from: the first public announcement, whichever came first."""


CONFIDENCE_FACTOR: dict[str, float] = {
    "confident": 3.0,
    "likely": 10.0,
    "speculative": 30.0,
    "unknown": 3.0,
}
"""Default range (×/÷ factor) of a record without its own low/high, by confidence; "unknown"
takes the seed's "within a factor 2-3"."""

_DOMAIN_LOOKUP = {d.lower(): d for d in DOMAINS}
_DOMAIN_LOOKUP.update(
    {"autonomous vehicle": "Autonomous Vehicles", "driving": "Autonomous Vehicles"}
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
MIN_YEAR = 1940

ID_PATTERN = r"[a-z0-9][a-z0-9._-]{0,199}"
"""A record id: lowercase letters, digits, ``.``, ``_`` and ``-``, starting with a letter or
digit, at most 200 characters, so that every id can be put in a URL path and fetched back."""

LIMITS: dict[str, int] = {
    "name": 500,
    "organization": 2_000,
    "value_source": 2_000,
    "notes": 20_000,
    "sources": 50,
    "source": 2_000,
    "tags": 50,
    "tag": 100,
    "estimates": 10,
    "note": 2_000,
    "input": 100_000,
}
"""Longest text (characters) and longest lists a record may hold: the same on every store
and in every file, far above the longest real values (a 663-character note, 3 sources)."""


def slugify(text: str) -> str:
    """A lowercase identifier: ``"AlphaGo Zero"`` → ``"alphago-zero"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:200].strip("-")
    return slug or "record"


def _no_nul(value: object, where: str) -> None:
    """Refuse NUL characters anywhere in ``value`` (PostgreSQL cannot store them)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{where}: contains a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key, where)
            _no_nul(item, where)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _no_nul(item, where)


def _capped(value: object, limit: int, what: str) -> None:
    if isinstance(value, (str, list)) and len(value) > limit:
        unit = "characters" if isinstance(value, str) else "items"
        raise ValueError(f"{what} is longer than {limit} {unit} ({len(value)})")


def parse_date(text: object) -> tuple[str, str, float]:
    """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; return (normalized text, precision,
    fractional year). A year alone is placed mid-year, a month mid-month.

    >>> parse_date("2012-05-30")[1:], parse_date("2017-06")[0], parse_date("1959")[2]
    (('day', 2012.4125683060108), '2017-06', 1959.5)
    """
    if isinstance(text, (dt.date, dt.datetime)):
        text = text.isoformat()[:10]
    raw = str(text).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ][\d:.+Z-]*", raw):
        raw = raw[:10]  # timestamps: keep the day
    match = _DATE.match(raw)
    if not match:
        raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}")
    year = int(match[1])
    latest = dt.date.today().year + 1
    if not MIN_YEAR <= year <= latest:
        raise ValueError(f"year {year} is outside {MIN_YEAR}..{latest}")
    if match[2] is None:
        return f"{year:04d}", "year", year + 0.5
    month = int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist in {text!r}")
    if match[3] is None:
        days = calendar.monthrange(year, month)[1]
        mid = dt.date(year, month, 1).timetuple().tm_yday + days / 2
        return f"{year:04d}-{month:02d}", "month", year + mid / _days_in_year(year)
    day = int(match[3])
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None
    return date.isoformat(), "day", fractional_year(date)


def _days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def fractional_year(date: dt.date) -> float:
    """Year plus day-of-year / days-in-year (the convention of the seed's chart data)."""
    return date.year + date.timetuple().tm_yday / _days_in_year(date.year)


class EstimateInputs(BaseModel):
    """The inputs of one method, as keyword arguments of :func:`aicompute.estimate`."""

    model_config = ConfigDict(extra="forbid")
    method: Literal["operations", "hardware"]
    inputs: dict[str, Any]
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: object) -> object:
        if isinstance(data, dict):
            _no_nul(data, "estimate")
            _capped(data.get("note"), LIMITS["note"], "note")
            inputs = data.get("inputs")
            if isinstance(inputs, dict):
                for name, value in inputs.items():
                    _capped(value, LIMITS["input"], f"inputs.{name}")
        return data

    @model_validator(mode="after")
    def _known_inputs(self) -> EstimateInputs:
        """Every input is one of the estimate's, and belongs to this method."""
        from aicompute.estimation.inputs import FIELDS, check_names, render

        try:
            check_names(self.inputs)
        except InputError as error:
            raise ValueError(f"inputs: {render(str(error), 'name')}") from None
        foreign = [n for n in self.inputs if FIELDS[n].method not in (self.method, "both")]
        if foreign:
            raise ValueError(
                f"inputs: {', '.join(foreign)} belong to the other method, not {self.method}"
            )
        return self


class Record(BaseModel):
    """One training run: what it is, when, how much compute, and how we know."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    id: str = ""
    name: str = Field(min_length=1)
    organization: str = ""
    date: str
    domain: str = "Other"
    flop: float | None = None
    low_flop: float | None = None
    high_flop: float | None = None
    upper_bound: bool = False
    confidence: str = "unknown"
    value_source: str = ""
    estimates: list[EstimateInputs] = Field(default_factory=list)
    parameters: float | None = None
    sources: list[str] = Field(default_factory=list)
    notes: str = ""
    exclude_from_trend: bool = False
    tags: list[str] = Field(default_factory=list)
    compute_scope: str = "final-run"
    base_model: str = ""
    date_source: str = ""
    flop_by_scope: dict[str, float] = Field(default_factory=dict)

    @field_validator("*", mode="before")
    @classmethod
    def _bounded(cls, value: object, info: ValidationInfo) -> object:
        """No NUL characters, and no text or list longer than :data:`LIMITS`."""
        name = info.field_name or "record"
        _capped(value, LIMITS.get(name, 10_000), name)
        if name == "estimates":
            return value  # each estimate checks its own
        _no_nul(value, name)
        if name in {"sources", "tags"} and isinstance(value, list):
            for item in value:
                _capped(item, LIMITS[name[:-1]], f"{name} item")
        return value

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if value and not re.fullmatch(ID_PATTERN, value):
            raise ValueError(
                f"{value[:40]!r}{'...' if len(value) > 40 else ''} is not a valid id: use "
                "lowercase letters, digits, '.', '_' and '-', starting with a letter or a "
                "digit, at most 200 characters"
            )
        return value

    @field_validator("name", "organization", "notes", "value_source", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        return parse_date(value)[0]

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: object) -> str:
        key = str(value).strip().lower()
        if key not in _DOMAIN_LOOKUP:
            raise ValueError(f"unknown domain {value!r}; use one of {', '.join(DOMAINS)}")
        return _DOMAIN_LOOKUP[key]

    @field_validator("confidence", mode="before")
    @classmethod
    def _confidence(cls, value: object) -> str:
        key = str(value or "unknown").strip().lower()
        if key not in CONFIDENCES:
            raise ValueError(f"unknown confidence {value!r}; use one of {', '.join(CONFIDENCES)}")
        return key

    @field_validator("compute_scope", mode="before")
    @classmethod
    def _scope(cls, value: object) -> str:
        key = str(value or "final-run").strip().lower()
        if key not in COMPUTE_SCOPES:
            raise ValueError(
                f"unknown compute_scope {value!r}; use one of {', '.join(COMPUTE_SCOPES)}"
            )
        return key

    @field_validator("date_source", mode="before")
    @classmethod
    def _date_source(cls, value: object) -> str:
        key = str(value or "").strip().lower()
        if key and key not in DATE_SOURCES:
            raise ValueError(f"unknown date_source {value!r}; use one of {', '.join(DATE_SOURCES)}")
        return key

    @field_validator("base_model")
    @classmethod
    def _base_model(cls, value: str) -> str:
        if value and not re.fullmatch(ID_PATTERN, value):
            raise ValueError(f"{value[:40]!r} is not a record id")
        return value

    @field_validator("flop_by_scope")
    @classmethod
    def _flop_by_scope(cls, value: dict[str, float]) -> dict[str, float]:
        for scope, flop in value.items():
            if scope not in COMPUTE_SCOPES:
                raise ValueError(f"unknown scope {scope!r}; use one of {', '.join(COMPUTE_SCOPES)}")
            if not math.isfinite(flop) or flop <= 0:
                raise ValueError(f"{scope}: must be a positive finite number, got {flop}")
        return value

    @field_validator("flop", "low_flop", "high_flop", "parameters")
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and (not math.isfinite(value) or value <= 0):
            raise ValueError(f"must be a positive finite number, got {value}")
        return value

    @field_validator("sources", "tags", mode="before")
    @classmethod
    def _list(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in re.split(r"[;\n]| \| ", value) if v.strip()]
        return value

    @model_validator(mode="after")
    def _ranges(self) -> Record:
        if not self.id:
            self.id = slugify(self.name)
        if self.compute_scope in ("including-base", "fine-tuning-only") and not self.base_model:
            raise ValueError(f"compute_scope {self.compute_scope} needs base_model")
        if self.base_model == self.id:
            raise ValueError("base_model names the record itself")
        if self.compute_scope in self.flop_by_scope:
            raise ValueError(
                f"flop_by_scope repeats the record's own scope {self.compute_scope}: that is flop"
            )
        if self.flop is None:
            if self.low_flop is not None or self.high_flop is not None:
                raise ValueError("low_flop/high_flop given without flop")
            return self
        factor = CONFIDENCE_FACTOR[self.confidence]
        if self.low_flop is None:
            self.low_flop = self.flop / (10.0 if self.upper_bound else factor)
        if self.high_flop is None:
            self.high_flop = self.flop if self.upper_bound else self.flop * factor
        if not self.low_flop <= self.flop <= self.high_flop:
            raise ValueError(
                f"need low_flop <= flop <= high_flop, got {self.low_flop:g} <= {self.flop:g} "
                f"<= {self.high_flop:g}"
            )
        return self

    @property
    def year(self) -> float:
        """Publication date as a fractional year."""
        return parse_date(self.date)[2]

    @property
    def date_precision(self) -> str:
        """``day``, ``month`` or ``year``."""
        return parse_date(self.date)[1]

    @property
    def in_trend(self) -> bool:
        """Whether trend fits count this record, under :data:`TREND_SCOPE`."""
        return self.flop is not None and not (
            self.exclude_from_trend or self.upper_bound or self.base_model
        )

    @property
    def pfs_days(self) -> float | None:
        return None if self.flop is None else self.flop / FLOP_PER_PFS_DAY

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, empty optional ones left out."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        data["name"], data["date"] = self.name, self.date
        return data


def input_error(error: ValidationError) -> InputError:
    """A record's validation error as one :class:`InputError`: its first problem, named by the
    field's path (``estimates.0.inputs``)."""
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "record"
    return InputError(field, first["msg"].removeprefix("Value error, "))
