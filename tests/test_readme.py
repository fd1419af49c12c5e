"""The README's console examples against real output, and every option it names against the
command's ``--help``.

The examples that are fast and deterministic run in-process (no torch, no files written, no
network); their printed output must match the README's once whitespace is taken out (Rich wraps
tables and long lines to the terminal's width). A README block may elide the rest of an output
with a ``...`` line.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from aicompute.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
runner = CliRunner()

# Examples whose output is checked: fast, deterministic, needing neither torch nor ../shared.
RUN = {
    "estimate --forward-macs 0.75G --examples 1.2M --epochs 90",  # AlexNet, both methods
    "estimate --params 175B --tokens 300B --json",
    "estimate --architecture",  # the seed's DQN (no output shown: it must run)
    "hardware list --search H100",
    "hardware show A100-SXM4-80GB",
    "estimate --hardware gtx 508",  # the two refusals
    "estimate --hardware Titan X",
    "data check",
    "data show Llama 3.1 405B",
    "fit --since 2010-07-02",
    "forecast --backtest 2020-06",
    "growth AlexNet AlphaGoZero",
    "cost --hardware H100 SXM",
    "threshold --params 405B --tokens 15.6T",
}


@dataclass
class Example:
    args: list[str]
    output: str

    @property
    def key(self) -> str:
        return " ".join(self.args)


def examples() -> list[Example]:
    """Each ``$ aicompute ...`` command of the README's console blocks with the lines shown
    under it (continuation lines ending in a backslash joined)."""
    found: list[Example] = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            if not line.startswith("$ aicompute "):
                continue
            command = line[2:]
            while command.endswith("\\") and i < len(lines):
                command = command[:-1] + " " + lines[i].strip()
                i += 1
            output = []
            while i < len(lines) and not lines[i].startswith("$ "):
                output.append(lines[i])
                i += 1
            found.append(Example(shlex.split(command, comments=True)[1:], "\n".join(output)))
    return found


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


SLOW = {"data check"}  # recomputes every record: over 2 s


def chosen() -> list[Any]:
    picked = [e for e in examples() if any(e.key.startswith(k) for k in RUN)]
    assert len(picked) == len(RUN), "an example named in RUN is no longer in the README"
    return [
        pytest.param(e, marks=pytest.mark.slow) if e.key in SLOW else pytest.param(e)
        for e in picked
    ]


@pytest.mark.parametrize("example", chosen(), ids=lambda e: e.key[:60])
def test_readme_example_output(example: Example) -> None:
    result = runner.invoke(app, example.args, env={"COLUMNS": "100", "NO_COLOR": "1"})
    shown = example.output
    printed = result.output
    if not shown.strip():  # no output shown: the command must still run
        pass
    elif re.search(r"^\s*\.\.\.(\s.*)?$", shown, flags=re.M):  # the README elides the rest
        shown = re.split(r"^\s*\.\.\.(\s.*)?$", shown, flags=re.M)[0]
        assert squeeze(printed).startswith(squeeze(shown)), printed
    else:
        assert squeeze(printed) == squeeze(shown), printed
    if example.args[:2] == ["estimate", "--architecture"]:
        assert "2,555,904 multiply-adds" in printed  # the README's figure for the seed's DQN
    refused = "aicompute: error:" in shown
    assert result.exit_code == (2 if refused else 0), printed


# --- options named in the README exist in the command's --help ---------------------------


def cli() -> Any:
    """The Click command tree (Typer vendors its own Click, so it is duck-typed here)."""
    return typer.main.get_command(app)


def resolve(words: list[str]) -> tuple[list[str], Any]:
    """The longest run of leading words that names a (sub)command, and that command."""
    command = cli()
    path: list[str] = []
    for word in words:
        if word not in getattr(command, "commands", {}):
            break
        command = command.commands[word]
        path.append(word)
    return path, command


def help_text(path: list[str]) -> str:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


def mentions() -> list[tuple[list[str], list[str]]]:
    """(command words, options) of every ``aicompute ...`` in a console block or inline code
    span, and of inline spans that begin with a subcommand (``report --out``)."""
    texts = [" ".join(e.args) for e in examples()]
    prose = re.sub(r"```.*?```", "", README, flags=re.S)
    for span in re.findall(r"`([^`\n]+)`", prose):
        span = span.removeprefix("aicompute ")
        if span.split() and span.split()[0] in cli().commands:
            texts.append(span)
    found = []
    for text in texts:
        words = shlex.split(text)
        path, _ = resolve(words)
        options = [w.split("=")[0] for w in words if w.startswith("--")]
        if path:
            found.append((path, options))
    return found


@pytest.mark.parametrize(
    ("path", "options"), mentions(), ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_readme_options_exist(path: list[str], options: list[str]) -> None:
    _, command = resolve(path)
    known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    shown = help_text(path)
    for option in options:
        assert option in known, f"aicompute {' '.join(path)} has no {option}"
        assert option in shown, f"aicompute {' '.join(path)} --help does not show {option}"


def test_bare_options_in_the_readme_exist_somewhere() -> None:
    """Options the prose names on their own (`--active-params`) belong to some command."""
    prose = re.sub(r"```.*?```", "", README, flags=re.S)
    bare = {m for m in re.findall(r"`(--[a-z][a-z0-9-]*)", prose)}
    known: set[str] = set()

    def walk(command: Any) -> None:
        known.update(o for p in command.params for o in (*p.opts, *p.secondary_opts))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(cli())
    assert bare <= known, sorted(bare - known)
