"""A bureau's morning: 200 units sign in to one server on 127.0.0.1 (first sign-in: a new password) and upload.

    python bench/web_units.py                      # 200 units arriving over 60 s
    python bench/web_units.py --units 50 --window 20

Makes a fresh work folder with one account per unit (jxzp units import), starts `jxzp serve --host 127.0.0.1` on it,
lets the units arrive evenly over --window seconds, and prints p50/p95/max of each step (sign-in, new password,
upload with its findings page) and of the whole visit, the errors and the machine. Bounded: at most 500 units, each
gives up after --timeout seconds. Every unit uploads the Lizhou example (the check, not the generation, is timed).
Needs httpx (the `test` extra).
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from web_load import LIZHOU, free_port, percentile, session_cpu_seconds  # noqa: E402

JSON = {"accept": "application/json"}
NEW_PASSWORD = "bench-new-password-1"
_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def token(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    found = _TOKEN.search(page.text)
    if not found:
        raise RuntimeError(f"{path} {page.status_code} without a token")
    return found.group(1)


class Unit(threading.Thread):
    """One unit's visit; `steps` holds the seconds of each step, `error` what went wrong."""

    def __init__(self, base: str, account: str, password: str, delay: float, timeout: float) -> None:
        super().__init__(daemon=True)
        self.base, self.account, self.password, self.delay, self.timeout = base, account, password, delay, timeout
        self.go = threading.Event()
        self.steps: dict[str, float] = {}
        self.error = ""

    def run(self) -> None:
        try:
            self.go.wait()
            time.sleep(self.delay)
            with httpx.Client(base_url=self.base, timeout=self.timeout, follow_redirects=True) as client:
                began = time.perf_counter()
                answer = client.post("/login", data={"account": self.account, "password": self.password,
                                                     "csrf_token": token(client, "/login")})
                if not str(answer.url).endswith("/password"):
                    raise RuntimeError(f"sign-in {answer.status_code} → {answer.url}")
                signed = time.perf_counter()
                answer = client.post("/password", data={"current": self.password, "new": NEW_PASSWORD,
                                                        "again": NEW_PASSWORD,
                                                        "csrf_token": token(client, "/password")})
                if answer.status_code != 200 or str(answer.url).endswith("/password"):
                    raise RuntimeError(f"new password {answer.status_code}")
                changed = time.perf_counter()
                answer = client.post("/upload", files={"file": (LIZHOU.name, LIZHOU.read_bytes())},
                                     headers={**JSON, "X-CSRF-Token": token(client, "/")})
                if answer.status_code != 201:
                    raise RuntimeError(f"upload {answer.status_code}: {answer.text[:200]}")
                client.get(answer.json()["url"])      # the findings page, as the browser shows it
                done = time.perf_counter()
                self.steps = {"visit": done - began, "sign-in": signed - began, "password": changed - signed,
                              "upload": done - changed}
        except Exception as exc:  # noqa: BLE001 — a benchmark counts errors, it does not stop at the first
            self.error = f"{type(exc).__name__}: {exc}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which the units arrive")
    parser.add_argument("--workers", type=int, default=None, help="worker processes of the server (default: cores)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds after which a unit gives up")
    args = parser.parse_args()
    if not 1 <= args.units <= 500:
        parser.error("--units must be 1–500")

    from generator.web.accounts import Accounts, Database, import_units
    from generator.web.roster import Unit as Listed

    with tempfile.TemporaryDirectory(prefix="jxzp-web-units-") as scratch:
        work = Path(scratch) / "work"
        work.mkdir()
        made = time.perf_counter()
        db = Database(work)
        rows = import_units(Accounts(db), [Listed(f"测试单位{i:03d}", "", "", "") for i in range(1, args.units + 1)])
        db.close()
        made = time.perf_counter() - made
        accounts = [(account, password) for name, account, password, _ in rows if name != "财政局"]
        port = free_port()
        command = [sys.executable, "-m", "generator.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--work-dir", str(work)]
        if args.workers:
            command += ["--workers", str(args.workers)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.perf_counter()
            while True:
                if server.poll() is not None:
                    print(server.stdout.read(), file=sys.stderr)
                    return 2
                try:
                    if httpx.get(base + "/login", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.perf_counter() - started > 120:
                    print("the server did not answer within 120 s", file=sys.stderr)
                    return 2
                time.sleep(0.2)
            load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
            step = args.window / max(1, len(accounts))
            units = [Unit(base, account, password, i * step, args.timeout) for i, (account, password) in
                     enumerate(accounts)]
            for unit in units:
                unit.start()
            cpu_before = session_cpu_seconds(server.pid)
            began = time.perf_counter()
            for unit in units:
                unit.go.set()
            for unit in units:
                unit.join(args.window + args.timeout + 10)
            wall = time.perf_counter() - began
            cpu = session_cpu_seconds(server.pid) - cpu_before
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)

    ok = [u for u in units if not u.error and u.steps]
    errors = [u.error or "did not finish" for u in units if u.error or not u.steps]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"accounts: {len(accounts)} units and the bureau made in {made:.1f} s (argon2id hashes)")
    print(f"units: {len(accounts)} arriving evenly over {args.window:g} s; all done in {wall:.1f} s")
    if ok:
        print(f"{'step':<10}{'p50':>8}{'p95':>8}{'max':>8}   (seconds)")
        for name in ("visit", "sign-in", "password", "upload"):
            values = [u.steps[name] for u in ok]
            print(f"{name:<10}{statistics.median(values):>8.2f}{percentile(values, 0.95):>8.2f}{max(values):>8.2f}")
    print(f"server CPU: {cpu:.1f} s for {len(accounts)} units ({cpu / max(1, len(accounts)):.2f} s each)")
    print(f"load average before / after: {load_before} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"errors: {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
