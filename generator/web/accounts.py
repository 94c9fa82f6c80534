"""The accounts of a bureau's server, its audit log and its settings, in the work folder's SQLite database."""
from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .history import DB_NAME

MAX_FAILURES = 10             # wrong passwords in a row before the account is locked
LOCK_SECONDS = 15 * 60
BUREAU_WORD = "财政局"
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"      # no 0/o, 1/l/i: read aloud or copied from paper
MIN_PASSWORD = 8
# Argon2id at OWASP's lower bound (19 MiB, 2 passes): ~30 ms a sign-in, and 200 units signing in at 9:00 need no
# more than a few hundred MiB at once.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_HASHING = threading.BoundedSemaphore(4)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    account      TEXT PRIMARY KEY,
    unit         TEXT NOT NULL UNIQUE,
    code         TEXT NOT NULL DEFAULT '',
    contact      TEXT NOT NULL DEFAULT '',
    bureau       INTEGER NOT NULL DEFAULT 0,
    hash         TEXT NOT NULL,
    must_change  INTEGER NOT NULL DEFAULT 1,
    disabled     INTEGER NOT NULL DEFAULT 0,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0,
    generation   INTEGER NOT NULL DEFAULT 1,
    created      REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      REAL NOT NULL,
    account TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT '',
    client  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at);
CREATE TABLE IF NOT EXISTS settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Account:
    """One unit's account (or the bureau's): who it is, its password's hash and its state."""

    account: str
    unit: str
    code: str
    contact: str
    bureau: bool
    hash: str
    must_change: bool          # signed in with the initial password: must choose its own first
    disabled: bool
    failures: int              # wrong passwords since the last right one
    locked_until: float        # seconds since the epoch; 0 = not locked
    generation: int            # raised by every password change, reset or disabling: older sessions end
    created: float

    def locked(self, now: float) -> bool:
        return self.locked_until > now


class SignInRefused(Exception):
    """A sign-in turned down; `str()` is what the page says."""


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))


def _hash(password: str) -> str:
    with _HASHING:
        return _HASHER.hash(password)


def _verify(hashed: str, password: str) -> bool:
    with _HASHING:
        try:
            return _HASHER.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False


class Database:
    """One connection to the work folder's database, shared by threads under a lock; each call a short transaction."""

    def __init__(self, work_dir: Path) -> None:
        self.path = Path(work_dir) / DB_NAME
        self.lock = threading.Lock()
        self.connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self.connection.row_factory = sqlite3.Row
        with self.lock:
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.executescript(_SCHEMA)
        self.path.chmod(0o600)

    def run(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.connection.execute(sql, args).fetchall()

    def close(self) -> None:
        with self.lock:
            self.connection.close()


class Accounts:
    """The units' and the bureau's accounts."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def exist(self) -> bool:
        return bool(self.db.run("SELECT 1 FROM accounts LIMIT 1"))

    def get(self, account: str) -> Account | None:
        rows = self.db.run("SELECT * FROM accounts WHERE account = ?", (account,))
        return _account(rows[0]) if rows else None

    def all(self) -> list[Account]:
        """The bureau first, then the units in the order they were imported."""
        return [_account(row) for row in self.db.run("SELECT * FROM accounts ORDER BY bureau DESC, created, rowid")]

    def unit_named(self, unit: str) -> Account | None:
        rows = self.db.run("SELECT * FROM accounts WHERE unit = ?", (unit.strip(),))
        return _account(rows[0]) if rows else None

    def add(self, unit: str, code: str = "", contact: str = "", bureau: bool = False) -> tuple[Account, str]:
        """A new account for `unit` and its initial password (shown once, stored only as a hash)."""
        password = new_password()
        taken = {row["account"] for row in self.db.run("SELECT account FROM accounts")}
        account = _account_name(code, bureau, taken)
        self.db.run("INSERT INTO accounts (account, unit, code, contact, bureau, hash, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (account, unit, code, contact, int(bureau), _hash(password), time.time()))
        return self.get(account), password

    def reset_password(self, account: str) -> str:
        """A new initial password (to change at the next sign-in); the lock lifted, every session ended."""
        password = new_password()
        self.db.run("UPDATE accounts SET hash = ?, must_change = 1, failures = 0, locked_until = 0, "
                    "generation = generation + 1 WHERE account = ?", (_hash(password), account))
        return password

    def set_disabled(self, account: str, disabled: bool = True) -> None:
        self.db.run("UPDATE accounts SET disabled = ?, generation = generation + 1 WHERE account = ?",
                    (int(disabled), account))

    def change_password(self, account: str, password: str) -> Account:
        self.db.run("UPDATE accounts SET hash = ?, must_change = 0, generation = generation + 1 WHERE account = ?",
                    (_hash(password), account))
        return self.get(account)

    def check_password(self, account: str, password: str) -> bool:
        found = self.get(account)
        return found is not None and _verify(found.hash, password)

    def sign_in(self, name: str, password: str, now: float | None = None) -> Account:
        """The account when the password is right; SignInRefused (in Chinese) otherwise. The 10th wrong password in
        a row locks the account for 15 minutes; while locked even the right password is refused."""
        now = time.time() if now is None else now
        found = self.get(name.strip())
        if found is None:
            _verify(_DUMMY, password)       # the same time as a known account: no guessing which accounts exist
            raise SignInRefused("账号或密码不对：请核对财政局发给本单位的账号和密码（区分大小写）")
        if found.disabled:
            raise SignInRefused("这个账号已停用：请联系财政局")
        if found.locked(now):
            minutes = max(1, round((found.locked_until - now) / 60))
            raise SignInRefused(f"密码连续输错 {MAX_FAILURES} 次，账号已锁定，请 {minutes} 分钟后再试；"
                                "忘记密码请联系财政局重置")
        if found.locked_until:      # a lock that ran out: the count starts again
            self.db.run("UPDATE accounts SET failures = 0, locked_until = 0 WHERE account = ?", (found.account,))
        if not _verify(found.hash, password):
            with self.db.lock:
                self.db.connection.execute(
                    "UPDATE accounts SET failures = failures + 1, locked_until = CASE WHEN failures + 1 >= ? "
                    "THEN ? ELSE 0 END WHERE account = ?", (MAX_FAILURES, now + LOCK_SECONDS, found.account))
            after = self.get(found.account)
            if after.locked(now):
                raise SignInRefused(f"密码连续输错 {MAX_FAILURES} 次，账号已锁定 {LOCK_SECONDS // 60} 分钟；"
                                    "忘记密码请联系财政局重置")
            left = MAX_FAILURES - after.failures
            raise SignInRefused(f"账号或密码不对：请核对后重试（再输错 {left} 次账号将锁定 {LOCK_SECONDS // 60} 分钟）")
        self.db.run("UPDATE accounts SET failures = 0, locked_until = 0 WHERE account = ?", (found.account,))
        return self.get(found.account)


_DUMMY = _HASHER.hash("jxzp-not-an-account")


def _account(row: sqlite3.Row) -> Account:
    return Account(row["account"], row["unit"], row["code"], row["contact"], bool(row["bureau"]), row["hash"],
                   bool(row["must_change"]), bool(row["disabled"]), row["failures"], row["locked_until"],
                   row["generation"], row["created"])


def _account_name(code: str, bureau: bool, taken: set[str]) -> str:
    """The unit's code when it gives one (letters and digits only), else czj for the bureau and dw001… for units."""
    base = "".join(c for c in code if c.isascii() and c.isalnum()).lower()
    if base and base not in taken:
        return base
    if bureau and "czj" not in taken:
        return "czj"
    number = 1
    while f"dw{number:03d}" in taken:
        number += 1
    return f"dw{number:03d}"


class AuditLog:
    """Who did what and when: sign-ins (and failures), uploads, generations, downloads; kept as long as the packages."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, account: str, action: str, target: str = "", detail: str = "", client: str = "",
               at: float | None = None) -> None:
        self.db.run("INSERT INTO audit (at, account, action, target, detail, client) VALUES (?, ?, ?, ?, ?, ?)",
                    (time.time() if at is None else at, account, action, target, detail, client))

    def rows(self, limit: int | None = 500, account: str | None = None, action: str | None = None) -> list[dict]:
        """The latest entries first (all of them when limit is None), of one account or action when given."""
        rows = self.db.run(
            "SELECT at, account, action, target, detail, client FROM audit WHERE (? IS NULL OR account = ?) "
            "AND (? IS NULL OR action = ?) ORDER BY at DESC, id DESC LIMIT ?",
            (account, account, action, action, -1 if limit is None else limit))
        return [dict(row) for row in rows]

    def prune(self, before: float) -> None:
        self.db.run("DELETE FROM audit WHERE at < ?", (before,))


class Settings:
    """What the bureau chose on its page (the packs its units may use)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def allowed_packs(self) -> list[str] | None:
        """The pack names the bureau allows, or None when it has not chosen (every pack the server knows)."""
        rows = self.db.run("SELECT value FROM settings WHERE name = 'allowed_packs'")
        if not rows:
            return None
        try:
            value = json.loads(rows[0]["value"])
        except ValueError:
            return None
        return [str(name) for name in value] if isinstance(value, list) else None

    def set_allowed_packs(self, names: list[str] | None) -> None:
        if names is None:
            self.db.run("DELETE FROM settings WHERE name = 'allowed_packs'")
        else:
            self.db.run("INSERT OR REPLACE INTO settings (name, value) VALUES ('allowed_packs', ?)",
                        (json.dumps(names, ensure_ascii=False),))


def loopback(host: str) -> bool:
    """Whether the server listens on this machine only."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def has_accounts(work_dir: Path) -> bool:
    """Whether the work folder's database holds accounts (read without creating anything)."""
    path = Path(work_dir) / DB_NAME
    if not path.is_file():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            return bool(connection.execute("SELECT 1 FROM accounts LIMIT 1").fetchall())
    except sqlite3.Error:
        return False


def import_units(accounts: Accounts, units: list) -> list[tuple[str, str, str, str]]:
    """One account per unit of the bureau's list not yet known, and the bureau's own (the row whose name holds
    财政局, or one named 财政局); known units keep their accounts and passwords. Returns the rows of 账号.xlsx:
    (单位名称, 账号, 初始密码 or "", 说明), the bureau's first."""
    rows: list[tuple[str, str, str, str]] = []
    has_bureau = any(a.bureau for a in accounts.all())
    listed_bureau = next((u for u in units if BUREAU_WORD in u.name), None)
    if not has_bureau and listed_bureau is None:
        units = [_Listed(BUREAU_WORD, "", ""), *units]
    for unit in units:
        known = accounts.unit_named(unit.name)
        if known is not None:
            rows.append((known.unit, known.account, "", "已有账号，密码未变（忘记密码：jxzp units reset-password）"))
            continue
        bureau = not has_bureau and (unit is listed_bureau or (listed_bureau is None and unit.name == BUREAU_WORD))
        account, password = accounts.add(unit.name, unit.code, unit.contact, bureau=bureau)
        has_bureau = has_bureau or bureau
        rows.append((account.unit, account.account, password,
                     "财政局账号：查看各单位进度、下载汇总表" if bureau else "首次登录后须修改密码"))
    rows.sort(key=lambda row: accounts.get(row[1]).bureau is False)
    return rows


@dataclass(frozen=True)
class _Listed:
    name: str
    code: str
    contact: str
