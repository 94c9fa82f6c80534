"""Jobs of the web page: one upload each, in its own folder under a random id, remembered in the history database;
checks and packages run in a pool of worker processes."""
from __future__ import annotations

import logging
import multiprocessing
import os
import re
import secrets
import shutil
import statistics
import threading
import time
from collections import deque
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from . import worker
from .history import DB_NAME, History, unit_key
from .worker import OUT_DIR, ZIP_NAME

logger = logging.getLogger(__name__)

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
INPUT_STEM = "填报表"
FORMATS = ("docx", "md")

READY, QUEUED, RUNNING, DONE, FAILED = "ready", "queued", "running", "done", "failed"
UNEXPECTED = "生成时出现意外错误，已记录在服务器日志中：请重试；若反复出现，请联系管理员"
__all__ = ["DONE", "FAILED", "INPUT_STEM", "OUT_DIR", "QUEUED", "READY", "RUNNING", "ZIP_NAME", "Job", "JobStore"]


@dataclass
class Job:
    """One uploaded input and, once generated, its package; everything the page shows about it."""

    id: str
    created: float                      # seconds since the epoch
    kind: str                           # "xlsx" or "yaml", from the content
    source_name: str                    # the browser's file name, for display only
    summary: dict                       # unit, year, scores and findings, formatted for display
    state: str = READY
    message: str = ""                   # why generation failed, or a note
    failure: list[dict] = field(default_factory=list)
    forced: bool = False
    queued: float = 0.0
    started: float = 0.0
    finished: float = 0.0
    seconds: float = 0.0                # measured in the worker: generation, zip and comparison
    folder: str = ""                    # the package folder's name
    files: list[str] = field(default_factory=list)   # relative POSIX paths; the page addresses them by index
    sizes: list[int] = field(default_factory=list)
    based_on: str | None = None         # the unit's earlier upload whose package this one was compared with
    based_on_label: str = ""
    changes: dict | None = None
    pdf: str = ""                       # "", "queued", "running", "done" or "failed": the PDF versions on request
    pack: str = ""                      # the bundled pack chosen on the page; "" = the one the workbook names
    owner: str = ""                     # the account that uploaded it; "" on a server without accounts

    @property
    def input_name(self) -> str:
        return f"{INPUT_STEM}.{self.kind}"

    @property
    def unit_key(self) -> str:
        return unit_key(self.summary.get("unit"), self.summary.get("year"))

    @property
    def guess_seconds(self) -> float:
        """Before anything was measured on this server: Lizhou's 15 projects take about 2 s on a laptop core."""
        return 1.0 + 0.1 * len(self.summary.get("projects", []))


def stamp(seconds: float) -> str:
    """An upload's time as the page shows it: 11月30日 19:45."""
    moment = time.localtime(seconds)
    return f"{moment.tm_mon}月{moment.tm_mday}日 {moment.tm_hour:02d}:{moment.tm_min:02d}"


class JobStore:
    """The registry of jobs: the only way from an id the browser sends to a folder on disk."""

    def __init__(self, work_dir: Path, keep_days: float = 30.0, cleanup_interval: float = 300.0,
                 workers: int | None = None, warm: bool = False) -> None:
        work_dir = Path(work_dir).resolve()
        self.root = work_dir / "jobs"
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)   # uploads are a unit's budget data: not for other accounts on the machine
        self.history = History(work_dir / DB_NAME)
        self.max_age = keep_days * 86400
        self.cleanup_interval = cleanup_interval
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.warm = warm
        self.lock = threading.RLock()
        self.jobs: dict[str, Job] = {}
        self.queue: list[str] = []
        self.durations: deque[float] = deque(self.history.durations(), maxlen=20)
        # Threads that hand jobs to the processes one per worker, so the store knows which jobs run and which wait.
        self.dispatcher = ThreadPoolExecutor(max_workers=max(1, self.workers), thread_name_prefix="jxzp-dispatch")
        self._pool: Executor | None = None
        self.last_cleanup = 0.0
        self.after_cleanup: list = []       # called with the cutoff time after each cleanup (the audit log's)
        self._load()
        self.cleanup()

    # -- the worker processes

    def pool(self) -> Executor:
        with self.lock:
            if self._pool is None:
                if self.workers == 0:   # no processes: everything in the server's own threads (debugging)
                    self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="jxzp-work")
                else:
                    # spawn, not fork: the server holds threads and an open database that a fork would copy.
                    self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                                     mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=worker.prepare, initargs=(self.warm,))
            return self._pool

    def start_workers(self) -> None:
        """Start (and warm) every worker now rather than on the first preparer's request."""
        if self.workers:
            futures = [self.pool().submit(time.sleep, 0.2) for _ in range(self.workers)]
            for future in futures:
                future.result()

    def _call(self, function, *args):
        try:
            return self.pool().submit(function, *args).result()
        except BrokenProcessPool:
            # A worker died (killed, out of memory): the next request gets a fresh pool.
            with self.lock:
                broken, self._pool = self._pool, None
            if broken is not None:
                broken.shutdown(wait=False, cancel_futures=True)
            raise

    def check(self, path: Path, shown_name: str, pack: str = "") -> dict:
        """The upload's summary under the chosen pack, computed in a worker process (blocks the calling thread)."""
        return self._call(worker.check, str(path), shown_name, pack)

    # -- registry

    def get(self, job_id: str) -> Job | None:
        """The job of a well-formed id, None for anything else (the id is never joined to a path unchecked)."""
        if not isinstance(job_id, str) or not JOB_ID.fullmatch(job_id):
            return None
        with self.lock:
            return self.jobs.get(job_id)

    def folder(self, job: Job) -> Path:
        return self.root / job.id

    def package(self, job: Job) -> Path:
        return self.folder(job) / OUT_DIR / job.folder

    def new_folder(self) -> tuple[str, Path]:
        """A fresh folder under a random id for one upload (registered only once the upload is accepted)."""
        while True:
            job_id = secrets.token_hex(16)
            path = self.root / job_id
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return job_id, path

    def discard(self, path: Path) -> None:
        if path.parent == self.root and JOB_ID.fullmatch(path.name):
            shutil.rmtree(path, ignore_errors=True)

    def add(self, job: Job) -> Job:
        with self.lock:
            self.jobs[job.id] = job
            self.save(job)
        return job

    def save(self, job: Job) -> None:
        done = job.state == DONE
        self.history.save(asdict(job), key=job.unit_key, unit=job.summary.get("unit"), year=job.summary.get("year"),
                          counts=job.summary.get("counts", {}), pack=job.summary.get("pack") or None,
                          package=f"jobs/{job.id}/{OUT_DIR}/{job.folder}" if done else None,
                          generated=job.finished if done else None, owner=job.owner)

    def _load(self) -> None:
        known = {f.name for f in fields(Job)}
        lost = []
        for data in self.history.records():
            try:
                job = Job(**{k: v for k, v in data.items() if k in known})
            except TypeError:
                continue
            if not JOB_ID.fullmatch(job.id) or not (self.root / job.id).is_dir():
                lost.append(job.id)     # its folder was removed by hand: the unit lists must not offer it
                continue
            if job.state in (QUEUED, RUNNING):   # the server stopped while it worked
                job.state, job.message = READY, "上次生成因服务重启而中断，请重新点击“生成”"
            if job.pdf in ("queued", "running"):
                job.pdf = ""
            self.jobs[job.id] = job
        self.history.remove(lost)

    # -- what the page lists

    def units(self, owner: str | None = None) -> list[dict]:
        """The units with uploads kept: all of them (owner None), or those of one account's uploads."""
        return self.history.units(owner=owner)

    def uploads_of(self, key: str, owner: str | None = None) -> list[dict]:
        """A unit's uploads, newest first: all of them (owner None), or those one account made."""
        with self.lock:
            return [row for row in self.history.uploads_of(key, owner) if row["id"] in self.jobs] if key else []

    def latest_by_owner(self) -> dict[str, Job]:
        """Each account's most recent upload (the bureau's table)."""
        with self.lock:
            latest: dict[str, Job] = {}
            for job in self.jobs.values():
                if job.owner and (job.owner not in latest or job.created > latest[job.owner].created):
                    latest[job.owner] = job
            return latest

    def latest_packages(self) -> dict[str, Job]:
        """Each account's most recently generated package."""
        with self.lock:
            latest: dict[str, Job] = {}
            for job in self.jobs.values():
                if job.owner and job.state == DONE and (job.owner not in latest
                                                        or job.finished > latest[job.owner].finished):
                    latest[job.owner] = job
            return latest

    def base_for(self, job: Job) -> Job | None:
        """The unit's most recently generated package (by unit name and year) in the same pack, the one a new package
        is compared with; a package in another pack is a new package, not a revision of that one."""
        found = self.history.last_package(job.unit_key, job.id, job.summary.get("pack") or None, job.owner) \
            if job.unit_key else None
        base = self.get(found) if found else None
        return base if base is not None and base.state == DONE else None

    # -- cleanup

    def cleanup(self, now: float | None = None) -> list[str]:
        """Remove jobs older than the age limit (never one being generated) and stray folders; returns removed ids."""
        now = time.time() if now is None else now
        cutoff = now - self.max_age
        removed = []
        with self.lock:
            self.last_cleanup = now
            for job_id, job in list(self.jobs.items()):
                if job.created < cutoff and job.state not in (QUEUED, RUNNING) and job.pdf not in ("queued", "running"):
                    del self.jobs[job_id]
                    shutil.rmtree(self.root / job_id, ignore_errors=True)
                    removed.append(job_id)
            self.history.remove(removed)
            for path in self.root.iterdir():
                if path.name in self.jobs:
                    continue
                try:
                    stale = path.stat().st_mtime < cutoff
                except OSError:
                    continue
                if stale:
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
        if removed:
            logger.info("removed %d old jobs", len(removed))
        for follow in self.after_cleanup:
            follow(cutoff)
        return removed

    def maybe_cleanup(self) -> None:
        if time.time() - self.last_cleanup >= self.cleanup_interval:
            self.cleanup()

    # -- generation

    def start(self, job: Job, force: bool) -> None:
        """Queue the job's generation (once: a second click while it works changes nothing)."""
        with self.lock:
            if job.state in (QUEUED, RUNNING, DONE):
                return
            job.state, job.message, job.failure, job.forced = QUEUED, "", [], force
            job.queued = time.time()
            self.queue.append(job.id)
            self.save(job)
        self.dispatcher.submit(self._run, job.id, force)

    def start_pdf(self, job: Job) -> None:
        """Queue the PDF versions of a generated package (LibreOffice converts every Word document)."""
        with self.lock:
            if job.state != DONE or job.pdf in ("queued", "running", "done"):
                return
            job.pdf = "queued"
            self.save(job)
        self.dispatcher.submit(self._run_pdf, job.id)

    def position(self, job: Job) -> int:
        """How many generations wait before this one (those already running not counted)."""
        with self.lock:
            if job.id not in self.queue:
                return 0
            ahead = self.queue[:self.queue.index(job.id)]
            return sum(1 for i in ahead if i in self.jobs and self.jobs[i].state == QUEUED)

    def typical_seconds(self, job: Job) -> float:
        """The median measured duration of the latest generations on this server (a guess before the first)."""
        with self.lock:
            measured = list(self.durations)
        return statistics.median(measured) if measured else job.guess_seconds

    def remaining_seconds(self, job: Job, now: float | None = None) -> float:
        """An honest wait: the jobs ahead share the workers, each takes the typical measured time."""
        now = time.time() if now is None else now
        typical = self.typical_seconds(job)
        if job.state == RUNNING:
            return max(1.0, typical - (now - job.started))
        if job.state == QUEUED:
            return typical * (self.position(job) / max(1, self.workers) + 1)
        return typical

    def _task(self, job: Job, formats: tuple[str, ...], force: bool, base: Job | None) -> dict:
        return {"folder": str(self.folder(job)), "input_name": job.input_name, "source_name": job.source_name,
                "formats": list(formats), "force": force, "files_before": list(job.files), "pack": job.pack or None,
                "base": str(self.package(base)) if base is not None else None}

    def _run(self, job_id: str, force: bool) -> None:
        job = self.get(job_id)
        if job is None:
            return
        with self.lock:
            job.state, job.started = RUNNING, time.time()
            self.save(job)
        base = self.base_for(job)
        try:
            result = self._call(worker.build, self._task(job, FORMATS, force, base))
        except Exception:   # noqa: BLE001 — the page shows a message; the traceback goes to the server log
            logger.exception("generation of job %s failed", job.id)
            result = {"failed": UNEXPECTED, "failure": []}
        with self.lock:
            self._apply(job, result)
            if result.get("failed") is None:
                if base is not None and result.get("changes") is not None:
                    job.based_on = base.id
                    job.based_on_label = f"{stamp(base.created)} 上传的《{base.source_name}》"
                    job.changes = result["changes"]
                job.state = DONE
                self.durations.append(result["seconds"])
            else:
                job.state = FAILED
            job.finished = time.time()
            if job.id in self.queue:
                self.queue.remove(job.id)
            self.save(job)

    def _run_pdf(self, job_id: str) -> None:
        job = self.get(job_id)
        if job is None:
            return
        with self.lock:
            job.pdf = "running"
            self.save(job)
        try:
            result = self._call(worker.build, self._task(job, (*FORMATS, "pdf"), job.forced, None))
        except Exception:   # noqa: BLE001
            logger.exception("PDF of job %s failed", job.id)
            result = {"failed": UNEXPECTED}
        with self.lock:
            if result.get("failed") is None:
                self._apply(job, result)
                job.pdf, job.message = "done", ""
            else:
                job.pdf, job.message = "failed", f"未能生成 PDF：{result['failed']}"
            self.save(job)

    @staticmethod
    def _apply(job: Job, result: dict) -> None:
        if result.get("failed") is not None:
            job.message, job.failure = result["failed"], result.get("failure", [])
            return
        job.folder, job.files, job.sizes = result["folder"], result["files"], result["sizes"]
        job.forced = result["forced"]
        job.seconds = round(result["seconds"], 1)

    def close(self) -> None:
        self.dispatcher.shutdown(wait=False, cancel_futures=True)
        with self.lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self.history.close()
