"""A private PostgreSQL server for the tests: initdb in a temporary folder, a free port on
loopback, trust authentication, stopped and removed afterwards. Debian's postgresql package
provides the binaries; `.ci/run` installs it when it is missing."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def binaries() -> str | None:
    """The folder of initdb and pg_ctl, if PostgreSQL is installed."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throwaway server; yield its URL (postgresql://aicompute@127.0.0.1:PORT/aicompute)."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    folder = tempfile.mkdtemp(prefix="aicompute-pg-")
    data = os.path.join(folder, "data")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the postgres account
        os.chmod(folder, 0o777)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True)

    run(f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "aicompute", "--no-sync")
    run(
        f"{bindir}/pg_ctl",
        "-D",
        data,
        "-w",
        "-l",
        os.path.join(folder, "log"),
        "-o",
        f"-p {port} -k {folder} -h 127.0.0.1 -c fsync=off -c max_connections=200",
        "start",
    )
    try:  # pg_ctl -w has waited until the server accepts connections
        run(
            f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "aicompute", "aicompute"
        )
        yield f"postgresql://aicompute@127.0.0.1:{port}/aicompute"
    finally:
        subprocess.run(
            [*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)
