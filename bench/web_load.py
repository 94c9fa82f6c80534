"""Many preparers at once on the web page: each uploads the Lizhou example, generates, downloads the .zip.

    python bench/web_load.py                    # 20 preparers, the same Lizhou workbook (issue 11's scenario)
    python bench/web_load.py --distinct         # each preparer's copy names its own unit: nothing is shared
    python bench/web_load.py --preparers 40 --workers 4

Starts `jxzp serve` on 127.0.0.1 (loopback only) with a fresh work folder, waits until its workers are warm, lets
every preparer start at the same moment, and prints p50/p95/max of the whole round trip (upload → findings →
generate → download) and of each step, the errors, and the machine. Bounded: at most 100 preparers, and every
preparer gives up after --timeout seconds. Needs httpx (the `test` extra).
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
LIZHOU = ROOT / "inputs" / "lizhou-2021-corrected.xlsx"
PROJECT_REPORTS = 15
JSON = {"accept": "application/json"}


def page_token(client: httpx.Client) -> str:
    """The anti-forgery token of the home page (its <meta name="csrf-token">) for this client's session cookie."""
    page = client.get("/")
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    if not found:
        raise RuntimeError(f"home page {page.status_code} without a token")
    return found.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def distinct_copies(count: int, folder: Path) -> list[Path]:
    """The example once per preparer, each naming its own unit (so no preparer's package can reuse another's)."""
    from openpyxl import load_workbook

    paths = []
    for i in range(count):
        book = load_workbook(LIZHOU)
        sheet = book["单位信息"]
        row = next(r for r in sheet.iter_rows() if r[0].value == "单位名称")
        row[1].value = f"{row[1].value}（测试{i + 1:02d}）"
        path = folder / f"preparer-{i + 1:02d}.xlsx"
        book.save(path)
        paths.append(path)
    return paths


def session_cpu_seconds(session: int) -> float:
    """CPU seconds (user + system) used so far by every live process of the server's session: the server and its
    workers. Unlike wall time it hardly depends on what else the machine is doing."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:          # field 6 of stat, after pid and (comm): the session id
            total += int(fields[11]) + int(fields[12])
    return total / tick


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


class Preparer(threading.Thread):
    """One preparer's round trip; `steps` holds the seconds of each step, `error` what went wrong."""

    def __init__(self, base: str, path: Path, start: threading.Event, timeout: float) -> None:
        super().__init__(daemon=True)
        self.base, self.path, self.start_signal, self.timeout = base, path, start, timeout
        self.steps: dict[str, float] = {}
        self.worker_seconds = 0.0
        self.error = ""

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.base, timeout=self.timeout) as client:
                self.start_signal.wait()
                began = time.perf_counter()
                deadline = began + self.timeout
                headers = {**JSON, "X-CSRF-Token": page_token(client)}    # as the page's script sends it
                answer = client.post("/upload", files={"file": (self.path.name, self.path.read_bytes())},
                                     headers=headers)
                if answer.status_code != 201:
                    raise RuntimeError(f"upload {answer.status_code}: {answer.text[:200]}")
                job = answer.json()["job"]
                client.get(f"/jobs/{job}")          # the page with the findings, as the browser shows it
                uploaded = time.perf_counter()
                answer = client.post(f"/jobs/{job}/generate", headers=headers)
                if answer.status_code != 202:
                    raise RuntimeError(f"generate {answer.status_code}: {answer.text[:200]}")
                while True:
                    state = client.get(f"/jobs/{job}/status").json()["state"]
                    if state == "done":
                        break
                    if state == "failed" or time.perf_counter() > deadline:
                        raise RuntimeError(f"generation {state}")
                    time.sleep(0.4)      # as often as the page asks
                generated = time.perf_counter()
                answer = client.get(f"/jobs/{job}/package.zip")
                if answer.status_code != 200:
                    raise RuntimeError(f"download {answer.status_code}")
                with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
                    reports = [n for n in archive.namelist() if "/项目支出绩效自评报告/" in n and n.endswith(".docx")]
                if len(reports) != PROJECT_REPORTS:
                    raise RuntimeError(f"zip holds {len(reports)} project reports")
                done = time.perf_counter()
                self.worker_seconds = client.get(f"/api/jobs/{job}").json()["seconds"]
                self.steps = {"total": done - began, "upload": uploaded - began, "generate": generated - uploaded,
                              "download": done - generated}
        except Exception as exc:  # noqa: BLE001 — a benchmark counts errors, it does not stop at the first
            self.error = f"{type(exc).__name__}: {exc}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preparers", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None, help="worker processes of the server (default: cores)")
    parser.add_argument("--distinct", action="store_true", help="each preparer uploads a copy naming its own unit")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds after which a preparer gives up")
    args = parser.parse_args()
    if not 1 <= args.preparers <= 100:
        parser.error("--preparers must be 1–100")

    with tempfile.TemporaryDirectory(prefix="jxzp-web-load-") as scratch:
        scratch_dir = Path(scratch)
        inputs = distinct_copies(args.preparers, scratch_dir) if args.distinct else [LIZHOU] * args.preparers
        port = free_port()
        command = [sys.executable, "-m", "generator.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--work-dir", str(scratch_dir / "work")]
        if args.workers:
            command += ["--workers", str(args.workers)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.perf_counter()
            while True:   # the server answers once its workers are started and warm
                if server.poll() is not None:
                    print(server.stdout.read(), file=sys.stderr)
                    return 2
                try:
                    if httpx.get(base + "/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.perf_counter() - started > 120:
                    print("the server did not answer within 120 s", file=sys.stderr)
                    return 2
                time.sleep(0.2)
            ready = time.perf_counter() - started

            load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())   # other work on the machine skews figures
            signal_start = threading.Event()
            preparers = [Preparer(base, path, signal_start, args.timeout) for path in inputs]
            for preparer in preparers:
                preparer.start()
            time.sleep(0.5)          # every client connected and waiting
            cpu_before = session_cpu_seconds(server.pid)
            began = time.perf_counter()
            signal_start.set()
            for preparer in preparers:
                preparer.join(args.timeout + 10)
            wall = time.perf_counter() - began
            cpu = session_cpu_seconds(server.pid) - cpu_before
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)

    ok = [p for p in preparers if not p.error and p.steps]
    errors = [p.error or "did not finish" for p in preparers if p.error or not p.steps]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"server: jxzp serve on 127.0.0.1, workers {args.workers or os.cpu_count()}, ready (warm) after {ready:.1f} s")
    print(f"preparers: {args.preparers} at once, {'each its own unit' if args.distinct else 'all the Lizhou example'}"
          f"; all done in {wall:.1f} s")
    if ok:
        print(f"{'step':<10}{'p50':>8}{'p95':>8}{'max':>8}   (seconds)")
        for step in ("total", "upload", "generate", "download"):
            values = [p.steps[step] for p in ok]
            print(f"{step:<10}{statistics.median(values):>8.2f}{percentile(values, 0.95):>8.2f}{max(values):>8.2f}")
        values = [p.worker_seconds for p in ok]
        print(f"{'(worker)':<10}{statistics.median(values):>8.2f}{percentile(values, 0.95):>8.2f}{max(values):>8.2f}"
              "   generation alone, as measured in the worker process")
    print(f"server CPU: {cpu:.1f} s for {args.preparers} preparers ({cpu / args.preparers:.2f} s each); "
          f"on {os.cpu_count()} otherwise idle cores the last would finish after about "
          f"{cpu / (os.cpu_count() or 1):.1f} s")
    print(f"load average before / after: {load_before} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"errors: {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
