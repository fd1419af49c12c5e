"""The command line fuzzed: arbitrary text in its options and arbitrary bytes in its files.

Whatever the input, a command either works (exit 0), reports bad rows (exit 1) or prints one
line naming the field (exit 2): never a traceback, and never a changed input file."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aicompute.cli import app

runner = CliRunner()
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# text people type, with numbers, units, ranges and the characters that break parsers
words = st.sampled_from(
    ["1e23", "70B", "1.4T", "300BT", "10^24", "1,5", "2-3", "±", "nan", "inf", "-1", "0",
     "V100", "H100 SXM", "fp16", "tokens", "days", "%", "\x00", "1" * 400, "10^" + "9" * 50,
     "[", "{", "'", '"', "\\", "repeat=999999999", "dense 4", "input 3;"]
)  # fmt: skip
text = st.one_of(
    st.text(alphabet=string.printable, max_size=40),
    st.lists(words, min_size=1, max_size=4).map(" ".join),
)


def _check(result) -> None:  # type: ignore[no-untyped-def]
    output = result.output  # stdout and stderr, as the user sees them
    assert result.exit_code in {0, 1, 2}, (result.exit_code, output[-500:], result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in output
    if result.exit_code == 2:
        errors = [line for line in output.splitlines() if line.startswith("aicompute: error:")]
        usage = "Usage:" in output  # Typer's own usage errors (a missing value) say it so
        assert errors or usage, output[-500:]
        if errors:
            assert len(errors) == 1


ESTIMATE_OPTIONS = [
    "--params", "--tokens", "--chip-hours", "--hardware", "--precision", "--utilization",
    "--days", "--count", "--architecture", "--batch-size", "--epochs", "--examples",
]  # fmt: skip


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(ESTIMATE_OPTIONS), text), min_size=1, max_size=4))
@pytest.mark.slow
def test_estimate_options(options) -> None:  # type: ignore[no-untyped-def]
    args = ["estimate", "--json"]
    for flag, value in options:
        args += [flag, value]
    _check(runner.invoke(app, args))


@FUZZ
@given(
    st.sampled_from(["fit", "eras", "growth"]),
    st.lists(
        st.tuples(st.sampled_from(["--since", "--until", "--domain", "--confidence",
                                   "--frontier", "--bootstrap", "--seed"]), text),
        min_size=1, max_size=3,
    ),
)  # fmt: skip
@pytest.mark.slow
def test_trend_options(command: str, options) -> None:  # type: ignore[no-untyped-def]
    args = [command, "--json"]
    for flag, value in options:
        args += [flag, value]
    if command == "growth":
        args += ["alexnet", "alphago-zero"]
    _check(runner.invoke(app, args))


@FUZZ
@given(text)
@pytest.mark.slow
def test_hardware_names(name: str) -> None:
    _check(runner.invoke(app, ["hardware", "show", name]))


def _file_bytes() -> st.SearchStrategy[bytes]:
    valid = b"- name: A\n  date: '2020'\n  flop: 1e20\n"
    return st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from([valid, b"&a [1]\n", b"*a\n", b"[" * 50, b"{", b"\x00",
                                  b"name,date,flop\n", b'"x",2020,1e20\n', b"- ", b"\xff"]),
                 max_size=6).map(b"".join),
    )  # fmt: skip


@FUZZ
@given(st.sampled_from([".yaml", ".csv", ".json", ".jsonl"]), _file_bytes())
@pytest.mark.slow
def test_dataset_files(tmp_path_factory, suffix: str, content: bytes) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / f"data{suffix}"
    path.write_bytes(content)
    for args in (
        ["data", "validate", str(path)],
        ["data", "list", "--data", str(path), "--json"],
        ["data", "import", str(path), "--out", str(folder / "out.yaml")],
    ):
        _check(runner.invoke(app, args))
    assert path.read_bytes() == content  # the input is never touched
