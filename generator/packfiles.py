"""A pack's folder read as untrusted input: names that stay inside the pack, regular files only (no link, pipe or
device), bounded sizes and depth, Word templates reduced to the parts a Word document has."""
from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
import stat
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

MAX_FILE_BYTES = 20 * 1024 * 1024        # one file of a pack; a bundled report template is ~40 KB
MAX_PACK_BYTES = 100 * 1024 * 1024       # all files of one pack folder
MAX_FILES = 2_000                        # files of one pack folder
MAX_FOLDER_DEPTH = 16                    # folder levels inside a pack
MAX_SPEC_BYTES = 256 * 1024              # pack.yaml
MAX_SPEC_NESTING = 64                    # brackets or indentation levels of pack.yaml
MAX_MEMBERS = 1_000                      # parts of one .docx template
MAX_MEMBER_BYTES = 50 * 1024 * 1024      # one part of a .docx template, uncompressed
MAX_DOCX_BYTES = 150 * 1024 * 1024       # all parts of a .docx template, uncompressed
IGNORED = frozenset({"__pycache__"})


class PackError(Exception):
    """A pack cannot be used; the message (Chinese) names the pack and the file and says what to do."""


_UNSAFE_NAME = re.compile(r"^[\\/]|^[A-Za-z]:|\\|[\x00-\x1f]")


def name_problem(name: object) -> str | None:
    """Why a file name a pack uses (include, table(), 模板 …) could leave the pack, or None when it stays inside."""
    if not isinstance(name, str) or not name.strip():
        return "文件名为空"
    if _UNSAFE_NAME.search(name):
        return "只能引用模板包中的文件，不能用绝对路径、盘符或反斜杠"
    if any(part in ("..", ".") for part in name.split("/")):
        return "只能引用模板包中的文件，不能用 .. 跳出模板包"
    return None


@dataclass(frozen=True)
class PackFile:
    """One regular file of a pack folder, as found by scan()."""

    relative: str          # with "/" between folders
    size: int
    mtime_ns: int
    inode: int


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    return "特殊文件"


def scan(folder: Path, name: str) -> tuple[PackFile, ...]:
    """Every file of a pack folder, without following a link or opening anything; PackError (Chinese) for a link,
    a pipe, a device, a socket, a folder nested too deep, too many or too large files."""
    try:
        top = os.lstat(folder)
    except OSError as exc:
        raise PackError(f"模板包“{name}”的文件夹无法读取（{type(exc).__name__}）：请检查路径") from None
    if stat.S_ISLNK(top.st_mode):
        raise PackError(f"模板包“{name}”的文件夹是符号链接：为安全起见不接受符号链接，请使用文件夹本身")
    if not stat.S_ISDIR(top.st_mode):
        raise PackError(f"模板包“{name}”不是文件夹：请指定模板包文件夹")
    found: list[PackFile] = []
    total = 0
    pending: list[tuple[Path, str, int]] = [(folder, "", 0)]    # a list, not recursion: any depth is refused calmly
    while pending:
        current, prefix, depth = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            raise PackError(f"模板包“{name}”中的文件夹“{prefix or '.'}”无法读取（{type(exc).__name__}）") from None
        for entry in listed:
            if entry.name in IGNORED:
                continue
            relative = f"{prefix}{entry.name}"
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISLNK(info.st_mode):
                raise PackError(f"模板包“{name}”中的“{relative}”是符号链接：为安全起见模板包中不接受符号链接，请放入文件本身")
            if stat.S_ISDIR(info.st_mode):
                if depth + 1 >= MAX_FOLDER_DEPTH:
                    raise PackError(f"模板包“{name}”中的文件夹“{relative[:120]}…”层次过深（超过 {MAX_FOLDER_DEPTH} 层）："
                                    "模板包只需要模板文件本身，请删除多余的文件夹")
                pending.append((Path(entry.path), relative + "/", depth + 1))
                continue
            if not stat.S_ISREG(info.st_mode):
                raise PackError(f"模板包“{name}”中的“{relative}”是{_kind(info.st_mode)}，不是普通文件：模板包中只能放普通文件")
            if info.st_size > MAX_FILE_BYTES:
                raise PackError(f"模板包“{name}”中的“{relative}”过大（{info.st_size / 1048576:.0f} MB，上限 "
                                f"{MAX_FILE_BYTES // 1048576} MB）：请检查是否放错了文件")
            total += info.st_size
            found.append(PackFile(relative, info.st_size, info.st_mtime_ns, info.st_ino))
            if total > MAX_PACK_BYTES or len(found) > MAX_FILES:
                raise PackError(f"模板包“{name}”过大（超过 {MAX_PACK_BYTES // 1048576} MB 或 {MAX_FILES} 个文件）："
                                "模板包只需要模板文件本身，请删除多余的文件")
    return tuple(sorted(found, key=lambda f: f.relative))


def _open(path: Path, what: str) -> int:
    """A descriptor of a regular file, opened without following a link and without waiting on a pipe."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise PackError(f"“{what}”是符号链接：为安全起见模板包中不接受符号链接，请放入文件本身") from None
        raise PackError(f"“{what}”无法读取（{type(exc).__name__}）") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise PackError(f"“{what}”是{_kind(info.st_mode)}，不是普通文件：模板包中只能放普通文件")
    return fd


def read_file(path: Path, what: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of one pack file, at most `limit` (PackError beyond: a file that grew since the scan too)."""
    fd = _open(path, what)
    try:
        if os.fstat(fd).st_size > limit:
            raise PackError(f"“{what}”过大（上限 {limit // 1024} KB）：请检查是否放错了文件")
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, 1024 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise PackError(f"“{what}”过大（上限 {limit // 1024} KB）：请检查是否放错了文件")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_DIGESTS: dict[tuple[str, int, int, int], bytes] = {}
_DIGESTS_LOCK = threading.Lock()


def digest(path: Path, entry: PackFile) -> bytes:
    """SHA-256 of a pack file, read in pieces (never whole), computed once per process per path, size and mtime."""
    key = (str(path), entry.size, entry.mtime_ns, entry.inode)
    found = _DIGESTS.get(key)
    if found is not None:
        return found
    fd = _open(path, entry.relative)
    try:
        hasher = hashlib.sha256()
        read = 0
        while read <= MAX_FILE_BYTES:
            chunk = os.read(fd, 1024 * 1024)
            if not chunk:
                break
            read += len(chunk)
            hasher.update(chunk)
        if read > MAX_FILE_BYTES:
            raise PackError(f"“{entry.relative}”过大（上限 {MAX_FILE_BYTES // 1048576} MB）：请检查是否放错了文件")
    finally:
        os.close(fd)
    value = hasher.digest()
    with _DIGESTS_LOCK:
        if len(_DIGESTS) > 10_000:
            _DIGESTS.clear()
        _DIGESTS[key] = value
    return value


def spec_nesting_problem(text: str) -> str | None:
    """pack.yaml nested deeper than any real one (brackets or indentation): refused before the YAML parser
    recurses into it."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    if deepest > MAX_SPEC_NESTING or indent > 2 * MAX_SPEC_NESTING:
        return f"嵌套层次过深（超过 {MAX_SPEC_NESTING} 层）"
    return None


_WORD_PART = re.compile(
    r"\[Content_Types\]\.xml|_rels/\.rels|docProps/[\w.-]+|docMetadata/[\w.-]+|customXml/(?:_rels/)?[\w.-]+"
    r"|word/[\w.-]+\.xml|word/(?:_rels|theme|theme/_rels|media|embeddings|charts|charts/_rels|fonts|fonts/_rels"
    r"|glossary|glossary/_rels|diagrams|diagrams/_rels|ink|printerSettings)/[\w.-]+")
"""The parts a Word document has (main document, styles, settings, headers, pictures, charts, fonts …); any other
member of a .docx template is dropped, not copied into every output."""


def member_problem(name: str) -> str | None:
    if not name or name.startswith(("/", "\\")) or "\\" in name or re.match(r"[A-Za-z]:", name) \
            or any(part in ("..", ".", "") for part in name.split("/")) or re.search(r"[\x00-\x1f]", name):
        return f"有名为“{name[:80]}”的部分（绝对路径、.. 或反斜杠）"
    return None


def docx_members(path: Path, what: str) -> dict[str, bytes]:
    """The parts of a Word template: names checked, sizes bounded (each and all, uncompressed), only the parts a
    Word document has; PackError otherwise. zipfile.BadZipFile for a file that is no zip at all."""
    data = read_file(path, what)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise PackError(f"模板“{what}”中的部分过多（{len(infos)} 个）：请用 Word 另存为 .docx 后重试")
        members: dict[str, bytes] = {}
        total = 0
        for info in infos:
            problem = member_problem(info.filename)
            if problem:
                raise PackError(f"模板“{what}”{problem}：Word 文件中不会有这样的部分，请用 Word 另存为 .docx 后重试")
            if info.is_dir() or not _WORD_PART.fullmatch(info.filename):
                continue
            if info.filename in members:
                raise PackError(f"模板“{what}”中“{info.filename}”出现了两次：请用 Word 另存为 .docx 后重试")
            if info.file_size > MAX_MEMBER_BYTES:
                raise PackError(f"模板“{what}”中的“{info.filename}”解压后过大（{info.file_size / 1048576:.0f} MB，"
                                f"上限 {MAX_MEMBER_BYTES // 1048576} MB）：请压缩图片或删除多余内容")
            with archive.open(info) as handle:       # the size in the header may lie: read no more than allowed
                content = handle.read(MAX_MEMBER_BYTES + 1)
            total += len(content)
            if len(content) > MAX_MEMBER_BYTES or total > MAX_DOCX_BYTES:
                raise PackError(f"模板“{what}”解压后过大（上限 {MAX_DOCX_BYTES // 1048576} MB）：请压缩图片或删除多余内容")
            members[info.filename] = content
    _tidy(members, what)
    return members


_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OVERRIDE = "{http://schemas.openxmlformats.org/package/2006/content-types}Override"
_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_OTHER_MAIN = re.compile(r"application/vnd\.(?:ms-word\.(?:document|template)\.macroEnabled(?:Template)?"
                         r"|openxmlformats-officedocument\.wordprocessingml\.template)\.main\+xml")


def _tidy(members: dict[str, bytes], what: str) -> None:
    """The kept parts as one sound package: no relationship or content type left pointing at a dropped part, the
    relationships of a dropped part gone with it, and a main part typed as a macro-enabled document or a template
    typed as the plain document the output is — so Word opens the output without offering to repair it. Only what
    changes is written again (a sound template keeps its bytes); a part that cannot be read is left as it is."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    present = {n.casefold() for n in members}         # part names are compared without case (OPC)
    for name in [n for n in members if n.endswith(".rels")]:
        folder, _, base = name.rpartition("_rels/")
        source = folder + base[:-len(".rels")]
        if source and source.casefold() not in present:
            del members[name]
            continue
        try:
            tree = etree.fromstring(members[name], parser)
        except etree.XMLSyntaxError:
            continue
        gone = [rel for rel in tree.iter(_RELS) if rel.get("TargetMode") != "External"
                and _target(folder, rel.get("Target", "")).casefold() not in present]
        if not gone:
            continue
        _unused(members.get(source, b""), {rel.get("Id") for rel in gone}, parser, f"模板“{what}”中的“{source}”",
                "、".join(sorted({rel.get("Target", "") for rel in gone}))[:200])
        for rel in gone:
            rel.getparent().remove(rel)
        members[name] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
    try:
        types = etree.fromstring(members.get("[Content_Types].xml", b""), parser)
    except etree.XMLSyntaxError:
        return
    changed = False
    for override in list(types.iter(_OVERRIDE)):
        if unquote(override.get("PartName", "")).lstrip("/").casefold() not in present:
            types.remove(override)
            changed = True
        elif _OTHER_MAIN.fullmatch(override.get("ContentType", "")):
            override.set("ContentType", _DOCUMENT)
            changed = True
    if changed:
        members["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)


_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _unused(source: bytes, ids: set[str], parser, where: str, targets: str) -> None:
    """PackError when the part `source` still uses one of the relationships `ids` to dropped parts (an ActiveX
    control in the text, say): without them Word would have to repair every output."""
    from lxml import etree

    try:
        tree = etree.fromstring(source, parser)
    except etree.XMLSyntaxError:
        return
    for element in tree.iter():
        if isinstance(element.tag, str) and any(key.startswith(_R) and value in ids for key, value in element.attrib.items()):
            raise PackError(f"{where}用到了 Word 文档以外的部分（{targets}，如宏、ActiveX 控件）：请在 Word 中删除这些内容，"
                            "另存为 .docx 后重试")


def _target(folder: str, target: str) -> str:
    """The part a relationship of a part in `folder` points at."""
    target = unquote(target)
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def docx_bytes(members: dict[str, bytes]) -> bytes:
    """A zip of the kept parts, for the libraries that read a Word file themselves (docxtpl)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()
