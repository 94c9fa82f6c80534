"""The only code that touches the output folder: stage a package beside the old one, then swap it into place."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .problems import os_reason

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"


class WriteError(RuntimeError):
    """The package could not be written; the previous outputs are left as they were."""


class Keep:
    """A file whose content is known to be unchanged: carried over from the previous package, not rewritten."""

    def __init__(self, sha: str) -> None:
        self.sha = sha

    def __repr__(self) -> str:
        return f"Keep({self.sha[:8]})"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Previous:
    """What the package folder holds now, from its manifest.json: each file's sha256 and fingerprint."""

    folder: Path
    digests: dict[str, str] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    reads: dict[str, list[str]] = field(default_factory=dict)

    def unchanged(self, relative: str, fingerprint: str) -> str | None:
        """The file's sha256 when it was made from the same fingerprint and is still on disk as listed."""
        if self.fingerprints.get(relative) != fingerprint or relative not in self.digests:
            return None
        return self.digests[relative] if (self.folder / relative).is_file() else None

    def read(self, relative: str) -> bytes:
        return (self.folder / relative).read_bytes()


def read_previous(folder: Path) -> Previous:
    """The previous package's manifest; empty when there is none or it cannot be read (then everything is new)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["文件"]
        return Previous(folder, {f["路径"]: f["sha256"] for f in files},
                        {f["路径"]: f.get("指纹", "") for f in files}, dict(data.get("关键数字") or {}),
                        {f["路径"]: f["依据"].split() for f in files if isinstance(f.get("依据"), str)})
    except (OSError, ValueError, KeyError, TypeError):
        return Previous(folder)


@dataclass(frozen=True)
class Prints:
    """Each file's fingerprint (what it was made from), and what a document read of the package's projects and
    department (generate.make): the manifest's 指纹 and 依据 (the reads, separated by spaces), the next generation's
    way to know a file is unchanged."""

    keys: dict[str, str] = field(default_factory=dict)
    reads: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Written:
    """Where the package went and which files differ from the previous package."""

    folder: Path
    changed: list[str]
    added: list[str]
    removed: list[str]


def write_package(out_dir: Path, folder: str, files: dict[str, bytes | Keep], manifest_head: dict,
                  prints: Prints | None = None,
                  after_staging: Callable[[Path, list[str]], None] | None = None) -> Written:
    """Write `files` (relative POSIX paths → bytes, or Keep) as out_dir/folder, all or nothing.

    The new package is assembled in a hidden staging folder beside the target: files whose content is unchanged
    are hard links to the previous package's files (so they are not rewritten and keep their dates), the others
    are written anew. `after_staging` may add files (PDF conversion of the rewritten documents). Then
    manifest.json lists every file with its sha256 and fingerprint, and two renames swap the staging folder in.
    On any failure the staging folder is removed and the previous package stays as it was.
    """
    out_dir = Path(out_dir)
    prints = prints or Prints()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"无法创建输出文件夹 {out_dir}（{os_reason(exc)}）：请检查路径和写入权限") from None
    target = out_dir / folder
    previous = read_previous(target)
    staging = out_dir / f".{folder}.tmp-{os.getpid()}"
    backup = out_dir / f".{folder}.old-{os.getpid()}"
    for leftover in (staging, backup):
        if leftover.exists():
            shutil.rmtree(leftover)
    fresh: list[str] = []
    try:
        for relative, data in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            sha = data.sha if isinstance(data, Keep) else sha256(data)
            if previous.digests.get(relative) == sha and (target / relative).is_file():
                _carry(target / relative, path)
            elif isinstance(data, Keep):
                raise WriteError(f"上次生成的文件 {relative} 不见了：请删除输出文件夹 {target} 后重新生成")
            else:
                path.write_bytes(data)
                fresh.append(relative)
        if after_staging is not None:
            after_staging(staging, fresh)
        listing = []
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            relative = path.relative_to(staging).as_posix()
            data = files.get(relative)
            sha = data.sha if isinstance(data, Keep) else sha256(path.read_bytes())
            entry = {"路径": relative, "sha256": sha, "字节数": path.stat().st_size, "指纹": prints.keys.get(relative, "")}
            if prints.reads.get(relative):
                entry["依据"] = " ".join(prints.reads[relative])
            listing.append(entry)
        manifest = json.dumps({**manifest_head, "文件": listing}, ensure_ascii=False, indent=2) + "\n"
        manifest_bytes = manifest.encode("utf-8")
        if previous.digests and (target / MANIFEST).is_file() and (target / MANIFEST).read_bytes() == manifest_bytes:
            _carry(target / MANIFEST, staging / MANIFEST)
        else:
            (staging / MANIFEST).write_bytes(manifest_bytes)
        with _interrupts_deferred():
            if target.exists():
                os.replace(target, backup)
            try:
                os.replace(staging, target)
            except BaseException:
                if backup.exists():
                    os.replace(backup, target)
                raise
            shutil.rmtree(backup, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(f"写入 {target} 失败（{os_reason(exc)}）：请确认文件没有在 Word/WPS 中打开、磁盘有空间后重试；"
                         "原有的输出未改动") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    new = {entry["路径"]: entry["sha256"] for entry in listing}
    old = previous.digests
    return Written(
        folder=target,
        changed=sorted(p for p in new if p in old and old[p] != new[p]),
        added=sorted(p for p in new if p not in old) if old else [],
        removed=sorted(p for p in old if p not in new),
    )


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while the new package is swapped in, then act on them: an interrupt between the two
    renames would otherwise leave the package folder missing and the previous one hidden beside it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in held:
        signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in held.items():
            signal.signal(sig, handler)
        if caught:
            raise KeyboardInterrupt


def _carry(source: Path, destination: Path) -> None:
    """The same file in the new package without rewriting it: a hard link, or a copy keeping its dates."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def write_files(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Loose files (the bureau's overview) written atomically one by one; unchanged content is not rewritten."""
    written = []
    try:
        for relative, data in sorted(files.items()):
            path = Path(out_dir) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            written.append(path)
            if path.is_file() and path.read_bytes() == data:
                continue
            temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            temporary.write_bytes(data)
            os.replace(temporary, path)
    except OSError as exc:
        raise WriteError(f"写入 {out_dir} 失败（{os_reason(exc)}）：请确认文件没有在 Excel/WPS 中打开、磁盘有空间后重试") from None
    return written
