"""Shared fixtures: the seed's own records, apart from the rest of the embedded dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicompute import dataset


def seed_records() -> list[dataset.Record]:
    """The 32 records of "AI and Compute" (tag ``seed``)."""
    return [r for r in dataset.read_embedded().records if "seed" in r.tags]


@pytest.fixture(scope="session")
def seed_frame():  # type: ignore[no-untyped-def]
    return dataset.records_to_frame(seed_records())


@pytest.fixture(scope="session")
def seed_file(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return dataset.write(seed_records(), tmp_path_factory.mktemp("seed") / "seed.yaml")
