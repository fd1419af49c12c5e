"""Download Epoch AI's latest models CSV into a local cache, and say what changed.

The cache (``$XDG_CACHE_HOME/aicompute/epoch/``, else ``~/.cache/aicompute/epoch/``) holds
``latest.csv``, the snapshot before it as ``previous.csv``, and ``latest.json`` /
``previous.json`` with each one's download time, URL, sha256 and row count. Every file is
written atomically; a download that is not an Epoch CSV is refused and leaves the cache as it
was. Only the standard library is used (urllib, with a timeout).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicompute._files import atomic_write
from aicompute.dataset.epoch import is_epoch_header, read_epoch_text
from aicompute.dataset.match import normalize_name
from aicompute.dataset.record import Record
from aicompute.errors import InputError

__all__ = [
    "DEFAULT_URL",
    "MAX_BYTES",
    "Offline",
    "Snapshot",
    "Update",
    "cache_dir",
    "cached",
    "changes",
    "since_update",
    "update_epoch",
]

DEFAULT_URL = "https://epoch.ai/data/notable_ai_models.csv"
"""Epoch AI's "Notable AI Models" CSV, refreshed by Epoch as they add models."""

MAX_BYTES = 200 * 1024 * 1024
"""Largest download accepted (the 2025 snapshot is about 5 MB)."""

TIMEOUT = 60.0


class Offline(Exception):  # noqa: N818 - a condition, not a programming error
    """The download failed for a network reason (no connection, DNS, HTTP error, timeout)."""


def cache_dir() -> Path:
    """Where the snapshots live: ``$XDG_CACHE_HOME/aicompute/epoch`` or
    ``~/.cache/aicompute/epoch``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aicompute" / "epoch"


@dataclass(frozen=True)
class Snapshot:
    """One cached CSV and what we know of it."""

    path: Path
    url: str
    downloaded_at: str
    sha256: str
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "downloaded_at": self.downloaded_at,
            "sha256": self.sha256,
            "rows": self.rows,
        }


def cached(which: str = "latest", directory: Path | None = None) -> Snapshot | None:
    """The cached snapshot ``latest`` or ``previous``, or None when there is none."""
    directory = cache_dir() if directory is None else directory
    csv_path, meta_path = directory / f"{which}.csv", directory / f"{which}.json"
    if not csv_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    if not isinstance(meta, dict):
        meta = {}
    return Snapshot(
        csv_path,
        str(meta.get("url", "")),
        str(meta.get("downloaded_at", "")),
        str(meta.get("sha256", "")),
        int(meta.get("rows", 0) or 0),
    )


def _key(r: Record) -> str:
    return normalize_name(r.name) or r.id


def changes(old: list[Record], new: list[Record]) -> tuple[list[str], list[dict[str, Any]]]:
    """(models in ``new`` but not ``old``, models whose training compute changed)."""
    before = {_key(r): r for r in old}
    added, changed = [], []
    for r in new:
        was = before.get(_key(r))
        if was is None:
            added.append(r.name)
        elif was.flop != r.flop and not (
            was.flop and r.flop and abs(was.flop - r.flop) <= 1e-9 * max(was.flop, r.flop)
        ):
            changed.append({"name": r.name, "old_flop": was.flop, "new_flop": r.flop})
    return added, changed


@dataclass
class Update:
    """What ``update_epoch`` did."""

    snapshot: Snapshot
    new: list[str] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    offline: str = ""  # why the download failed, when the cache was used instead
    unchanged: bool = False  # the download was the cached file, byte for byte

    def to_dict(self) -> dict[str, Any]:
        out = self.snapshot.to_dict()
        out.update(new=self.new, changed=self.changed, offline=bool(self.offline))
        if self.offline:
            out["note"] = self.offline
        return out


def _download(url: str, timeout: float) -> bytes:
    if not url.lower().startswith(("http://", "https://", "file://")):
        raise InputError("url", f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": "aicompute (update-epoch)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise Offline(f"{url} answered HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise Offline(f"cannot reach {url}: {error.reason}") from None
    except (OSError, ValueError) as error:  # timeouts, resets, a malformed URL
        raise Offline(f"cannot download {url}: {error or type(error).__name__}") from None
    if len(data) > MAX_BYTES:
        raise InputError("url", f"{url} is larger than {MAX_BYTES // 2**20} MB")
    return data


def _records(text: str, source: str) -> list[Record]:
    result = read_epoch_text(text, source)
    return list(result.records)


def _parse(data: bytes, url: str) -> list[Record]:
    """The CSV's records; InputError when it is not Epoch's CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("url", f"{url} is not an Epoch AI CSV (not UTF-8 text)") from None
    first = text.splitlines()[0] if text.strip() else ""
    try:
        header = next(csv.reader([first]), [])
    except csv.Error:
        header = []
    if not is_epoch_header(header):
        raise InputError(
            "url",
            f"{url} is not an Epoch AI CSV (no Model, Publication date and Training compute "
            "columns); the cache was left as it was",
        )
    try:
        records = _records(text, url)
    except InputError as error:
        raise InputError("url", f"{url}: {error.message}") from None
    if not records:
        raise InputError("url", f"{url} is an Epoch AI CSV with no readable row; cache unchanged")
    return records


def _write_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write(path, lambda f: f.write(json.dumps(data, indent=2) + "\n"))


def update_epoch(
    url: str = DEFAULT_URL,
    *,
    directory: Path | None = None,
    timeout: float = TIMEOUT,
    now: dt.datetime | None = None,
) -> Update:
    """Download ``url``, check it is Epoch's CSV, and make it the cached ``latest`` (the old
    one becomes ``previous``). Offline, the cached snapshot is returned with ``offline`` set;
    offline with no cache raises :class:`Offline`. A file that is not Epoch's raises
    :class:`InputError` and changes nothing."""
    directory = cache_dir() if directory is None else directory
    old = cached("latest", directory)
    try:
        data = _download(url, timeout)
    except Offline as error:
        if old is None:
            raise Offline(f"{error}, and there is no cached copy in {directory}") from None
        return Update(old, offline=f"{error}; using the snapshot of {old.downloaded_at}")
    records = _parse(data, url)
    digest = hashlib.sha256(data).hexdigest()
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    snapshot = Snapshot(directory / "latest.csv", url, stamp, digest, len(records))
    if old is not None and old.sha256 == digest:  # nothing new: keep previous as it is
        _write_json(directory / "latest.json", snapshot.to_dict())
        return Update(snapshot, unchanged=True)
    added: list[str] = []
    changed: list[dict[str, Any]] = []
    if old is not None:
        try:
            before = _records(old.path.read_text(encoding="utf-8-sig"), str(old.path))
        except (OSError, UnicodeDecodeError, InputError):
            before = []
        added, changed = changes(before, records)
        old_bytes = old.path.read_bytes()
        atomic_write(directory / "previous.csv", lambda f: f.write(old_bytes), binary=True)
        _write_json(directory / "previous.json", old.to_dict())
    atomic_write(directory / "latest.csv", lambda f: f.write(data), binary=True)
    _write_json(directory / "latest.json", snapshot.to_dict())
    return Update(snapshot, new=added, changed=changed)


def since_update(directory: Path | None = None) -> tuple[list[str], list[dict[str, Any]]] | None:
    """New and changed models of the cached ``latest`` against ``previous``; None without
    both."""
    directory = cache_dir() if directory is None else directory
    latest, previous = cached("latest", directory), cached("previous", directory)
    if latest is None or previous is None:
        return None
    try:
        new = _records(latest.path.read_text(encoding="utf-8-sig"), str(latest.path))
        old = _records(previous.path.read_text(encoding="utf-8-sig"), str(previous.path))
    except (OSError, UnicodeDecodeError, InputError):
        return None
    return changes(old, new)
