"""A generated package as the page shows it: documents grouped like the folder, one deterministic .zip."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath

from ..zips import member

KINDS = {".docx": "Word", ".pdf": "PDF", ".md": "文本版", ".png": "图片", ".svg": "图片", ".json": "清单"}
HIDDEN = {"manifest.json"}       # the generator's file list with checksums: in the .zip, not a preparer's document
STORED = {".docx", ".png", ".pdf"}   # already compressed: deflating them again costs time and saves nothing
FOLDER_ORDER = ("项目支出绩效自评报告", "附表", "图表")
CHECK_STEM = "校验报告"


def write_zip(folder: Path, files: list[str], target: Path) -> None:
    """folder/<files> as one .zip under the package's folder name: sorted entries, fixed times and modes."""
    temp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative in sorted(files):
            entry = member(f"{folder.name}/{relative}", stored=PurePosixPath(relative).suffix in STORED)
            archive.writestr(entry, (folder / relative).read_bytes(), compresslevel=6)
    os.replace(temp, target)


def groups(files: list[str], sizes: list[int], folder_name: str) -> list[dict]:
    """The package's files as the folder holds them: the top level, then each subfolder; a document's .docx and
    .md share one row; the manifest is left out. Every link is an index into `files`, never a path."""
    by_folder: dict[str, dict[str, dict]] = {}
    for index, relative in enumerate(files):
        if relative in HIDDEN:
            continue
        path = PurePosixPath(relative)
        parent = path.parent.as_posix() if len(path.parts) > 1 else ""
        row = by_folder.setdefault(parent, {}).setdefault(path.stem, {"name": path.stem, "links": [], "preview": None})
        row["links"].append({"index": index, "kind": KINDS.get(path.suffix.lower(), path.suffix.lstrip(".")),
                             "suffix": path.suffix.lower(), "size": _size(sizes[index] if index < len(sizes) else 0)})
        if path.suffix.lower() == ".md":
            row["preview"] = index
    out = []
    for parent in sorted(by_folder, key=_folder_rank):
        rows = sorted(by_folder[parent].values(), key=_row_rank)
        for row in rows:
            row["links"].sort(key=lambda link: list(KINDS).index(link["suffix"]) if link["suffix"] in KINDS else 99)
        out.append({"title": parent or folder_name, "top": not parent, "rows": rows})
    return out


def documents(files: list[str]) -> list[dict]:
    """The Markdown documents a preview can show, department report first, the check report last."""
    found = [{"index": i, "title": PurePosixPath(f).stem, "folder": PurePosixPath(f).parent.as_posix()}
             for i, f in enumerate(files) if f.endswith(".md")]
    return sorted(found, key=lambda d: (d["title"] == "校验报告", d["folder"] != ".", d["folder"], d["title"]))


def _folder_rank(parent: str) -> tuple:
    return (parent != "", FOLDER_ORDER.index(parent) if parent in FOLDER_ORDER else len(FOLDER_ORDER), parent)


def _row_rank(row: dict) -> tuple:
    suffixes = {link["suffix"] for link in row["links"]}
    rank = 0 if suffixes & {".docx", ".pdf"} else 1 if ".md" in suffixes else 2
    return (rank, row["name"] == CHECK_STEM, row["name"])     # the reports first, the 校验报告 after them


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"
