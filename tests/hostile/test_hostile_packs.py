"""Packs are untrusted code (issue 18): from every place a pack writes a template expression, no library method is
reached; every file a pack names stays inside it and is a regular, bounded file; work is budgeted, not only output.
Each case is refused in Chinese naming the pack file (and line), with no traceback, nothing run, nothing read
outside and the previous package intact."""
from __future__ import annotations

import io
import os
import socket
import stat
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from generator.generate import GenerationError, generate
from generator.pack import export_pack
from packages import FIXTURES, work_dir
from test_docx_package import package_problems

SMALL = FIXTURES / "small.yaml"
REPORT = "项目支出绩效自评报告"
REPORT_MD = f"{REPORT}.md.j2"
REPORT_DOCX = f"{REPORT}.docx"
MARKER = Path("/tmp/jxzp-hostile-pickle-ran")


@pytest.fixture(scope="module")
def previous():
    """A package generated with the bundled pack; every refused run below must leave it byte for byte."""
    out = work_dir("packs-hostile-out")
    made = generate(SMALL, out, ("docx", "md"))
    return out, {p: p.read_bytes() for p in made.folder.rglob("*") if p.is_file()}


def _pack(name: str) -> Path:
    folder = work_dir("packs-hostile") / name
    if folder.exists():
        import shutil
        shutil.rmtree(folder)
    export_pack("全国", folder)
    return folder


def _refused(pack: Path, previous, formats=("md",)) -> str:
    out, before = previous
    with pytest.raises(GenerationError) as caught:
        generate(SMALL, out, formats, pack=pack)
    message = str(caught.value)
    assert "Traceback" not in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert "root:" not in message                      # nothing of /etc/passwd was read into the message
    assert sorted(p for p in out.rglob("*") if p.is_file()) == sorted(before)
    assert {p: p.read_bytes() for p in before} == before
    assert not MARKER.exists()
    return message


def _in_word(pack: Path, text: str, name: str = REPORT_DOCX) -> None:
    doc = Document(str(pack / name))
    doc.add_paragraph(text)
    doc.save(str(pack / name))


def _in_yaml(pack: Path, old: str, new: str) -> None:
    path = pack / "pack.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------- templates see data, not objects

OBJECT_ESCAPES = {
    "parse_raw-pickle": "{{ X.parse_raw('cos\\nsystem\\n(S\\'touch /tmp/jxzp-hostile-pickle-ran\\'\\ntR.', "
                        "content_type='pickle', allow_pickle=True) }}",
    "parse_file": "{{ X.parse_file('/etc/passwd') }}",
    "model_dump": "{{ X.model_dump() }}",
    "mro": "{{ X.__class__.__mro__ }}",
    "copy": "{{ X.copy() }}",
}
PLACES = ("md", "macro", "word", "title", "folder")


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("name", sorted(OBJECT_ESCAPES))
def test_no_model_method_is_reachable_from_any_place_a_pack_writes_an_expression(name, place, previous, category):
    category("template")
    pack = _pack(f"object-{name}-{place}")
    expression = OBJECT_ESCAPES[name]
    formats = ("md",)
    if place == "md":
        (pack / REPORT_MD).write_text(f"# 标题\n\n{expression.replace('X.', 'unit.')}\n", encoding="utf-8")
        where = [REPORT_MD, "第3行"]
    elif place == "macro":
        macro = f"\n{{% macro 坏(u) %}}\n{expression.replace('X.', 'u.')}\n{{% endmacro %}}\n"
        with open(pack / "句子.j2", "a", encoding="utf-8") as handle:
            handle.write(macro)
        lines = (pack / "句子.j2").read_text(encoding="utf-8").count("\n")
        (pack / REPORT_MD).write_text('{% import "句子.j2" as 句 with context %}\n{{ 句.坏(unit) }}\n', encoding="utf-8")
        where = [REPORT_MD, f"句子.j2 第{lines - 1}行"]
    elif place == "word":
        _in_word(pack, expression.replace("X.", "unit."))
        formats, where = ("docx",), [REPORT_DOCX]
    elif place == "title":
        yaml_expression = expression.replace("X.", "item.project.").replace("\\", "\\\\").replace('"', '\\"')
        _in_yaml(pack, '标题: "{{ year }}年度{{ item.project.name }}',
                 f'标题: "{yaml_expression}{{{{ year }}}}年度{{{{ item.project.name }}}}')
        formats, where = ("docx",), ["pack.yaml", "项目报告", "标题"]
    else:
        yaml_expression = expression.replace("X.", "unit.").replace("\\", "\\\\").replace('"', '\\"')
        _in_yaml(pack, '文件夹: "{{ year }}', f'文件夹: "{yaml_expression}{{{{ year }}}}')
        where = ["pack.yaml", "文件夹"]
    message = _refused(pack, previous, formats)
    for word in where:
        assert word in message, (word, message)
    assert "parse_raw" not in message or "不存在" in message


# ---------------------------------------------------------------- a pack is a closed folder

@pytest.mark.parametrize("tag, line", [
    ('{% include "../全国/pack.yaml" %}', 2),
    ('{% include "/etc/passwd" %}', 2),
    ('{% import "../../../../etc/passwd" as x %}', 2),
    ('{% extends "C:/Windows/win.ini" %}', 2),
    ('{% include "..\\\\..\\\\etc\\\\passwd" %}', 2),
    ('{% from "/etc/passwd" import x %}', 2),
])
def test_a_template_naming_a_file_outside_the_pack_is_refused_with_its_line(tag, line, previous, category):
    category("template")
    pack = _pack(f"outside-{abs(hash(tag))}")
    (pack / REPORT_MD).write_text(f"# 标题\n{tag}\n", encoding="utf-8")
    message = _refused(pack, previous)
    assert REPORT_MD in message and f"第{line}行" in message and "引用了" in message


def test_an_include_in_a_sentence_macro_names_the_macro_file_and_line(previous, category):
    category("template")
    pack = _pack("outside-macro")
    with open(pack / "句子.j2", "a", encoding="utf-8") as handle:
        handle.write('\n{% macro 坏() %}{% include "../../../../etc/passwd" %}{% endmacro %}\n')
    lines = (pack / "句子.j2").read_text(encoding="utf-8").count("\n")
    (pack / REPORT_MD).write_text('{% import "句子.j2" as 句 with context %}\n{{ 句.坏() }}\n', encoding="utf-8")
    message = _refused(pack, previous)
    assert f"句子.j2 第{lines}行" in message and REPORT_MD in message


@pytest.mark.parametrize("name", ["../全国/项目支出绩效自评表", "/etc/passwd", "C:\\Windows\\x", "..\\..\\x"])
def test_a_table_outside_the_pack_is_refused_in_word_and_markdown(name, previous, category):
    category("template")
    pack = _pack(f"table-{abs(hash(name))}")
    _in_word(pack, "{{ table('%s') }}" % name.replace("\\", "\\\\"))
    message = _refused(pack, previous, ("docx",))
    assert REPORT_DOCX in message and "引用了" in message
    (pack / REPORT_MD).write_text("# 标题\n{{ table('%s') }}\n" % name.replace("\\", "\\\\"), encoding="utf-8")
    message = _refused(pack, previous, ("md",))
    assert REPORT_MD in message and "第2行" in message and "引用了" in message


@pytest.mark.parametrize("template", ["../全国/项目支出绩效自评报告", "/tmp/x", "C:\\x", "a/../../b"])
def test_a_pack_yaml_template_outside_the_pack_is_refused(template, previous, category):
    category("template")
    pack = _pack(f"spec-template-{abs(hash(template))}")
    _in_yaml(pack, "    模板: 项目支出绩效自评报告", f"    模板: '{template}'")
    message = _refused(pack, previous, ("docx",))
    assert "pack.yaml" in message and "文档.项目报告.模板" in message


def _run_with_deadline(function, seconds: float = 60):
    """Run `function` in a thread; fail (instead of hanging the suite) when it has not returned in time."""
    box: dict = {}

    def run():
        try:
            box["value"] = function()
        except BaseException as exc:   # noqa: BLE001 — handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked"
    return box


@pytest.mark.parametrize("which", ["pack.yaml", "项目支出绩效自评表.md.j2"])
def test_a_fifo_in_a_pack_does_not_block(which, previous, category):
    category("template")
    pack = _pack(f"fifo-{abs(hash(which))}")
    (pack / which).unlink()
    os.mkfifo(pack / which)
    box = _run_with_deadline(lambda: _refused(pack, previous))
    assert "error" not in box, box.get("error")
    assert which in box["value"] and "不是普通文件" in box["value"]


def test_a_socket_in_a_pack_is_refused(previous, category, tmp_path):
    category("template")
    pack = _pack("socket")
    server = socket.socket(socket.AF_UNIX)
    path = pack / "s"
    try:
        server.bind(str(path))
    except OSError:                    # a path too long for a socket name: bind in a short folder and move it
        server.bind(str(tmp_path / "s"))
        os.rename(tmp_path / "s", path)
    try:
        message = _refused(pack, previous)
    finally:
        server.close()
    assert "套接字" in message and "“s”" in message


def test_a_device_in_a_pack_is_refused_without_reading_it(previous, category):
    """/dev/zero as a template: reading it would never end. (Making a device node needs root; where the test runs
    without, the kind of file is still checked below, from its mode alone.)"""
    category("template")
    pack = _pack("device")
    (pack / "项目支出绩效自评表.md.j2").unlink()
    try:
        os.mknod(pack / "项目支出绩效自评表.md.j2", stat.S_IFCHR | 0o644, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("making a device node needs root")
    box = _run_with_deadline(lambda: _refused(pack, previous))
    assert "error" not in box, box.get("error")
    assert "设备文件" in box["value"] and "项目支出绩效自评表.md.j2" in box["value"]


@pytest.mark.parametrize(("mode", "kind"), [(stat.S_IFCHR, "设备文件"), (stat.S_IFBLK, "设备文件"),
                                            (stat.S_IFIFO, "管道（FIFO）"), (stat.S_IFSOCK, "套接字")])
def test_every_kind_of_special_file_is_named(mode, kind):
    from generator.packfiles import _kind

    assert _kind(mode | 0o644) == kind


def test_a_symlinked_folder_in_a_pack_is_refused(previous, category):
    category("template")
    pack = _pack("symlink-folder")
    os.symlink("/etc", pack / "etc")
    message = _refused(pack, previous)
    assert "符号链接" in message and "etc" in message


def test_a_sparse_8_gb_file_is_refused_by_its_size_without_reading_it(previous, category):
    category("template")
    pack = _pack("sparse")
    with open(pack / "大.bin", "wb") as handle:
        handle.truncate(8 * 1024 ** 3)
    try:
        message = _refused(pack, previous)
    finally:
        (pack / "大.bin").unlink()
    assert "大.bin" in message and "过大" in message


def test_a_pack_yaml_nested_ten_thousand_levels_is_refused(previous, category):
    category("template")
    pack = _pack("nested-yaml")
    with open(pack / "pack.yaml", "a", encoding="utf-8") as handle:
        handle.write("说明: " + "[" * 10_000 + "]" * 10_000 + "\n")
    message = _refused(pack, previous)
    assert "pack.yaml" in message and "嵌套层次过深" in message


def test_a_pack_yaml_indented_hundreds_of_levels_is_refused(previous, category):
    category("template")
    pack = _pack("indented-yaml")
    lines = "".join(f"{' ' * (2 * level)}k{level}:\n" for level in range(1, 400))
    with open(pack / "pack.yaml", "a", encoding="utf-8") as handle:
        handle.write("说明2:\n" + lines)
    message = _refused(pack, previous)
    assert "pack.yaml" in message and "嵌套层次过深" in message


def test_a_pack_yaml_of_nested_aliases_is_refused_without_expanding_them(previous, category):
    """A billion laughs: 9⁹ strings if the aliases were copied out, in the places of pack.yaml that take lists and
    mappings; refused at its keys as quickly as any other mistake."""
    category("template")
    pack = _pack("alias-yaml")
    anchors = 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
        f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 10))
    spec = pack / "pack.yaml"
    text = spec.read_text(encoding="utf-8").replace("文字:\n", "文字:\n  炸弹: *a9\n", 1)
    text = text.replace('颜色: ["#7f8c8d", "#c0392b"]', "颜色: *a9", 1)
    spec.write_text("锚:\n" + "".join(f"  {line}\n" for line in anchors.splitlines()) + text, encoding="utf-8")
    message = _refused(pack, previous)
    assert "pack.yaml" in message and "“文字.炸弹”" in message and "“锚”（第1行）不认识" in message


def test_a_pack_folder_1200_levels_deep_is_refused(previous, category):
    category("template")
    pack = _pack("deep-folder")
    chain = [pack / "a"]
    for _ in range(1199):                 # one mkdir a level: os.makedirs itself recurses too deep for this
        chain.append(chain[-1] / "a")
    for folder in chain:
        os.mkdir(folder)
    try:
        message = _refused(pack, previous)
    finally:
        for folder in reversed(chain):
            os.rmdir(folder)
    assert "层次过深" in message


def _rezip(path: Path, extra: dict[str, bytes]) -> None:
    source = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        for name, data in extra.items():
            new.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


@pytest.mark.parametrize("member", ["../../evil.txt", "/etc/evil", "word\\..\\..\\evil", "C:/evil", "word/../../x"])
def test_a_word_template_with_a_climbing_member_name_is_refused(member, previous, category):
    category("template")
    pack = _pack(f"zip-name-{abs(hash(member))}")
    _rezip(pack / REPORT_DOCX, {member: b"x"})
    message = _refused(pack, previous, ("docx",))
    assert REPORT_DOCX in message and "请用 Word 另存为" in message


def test_a_word_template_with_a_bomb_member_is_refused(previous, category):
    category("template")
    pack = _pack("zip-bomb")
    _rezip(pack / REPORT_DOCX, {"word/media/image9.png": bytes(60 * 1024 * 1024)})   # 60 MB of zeros, ~60 KB packed
    message = _refused(pack, previous, ("docx",))
    assert REPORT_DOCX in message and "解压后过大" in message


def test_junk_members_of_a_word_template_are_not_copied_into_the_output(tmp_path, category):
    category("template")
    pack = _pack("zip-junk")
    _rezip(pack / REPORT_DOCX, {"junk/payload.bin": b"x" * 1000, "word/vbaProject.bin": b"macro"})
    made = generate(SMALL, tmp_path / "out", ("docx",), pack=pack)
    reports = sorted((made.folder / REPORT).glob("*.docx"))
    assert reports
    with zipfile.ZipFile(reports[0]) as archive:
        names = archive.namelist()
    assert "word/document.xml" in names
    assert not any(n.startswith("junk/") or n.endswith("vbaProject.bin") for n in names)


def _edit_zip(path: Path, edits: dict[str, Callable[[bytes], bytes]], extra: dict[str, bytes]) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, edits[info.filename](data) if info.filename in edits else data)
        for name, data in extra.items():
            new.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


MACRO_MAIN = b"application/vnd.ms-word.document.macroEnabled.main+xml"


def _as_macro_document(pack: Path, rel_id: str, target: str, content_type: bytes) -> None:
    """The report template as a macro-enabled document renamed .docx: a part Word documents do not have, linked
    from the main part's relationships and typed in [Content_Types].xml."""
    relationship = (f'<Relationship Id="{rel_id}" Type="http://schemas.microsoft.com/office/2006/relationships/'
                    f'vbaProject" Target="{target}"/></Relationships>').encode()
    override = b'<Override PartName="/word/' + target.encode() + b'" ContentType="' + content_type + b'"/></Types>'
    _edit_zip(pack / REPORT_DOCX, {
        "word/_rels/document.xml.rels": lambda data: data.replace(b"</Relationships>", relationship),
        "[Content_Types].xml": lambda data: data.replace(b"</Types>", override).replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", MACRO_MAIN),
    }, {f"word/{target}": b"macro", f"word/_rels/{target}.rels": b"<Relationships/>"})


def test_a_macro_document_renamed_docx_gives_documents_word_opens_without_repair(tmp_path, category):
    category("template")
    pack = _pack("zip-macro")
    _as_macro_document(pack, "rId900", "vbaProject.bin", b"application/vnd.ms-office.vbaProject")
    made = generate(SMALL, tmp_path / "out", ("docx",), pack=pack)
    report = sorted((made.folder / REPORT).glob("*.docx"))[0]
    assert package_problems(report) == []
    with zipfile.ZipFile(report) as archive:
        names = archive.namelist()
        types = archive.read("[Content_Types].xml")
    assert not any("vbaProject" in n for n in names)
    assert MACRO_MAIN not in types and b"vbaProject" not in types


def test_a_template_whose_text_uses_a_part_word_documents_lack_is_refused(previous, category):
    category("template")
    pack = _pack("zip-activex")
    _as_macro_document(pack, "rId901", "activeX/activeX1.xml", b"application/vnd.ms-office.activeX+xml")
    control = (b'<w:p><w:r><w:object><w:control r:id="rId901" w:name="x"/></w:object></w:r></w:p><w:sectPr')
    _edit_zip(pack / REPORT_DOCX, {"word/document.xml": lambda data: data.replace(b"<w:sectPr", control, 1)}, {})
    message = _refused(pack, previous, ("docx",))
    assert REPORT_DOCX in message and "ActiveX" in message and "另存为 .docx" in message


# ---------------------------------------------------------------- budgets count work, not output

QUIET_WORK = {
    "macro-million-calls": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(20) }}",
    "nested-loops": "{% for a in range(10**4) %}{% for b in range(10**4) %}{% endfor %}{% endfor %}",
    "loops-over-text": "{% for a in 'x' * 1000000 %}{% for b in 'x' * 1000000 %}{% endfor %}{% endfor %}",
}


@pytest.mark.parametrize("name", sorted(QUIET_WORK))
def test_a_template_that_works_without_printing_still_stops(name, previous, category):
    category("template")
    pack = _pack(f"quiet-{name}")
    (pack / REPORT_MD).write_text(f"# 标题\n{QUIET_WORK[name]}\n", encoding="utf-8")
    message = _refused(pack, previous)
    assert REPORT_MD in message and "第2行" in message and "次数过多" in message


def test_a_sentence_macro_that_loops_stops_naming_its_line(previous, category):
    category("template")
    pack = _pack("quiet-macro-file")
    with open(pack / "句子.j2", "a", encoding="utf-8") as handle:
        handle.write("\n{% macro 忙() %}{% for a in 'x' * 1000000 %}{% for b in 'x' * 1000000 %}"
                     "{% endfor %}{% endfor %}{% endmacro %}\n")
    lines = (pack / "句子.j2").read_text(encoding="utf-8").count("\n")
    (pack / REPORT_MD).write_text('{% import "句子.j2" as 句 with context %}\n{{ 句.忙() }}\n', encoding="utf-8")
    message = _refused(pack, previous)
    assert f"句子.j2 第{lines}行" in message and "次数过多" in message


def test_a_word_template_that_loops_stops(previous, category):
    category("template")
    pack = _pack("quiet-word")
    _in_word(pack, "{% for a in 'x' * 1000000 %}{% for b in 'x' * 1000000 %}{% endfor %}{% endfor %}")
    message = _refused(pack, previous, ("docx",))
    assert REPORT_DOCX in message and "次数过多" in message


def test_a_chart_title_with_a_loop_stops(previous, category):
    category("template")
    pack = _pack("quiet-chart-title")
    _in_yaml(pack, '    标题: "{{ last_year }}年与', "    标题: \"{% for a in 'x' * 1000000 %}{% for b in 'x' * 1000000 %}"
                                         "{% endfor %}{% endfor %}{{ last_year }}年与")
    message = _refused(pack, previous)
    assert "pack.yaml 图表.收支变动" in message and "次数过多" in message


@pytest.mark.parametrize("place", ["md", "title"])
def test_an_expression_nested_thousands_of_levels_is_a_syntax_error_not_a_crash(place, previous, category):
    category("template")
    pack = _pack(f"deep-expression-{place}")
    deep = "(" * 3000 + "1" + ")" * 3000
    if place == "md":
        (pack / REPORT_MD).write_text("{{ " + deep + " }}\n" + "{% if 1 %}" * 3000 + "{% endif %}" * 3000,
                                      encoding="utf-8")
        where = REPORT_MD
    else:
        _in_yaml(pack, '标题: "{{ year }}年度{{ item.project.name }}', '标题: "{{ ' + deep + ' }}{{ year }}年度{{ item.project.name }}')
        where = "pack.yaml 文档.项目报告.标题"
    message = _refused(pack, previous, ("md",) if place == "md" else ("docx",))
    assert where in message and "嵌套层次过深" in message


@pytest.mark.parametrize("text, words", [
    ("{{ '%*d' % (10**9, 1) }}", "宽度过大"),
    ("{{ '%*d'|format(10**9, 1) }}", "宽度过大"),
    ("{{ '%.999999f'|format(1) }}", "宽度过大"),
    ("{{ ('x' * 1000)|replace('x', 'y' * 10000) }}", "过长"),
    ("{{ [1]|batch(10**9, 0)|list }}", "宽度过大"),
    ("{{ [1]|random }}", "random"),
])
def test_a_filter_or_operator_asked_for_gigabytes_is_refused(text, words, previous, category):
    category("template")
    pack = _pack(f"builder-{abs(hash(text))}")
    (pack / REPORT_MD).write_text(f"# 标题\n{text}\n", encoding="utf-8")
    message = _refused(pack, previous)
    assert REPORT_MD in message and words in message
