"""The project's promises: the README's two commands, CI, a light core, and the layering."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", text, flags=re.S)
    return [b.strip() for b in blocks[:2]]


def test_readme_starts_with_two_setup_commands() -> None:
    main_job, tests = readme_commands()
    assert "pip install" in main_job and "aicompute " in main_job
    assert "pip install" in tests and "pytest" in tests
    assert len(main_job.splitlines()) == 1 and len(tests.splitlines()) == 1


def test_ci_runs_the_readme_test_command() -> None:
    _, tests = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci
    assert "set -euo pipefail" in ci


def test_core_import_is_light() -> None:
    code = (
        "import sys, aicompute\n"
        "aicompute.estimate(forward_macs='1G', examples='1M', hardware='GTX 580', count=1,"
        " days=1)\n"
        "heavy = [m for m in ('numpy', 'pandas', 'torch', 'rich', 'typer', 'altair',"
        " 'fastapi', 'sqlalchemy', 'scipy') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def test_constants_live_in_one_place() -> None:
    """The numbers of the method (pfs-day, seconds per day, default utilizations) appear as
    literals only in constants.py."""
    import ast

    offenders = []
    for path in (ROOT / "src" / "aicompute").rglob("*.py"):
        if path.name == "constants.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and not isinstance(node.value, bool)
                and node.value in (8.64e19, 86_400, 3_600, 0.33, 0.17)
            ):
                offenders.append(f"{path.name}:{node.lineno}: {node.value}")
    assert not offenders, offenders


def test_import_contracts_are_kept() -> None:
    """The layering in pyproject.toml's [tool.importlinter] (faces over analysis over data over
    core, no io <-> epoch cycle), checked by import-linter; function-level imports count."""
    code = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    run = subprocess.run(
        [sys.executable, "-c", code, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout
