"""Hostile command lines: every usage mistake answered in Chinese with the fix and exit code 2 (1 when an input is
refused), never a traceback, and the previous package in the output folder left as it was."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import click
from click.testing import CliRunner

from generator.cli import main
from generator.entry import EXIT_INTERRUPTED, INTERRUPTED
from generator.generate import generate
from hostile_cases import BASE, base_text

REPO = Path(__file__).resolve().parent.parent.parent
CHINESE = re.compile(r"[\u4e00-\u9fff]")
OUT = "{out}"          # the output folder holding the previous package
FILE = "{file}"        # an existing plain file
DIR = "{dir}"          # an empty folder
INPUT = "{input}"      # the base input
WARNED = "{warned}"    # an input with one warning (an unknown key)
BROKEN = "{broken}"    # an input that cannot be read

# (name, arguments, exit code, words the answer contains)
CASES = [
    ("jobs-zero", ["generate", INPUT, "-o", OUT, "--jobs", "0"], 2, ("至少为 1",)),
    ("jobs-negative", ["generate", INPUT, "-o", OUT, "-j", "-3"], 2, ("至少为 1",)),
    ("jobs-text", ["generate", INPUT, "-o", OUT, "--jobs", "abc"], 2, ("不是整数",)),
    ("jobs-fraction", ["generate", INPUT, "-o", OUT, "--jobs", "1.5"], 2, ("不是整数",)),
    ("jobs-empty", ["generate", INPUT, "-o", OUT, "--jobs", ""], 2, ("不是整数",)),
    ("jobs-full-width", ["generate", INPUT, "-o", OUT, "--jobs", "２"], 0, ("✓",)),
    ("jobs-missing-value", ["generate", INPUT, "-o", OUT, "--jobs"], 2, ("缺少值",)),
    ("output-is-a-file", ["generate", INPUT, "-o", FILE], 2, ("是一个文件", "-o outputs")),
    ("output-below-a-file", ["generate", INPUT, "-o", FILE + "/子文件夹"], 2, ("是一个文件",)),
    ("output-empty", ["generate", INPUT, "-o", ""], 2, ("文件夹名是空的",)),
    ("output-missing-value", ["generate", INPUT, "-o"], 2, ("缺少值",)),
    ("output-unwritable", ["generate", INPUT, "-o", "/proc/jxzp-输出"], 1, ("无法创建输出文件夹",)),
    ("format-unknown", ["generate", INPUT, "-o", OUT, "--format", "pdfx"], 2, ("不支持的格式",)),
    ("format-empty", ["generate", INPUT, "-o", OUT, "--format", ""], 2, ("不支持的格式",)),
    ("format-commas", ["generate", INPUT, "-o", OUT, "--format", ",,"], 2, ("不支持的格式",)),
    ("format-full-width-comma", ["generate", INPUT, "-o", OUT, "--format", "docx，md"], 0, ("✓",)),
    ("unknown-option", ["generate", INPUT, "-o", OUT, "--nope"], 2, ("没有选项 --nope",)),
    ("misspelt-option", ["generate", INPUT, "-o", OUT, "--jobz", "2"], 2, ("没有选项 --jobz", "--jobs")),
    ("missing-input", ["generate", "不存在.yaml", "-o", OUT], 1, ("找不到这个文件",)),
    ("empty-folder-input", ["generate", DIR, "-o", OUT], 1, ("没有 .xlsx 或 .yaml",)),
    ("broken-input", ["generate", BROKEN, "-o", OUT], 1, ("无法读取",)),
    ("strict-with-warning", ["generate", WARNED, "-o", OUT, "--strict"], 1, ("未知的栏目",)),
    ("input-starting-with-dash", ["generate", "-o", OUT, "--", "-开头.yaml"], 1, ("找不到这个文件",)),
    ("same-input-twice", ["generate", INPUT, INPUT, "-o", OUT], 0, ("✓",)),
    ("validate-nothing", ["validate"], 2, ("没有给出要核对的填报文件",)),
    ("validate-json-nothing", ["validate", "--json"], 2, ("没有给出要核对的填报文件",)),
    ("validate-missing", ["validate", "不存在.yaml"], 2, ("找不到这个文件",)),
    ("validate-folder", ["validate", DIR], 2, ("找不到这个文件",)),
    ("validate-broken", ["validate", BROKEN], 2, ("无法读取",)),
    ("validate-strict-warning", ["validate", "--strict", WARNED], 1, ("未知的栏目",)),
    ("validate-unknown-option", ["validate", "--verbose", INPUT], 2, ("没有选项 --verbose",)),
    ("validate-jobs", ["validate", "-j", "2", INPUT], 2, ("没有选项 -j",)),
    ("unknown-command", ["frob"], 2, ("没有命令“frob”", "generate")),
    ("no-command", [], 0, ("jxzp init",)),
    ("help", ["--help"], 0, ("常用命令",)),
    ("version", ["--version"], 0, ("0.",)),
    ("init-extra-argument", ["init", "a.xlsx", "b.xlsx"], 2, ("多余的参数",)),
    ("init-onto-folder", ["init", DIR], 2, ("是一个文件夹",)),
    ("init-unwritable", ["init", "/proc/jxzp-模板.xlsx"], 2, ("无法写出",)),
    ("init-below-a-file", ["init", FILE + "/模板.xlsx"], 2, ("无法写出",)),
    ("init-from-missing", ["init", "x.xlsx", "--from", "不存在.yaml"], 2, ("找不到文件",)),
    ("init-from-folder", ["init", "x.xlsx", "--from", DIR], 2, ("是一个文件夹",)),
    ("init-from-broken", ["init", "x.xlsx", "--from", BROKEN], 2, ("YAML",)),
    ("serve-port-zero", ["serve", "--port", "0"], 2, ("1～65535",)),
    ("serve-port-huge", ["serve", "--port", "99999"], 2, ("1～65535",)),
    ("serve-port-text", ["serve", "--port", "abc"], 2, ("不是端口号",)),
    ("serve-host-missing", ["serve", "--host"], 2, ("缺少值",)),
    # every number an option takes is finite and within its bounds
    ("keep-days-nan", ["serve", "--keep-days", "nan"], 2, ("“nan”不是有限的天数",)),
    ("keep-days-inf", ["serve", "--keep-days", "inf"], 2, ("“inf”不是有限的天数",)),
    ("keep-days-overflow", ["serve", "--keep-days", "1e309"], 2, ("“1e309”不是有限的天数",)),
    ("keep-days-zero", ["serve", "--keep-days", "0"], 2, ("至少保留 1 小时",)),
    ("keep-days-negative", ["serve", "--keep-days", "-1"], 2, ("至少保留 1 小时",)),
    ("keep-days-minutes", ["serve", "--keep-days", "0.01"], 2, ("至少保留 1 小时",)),
    ("keep-days-text", ["serve", "--keep-days", "一个月"], 2, ("“一个月”不是天数",)),
    ("keep-days-huge", ["serve", "--keep-days", "1e300"], 2, ("超过 36500 天",)),
    ("workers-zero", ["serve", "--workers", "0"], 2, ("至少为 1",)),
    ("workers-huge", ["serve", "--workers", "100000"], 2, ("最多为 64",)),
    ("workers-text", ["serve", "--workers", "many"], 2, ("不是整数",)),
    ("jobs-huge", ["generate", INPUT, "-o", OUT, "-j", "1000000"], 2, ("最多为 256",)),
    ("work-dir-is-a-file", ["serve", "--work-dir", FILE], 2, ("是一个文件", "--work-dir")),
    # names the system cannot hold: said in Chinese, not “File name too long”
    ("output-name-too-long", ["generate", INPUT, "-o", "输" * 5000], 2, ("名字太长", "-o outputs")),
    ("output-path-too-long", ["generate", INPUT, "-o", "/".join(["甲" * 80] * 40)], 2, ("路径太长",)),
    ("mark-name-too-long", ["validate", "--mark", "-o", "x" * 5000 + ".xlsx", INPUT], 2, ("名字太长",)),
    ("mark-onto-folder", ["validate", "--mark", "-o", DIR, INPUT], 2, ("是一个文件夹",)),
    ("init-name-too-long", ["init", "模" * 5000 + ".xlsx"], 2, ("名字太长",)),
    ("input-name-too-long", ["validate", "填" * 5000 + ".xlsx"], 2, ("文件名太长",)),
    ("generate-input-name-too-long", ["generate", "填" * 5000 + ".xlsx", "-o", OUT], 2, ("文件名太长",)),
    ("init-from-name-too-long", ["init", "x.xlsx", "--from", "填" * 5000], 2, ("名字太长",)),
    # a pack folder that is not one: said so, not a symbolic link deep in it
    ("pack-root", ["generate", INPUT, "-o", OUT, "--pack", "/"], 2, ("“/”不是模板包文件夹", "pack.yaml")),
    ("pack-empty-folder", ["generate", INPUT, "-o", OUT, "--pack", DIR], 2, ("不是模板包文件夹",)),
    ("validate-pack-root", ["validate", INPUT, "--pack", "/"], 2, ("“/”不是模板包文件夹",)),
    # click's own errors, in Chinese
    ("flag-with-value", ["validate", "--json=yes", INPUT], 2, ("--json 是开关，不带值",)),
    ("unknown-subcommand", ["pack", "frob"], 2, ("没有命令“frob”", "export")),
    ("missing-argument", ["pack", "export"], 2, ("缺少 NAME",)),
]


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("previous-args") / "outputs"
    generate(BASE, out, ("docx",))
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("name, args, code, words", CASES, ids=[c[0] for c in CASES])
def test_a_hostile_command_line_is_answered_in_chinese(name, args, code, words, previous, tmp_path, category,
                                                       monkeypatch):
    category("argument")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "outputs"
    shutil.copytree(previous, out)
    (tmp_path / "文件.txt").write_text("不是文件夹", encoding="utf-8")
    (tmp_path / "空文件夹").mkdir()
    (tmp_path / "填报.yaml").write_text(base_text(), encoding="utf-8")
    (tmp_path / "有警告.yaml").write_text(base_text().replace("  单位简称:", "  备注: 多余\n  单位简称:"), encoding="utf-8")
    (tmp_path / "坏.yaml").write_text("单位信息:\n\t坏: 1\n", encoding="utf-8")
    places = {OUT: str(out), FILE: str(tmp_path / "文件.txt"), DIR: str(tmp_path / "空文件夹"),
              INPUT: str(tmp_path / "填报.yaml"), WARNED: str(tmp_path / "有警告.yaml"), BROKEN: str(tmp_path / "坏.yaml")}
    resolved = [next((arg.replace(k, v) for k, v in places.items() if k in arg), arg) for arg in args]
    before = snapshot(out)
    result = CliRunner().invoke(main, resolved)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    for word in words:
        assert word in result.output, result.output
    if code:
        assert CHINESE.search(result.output)
        assert not re.search(r"\b(Error|Usage|Invalid value|No such|Missing argument)\b", result.output), result.output
        assert snapshot(out) == before, "a refused command changed the previous package"
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "staging left behind"


# -- Ctrl-C at any moment: while Python loads the command's libraries (about 0.3 s), while it reads, renders and writes

# Seconds from the moment the console script's main() is called; the first ones fall inside the imports.
INTERRUPT_DELAYS = (0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)
# What the console script (generator.entry:main) runs; the dot tells the test that Python itself has started, so
# that the delay counts from our first line, not from the interpreter's own start-up (before any code of ours).
SCRIPT = "import os, sys; from generator.entry import main; os.write(1, b'.'); sys.exit(main())"


@pytest.mark.parametrize("delay", INTERRUPT_DELAYS)
def test_ctrl_c_at_any_moment_ends_with_one_chinese_line_and_code_130(delay, previous, tmp_path, category):
    category("argument")
    out = tmp_path / "outputs"
    shutil.copytree(previous, out)
    before = snapshot(out)
    # the same formats as the previous package: a run that finishes before the signal rewrites it byte for byte
    run = subprocess.Popen([sys.executable, "-c", SCRIPT, "generate", str(BASE), "-o", str(out), "--format", "docx"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    run.stdout.read(1)
    time.sleep(delay)
    run.send_signal(signal.SIGINT)
    stdout, stderr = run.communicate(timeout=120)
    said = stderr.decode()
    if run.returncode == 0:      # finished before the signal came (only a late one can)
        assert delay >= 0.5 and "✓" in stdout.decode()
    else:
        assert run.returncode == EXIT_INTERRUPTED, said
        assert said.strip() == INTERRUPTED, said
    assert "Traceback" not in said
    assert snapshot(out) == before
    assert not [p.name for p in tmp_path.rglob(".*")], "staging left behind"


KEEP_DAYS_LINES = [
    ("nan", "用法错误：--keep-days 的值不对：“nan”不是有限的天数：请写保留的天数，如 --keep-days 30"),
    ("inf", "用法错误：--keep-days 的值不对：“inf”不是有限的天数：请写保留的天数，如 --keep-days 30"),
    ("1e309", "用法错误：--keep-days 的值不对：“1e309”不是有限的天数：请写保留的天数，如 --keep-days 30"),
    ("0", "用法错误：--keep-days 的值不对：“0”太短：至少保留 1 小时（1/24 天，约 0.042 天），如 --keep-days 30"),
    ("-1", "用法错误：--keep-days 的值不对：“-1”太短：至少保留 1 小时（1/24 天，约 0.042 天），如 --keep-days 30"),
    ("abc", "用法错误：--keep-days 的值不对：“abc”不是天数：请写保留的天数，如 --keep-days 30（可带小数，0.5 为半天）"),
    ("3天半", "用法错误：--keep-days 的值不对：“3天半”不是天数：请写保留的天数，如 --keep-days 30（可带小数，0.5 为半天）"),
]


@pytest.mark.parametrize("typed, line", KEEP_DAYS_LINES, ids=[t for t, _ in KEEP_DAYS_LINES])
def test_keep_days_is_refused_with_one_chinese_line(typed, line, category):
    category("argument")
    result = CliRunner().invoke(main, ["serve", "--keep-days", typed])
    assert result.exit_code == 2
    assert result.output.splitlines() == [line]


@pytest.mark.parametrize("typed", ["3天", "３", " 0.5 ", "0.0417"])
def test_keep_days_in_days_is_accepted_and_the_next_option_is_judged(typed, category):
    """“3天” is the option's own unit with one reading (3 days): it is read, not refused; the port after it is."""
    category("argument")
    result = CliRunner().invoke(main, ["serve", "--keep-days", typed, "--port", "0"])
    assert result.exit_code == 2
    assert "--keep-days" not in result.output and "“0”不在 1～65535 之间" in result.output


def _parameters(command: click.Command, path: str = "jxzp"):
    yield from ((path, p) for p in command.params)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _parameters(sub, f"{path} {name}")


def test_no_option_can_fail_in_clicks_english():
    """Each parameter either cannot fail (a flag, a plain text, a path click does not check) or has a type of ours
    that refuses in Chinese: click's own number, range, choice and checked-path types answer in English."""
    english = []
    for path, param in _parameters(main):
        kind = param.type
        if getattr(param, "is_flag", False) or kind is click.STRING or type(kind).__module__ in ("generator.cli", "generator.cli_types"):
            continue
        if isinstance(kind, click.Path) and not kind.exists and kind.file_okay and kind.dir_okay \
                and not kind.writable:
            continue
        english.append(f"{path} {param.name}: {kind!r}")
    assert english == []
