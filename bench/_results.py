"""Shared by the benchmark scripts: the machine's description, atomic result files, and how
to start the web server they measure."""

from __future__ import annotations

import json
import os
import platform
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_result(result: dict[str, Any], path: Path) -> None:
    """Add the machine and time to ``result`` and write it as JSON, atomically."""
    result = {**result, "machine": machine(), "when": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        json.dump(result, tmp, indent=2)
    os.replace(tmp.name, path)
    print(f"wrote {path}")


def free_port() -> int:
    """A free loopback port for a server the benchmark starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_command(db: str, port: int, workers: int = 1) -> list[str]:
    """The command line that starts ``aicompute serve`` on ``db`` at ``port``."""
    return [sys.executable, "-m", "aicompute", "serve", "--db", db, "--port", str(port),
            "--workers", str(workers)]  # fmt: skip
