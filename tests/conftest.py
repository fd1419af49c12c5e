"""Shared fixtures: the seed's own records, apart from the rest of the embedded dataset, and
the database URLs the web app's tests run on (SQLite, and a real PostgreSQL server)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aicompute import dataset
from tests.postgres import binaries, postgres_server

STORES = ["sqlite"]
if binaries() is not None:
    STORES.append("postgresql")
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


def seed_records() -> list[dataset.Record]:
    """The 32 records of "AI and Compute" (tag ``seed``)."""
    return [r for r in dataset.read_embedded().records if "seed" in r.tags]


@pytest.fixture(scope="session")
def seed_frame():  # type: ignore[no-untyped-def]
    return dataset.records_to_frame(seed_records())


@pytest.fixture(scope="session")
def seed_file(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return dataset.write(seed_records(), tmp_path_factory.mktemp("seed") / "seed.yaml")
