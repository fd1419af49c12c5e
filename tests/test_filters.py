"""One record filter, two forms: the store's SQL and the library's pandas select the same
records; every face takes the same fields and names them alike in its errors."""

from __future__ import annotations

import dataclasses
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aicompute.dataset import CONFIDENCES, DOMAINS
from aicompute.errors import InputError
from aicompute.store import Store
from aicompute.trends import FILTER_FIELDS, RecordFilter

WILD = "%_\\"
ASCII = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def folded(text: str) -> str:
    """Case-insensitive as the filter means it: A-Z in any case, every other character as is."""
    return text.translate(ASCII)


SEARCH_CHARS = string.ascii_letters + string.digits + " -.()/'" + WILD + "ßKİıéÉ€\u0130😀"


@pytest.fixture(scope="module")
def store(db_url: str) -> Store:
    store = Store(db_url)
    store.seed_if_empty()
    return store


@pytest.fixture(scope="module")
def frame(store: Store) -> Any:
    return store.frame()[1]


def _names(frame: Any) -> list[str]:
    return sorted(frame["name"])


@st.composite
def searches(draw: Any, names: list[str]) -> str | None:
    """Random text, or a piece of a real name with its case changed (so that some match)."""
    if draw(st.booleans()):
        return draw(st.one_of(st.none(), st.text(SEARCH_CHARS, max_size=4)))
    name = draw(st.sampled_from(names))
    start = draw(st.integers(0, len(name) - 1))
    piece = name[start : start + draw(st.integers(1, 6))]
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in piece)


@st.composite
def dates(draw: Any) -> str | None:
    if draw(st.booleans()):
        return None
    year = draw(st.integers(1950, 2027))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return f"{year}"
    month = draw(st.integers(1, 12))
    if precision == "month":
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{draw(st.integers(1, 28)):02d}"


def choices(allowed: tuple[str, ...]) -> Any:
    """A comma-separated list in any case, or nothing."""
    return st.one_of(
        st.none(),
        st.lists(st.sampled_from(allowed), min_size=1, max_size=3).map(
            lambda items: ",".join(i.upper() if len(i) % 2 else i for i in items)
        ),
    )


def test_sql_and_pandas_select_the_same_records(store: Store, frame: Any) -> None:
    names = _names(frame)

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        search=searches(names),
        since=dates(),
        until=dates(),
        domain=choices(DOMAINS),
        confidence=choices(CONFIDENCES),
    )
    def check(search: Any, since: Any, until: Any, domain: Any, confidence: Any) -> None:
        try:
            chosen = RecordFilter.parse(
                search=search, since=since, until=until, domain=domain, confidence=confidence
            )
        except InputError as error:
            assert error.field == "since" and "--" not in str(error)
            return
        by_sql = [r.record.id for r in store.list(chosen)]
        in_memory = list(chosen.apply(frame)["id"])
        assert sorted(by_sql) == sorted(in_memory), chosen
        assert store.count(chosen) == len(in_memory)
        if search:
            assert all(folded(search) in folded(n) for n in chosen.apply(frame)["name"])

    check()


@pytest.mark.parametrize("text", ["%", "_", "\\", "%%", "_a", "\\%", "GPT-3", "gpt", "ß", "K"])
def test_search_is_a_literal_case_insensitive_substring(
    store: Store, frame: Any, text: str
) -> None:
    chosen = RecordFilter(search=text)
    expected = sorted(
        i for i, n in zip(frame["id"], frame["name"], strict=True) if folded(text) in folded(n)
    )
    assert sorted(r.record.id for r in store.list(chosen)) == expected
    assert sorted(chosen.apply(frame)["id"]) == expected
    # the frontier path goes through pandas and keeps the meaning
    frontier = RecordFilter(search=text, frontier="record").apply(frame)
    assert set(frontier["id"]) <= set(expected)


def test_since_after_until_names_the_fields_the_same_way_everywhere() -> None:
    from aicompute.trends import select

    with pytest.raises(InputError) as direct:
        RecordFilter(since="2020", until="2019")
    with pytest.raises(InputError) as through_select:
        select(None, since="2020", until="2019")
    for error in (direct.value, through_select.value):
        assert error.field == "since"
        assert str(error) == "since: since 2020 is after until 2019"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"since": "soon"}, "since"),
        ({"until": "2023-13"}, "until"),
        ({"domain": "Cooking"}, "domain"),
        ({"confidence": "sure"}, "confidence"),
        ({"frontier": "best"}, "frontier"),
    ],
)
def test_bad_values_name_their_field(values: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as raised:
        RecordFilter.parse(**values)
    assert raised.value.field == field and "--" not in str(raised.value)


def test_the_filter_normalises_its_values() -> None:
    chosen = RecordFilter.parse(search="", domain="language, GAMES", confidence="Likely")
    assert chosen.search is None
    assert chosen.domain == ("Language", "Games")
    assert chosen.confidence == ("likely",)
    assert RecordFilter() == RecordFilter.parse(domain="", frontier="")


def test_the_command_line_and_the_web_take_the_library_fields() -> None:
    """One table: the fields' names, help and lengths reach both faces."""
    pytest.importorskip("fastapi")
    import typer.main

    from aicompute.cli import app
    from aicompute.web.deps import Filters

    assert [f.name for f in FILTER_FIELDS] == [f.name for f in dataclasses.fields(RecordFilter)]
    web = {f.name: f.default for f in dataclasses.fields(Filters)}
    for field in FILTER_FIELDS:
        assert web[field.name].description == field.help
        assert any(
            getattr(m, "max_length", None) == field.max_length for m in web[field.name].metadata
        )
    command = typer.main.get_command(app)
    listing = command.commands["data"].commands["list"]  # type: ignore[attr-defined]
    options = {p.name: p for p in listing.params}
    for field in FILTER_FIELDS:
        assert options[field.name].help == field.help


@pytest.mark.parametrize("text", ["_", "%", "\\", "gpt", "GPT-3", "Net"])
def test_the_api_searches_alike_with_and_without_a_frontier(
    db_url: str, store: Store, frame: Any, text: str
) -> None:
    """The API's SQL path (no frontier rule) and its pandas path (a frontier rule) agree."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from aicompute.web import create_app

    client = TestClient(create_app(db_url), base_url="http://127.0.0.1")

    def ids(**params: str) -> set[str]:
        answer = client.get("/api/records", params={"search": text, "limit": "1000", **params})
        assert answer.status_code == 200, answer.text
        return {r["id"] for r in answer.json()}

    everything = ids()
    assert everything == set(RecordFilter(search=text).apply(frame)["id"])
    on_frontier = ids(frontier="top-1000")
    assert on_frontier <= everything
    assert on_frontier == set(RecordFilter(search=text, frontier="top-1000").apply(frame)["id"])
    if text in {"gpt", "GPT-3", "Net"}:
        assert on_frontier
