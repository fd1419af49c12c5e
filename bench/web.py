"""Load benchmark of the web app: N concurrent clients on loopback mixing reads, fits and
writes for a fixed number of requests; throughput, p50/p99 latency by kind, and a check
afterwards that no write was lost or duplicated.

Targets: p99 under 200 ms for reads at 50 concurrent clients on the 2-core machine; zero lost
writes. Traffic goes only to 127.0.0.1, the server started here; the run is bounded.

    python bench/web.py [--clients 50] [--requests 40] [--db postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from _results import RESULTS, free_port, serve_command, write_result

TARGET_P99_MS = 200.0


def call(base: str, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
    """One request on a new connection (spreads the load over the server's processes)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, None


def client(base: str, n: int, index: int, ids: list[str], out: dict) -> None:
    rng = random.Random(index)
    mine = f"bench-client-{index}"
    status, made = call(
        base,
        "POST",
        "/api/records",
        {
            "name": mine,
            "date": "2024-01-01",
            "domain": "Other",
            "flop": 1e20,
            "sources": ["https://example.org"],
        },
    )
    version = made["version"] if status == 201 else None
    out["created"].append((mine, status))
    updates = 0
    for i in range(n):
        roll = rng.random()
        start = time.perf_counter()
        if roll < 0.70:
            kind = "read"
            if rng.random() < 0.5:
                status, _ = call(base, "GET", f"/api/records/{rng.choice(ids)}")
            else:
                status, _ = call(base, "GET", "/api/records?domain=Games")
        elif roll < 0.80:
            kind = "fit"
            status, _ = call(base, "GET", "/api/fit?since=2012&bootstrap=200")
        else:
            kind = "write"
            status, body = call(
                base,
                "PUT",
                f"/api/records/{mine}",
                {
                    "name": mine,
                    "date": "2024-01-01",
                    "domain": "Other",
                    "flop": 1e20 + i,
                    "sources": ["https://example.org"],
                    "notes": f"update {updates + 1}",
                    "version": version,
                },
            )
            if status == 200:
                version = body["version"]
                updates += 1
        out["latency"].setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        out["status"].setdefault(kind, []).append(status)
    out["updates"][mine] = updates


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (Linux), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time used so far (user + system) by this benchmark's own process (the clients), the
    server's process tree, and PostgreSQL's processes (exited backends included through the
    postmaster's children times): where the 2 cores' time goes. Empty off Linux."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    procs = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields is not None:
            try:
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            procs[int(entry.name)] = (comm, int(fields[1]), fields)
    if not procs:
        return {}

    def own(fields: list[str]) -> float:
        return (int(fields[11]) + int(fields[12])) / tick

    tree = {server_pid}
    changed = True
    while changed:
        grown = {pid for pid, (_, ppid, _f) in procs.items() if ppid in tree} | tree
        changed, tree = grown != tree, grown
    times = os.times()

    def reaped(fields: list[str], ppid: int) -> float:  # the postmaster's exited backends
        top = procs.get(ppid, ("",))[0] != "postgres"
        return (int(fields[13]) + int(fields[14])) / tick if top else 0.0

    database = sum(
        own(f) + reaped(f, ppid) for comm, ppid, f in procs.values() if comm == "postgres"
    )
    return {
        "clients": times.user + times.system,
        "server": sum(own(procs[pid][2]) for pid in tree if pid in procs),
        "database": database,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument("--db", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--out", type=Path, default=RESULTS / "web.json")
    args = parser.parse_args()
    db = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        serve_command(db, port, args.workers),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                before = call(base, "GET", "/api/health")[1]["records"]
                break
            except (OSError, TypeError):
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        ids = [r["id"] for r in call(base, "GET", "/api/records")[1]][:200]
        out: dict = {"latency": {}, "status": {}, "created": [], "updates": {}}
        threads = [
            threading.Thread(target=client, args=(base, args.requests, i, ids, out))
            for i in range(args.clients)
        ]
        cpu_before = cpu_seconds(server.pid)
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        cpu_after = cpu_seconds(server.pid)
        cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
        # verification: every create landed once, every acknowledged update is the last state
        after = call(base, "GET", "/api/health")[1]["records"]
        created = sum(1 for _, status in out["created"] if status == 201)
        lost = 0
        for name, updates in out["updates"].items():
            status, record = call(base, "GET", f"/api/records/{name}")
            if (
                status != 200
                or record["version"] != updates + 1
                or (updates and record["notes"] != f"update {updates}")
            ):
                lost += 1
        history_ok = all(
            len(call(base, "GET", f"/api/records/{name}/history")[1]) == updates + 1
            for name, updates in out["updates"].items()
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    total = sum(len(v) for v in out["latency"].values()) + len(out["created"])
    rows = []
    for kind, values in sorted(out["latency"].items()):
        errors = sum(1 for s in out["status"][kind] if s >= 500 or s == 0)
        rows.append(
            {
                "kind": kind,
                "count": len(values),
                "p50_ms": percentile(values, 0.5),
                "p99_ms": percentile(values, 0.99),
                "mean_ms": statistics.mean(values),
                "server_errors": errors,
            }
        )
    reads = next(r for r in rows if r["kind"] == "read")
    result = {
        "benchmark": "web",
        "db": db.split("://")[0].split("+")[0],
        "clients": args.clients,
        "workers": args.workers,
        "requests": total,
        "seconds": elapsed,
        "throughput_rps": total / elapsed,
        "rows": rows,
        "records_before": before,
        "records_after": after,
        "creates_acknowledged": created,
        "duplicated_or_lost_creates": (after - before) - created,
        "lost_updates": lost,
        "history_complete": history_ok,
        "cpu_seconds": cpu,
        "ok": reads["p99_ms"] < TARGET_P99_MS and lost == 0 and after - before == created,
    }
    print(
        f"{args.clients} clients, {total} requests in {elapsed:.1f} s: "
        f"{result['throughput_rps']:.0f} requests/s ({result['db']})"
    )
    print(f"{'kind':<6} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>5}")
    for r in rows:
        print(
            f"{r['kind']:<6} {r['count']:>6} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
            f"{r['server_errors']:>5}"
        )
    print(
        f"writes: {created} creates acknowledged, records {before} -> {after}; "
        f"lost updates: {lost}; history complete: {history_ok}"
    )
    if cpu:
        used = sum(cpu.values())
        print(
            f"CPU over the {elapsed:.1f} s run ({os.cpu_count()} cores): "
            + ", ".join(f"{k} {v:.1f} s ({v / used:.0%})" for k, v in cpu.items())
            + f"; {1000 * cpu['server'] / total:.2f} ms of server CPU per request"
        )
    print(
        f"read p99 target < {TARGET_P99_MS:g} ms and zero lost writes: "
        f"{'ok' if result['ok'] else 'MISSED'}"
    )
    write_result(result, args.out)


if __name__ == "__main__":
    main()
