"""`jxzp generate`: the package layout, manifest, Markdown, atomic writing, errors, --force and --format pdf."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.generate import GenerationError, generate
from generator.render import pdf
from generator.render.pdf import PdfError, convert, soffice
from packages import FIXTURES, docx_text, generated, work_dir

SMALL = FIXTURES / "small.yaml"
LEFTOVERS = ("{{", "{%", "None")


@pytest.fixture(scope="module")
def small():
    return generated(SMALL)


def test_package_layout(small):
    assert small.folder.name == "2021年测试县委组织部绩效自评"
    assert small.files == sorted([
        "manifest.json", "校验报告.docx", "校验报告.md",
        "部门整体支出绩效自评报告.docx", "部门整体支出绩效自评报告.md",
        "图表/支出结构.svg", "图表/收入结构.svg", "图表/收支变动.svg", "图表/项目执行率.svg",
        "附表/项目支出绩效自评表（全部项目）.docx", "附表/项目支出绩效自评表（全部项目）.md",
        "项目支出绩效自评报告/01-城市社区党建及城乡综合治理.docx",
        "项目支出绩效自评报告/01-城市社区党建及城乡综合治理.md",
        "项目支出绩效自评报告/02-组织系统网络宣传 A&B 专项.docx",
        "项目支出绩效自评报告/02-组织系统网络宣传 A&B 专项.md",
    ])


def test_manifest_lists_every_file_with_its_hash(small):
    manifest = json.loads((small.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["版本"] and manifest["输入文件"] == "small.yaml"
    assert manifest["输入sha256"] == hashlib.sha256(SMALL.read_bytes()).hexdigest()
    assert manifest["模板包"] == "全国" and manifest["Word图表"] == "原生图表"     # how the package was made
    listed = [f["路径"] for f in manifest["文件"]]
    assert listed == sorted(listed) == [f for f in small.files if f != "manifest.json"]
    for entry in manifest["文件"]:
        assert hashlib.sha256((small.folder / entry["路径"]).read_bytes()).hexdigest() == entry["sha256"]


def test_no_generated_file_has_leftover_template_syntax_or_none(small):
    for relative in small.files:
        path = small.folder / relative
        if path.suffix == ".docx":
            text = docx_text(path)
        elif path.suffix in (".md", ".json"):
            text = path.read_text(encoding="utf-8")
        else:
            continue
        for leftover in LEFTOVERS:
            assert leftover not in text, f"{relative} contains {leftover}"


def test_markdown_converts_with_tables_and_images_that_exist(small):
    for relative in small.files:
        if not relative.endswith(".md"):
            continue
        path = small.folder / relative
        html = markdown.markdown(path.read_text(encoding="utf-8"), extensions=["tables"])
        assert not any(leftover in html for leftover in LEFTOVERS)
        if relative != "校验报告.md":
            assert "<table>" in html and "<h1>" in html
        for src in re.findall(r'<img alt="[^"]*" src="([^"]+)"', html):
            assert (path.parent / src).is_file(), src
    dept = markdown.markdown((small.folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8"), extensions=["tables"])
    assert dept.count("<img") == 4 and "<h2>附件1</h2>" in dept and "<h2>附件2</h2>" in dept


def test_department_report_has_attachments_on_new_pages(small):
    from docx import Document
    doc = Document(str(small.folder / "部门整体支出绩效自评报告.docx"))
    attachments = [p for p in doc.paragraphs if p.style.name == "附件标题"]
    assert [p.text for p in attachments] == ["附件1", "附件2"]
    assert all(p.paragraph_format.page_break_before or p.style.paragraph_format.page_break_before for p in attachments)
    assert len(doc.inline_shapes) == 4


def test_generating_twice_gives_identical_files(small):
    again = generated(SMALL, run="b")
    for relative in small.files:
        first = (small.folder / relative).read_bytes()
        second = (again.folder / relative).read_bytes()
        assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest(), relative


def test_errors_stop_generation_and_leave_previous_outputs_intact():
    out = work_dir("errors")
    previous = out / "2021年中共错误县委组织部绩效自评"
    previous.mkdir()
    (previous / "旧文件.txt").write_text("上次的输出", encoding="utf-8")
    with pytest.raises(GenerationError) as caught:
        generate(FIXTURES / "with-error.yaml", out)
    assert "1 个错误" in str(caught.value) or "个错误" in str(caught.value)
    assert any("全年预算数" in p.message for p in caught.value.problems)
    assert [p.name for p in out.iterdir()] == [previous.name]
    assert (previous / "旧文件.txt").read_text(encoding="utf-8") == "上次的输出"


def test_force_generates_a_package_marked_as_not_validated():
    out = work_dir("forced")
    done = generate(FIXTURES / "with-error.yaml", out, force=True)
    assert done.forced
    marker = "未通过校验"
    assert marker in docx_text(done.folder / "部门整体支出绩效自评报告.docx")
    assert marker in (done.folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8")
    checks = (done.folder / "校验报告.md").read_text(encoding="utf-8")
    assert "## 错误（" in checks and "全年预算数" in checks
    assert json.loads((done.folder / "manifest.json").read_text(encoding="utf-8"))["未通过校验"] is True
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no staging folder left behind"


def test_regenerating_replaces_the_previous_package_whole():
    out = work_dir("replace")
    first = generate(SMALL, out)
    (first.folder / "多余的旧文件.md").write_text("x", encoding="utf-8")
    second = generate(SMALL, out)
    assert not (second.folder / "多余的旧文件.md").exists()
    assert sorted(p.name for p in out.iterdir()) == [second.folder.name]


def test_cli_generate_reports_in_chinese_without_traceback():
    runner = CliRunner()
    out = work_dir("cli")
    ok = runner.invoke(main, ["generate", str(SMALL), "-o", str(out), "--format", "md"])
    assert ok.exit_code == 0, ok.output
    assert "✓" in ok.output and "共 " in ok.output
    folder = out / "2021年测试县委组织部绩效自评"
    assert (folder / "部门整体支出绩效自评报告.md").is_file() and not (folder / "部门整体支出绩效自评报告.docx").exists()
    bad = runner.invoke(main, ["generate", str(FIXTURES / "with-error.yaml"), "-o", str(out)])
    assert bad.exit_code == 1 and "未生成" in bad.output and "Traceback" not in bad.output
    missing = runner.invoke(main, ["generate", "没有这个文件.yaml", "-o", str(out)])
    assert missing.exit_code == 1 and "找不到这个文件" in missing.output
    wrong = runner.invoke(main, ["generate", str(SMALL), "--format", "docx,html"])
    assert wrong.exit_code == 2 and "不支持的格式" in wrong.output
    nowhere = runner.invoke(main, ["generate", str(SMALL), "-o", str(out), "--templates", str(out / "没有")])
    assert nowhere.exit_code == 2 and "没有名为" in nowhere.output and "Traceback" not in nowhere.output


def test_templates_option_uses_the_units_own_copy(tmp_path):
    own = tmp_path / "我的模板"
    own.mkdir()
    (own / "项目支出绩效自评报告.md.j2").write_text("# 自定义：{{ item.project.name|text }}，得分{{ item.card.total|score }}\n",
                                                  encoding="utf-8")
    done = generate(SMALL, tmp_path / "out", ("md",), pack=own)
    text = (done.folder / "项目支出绩效自评报告" / "01-城市社区党建及城乡综合治理.md").read_text(encoding="utf-8")
    assert text == "# 自定义：城市社区党建及城乡综合治理，得分97.39\n"
    (own / "项目支出绩效自评报告.md.j2").write_text("{{ 得分 }}\n", encoding="utf-8")
    with pytest.raises(GenerationError, match="模板“项目支出绩效自评报告.md.j2”（第1行）使用了未定义的变量“得分”"):
        generate(SMALL, tmp_path / "out", ("md",), pack=own)


def test_pdf_needs_libreoffice_and_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pdf, "FIXED_PLACES", ())
    assert soffice() is None
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"")
    with pytest.raises(PdfError, match="apt-get install -y libreoffice-writer-nogui fonts-noto-cjk"):
        convert([doc])


@pytest.mark.skipif(os.name != "posix", reason="the stand-in LibreOffice is a shell script")
def test_a_conversion_that_overruns_ends_with_everything_it_started(tmp_path, monkeypatch):
    """soffice is a launcher whose child converts: on a timeout the child must go too, not linger with the CPU."""
    child = tmp_path / "child.pid"
    stand_in = tmp_path / "soffice"
    stand_in.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {child}\nwait\n", encoding="utf-8")
    stand_in.chmod(0o755)
    monkeypatch.setattr(pdf, "soffice", lambda: str(stand_in))
    monkeypatch.setattr(pdf, "TIMEOUT_S", 1)
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"")
    with pytest.raises(PdfError, match="LibreOffice 转换 PDF 超过 1 秒仍未完成"):
        convert([doc])
    pid = int(child.read_text())
    for _ in range(50):                       # the orphan is reaped by init soon after it is killed
        if not _running(pid):
            break
        time.sleep(0.1)
    assert not _running(pid)


def _running(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        return "State:\tZ" not in status.read_text()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_format_pdf_converts_every_docx_in_one_go():
    done = generated(SMALL, ("docx", "md", "pdf"))
    docs = [f for f in done.files if f.endswith(".docx")]
    pdfs = [f for f in done.files if f.endswith(".pdf")]
    assert sorted(p[:-4] for p in pdfs) == sorted(d[:-5] for d in docs)
    text = subprocess.run(["pdftotext", str(done.folder / "部门整体支出绩效自评报告.pdf"), "-"], capture_output=True,
                          text=True).stdout if shutil.which("pdftotext") else ""
    if text:
        assert "部门整体支出绩效自评报告" in text
