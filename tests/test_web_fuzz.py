"""Every API operation fuzzed from its OpenAPI schema (schemathesis): valid and invalid
bodies, queries and paths alike. Whatever arrives, the answer is never a 5xx."""

from __future__ import annotations

import tempfile
import warnings

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from aicompute.web import create_app  # noqa: E402
from aicompute.web.security import Settings  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    APP = create_app(
        f"sqlite:///{tempfile.mkdtemp(prefix='aicompute-fuzz-')}/fuzz.db",
        settings=Settings(allowed_hosts=("testserver", "localhost"), time_limit=5.0),
    )
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
SEEN: dict[str, set[int]] = {}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.slow
def test_no_request_gets_a_server_error(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call()
    SEEN.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
    case.validate_response(response, checks=[not_a_server_error])
    kind = " ".join(response.headers.get("content-type", []))
    if response.status_code >= 400 and kind.startswith("application/json"):
        assert "detail" in response.json()


@pytest.mark.slow  # it checks what the (slow) fuzz test above saw
def test_the_fuzzing_reached_every_operation_and_its_happy_path() -> None:
    """The schema drives real traffic: every operation was called, and the declared request
    bodies are good enough to create records and compute estimates."""
    operations = {f"{o.ok().method.upper()} {o.ok().path}" for o in schema.get_all_operations()}
    if not SEEN:
        pytest.skip("run with the fuzz test above")
    assert operations <= set(SEEN)
    assert 201 in SEEN["POST /api/records"] and 200 in SEEN["POST /api/estimate"]
    assert {422} <= SEEN["POST /api/records"]
