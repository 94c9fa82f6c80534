"""Jobs of the web page: one upload each, in its own folder under a random id; packages generated one at a time."""
from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..filters import percent, score
from ..generate import GenerationError, generate
from ..pipeline import Evaluation
from ..problems import Problem, Severity, sort_problems
from .package import write_zip

logger = logging.getLogger(__name__)

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
INPUT_STEM = "填报表"
OUT_DIR = "out"
ZIP_NAME = "package.zip"
META = "job.json"
FORMATS = ("docx", "md")
CHAIN_LIMIT = 50

READY, QUEUED, RUNNING, DONE, FAILED = "ready", "queued", "running", "done", "failed"
UNEXPECTED = "生成时出现意外错误，已记录在服务器日志中：请重试；若反复出现，请联系管理员"


@dataclass
class Job:
    """One uploaded input and, once generated, its package; everything the page shows about it."""

    id: str
    created: float                      # seconds since the epoch
    kind: str                           # "xlsx" or "yaml", from the content
    source_name: str                    # the browser's file name, for display only
    summary: dict                       # unit, year, scores and findings, formatted for display
    previous: str | None = None         # the job this upload corrects (from the page that uploaded it)
    state: str = READY
    message: str = ""                   # why generation failed, or a note
    failure: list[dict] = field(default_factory=list)
    forced: bool = False
    queued: float = 0.0
    started: float = 0.0
    finished: float = 0.0
    seconds: float = 0.0                # the library's own timing of generate()
    folder: str = ""                    # the package folder's name
    files: list[str] = field(default_factory=list)   # relative POSIX paths; the page addresses them by index
    sizes: list[int] = field(default_factory=list)
    based_on: str | None = None         # the earlier job of the same unit this package was compared with
    based_on_label: str = ""
    changes: dict | None = None

    @property
    def input_name(self) -> str:
        return f"{INPUT_STEM}.{self.kind}"

    @property
    def unit_key(self) -> tuple:
        return (self.summary.get("unit"), self.summary.get("year"))

    @property
    def expected_seconds(self) -> float:
        """A rough duration for the progress bar: Lizhou's 15 projects take about 3 s."""
        return 1.0 + 0.15 * len(self.summary.get("projects", []))


def summarize(evaluation: Evaluation, shown_name: str) -> dict:
    """What the page shows right after upload, formatted once by the shared filters; places name the browser's file."""
    problems = problem_dicts(evaluation.problems, evaluation.path.name, shown_name)
    out: dict = {
        "readable": evaluation.results is not None,
        "problems": problems,
        "counts": {s.value: sum(1 for p in evaluation.problems if p.severity is s) for s in Severity},
    }
    results = evaluation.results
    if results is not None:
        unit = results.report.unit
        dept = results.department
        out.update({
            "unit": unit.name,
            "year": unit.year,
            "profile": results.profile.name,
            "department": {"execution_rate": percent(dept.execution_rate), "total": score(dept.total),
                           "grade": dept.grade or "未评分"},
            "projects": [{"name": p.project.name, "evaluated": bool(p.project.evaluated),
                          "execution_rate": percent(p.card.execution_rate), "total": score(p.card.total),
                          "grade": p.card.grade or "未评分"}
                         for p in results.projects],
        })
    return out


def problem_dicts(problems: list[Problem], internal: str, shown: str) -> list[dict]:
    return [{"severity": p.severity.value,
             "place": shown + p.place[len(internal):] if p.place.startswith(internal) else p.place,
             "message": p.message, "code": p.code} for p in sort_problems(list(problems))]


class JobStore:
    """The registry of jobs: the only way from an id the browser sends to a folder on disk."""

    def __init__(self, work_dir: Path, max_age_hours: float = 24.0, cleanup_interval: float = 300.0) -> None:
        self.root = Path(work_dir).resolve() / "jobs"
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)   # uploads are a unit's budget data: not for other accounts on the machine
        self.max_age = max_age_hours * 3600
        self.cleanup_interval = cleanup_interval
        self.lock = threading.RLock()
        self.jobs: dict[str, Job] = {}
        self.queue: list[str] = []
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jxzp-generate")
        self.last_cleanup = 0.0
        self._load()
        self.cleanup()

    # -- registry

    def get(self, job_id: str) -> Job | None:
        """The job of a well-formed id, None for anything else (the id is never joined to a path unchecked)."""
        if not isinstance(job_id, str) or not JOB_ID.fullmatch(job_id):
            return None
        with self.lock:
            return self.jobs.get(job_id)

    def folder(self, job: Job) -> Path:
        return self.root / job.id

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
        path = self.folder(job) / META
        temp = path.with_name(f".{META}.tmp")
        temp.write_text(json.dumps(asdict(job), ensure_ascii=False, indent=1), encoding="utf-8")
        temp.replace(path)

    def _load(self) -> None:
        known = {f.name for f in fields(Job)}
        for path in self.root.iterdir():
            if not (path.is_dir() and JOB_ID.fullmatch(path.name)):
                continue
            try:
                data = json.loads((path / META).read_text(encoding="utf-8"))
                job = Job(**{k: v for k, v in data.items() if k in known})
            except (OSError, ValueError, TypeError):
                continue
            if job.id != path.name:
                continue
            if job.state in (QUEUED, RUNNING):   # the server stopped while it worked
                job.state, job.message = READY, "上次生成因服务重启而中断，请重新点击“生成”"
            self.jobs[job.id] = job

    # -- cleanup

    def cleanup(self, now: float | None = None) -> list[str]:
        """Remove jobs older than the age limit (never one being generated) and stray folders; returns removed ids."""
        now = time.time() if now is None else now
        cutoff = now - self.max_age
        removed = []
        with self.lock:
            self.last_cleanup = now
            for job_id, job in list(self.jobs.items()):
                if job.created < cutoff and job.state not in (QUEUED, RUNNING):
                    del self.jobs[job_id]
                    shutil.rmtree(self.root / job_id, ignore_errors=True)
                    removed.append(job_id)
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
        self.executor.submit(self._run, job.id, force)

    def position(self, job: Job) -> int:
        """How many generations run or wait before this one."""
        with self.lock:
            return self.queue.index(job.id) if job.id in self.queue else 0

    def base_for(self, job: Job) -> Job | None:
        """The nearest earlier generated job of the same unit and year along the chain of corrected uploads."""
        seen = {job.id}
        current = job
        for _ in range(CHAIN_LIMIT):
            earlier = self.get(current.previous) if current.previous else None
            if earlier is None or earlier.id in seen:
                return None
            seen.add(earlier.id)
            if earlier.state == DONE and earlier.unit_key == job.unit_key:
                return earlier
            current = earlier
        return None

    def _run(self, job_id: str, force: bool) -> None:
        job = self.get(job_id)
        if job is None:
            return
        with self.lock:
            job.state, job.started = RUNNING, time.time()
            self.save(job)
        try:
            self._generate(job, force)
        except Exception:   # noqa: BLE001 — the page shows a message; the traceback goes to the server log
            logger.exception("generation of job %s failed", job.id)
            job.state, job.message = FAILED, UNEXPECTED
        with self.lock:
            job.finished = time.time()
            if job.id in self.queue:
                self.queue.remove(job.id)
            self.save(job)

    def _generate(self, job: Job, force: bool) -> None:
        folder = self.folder(job)
        out = folder / OUT_DIR
        base = self.base_for(job)
        if base is not None:
            # The earlier package sits where this one will be written: the library then says what changed.
            shutil.rmtree(out, ignore_errors=True)
            try:
                shutil.copytree(self.folder(base) / OUT_DIR, out, ignore=shutil.ignore_patterns(".*.tmp-*", ".*.old-*"))
            except OSError:      # the earlier job was cleaned up meanwhile: generate without comparing
                logger.warning("job %s: earlier package of %s is gone", job.id, base.id)
                shutil.rmtree(out, ignore_errors=True)
                base = None
        try:
            generated = generate(folder / job.input_name, out, FORMATS, force=force)
        except GenerationError as exc:
            job.state = FAILED
            job.message = str(exc).replace(job.input_name, job.source_name)
            job.failure = problem_dicts(exc.problems, job.input_name, job.source_name)
            return
        package = generated.folder
        job.folder = package.name
        job.files = list(generated.files)
        job.sizes = [(package / f).stat().st_size for f in job.files]
        job.seconds = round(generated.seconds, 1)
        job.forced = bool(generated.forced)
        write_zip(package, job.files, folder / ZIP_NAME)
        if base is not None:
            job.based_on = base.id
            job.based_on_label = f"{time.strftime('%H:%M', time.localtime(base.created))} 上传的《{base.source_name}》"
            job.changes = _changes(generated.changes)
        job.state = DONE

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def _changes(changes) -> dict | None:
    """The library's account of what a regeneration changed, as plain lists for job.json and the page."""
    if changes is None:
        return None
    return {key: [str(item) for item in getattr(changes, key)]
            for key in ("files_changed", "files_added", "files_removed", "figures")}
