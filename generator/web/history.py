"""The web page's memory: every upload and package of every unit, in one SQLite file under the work folder."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

DB_NAME = "jxzp.sqlite3"

# One row per upload; the package columns are filled once it is generated. `data` holds the whole job record
# (summary, findings, file list, comparison) as JSON; the other columns are what the page searches and lists by.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    id          TEXT PRIMARY KEY,
    unit_key    TEXT NOT NULL,
    unit        TEXT,
    year        INTEGER,
    created     REAL NOT NULL,
    source_name TEXT NOT NULL,
    errors      INTEGER NOT NULL DEFAULT 0,
    warnings    INTEGER NOT NULL DEFAULT 0,
    hints       INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL,
    package     TEXT,
    generated   REAL,
    seconds     REAL,
    data        TEXT NOT NULL,
    pack        TEXT,
    owner       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS uploads_by_unit ON uploads (unit_key, created);
CREATE INDEX IF NOT EXISTS uploads_by_time ON uploads (created);
"""


def unit_key(unit: str | None, year: int | None) -> str:
    """A short stable id of a unit and year for addresses (/units/<key>); "" for an upload that could not be read."""
    if not unit or not year:
        return ""
    return hashlib.sha256(f"{unit}\x00{year}".encode("utf-8")).hexdigest()[:20]


class History:
    """Uploads and packages by unit, kept across restarts; every call is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock = threading.Lock()
        # One connection shared by the server's threads, serialized by the lock: writes are a few per upload.
        self.connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.connection.row_factory = sqlite3.Row
        with self.lock:
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.executescript(_SCHEMA)
            columns = {row["name"] for row in self.connection.execute("PRAGMA table_info(uploads)")}
            if "pack" not in columns:       # a database written before packs could be chosen on the page
                self.connection.execute("ALTER TABLE uploads ADD COLUMN pack TEXT")
            if "owner" not in columns:      # written before accounts: every upload is the single preparer's
                self.connection.execute("ALTER TABLE uploads ADD COLUMN owner TEXT NOT NULL DEFAULT ''")
        self.path.chmod(0o600)

    def save(self, record: dict, *, key: str, unit: str | None, year: int | None, counts: dict[str, int],
             package: str | None, generated: float | None, pack: str | None = None, owner: str = "") -> None:
        """Insert or replace the row of one upload (`record` is the job as a dict; `pack` the pack it is made in;
        `owner` the account that uploaded it)."""
        row = (record["id"], key, unit, year, record["created"], record["source_name"], counts.get("错误", 0),
               counts.get("警告", 0), counts.get("提示", 0), record["state"], package, generated,
               record.get("seconds") or None, json.dumps(record, ensure_ascii=False), pack, owner)
        with self.lock:
            self.connection.execute(
                "INSERT OR REPLACE INTO uploads (id, unit_key, unit, year, created, source_name, errors, warnings, "
                "hints, state, package, generated, seconds, data, pack, owner) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def records(self) -> list[dict]:
        """Every job record, oldest first (read once at start)."""
        with self.lock:
            rows = self.connection.execute("SELECT data FROM uploads ORDER BY created").fetchall()
        out = []
        for row in rows:
            try:
                out.append(json.loads(row["data"]))
            except ValueError:
                continue
        return out

    def remove(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self.lock:
            self.connection.executemany("DELETE FROM uploads WHERE id = ?", [(i,) for i in ids])

    def units(self, limit: int = 50, owner: str | None = None) -> list[dict]:
        """Units with uploads kept (of one account's uploads when `owner` is given), the most recently active first:
        name, year, last upload, its counts, packages."""
        with self.lock:
            rows = self.connection.execute(
                "SELECT unit_key, unit, year, MAX(created) AS last, COUNT(*) AS uploads, "
                "SUM(package IS NOT NULL) AS packages FROM uploads WHERE unit_key != '' AND (? IS NULL OR owner = ?) "
                "GROUP BY unit_key ORDER BY last DESC LIMIT ?", (owner, owner, limit)).fetchall()
        return [dict(row) for row in rows]

    def uploads_of(self, key: str, owner: str | None = None) -> list[dict]:
        """One unit's uploads (those of one account when `owner` is given), newest first, with their counts and
        package state."""
        with self.lock:
            rows = self.connection.execute(
                "SELECT id, unit, year, created, source_name, errors, warnings, hints, state, package, generated, pack "
                "FROM uploads WHERE unit_key = ? AND (? IS NULL OR owner = ?) ORDER BY created DESC",
                (key, owner, owner)).fetchall()
        return [dict(row) for row in rows]

    def last_package(self, key: str, other_than: str, pack: str | None = None, owner: str | None = None) -> str | None:
        """The id of the unit's most recently generated package in `pack` (any pack when None) by account `owner`
        (anyone's when None), not counting upload `other_than`."""
        with self.lock:
            row = self.connection.execute(
                "SELECT id FROM uploads WHERE unit_key = ? AND id != ? AND package IS NOT NULL "
                "AND (? IS NULL OR pack IS NULL OR pack = ?) AND (? IS NULL OR owner = ?) "
                "ORDER BY generated DESC LIMIT 1",
                (key, other_than, pack, pack, owner, owner)).fetchone()
        return row["id"] if row else None

    def durations(self, limit: int = 20) -> list[float]:
        """The measured durations of the latest generations (seconds, from start in a worker to the zip written)."""
        with self.lock:
            rows = self.connection.execute(
                "SELECT seconds FROM uploads WHERE seconds IS NOT NULL AND seconds > 0 "
                "ORDER BY generated DESC LIMIT ?", (limit,)).fetchall()
        return [row["seconds"] for row in rows]

    def close(self) -> None:
        with self.lock:
            self.connection.close()
