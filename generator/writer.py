"""The only code that touches the output folder: stage a package in a temporary folder, then swap it into place."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"


class WriteError(RuntimeError):
    """The package could not be written; the previous outputs are left as they were."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_package(out_dir: Path, folder: str, files: dict[str, bytes], manifest_head: dict,
                  after_staging: Callable[[Path], None] | None = None) -> Path:
    """Write `files` (relative POSIX paths → bytes) as out_dir/folder, all or nothing.

    Everything is written to a hidden staging folder beside the target first; `after_staging` may add files
    there (PDF conversion); then manifest.json lists every file with its sha256, and the staging folder replaces
    the previous package. On any failure the staging folder is removed and the previous package stays.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"无法创建输出文件夹 {out_dir}（{exc.strerror}）：请检查路径和写入权限") from None
    target = out_dir / folder
    staging = out_dir / f".{folder}.tmp-{os.getpid()}"
    backup = out_dir / f".{folder}.old-{os.getpid()}"
    for leftover in (staging, backup):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        for relative, data in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if after_staging is not None:
            after_staging(staging)
        listing = []
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            data = path.read_bytes()
            listing.append({"路径": path.relative_to(staging).as_posix(), "sha256": sha256(data), "字节数": len(data)})
        manifest = {**manifest_head, "文件": listing}
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            os.replace(target, backup)
        try:
            os.replace(staging, target)
        except OSError:
            if backup.exists():
                os.replace(backup, target)
            raise
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(f"写入 {target} 失败（{exc.strerror or exc}）：请确认文件没有在 Word/WPS 中打开、磁盘有空间后重试；"
                         "原有的输出未改动") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(backup, ignore_errors=True)
    return target
