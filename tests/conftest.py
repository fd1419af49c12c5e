"""Shared fixtures: the seed's own records, apart from the rest of the embedded dataset, the
database URLs the web app's tests run on (SQLite, and a real PostgreSQL server, marked
``postgres``), and the one home of the ``needs_shared`` skip marker.

The fast suite leaves out the browser, PostgreSQL and slow tests (markers declared in
``pyproject.toml``): ``pytest -m "not browser and not postgres and not slow"``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aicompute import dataset
from tests.postgres import binaries, postgres_server

SHARED = Path(__file__).resolve().parents[2] / "shared"
"""Data shared beside the repository (``../shared``): Epoch AI's snapshot, the 2018 chart."""
EPOCH = SHARED / "external" / "epoch-notable-ai-models-2025-10.csv"
CHART = SHARED / "reference" / "openai-2018-chart-points.csv"
needs_shared = pytest.mark.skipif(not EPOCH.is_file(), reason="../shared is not beside the repo")

STORES: list[object] = ["sqlite"]
if binaries() is not None:
    STORES.append(pytest.param("postgresql", marks=pytest.mark.postgres))
elif os.environ.get("CI"):
    raise RuntimeError("CI needs Debian's postgresql for the PostgreSQL tests")


@pytest.fixture(scope="module", params=STORES)
def db_url(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A fresh database per test module: a SQLite file, then a private PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'web.db'}"
    else:
        with postgres_server() as url:
            yield url


RUN_AFTER_THEIR_MODULE = {"test_the_fuzzing_reached_every_operation_and_its_happy_path"}
"""Tests that check what the other tests of their module saw (tests/test_web_fuzz.py): they
run once their module's other tests have, whatever order pytest-randomly chose."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Runs after pytest-randomly has shuffled ``items``: moves each test named in
    :data:`RUN_AFTER_THEIR_MODULE` behind the last test of its module."""
    late = [i for i in items if getattr(i, "originalname", None) in RUN_AFTER_THEIR_MODULE]
    for item in late:
        items.remove(item)
        module = getattr(item, "module", None)
        mine = [n for n, other in enumerate(items) if getattr(other, "module", None) is module]
        last = max(mine, default=len(items) - 1)
        items.insert(last + 1, item)


def methods_apart() -> dataset.Record:
    """A record whose two methods disagree by 5.9x, inside its stored range: 6·1e9·1e10 = 6e19
    by operations; 10 V100s for 10 days at 33% of 125 TFLOP/s = 3.56e20 by hardware time."""
    return dataset.Record(
        name="Apart",
        date="2020-01-01",
        flop=1.5e20,
        confidence="likely",
        sources=["https://a.org"],
        estimates=[
            {"method": "operations", "inputs": {"params": 1e9, "tokens": 1e10}},
            {"method": "hardware", "inputs": {"hardware": "V100", "count": 10, "days": 10}},
        ],
    )


def seed_records() -> list[dataset.Record]:
    """The 32 records of "AI and Compute" (tag ``seed``)."""
    return [r for r in dataset.read_embedded().records if "seed" in r.tags]


@pytest.fixture(scope="session")
def seed_frame():  # type: ignore[no-untyped-def]
    return dataset.records_to_frame(seed_records())


@pytest.fixture(scope="session")
def seed_file(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return dataset.write(seed_records(), tmp_path_factory.mktemp("seed") / "seed.yaml")
