"""Growth between two records, and what Moore's law would have given over the same span.

>>> g = growth_between(2012.4125, 5.086e17, 2017.7939, 1.634e23)
>>> round(g.factor), round(g.moore_factor(24), 2), round(g.moore_factor(18), 1)
(321274, 6.46, 12.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from aicompute.errors import InputError

__all__ = ["MOORE_MONTHS", "Growth", "growth_between", "growth_frame"]

MOORE_MONTHS = {"corrected (2019)": 24.0, "original (2018)": 18.0}
"""Moore's law doubling times the seed uses: 2 years, after its 2019 correction of 18 months."""


@dataclass(frozen=True)
class Growth:
    """The change in compute from one record to a later one."""

    start_year: float
    start_flop: float
    end_year: float
    end_flop: float
    start_name: str = ""
    end_name: str = ""

    @property
    def years(self) -> float:
        return self.end_year - self.start_year

    @property
    def factor(self) -> float:
        return self.end_flop / self.start_flop

    @property
    def doubling_months(self) -> float | None:
        """The doubling time that would give this growth over this span."""
        if self.factor <= 1 or self.years <= 0:
            return None
        return 12 * self.years / math.log2(self.factor)

    def moore_factor(self, doubling_months: float = 24.0) -> float:
        """Growth over the same span at a fixed doubling time."""
        return 2 ** (12 * self.years / doubling_months)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start_name,
            "end": self.end_name,
            "years": self.years,
            "factor": self.factor,
            "doubling_months": self.doubling_months,
            "moore_factor_24_months": self.moore_factor(24),
            "moore_factor_18_months": self.moore_factor(18),
        }


def growth_between(
    start_year: float,
    start_flop: float,
    end_year: float,
    end_flop: float,
    start_name: str = "",
    end_name: str = "",
) -> Growth:
    """Growth from (start_year, start_flop) to (end_year, end_flop)."""
    if start_flop <= 0 or end_flop <= 0:
        raise InputError("flop", "growth needs positive compute at both ends")
    return Growth(
        float(start_year),
        float(start_flop),
        float(end_year),
        float(end_flop),
        str(start_name),
        str(end_name),
    )


def growth_frame(frame: Any, start: str, end: str) -> Growth:
    """Growth between two records of a DataFrame, found by name or id (case-insensitive)."""

    def find(key: str) -> Any:
        k = key.strip().lower()
        rows = frame[(frame["name"].str.lower() == k) | (frame["id"].str.lower() == k)]
        if rows.empty:
            raise InputError("record", f"no record named {key!r}")
        row = rows.iloc[0]
        if row["flop"] != row["flop"]:
            raise InputError("record", f"{key!r} has no training compute")
        return row

    a, b = find(start), find(end)
    return growth_between(a["year"], a["flop"], b["year"], b["flop"], a["name"], b["name"])
