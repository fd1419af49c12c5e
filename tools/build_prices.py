"""Rebuild src/aicompute/hardware/prices.csv from Epoch AI's hardware prices table.

    python tools/build_prices.py ../shared/reference/epoch-hardware-prices-2025-03.csv

For each accelerator of the catalog with quotes: the median on-demand, 1-year and 3-year
committed price per chip-hour, the median purchase price, how many quotes, their dates, and the
newest quote's source. Cloud prices for the Tesla K80 are per die (a cloud "GPU" is one die);
its purchase price is per board. Data: Epoch AI, CC BY 4.0.
"""

from __future__ import annotations

import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from aicompute import hardware
from aicompute.errors import InputError

OUT = Path(__file__).resolve().parents[1] / "src" / "aicompute" / "hardware" / "prices.csv"
COLUMNS = (
    "key",
    "on_demand_usd_per_hour",
    "committed_1y_usd_per_hour",
    "committed_3y_usd_per_hour",
    "purchase_usd",
    "quotes",
    "first_date",
    "last_date",
    "cloud_source",
    "purchase_source",
)


def main(path: str) -> None:
    quotes: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(path, encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            name = row["Hardware model"].strip()
            try:
                if "k80" in name.lower():
                    cloud = any(
                        row[c]
                        for c in (
                            "Price per chip-hour (on-demand)",
                            "Price per chip-hour (1-year CUD)",
                            "Price per chip-hour (3-year CUD)",
                        )
                    )
                    key = "nvidia-k80-die" if cloud else "nvidia-k80-board"
                else:
                    key = hardware.get(name).key
            except InputError:
                continue
            quotes[key].append(row)
    rows = []
    for key, items in sorted(quotes.items()):

        def median(column: str, items: list = items) -> str:
            values = [float(r[column]) for r in items if r[column].strip()]
            return f"{statistics.median(values):.4g}" if values else ""

        dates = sorted(r["Price date"] for r in items if r["Price date"])

        def newest(column: str, items: list = items) -> str:
            priced = [r for r in items if r[column].strip()]
            return max(priced, key=lambda r: r["Price date"])["Price source"] if priced else ""

        rows.append(
            {
                "key": key,
                "on_demand_usd_per_hour": median("Price per chip-hour (on-demand)"),
                "committed_1y_usd_per_hour": median("Price per chip-hour (1-year CUD)"),
                "committed_3y_usd_per_hour": median("Price per chip-hour (3-year CUD)"),
                "purchase_usd": median("Price (hardware purchase)"),
                "quotes": len(items),
                "first_date": dates[0] if dates else "",
                "last_date": dates[-1] if dates else "",
                "cloud_source": newest("Price per chip-hour (on-demand)")
                or newest("Price per chip-hour (1-year CUD)"),
                "purchase_source": newest("Price (hardware purchase)"),
            }
        )
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} accelerators to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
