"""Reading a pack folder as untrusted input: which names stay inside a pack, which .docx members are a Word
document's, and a fingerprint that follows the files' content."""
from __future__ import annotations

import io
import os
import zipfile

import pytest

from generator.pack import PACKS_DIR, load_pack
from generator.packfiles import PackError, docx_members, member_problem, name_problem, scan
from generator.render.documents import _pack_fingerprint


@pytest.mark.parametrize("name", ["句子.j2", "项目支出绩效自评表.docx", "附表/基础数据表.md.j2", "a b.j2"])
def test_a_name_inside_the_pack_is_accepted(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("name, words", [
    ("../全国/pack.yaml", ".."), ("a/../../b", ".."), ("./a", ".."), ("/etc/passwd", "绝对路径"),
    ("\\\\server\\share", "绝对路径"), ("C:/Windows/win.ini", "盘符"), ("c:x", "盘符"), ("a\\..\\b", "反斜杠"),
    ("a\x00b", "绝对路径"), ("", "为空"), ("  ", "为空"),
])
def test_a_name_that_could_leave_the_pack_is_refused(name, words):
    problem = name_problem(name)
    assert problem is not None and words in problem


@pytest.mark.parametrize("member, bad", [
    ("word/document.xml", False), ("[Content_Types].xml", False), ("word/media/image1.png", False),
    ("../evil", True), ("/etc/x", True), ("word\\..\\x", True), ("C:/x", True), ("word//x", True), ("word/./x", True),
])
def test_docx_member_names_are_checked(member, bad):
    assert (member_problem(member) is not None) == bad


def test_a_word_template_keeps_only_the_parts_of_a_word_document(tmp_path):
    source = PACKS_DIR / "全国" / "基础数据表.docx"
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        new.writestr("junk/payload.exe", b"MZ")
        new.writestr("word/vbaProject.bin", b"macro")
        new.writestr("word/activeX/activeX1.xml", b"<x/>")
    path = tmp_path / "t.docx"
    path.write_bytes(out.getvalue())
    members = docx_members(path, "t.docx")
    with zipfile.ZipFile(source) as old:
        assert set(members) == set(old.namelist())
        assert all(members[n] == old.read(n) for n in old.namelist())


def test_a_member_larger_than_allowed_uncompressed_is_refused(tmp_path, monkeypatch):
    import generator.packfiles as packfiles

    monkeypatch.setattr(packfiles, "MAX_MEMBER_BYTES", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        new.writestr("word/document.xml", b"x" * 5000)
    path = tmp_path / "t.docx"
    path.write_bytes(out.getvalue())
    with pytest.raises(PackError, match="解压后过大"):
        docx_members(path, "t.docx")


def test_scan_lists_regular_files_and_refuses_a_pipe(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.j2").write_text("x", encoding="utf-8")
    (tmp_path / "pack.yaml").write_text("名称: t\n", encoding="utf-8")
    assert [f.relative for f in scan(tmp_path, "t")] == ["a/x.j2", "pack.yaml"]
    os.mkfifo(tmp_path / "a" / "pipe")
    with pytest.raises(PackError, match="“a/pipe”是管道"):
        scan(tmp_path, "t")


def test_the_fingerprint_follows_a_changed_file_and_equals_for_an_unchanged_one(tmp_path):
    from generator.pack import export_pack

    folder = tmp_path / "包"
    export_pack("全国", folder)
    first = _pack_fingerprint(load_pack(str(folder)))
    assert _pack_fingerprint(load_pack(str(folder))) == first
    path = folder / "句子.j2"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8") + "\n{# 改 #}\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert _pack_fingerprint(load_pack(str(folder))) != first
