"""Write durability of the web app: no acknowledged write lost or duplicated, re-checked on demand.

Three results from the security review, each against servers started here on 127.0.0.1:

1. concurrency: N concurrent writers (default 50) create, update and delete their own records
   and race each other on a few shared ones (optimistic versions: one winner per version),
   against one server on a SQLite file, two server processes on the same SQLite file, and
   PostgreSQL (--db postgresql://..., or a throwaway server from tests/postgres.py when
   PostgreSQL is installed; --pg insists on it, --no-pg skips it);
2. kill -9: R rounds (default 5) of a write burst with the server SIGKILLed mid-burst, then a
   restart on the same database; every write answered 2xx before the kill must be there;
3. disk full: the SQLite file on a small tmpfs filled up with a filler file (or, where mount is
   refused, RLIMIT_FSIZE on the server process); failed writes must answer an error, no
   acknowledged write may be lost, and writing must resume once the space comes back.

After each burst every record of the run is fetched: each acknowledged create or update is
there with its acknowledged version and content, each acknowledged delete is gone, no id or
history version appears twice, and a write that got no answer left either the state before it
or the state it asked for. Exits 1 when anything was lost, duplicated or appeared from nowhere,
or when a server stayed broken after the disk had room again.

The defaults take about a minute on the 2-core machine (PostgreSQL included).

    python bench/durability.py [--writers 50] [--rounds 5] [--requests 12] [--pg | --no-pg]
        [--db postgresql://...] [--scenarios concurrency,kill,disk] [--disk auto|rlimit|skip]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import errno
import http.client
import importlib.util
import json
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _results import RESULTS, free_port, serve_command, write_result

ROOT = Path(__file__).resolve().parents[1]
ABSENT = None  # the state of a record that does not exist
State = tuple[int, str, float] | None  # (version, notes, flop)


# --- HTTP -------------------------------------------------------------------------------------


def call(
    base: str, method: str, path: str, body: dict | None = None, timeout: float = 30.0
) -> tuple[int, Any]:
    """One request on a new connection; status 0 when no answer came (refused, reset, timeout).
    urllib sends the Host header 127.0.0.1:PORT and no Origin."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        try:
            text = error.read()
        except (OSError, http.client.HTTPException):
            return error.code, None
        try:
            return error.code, json.loads(text) if text else None
        except ValueError:
            return error.code, text.decode(errors="replace")[:200]  # not JSON: the text
    except (OSError, http.client.HTTPException, ValueError):
        return 0, None


# --- servers ----------------------------------------------------------------------------------

SERVERS: list[Server] = []  # every server started, killed in main's finally


class Server:
    """`aicompute serve --workers 1` on a free loopback port, in its own process group, its
    output in a log file."""

    def __init__(self, db: str, log: Path, *, ignore_sigxfsz: bool = False) -> None:
        self.db, self.log = db, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

        def preexec() -> None:  # a write past RLIMIT_FSIZE then fails with EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                serve_command(db, self.port),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=preexec if ignore_sigxfsz else None,
            )
        SERVERS.append(self)

    def wait_ready(self, timeout: float = 90.0) -> float:
        """Seconds until /api/health answers 200; raises if the server exits or never does."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-600:]
                raise RuntimeError(f"the server exited ({self.process.returncode}): {tail}")
            if call(self.base, "GET", "/api/health", timeout=5)[0] == 200:
                return time.monotonic() - start
            time.sleep(0.1)
        raise RuntimeError(f"the server on {self.db} did not answer in {timeout:.0f} s")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole process group (while its leader is ours, never a reused id)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self.kill()


def start(db: str, log: Path, count: int = 1, **kw: Any) -> list[Server]:
    """Start servers one after the other (the first migrates and seeds the database)."""
    servers = []
    for _ in range(count):
        server = Server(db, log, **kw)
        server.wait_ready()
        servers.append(server)
    return servers


def server_errors(log: Path) -> dict[str, int]:
    """The exception lines the servers logged (the last line of each traceback), counted."""
    if not log.exists():
        return {}
    found: collections.Counter[str] = collections.Counter()
    pattern = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Full|Interrupt)[\w.]*)(: .*)?$")
    for line in log.read_text(errors="replace").splitlines():
        match = pattern.match(line.strip())
        if match:
            found[line.strip()[:160]] += 1
    return dict(found.most_common(8))


# --- the ledger of what was acknowledged ------------------------------------------------------


@dataclass
class Own:
    """A record one writer owns: the states the server may hold for it."""

    acked: State = ABSENT  # the last acknowledged state
    ever_acked: bool = False
    possible: list[State] = field(default_factory=lambda: [ABSENT])
    frozen: bool = False  # a write got no clear answer: the writer leaves the record alone


@dataclass
class Shared:
    """A record all writers race on: the versions each won, and writes that got no answer."""

    acks: list[tuple[int, str]] = field(default_factory=list)
    unanswered: int = 0


SHARED_LOCK = threading.Lock()


class Ledger:
    def __init__(self, tag: str, pad: int = 0) -> None:
        self.tag, self.pad = tag, pad
        self.prefix = f"bench-{tag}-"
        self.own: dict[str, Own] = {}
        self.shared: dict[str, Shared] = {}
        self.status: collections.Counter[str] = collections.Counter()
        self.acknowledged = 0
        self.unanswered = 0
        self.anomalies: list[str] = []
        self.error_bodies: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    def note(self, kind: str, status: int, body: Any) -> None:
        with self.lock:
            self.status[f"{kind}:{status or 'none'}"] += 1
            if 200 <= status < 300:
                self.acknowledged += 1
            elif status == 0:
                self.unanswered += 1
            elif status >= 500:
                detail = body.get("detail") if isinstance(body, dict) else body
                self.error_bodies[f"{status} {json.dumps(detail)[:120]}"] += 1

    def anomaly(self, text: str) -> None:
        with self.lock:
            if len(self.anomalies) < 20:
                self.anomalies.append(text)

    def body(self, rid: str, notes: str, flop: float) -> dict[str, Any]:
        return {
            "id": rid,
            "name": f"bench {rid}",
            "date": "2020-01-01",
            "domain": "Language",
            "flop": flop,
            "notes": notes + " " + "x" * self.pad if self.pad else notes,
        }


def state(record: dict[str, Any]) -> State:
    return (record["version"], record.get("notes", ""), record.get("flop"))


def codes(counter: collections.Counter[str]) -> dict[str, int]:
    """Status counts over all kinds of write ("none": no answer)."""
    total: collections.Counter[str] = collections.Counter()
    for key, n in counter.items():
        total[key.split(":")[1]] += n
    return dict(sorted(total.items()))


# --- writers ----------------------------------------------------------------------------------


def write_own(
    ledger: Ledger,
    base: str,
    rid: str,
    own: Own,
    method: str,
    notes: str,
    flop: float,
    timeout: float,
) -> None:
    """One create, update or delete of an owned record, booked in the ledger."""
    body = ledger.body(rid, notes, flop)
    if method == "POST":
        status, answer = call(base, "POST", "/api/records", body, timeout)
        ok, wanted = 201, (1, body["notes"], flop)
    elif method == "PUT":
        version = own.acked[0]
        status, answer = call(
            base, "PUT", f"/api/records/{rid}", {**body, "version": version}, timeout
        )
        ok, wanted = 200, (version + 1, body["notes"], flop)
    else:
        status, answer = call(
            base, "DELETE", f"/api/records/{rid}?version={own.acked[0]}", None, timeout
        )
        ok, wanted = 204, ABSENT
    ledger.note(method, status, answer)
    if 200 <= status < 300:
        if status != ok:
            ledger.anomaly(f"{method} {rid} answered {status}, not {ok}")
        got = state(answer) if wanted is not ABSENT and isinstance(answer, dict) else ABSENT
        if got != wanted:
            ledger.anomaly(f"{method} {rid}: acknowledged {got}, sent {wanted}")
        own.acked, own.ever_acked, own.possible = wanted, True, [wanted]
    elif status == 0 or status >= 500:  # it may or may not have been written
        own.possible = [own.acked, wanted]
        own.frozen = True
    else:  # refused: nothing changed (a 409 or 404 on an own record would be an anomaly)
        if status in (404, 409) and own.ever_acked:
            ledger.anomaly(f"{method} {rid} answered {status} after an acknowledged write")
        if status == 409 and method == "POST":
            ledger.anomaly(f"POST {rid} answered 409: the id already existed")
        own.frozen = True


def write_shared(
    ledger: Ledger, base: str, rid: str, notes: str, flop: float, timeout: float
) -> None:
    """Read a shared record and update it with the version read (409 when another won)."""
    status, record = call(base, "GET", f"/api/records/{rid}", None, timeout)
    if status != 200:
        return
    body = {**ledger.body(rid, notes, flop), "version": record["version"]}
    status, answer = call(base, "PUT", f"/api/records/{rid}", body, timeout)
    ledger.note("PUT-shared", status, answer)
    with SHARED_LOCK:  # shared records may be raced on by several ledgers' writers
        if status == 200 and isinstance(answer, dict):
            ledger.shared[rid].acks.append((answer["version"], body["notes"]))
        elif status == 0 or status >= 500:
            ledger.shared[rid].unanswered += 1


def writer(
    ledger: Ledger,
    index: int,
    bases: list[str],
    requests: int,
    stop: threading.Event,
    barrier: threading.Barrier,
    timeout: float,
) -> None:
    """Creates on its home server; updates, deletes and races on shared records anywhere."""
    rng = random.Random(f"{ledger.tag}-{index}")
    home = bases[index % len(bases)]
    mine: list[str] = []
    shared = sorted(ledger.shared)
    made = 0
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=60)
    for op in range(requests):
        if stop.is_set():
            return
        notes = f"{ledger.tag} w{index} op{op}"
        flop = 1e20 + (index * 10_000 + op) * 1e12
        live = [rid for rid in mine if not ledger.own[rid].frozen and ledger.own[rid].acked]
        roll = rng.random()
        if shared and roll < 0.2:
            write_shared(ledger, rng.choice(bases), rng.choice(shared), notes, flop, timeout)
        elif live and roll < 0.55:
            rid = rng.choice(live)
            write_own(ledger, rng.choice(bases), rid, ledger.own[rid], "PUT", notes, flop, timeout)
        elif live and roll < 0.7:
            rid = rng.choice(live)
            write_own(
                ledger, rng.choice(bases), rid, ledger.own[rid], "DELETE", notes, flop, timeout
            )
        else:
            rid = f"{ledger.prefix}w{index}-{made}"
            made += 1
            with ledger.lock:
                ledger.own[rid] = Own()
            mine.append(rid)
            write_own(ledger, home, rid, ledger.own[rid], "POST", notes, flop, timeout)


def make_shared(ledger: Ledger, base: str, count: int, timeout: float) -> None:
    for i in range(count):
        rid = f"{ledger.prefix}shared-{i}"
        ledger.shared[rid] = Shared()
        body = ledger.body(rid, f"{ledger.tag} shared {i}", 1e21)
        status, answer = call(base, "POST", "/api/records", body, timeout)
        ledger.note("POST", status, answer)
        if status != 201:
            raise RuntimeError(f"could not create the shared record {rid}: {status}")
        ledger.shared[rid].acks.append((1, body["notes"]))


def burst(
    ledger: Ledger,
    bases: list[str],
    writers: int,
    requests: int,
    timeout: float,
    stop: threading.Event | None = None,
) -> list[threading.Thread]:
    """Start the writers together; returns the running threads."""
    stop = stop or threading.Event()
    barrier = threading.Barrier(writers)
    threads = [
        threading.Thread(
            target=writer,
            args=(ledger, i, bases, requests, stop, barrier, timeout),
            daemon=True,
        )
        for i in range(writers)
    ]
    for t in threads:
        t.start()
    return threads


def join(threads: list[threading.Thread], timeout: float) -> int:
    """Join within ``timeout`` seconds in all; returns how many are still running."""
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return sum(t.is_alive() for t in threads)


# --- verification -----------------------------------------------------------------------------


@dataclass
class Check:
    lost: int = 0
    duplicated: int = 0
    phantom: int = 0  # a state nobody asked for, or an id nobody sent
    landed: int = 0  # writes that got no answer (or a 5xx) but were made all the same
    problems: list[str] = field(default_factory=list)

    def add(self, other: Check) -> None:
        self.landed += other.landed
        self.lost += other.lost
        self.duplicated += other.duplicated
        self.phantom += other.phantom
        self.problems += other.problems

    def problem(self, kind: str, text: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.problems) < 12:
            self.problems.append(f"{kind}: {text}")


def listing(base: str, prefixes: list[str], timeout: float) -> tuple[dict[str, list], int]:
    """Every record of the run by id (a list, so duplicates show), and the status (0 when the
    pages did not add up). Follows ``Link: <...>; rel="next"`` where the server pages the list
    (and checks ``X-Total-Count``); a server that does not page answers everything at once.
    Records written through the API are unreviewed, which the list leaves out unless asked."""
    found: dict[str, list] = collections.defaultdict(list)
    path: str | None = "/api/records?limit=1000&unreviewed=true"
    seen = total = 0
    for _ in range(1000):  # bounded: 1000 pages
        request = urllib.request.Request(base + path, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=max(timeout, 60.0)) as response:
                records = json.loads(response.read())
                link = response.headers.get("Link") or ""
                total = int(response.headers.get("X-Total-Count") or -1)
        except urllib.error.HTTPError as error:
            return found, error.code
        except (OSError, http.client.HTTPException, ValueError):
            return found, 0
        seen += len(records)
        for r in records:
            if any(r["id"].startswith(p) for p in prefixes):
                found[r["id"]].append(r)
        following = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', link)
        if not following:
            break
        parts = urllib.parse.urlsplit(following.group(1))
        path = parts.path + (f"?{parts.query}" if parts.query else "")
    else:
        return found, 0
    return found, 200 if total in (-1, seen) else 0


def verify(ledgers: list[Ledger], bases: list[str], timeout: float, history: bool = True) -> Check:
    """Check every record of the ledgers against the server(s); with ``history``, also each
    existing record's history (one GET per record)."""
    check = Check()
    prefixes = [ledger.prefix for ledger in ledgers]
    found, status = listing(bases[0], prefixes, timeout)
    if status != 200:
        check.problem("lost", f"GET /api/records answered {status}")
        return check
    for other in bases[1:]:  # every server must see the same records
        seen, status = listing(other, prefixes, timeout)
        mine = {k: [state(r) for r in v] for k, v in seen.items()}
        if status != 200 or mine != {k: [state(r) for r in v] for k, v in found.items()}:
            check.problem("phantom", f"{other} lists other records than {bases[0]}")
    known = {rid for ledger in ledgers for rid in [*ledger.own, *ledger.shared]}
    for rid, copies in found.items():
        if len(copies) > 1:
            check.problem("duplicated", f"{rid} listed {len(copies)} times")
        if rid not in known:
            check.problem("phantom", f"{rid} was never sent")
    to_read: list[tuple[Ledger, str]] = []
    shared_seen: set[str] = set()
    for ledger in ledgers:
        for rid, own in ledger.own.items():
            actual = state(found[rid][0]) if found.get(rid) else ABSENT
            if actual in own.possible:
                if len(own.possible) == 2 and actual == own.possible[1] != own.possible[0]:
                    check.landed += 1
                if actual is not ABSENT and history:
                    to_read.append((ledger, rid))
                continue
            acked = own.acked
            if own.ever_acked and (actual is ABSENT or (acked and actual[0] < acked[0])):
                check.problem("lost", f"{rid}: acknowledged {acked}, found {actual}")
            elif own.ever_acked and acked is ABSENT:
                check.problem("lost", f"{rid}: acknowledged delete, found {actual}")
            else:
                check.problem("phantom", f"{rid}: expected one of {own.possible}, found {actual}")
        to_read += [(ledger, rid) for rid in ledger.shared if rid not in shared_seen]
        shared_seen.update(ledger.shared)
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda item: call(bases[0], "GET", f"/api/records/{item[1]}", None, timeout),
                to_read,
            )
        )
    for (ledger, rid), (status, record) in zip(to_read, answers, strict=True):
        if status != 200:
            check.problem("lost", f"GET {rid} answered {status}")
            continue
        versions = [h["version"] for h in record.get("history", [])]
        if len(versions) != len(set(versions)):
            check.problem("duplicated", f"{rid}: history versions {versions}")
        if versions != list(range(1, record["version"] + 1)) and len(versions) == len(
            set(versions)
        ):
            check.problem("lost", f"{rid}: history versions {versions}, at {record['version']}")
        if rid in ledger.shared:
            check.add(verify_shared(rid, ledger.shared[rid], record))
    return check


def verify_shared(rid: str, shared: Shared, record: dict[str, Any]) -> Check:
    """Each acknowledged update is in the history at its version, once; one winner per
    version; no more updates than were acknowledged or left unanswered."""
    check = Check()
    history: dict[int, list[str]] = collections.defaultdict(list)
    for h in record.get("history", []):
        history[h["version"]].append((h.get("record") or {}).get("notes", ""))
    winners = collections.Counter(version for version, _ in shared.acks)
    for version, n in winners.items():
        if n > 1:
            check.problem("lost", f"{rid}: {n} writers were told they made version {version}")
    for version, notes in shared.acks:
        if notes not in history.get(version, []):
            check.problem("lost", f"{rid}: acknowledged version {version} not in its history")
    extra = len(history) - len(winners)
    if extra > shared.unanswered:
        check.problem(
            "phantom",
            f"{rid}: {extra} unacknowledged versions, {shared.unanswered} writes unanswered",
        )
    return check


# --- scenarios --------------------------------------------------------------------------------


def row(
    scenario: str, method: str, ledgers: list[Ledger], check: Check, seconds: float, **extra: Any
) -> dict[str, Any]:
    status: collections.Counter[str] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    for ledger in ledgers:
        status.update(ledger.status)
        errors.update(ledger.error_bodies)
    anomalies = [a for ledger in ledgers for a in ledger.anomalies][:10]
    failed = check.lost or check.duplicated or check.phantom or extra.get("broken")
    return {
        "scenario": scenario,
        "method": method,
        "acknowledged": sum(ledger.acknowledged for ledger in ledgers),
        "unanswered": sum(ledger.unanswered for ledger in ledgers),
        "lost": check.lost,
        "duplicated": check.duplicated,
        "phantom": check.phantom,
        "unanswered_but_made": check.landed,
        "status": codes(status),
        "status_by_kind": dict(sorted(status.items())),
        "error_answers": dict(errors.most_common(5)),
        "problems": check.problems,
        "anomalies": anomalies,
        "seconds": seconds,
        **extra,
        "verdict": "FAIL" if failed else ("inconclusive" if extra.get("inconclusive") else "ok"),
    }


def concurrency(
    scenario: str, db: str, servers: int, args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    log = work / f"{scenario.replace(' ', '-')}.log"
    started = time.perf_counter()
    running = start(db, log, servers)
    try:
        bases = [s.base for s in running]
        ledger = Ledger(f"c{random.randrange(16**6):06x}")
        make_shared(ledger, bases[0], args.shared, args.timeout)
        threads = burst(ledger, bases, args.writers, args.requests, args.timeout)
        stuck = join(threads, args.burst_timeout)
        check = verify([ledger], bases, args.timeout)
        if args.cleanup:
            cleanup(ledger, bases[0], args.timeout)
    finally:
        for s in running:
            s.stop()
    method = f"{servers} server process{'es' if servers > 1 else ''}"
    if servers > 1:
        method += ", same file" if db.startswith("sqlite") else ", same database"
    return row(
        scenario,
        method,
        [ledger],
        check,
        time.perf_counter() - started,
        writers=args.writers,
        stuck_writers=stuck,
        server_errors=server_errors(log),
    )


def kill9(scenario: str, db: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    log = work / f"{scenario.replace(' ', '-')}.log"
    started = time.perf_counter()
    rng = random.Random(args.seed)
    total = Check()
    ledgers: list[Ledger] = []
    rounds = []
    server = start(db, log)[0]
    try:
        for r in range(args.rounds):
            ledger = Ledger(f"k{random.randrange(16**6):06x}r{r}")
            ledgers.append(ledger)
            make_shared(ledger, server.base, args.shared, args.timeout)
            stop = threading.Event()
            threads = burst(ledger, [server.base], args.writers, args.requests, args.timeout, stop)
            expected = args.writers * args.requests
            target = rng.randint(max(1, expected // 10), max(2, expected * 6 // 10))
            deadline = time.monotonic() + args.burst_timeout
            while ledger.acknowledged < target + args.shared and time.monotonic() < deadline:
                if not any(t.is_alive() for t in threads):
                    break
                time.sleep(0.005)
            acked_before_kill = ledger.acknowledged
            stop.set()  # no new requests; those in flight meet the kill
            server.kill()
            stuck = join(threads, 30)
            restart = time.perf_counter()
            server = start(db, log)[0]
            restart_s = time.perf_counter() - restart
            check = verify([ledger], [server.base], args.timeout)
            if ledgers[:-1]:  # the earlier rounds' records, still as they were
                check.add(verify(ledgers[:-1], [server.base], args.timeout, history=False))
            total.add(check)
            rounds.append(
                {
                    "acknowledged_before_kill": acked_before_kill,
                    "acknowledged": ledger.acknowledged,
                    "unanswered": ledger.unanswered,
                    "lost": check.lost,
                    "duplicated": check.duplicated,
                    "phantom": check.phantom,
                    "restart_s": restart_s,
                    "stuck_writers": stuck,
                }
            )
        if args.cleanup:
            for ledger in ledgers:
                cleanup(ledger, server.base, args.timeout)
    finally:
        server.stop()
    return row(
        scenario,
        f"SIGKILL x{args.rounds}, restart",
        ledgers,
        total,
        time.perf_counter() - started,
        rounds=rounds,
        server_errors=server_errors(log),
    )


def fill(folder: Path, slack: int) -> tuple[Path, int]:
    """A filler file that takes every free byte of ``folder``'s file system but ``slack``."""
    filler = folder / "filler"
    written = 0
    with open(filler, "wb", buffering=0) as out:
        for size in (1 << 16, 1 << 12, 512, 1):
            chunk = b"\0" * size
            while True:
                try:
                    written += out.write(chunk)
                except OSError as error:
                    if error.errno not in (errno.ENOSPC, errno.EDQUOT):
                        raise
                    break
        written = max(0, written - slack)
        out.truncate(written)
    return filler, written


def mount_tmpfs(folder: Path, megabytes: int) -> str | None:
    """Mount a tmpfs on ``folder``; None when that works, else why not."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return "not root" if os.geteuid() != 0 else "no mount command"
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    return None if done.returncode == 0 else (done.stderr.strip() or f"rc {done.returncode}")


def disk_full(scenario: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    log = work / "disk-full.log"
    folder = Path(tempfile.mkdtemp(prefix="aicompute-disk-"))
    started = time.perf_counter()
    why = "forced by --disk rlimit" if args.disk == "rlimit" else mount_tmpfs(folder, args.tmpfs_mb)
    mounted = why is None
    method = f"tmpfs {args.tmpfs_mb} MiB + filler" if mounted else "RLIMIT_FSIZE on the server"
    db = f"sqlite:///{folder}/durability.db"
    ledgers = [Ledger(f"d{random.randrange(16**6):06x}a")]
    full = Ledger(ledgers[0].tag[:-1] + "b", pad=args.pad)
    after = Ledger(ledgers[0].tag[:-1] + "c")
    ledgers += [full, after]
    server: Server | None = None
    extra: dict[str, Any] = {} if mounted else {"why_not_tmpfs": why}
    try:
        server = start(db, log, ignore_sigxfsz=True)[0]
        writers = min(args.writers, 10)
        # before: ordinary writes, acknowledged on a disk with room
        make_shared(ledgers[0], server.base, args.shared, args.timeout)
        join(burst(ledgers[0], [server.base], writers, 5, args.timeout), args.burst_timeout)
        # full: every byte taken (or the server's files may not grow)
        if mounted:
            filler, size = fill(folder, args.slack_kb * 1024)
            extra["filler_bytes"] = size
        else:
            biggest = max(p.stat().st_size for p in folder.iterdir() if p.is_file())
            limit = biggest + args.slack_kb * 1024
            resource.prlimit(
                server.process.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY)
            )
            extra["fsize_limit_bytes"] = limit
        full.shared = after.shared = ledgers[0].shared  # the race goes on, same ledger
        t0 = time.perf_counter()
        stuck = join(
            burst(full, [server.base], writers, args.requests, args.timeout), args.burst_timeout
        )
        extra["full_burst_s"] = time.perf_counter() - t0
        extra["stuck_writers"] = stuck
        extra["health_while_full"] = call(server.base, "GET", "/api/health", None, 10)[0]
        answers = [(k.split(":")[1], n) for k, n in full.status.items()]
        # 5xx or no answer; 409s are the shared records' race, not the disk
        failures = sum(n for code, n in answers if code == "none" or code.startswith("5"))
        extra["failed_while_full"] = failures
        if failures == 0:
            extra["inconclusive"] = "no write failed while the disk was full"
        # room again
        if mounted:
            filler.unlink()
        else:
            resource.prlimit(
                server.process.pid,
                resource.RLIMIT_FSIZE,
                (resource.RLIM_INFINITY, resource.RLIM_INFINITY),
            )
        t0 = time.perf_counter()
        resumed = None
        for attempt in range(args.resume_tries):
            rid = f"{after.prefix}resume-{attempt}"
            after.own[rid] = own = Own()
            write_own(
                after, server.base, rid, own, "POST", f"{after.tag} resume", 1e20, args.timeout
            )
            if own.acked:
                resumed = time.perf_counter() - t0
                break
            time.sleep(0.2)
        extra["resumed_after_s"] = resumed
        extra["broken"] = resumed is None
        join(burst(after, [server.base], writers, 5, args.timeout), args.burst_timeout)
        check = verify(ledgers, [server.base], args.timeout)
        # and after a restart on the same file
        server.stop()
        server = start(db, log)[0]
        again = verify(ledgers, [server.base], args.timeout, history=False)
        again.problems = [f"after restart: {p}" for p in again.problems]
        check.add(again)
        server.stop()
        with contextlib.closing(sqlite3.connect(f"{folder}/durability.db")) as connection:
            extra["integrity_check"] = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if extra["integrity_check"] != "ok":
            check.problem("lost", f"integrity_check: {extra['integrity_check']}")
    finally:
        if server is not None:
            server.stop()
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    extra["full_status"] = codes(full.status)
    extra["full_error_answers"] = dict(full.error_bodies.most_common(5))
    return row(
        scenario,
        method,
        ledgers,
        check,
        time.perf_counter() - started,
        server_errors=server_errors(log),
        **extra,
    )


def failed(scenario: str, error: Exception) -> dict[str, Any]:
    """The row of a scenario that could not run to the end."""
    text = f"{type(error).__name__}: {error}"[:600]
    return {
        "scenario": scenario,
        "method": "-",
        "acknowledged": 0,
        "unanswered": 0,
        "lost": 0,
        "duplicated": 0,
        "phantom": 0,
        "status": {},
        "problems": [f"did not run to the end: {text}"],
        "anomalies": [],
        "error": text,
        "verdict": "ERROR",
    }


def cleanup(ledger: Ledger, base: str, timeout: float) -> None:
    """Delete the run's records (only for a database given with --db)."""
    found, _ = listing(base, [ledger.prefix], timeout)
    for rid, copies in found.items():
        call(base, "DELETE", f"/api/records/{rid}?version={copies[0]['version']}", None, timeout)


def postgres_helper() -> Any:
    """tests/postgres.py's throwaway server (the project's own helper), imported by path."""
    spec = importlib.util.spec_from_file_location("_bench_postgres", ROOT / "tests" / "postgres.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50, help="concurrent writer threads")
    parser.add_argument("--requests", type=int, default=12, help="writes per writer per burst")
    parser.add_argument("--rounds", type=int, default=5, help="kill -9 rounds per database")
    parser.add_argument("--shared", type=int, default=4, help="records all writers race on")
    parser.add_argument(
        "--scenarios", default="concurrency,kill,disk", help="which to run (comma-separated)"
    )
    parser.add_argument("--db", default=None, help="a postgresql:// URL for the PostgreSQL runs")
    pg = parser.add_mutually_exclusive_group()
    pg.add_argument("--pg", action="store_true", help="fail if PostgreSQL cannot be started")
    pg.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--disk",
        choices=["auto", "rlimit", "skip"],
        default="auto",
        help="disk-full method: tmpfs when mount works (auto), or RLIMIT_FSIZE",
    )
    parser.add_argument("--tmpfs-mb", type=int, default=4)
    parser.add_argument("--slack-kb", type=int, default=256, help="room left when filling")
    parser.add_argument("--pad", type=int, default=8192, help="note bytes per write, disk full")
    parser.add_argument("--resume-tries", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--burst-timeout", type=float, default=120.0, help="seconds per burst")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS / "durability.json")
    args = parser.parse_args()
    if args.db and not args.db.startswith("postgresql"):
        parser.error("--db takes a postgresql:// URL (SQLite files are made here)")
    if min(args.writers, args.requests, args.shared + 1) < 1 or args.rounds < 0:
        parser.error(
            "--writers and --requests must be positive, --rounds and --shared not negative"
        )
    args.cleanup = False
    wanted = set(args.scenarios.split(","))
    if not wanted or wanted - {"concurrency", "kill", "disk"}:
        parser.error("--scenarios: a comma-separated list of concurrency, kill, disk")
    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="aicompute-durability-"))
    try:
        with contextlib.ExitStack() as stack:

            def run(scenario: str, function: Any, *rest: Any) -> None:
                """One scenario; an exception (a server that does not start...) is its row."""
                try:
                    rows.append(function(scenario, *rest))
                except Exception as error:  # reported as the scenario's failure
                    rows.append(failed(scenario, error))
                finally:
                    for server in SERVERS:
                        server.kill()

            if "concurrency" in wanted:
                run("concurrency (sqlite)", concurrency, f"sqlite:///{work}/c.db", 1, args, work)
                run(
                    "concurrency (sqlite, 2 servers)",
                    concurrency,
                    f"sqlite:///{work}/c2.db",
                    2,
                    args,
                    work,
                )
            if "kill" in wanted and args.rounds:
                run("kill -9 (sqlite)", kill9, f"sqlite:///{work}/kill.db", args, work)
            if "disk" in wanted and args.disk != "skip":
                run("disk full (sqlite)", disk_full, args, work)
            postgres = args.db
            if not wanted & {"concurrency", "kill"}:
                pass
            elif postgres:
                args.cleanup = True  # a database of someone's: take the run's records away
            elif not args.no_pg:
                try:
                    postgres = stack.enter_context(postgres_helper().postgres_server())
                except Exception as error:  # any failure means no PostgreSQL
                    if args.pg:
                        raise SystemExit(f"--pg: cannot start PostgreSQL: {error}") from None
                    skipped["postgresql"] = f"cannot start a local server: {error}"[:200]
            else:
                skipped["postgresql"] = "--no-pg"
            if postgres and "concurrency" in wanted:
                run("concurrency (postgresql)", concurrency, postgres, 1, args, work)
            if postgres and "kill" in wanted and args.rounds:
                run("kill -9 (postgresql)", kill9, postgres, args, work)
    finally:
        for server in SERVERS:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started

    print(f"{args.writers} writers, {args.requests} writes each per burst; {elapsed:.0f} s")
    header = (
        f"{'scenario':<32} {'method':<36} {'acked':>6} {'lost':>5} {'dup':>4} "
        f"{'phant':>5}  {'status codes seen':<44} verdict"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        seen = " ".join(f"{k}:{n}" for k, n in r["status"].items())
        print(
            f"{r['scenario']:<32} {r['method'][:36]:<36} {r['acknowledged']:>6} {r['lost']:>5} "
            f"{r['duplicated']:>4} {r['phantom']:>5}  {seen:<44} {r['verdict']}"
        )
    for name, why in skipped.items():
        print(f"{name + ' (skipped)':<32} {why}")
    print('status codes are code:count over writes; "none": no answer (refused, reset, timeout)')
    for r in rows:
        notes = r["problems"] + r["anomalies"]
        if r.get("inconclusive"):
            notes.append(str(r["inconclusive"]))
        if "full_status" in r:
            notes.append(
                f"while full: {r['full_status']}, health {r['health_while_full']}, writing "
                f"resumed after {r['resumed_after_s'] and round(r['resumed_after_s'], 2)} s, "
                f"integrity_check {r.get('integrity_check')}"
            )
            notes += [f"error answer: {k} (x{n})" for k, n in r["full_error_answers"].items()]
        if r.get("unanswered"):
            notes.append(
                f"{r['unanswered']} writes got no answer; of those on own records, "
                f"{r.get('unanswered_but_made', 0)} were made all the same (allowed)"
            )
        if r.get("why_not_tmpfs"):
            notes.append(f"RLIMIT_FSIZE instead of a tmpfs: {r['why_not_tmpfs']}")
        if r.get("rounds"):
            notes.append(
                "acknowledged before each kill: "
                + ", ".join(str(x["acknowledged_before_kill"]) for x in r["rounds"])
                + "; restarts took "
                + ", ".join(f"{x['restart_s']:.1f}" for x in r["rounds"])
                + " s"
            )
        if r.get("stuck_writers"):
            notes.append(f"{r['stuck_writers']} writers still running at the burst timeout")
        notes += [f"server log: {k} (x{n})" for k, n in r.get("server_errors", {}).items()]
        for text in notes:
            print(f"  {r['scenario']}: {text}")
    ok = bool(rows) and all(r["verdict"] in ("ok", "inconclusive") for r in rows)
    print(
        f"every scenario ran; no acknowledged write lost or duplicated: {'ok' if ok else 'FAILED'}"
    )
    result = {
        "benchmark": "durability",
        "writers": args.writers,
        "requests_per_writer": args.requests,
        "rounds": args.rounds,
        "shared_records": args.shared,
        "seconds": elapsed,
        "rows": rows,
        "skipped": skipped,
        "ok": ok,
    }
    write_result(result, args.out)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
