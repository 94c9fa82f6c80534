"""Scoring profiles are pack files, so untrusted: every broken 评分规则.yaml is refused whole, in Chinese, at the
line that is wrong — never a KeyError, IndexError or InvalidOperation — and nothing is written."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.generate import GenerationError, generate
from generator.pack import export_pack
from generator.pipeline import evaluate
from generator.problems import InputError
from generator.profile import load_profile_file
from packages import FIXTURES, work_dir

SMALL = FIXTURES / "small.yaml"
BASE = Path(__file__).resolve().parents[2] / "templates" / "全国" / "评分规则.yaml"
NATIONAL = BASE.read_text(encoding="utf-8")
FILE = "评分规则.yaml"


def _line(text: str, start: str) -> int:
    """The 1-based line of `text` that begins with `start` (after its indent)."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith(start))


def _swap(old: str, new: str) -> str:
    assert NATIONAL.count(old) == 1, old
    return NATIONAL.replace(old, new)


BANDS = NATIONAL[NATIONAL.index("定性等级:"):NATIONAL.index("等级:\n  - {等级: 优")]
GRADES = NATIONAL[NATIONAL.index("等级:\n  - {等级: 优"):]

# name → (profile text, the line the message must name, words it must say)
CASES = {
    "empty-bands": (NATIONAL.replace(BANDS, "定性等级: {}\n"), "定性等级:", "定性等级是空的"),
    "bands-null": (NATIONAL.replace(BANDS, "定性等级:\n"), "定性等级:", "定性等级"),
    "empty-grades": (NATIONAL.replace(GRADES, "等级: []\n"), "等级: []", "等级是空的"),
    "grades-null": (NATIONAL.replace(GRADES, "等级:\n"), "等级:", "等级"),
    "huge-float": (_swap("预算执行率分值: 10", "预算执行率分值: 1e400"), "预算执行率分值", "超出合理范围"),
    "huge-integer": (_swap("总分: 100", "总分: 100000000000000000000000000000000000000"), "总分", "超出合理范围"),
    "huge-exponent": (_swap("满意度指标: 10", "满意度指标: '1e999999999'"), "满意度指标", "超出合理范围"),
    "huge-band": (_swap("{下限: 60, 上限: 80, 默认: 60}", "{下限: 60, 上限: 1e300, 默认: 60}"), "部分达成",
                  "超出合理范围"),
    "huge-grade": (_swap("{等级: 良, 下限: 80}", "{等级: 良, 下限: 1e30}"), "- {等级: 良", "超出合理范围"),
    "nan": (_swap("超额完成需说明比例: 30", "超额完成需说明比例: .nan"), "超额完成需说明比例", "数字"),
    "negative-level-weight": (_swap("效益指标: 30", "效益指标: -30"), "效益指标", "为负数"),
    "negative-execution": (_swap("预算执行率分值: 10", "预算执行率分值: -10"), "预算执行率分值", "为负数"),
    "negative-band": (_swap("{下限: 0, 上限: 60, 默认: 0}", "{下限: -20, 上限: 60, 默认: 0}"), "未达成", "为负数"),
    "band-reversed": (_swap("{下限: 60, 上限: 80, 默认: 60}", "{下限: 80, 上限: 60, 默认: 70}"), "部分达成", "区间不对"),
    "weights-not-adding-up": (_swap("产出指标: 50", "产出指标: 55"), "一级指标分值", "不等于总分"),
    "text-for-number": (_swap("满意度指标: 10", "满意度指标: 十分"), "满意度指标", "应为一个数字"),
    "misspelt-key": (_swap("反向指标计分", "反向指标记分"), "反向指标记分", "不认识的项目“反向指标记分”"),
    "bad-choice": (_swap("反向指标计分: 比例", "反向指标计分: 倒数"), "反向指标计分", "只能是 比例 或 线性"),
    "bad-base": (_swap("执行率分母: 全年预算数", "执行率分母: 决算数"), "执行率分母", "只能是 全年预算数 或 年初预算数"),
    "key-twice": (NATIONAL + "总分: 90\n", "总分: 90", "写了两遍"),
    "unknown-execution-row": (NATIONAL.replace("预算执行率分值: 10\n", "预算执行率分值: 10\n预算执行分项:\n"
                                              "  - {行: 三公经费, 分值: 10}\n"), "- {行: 三公经费", "不是收支表的支出行"),
    "band-not-a-mapping": (_swap("{下限: 0, 上限: 60, 默认: 0}", "[0, 60, 0]"), "未达成", "应为若干“名称: 值”"),
    "grades-not-a-list": (NATIONAL.replace(GRADES, "等级: 优\n"), "等级: 优", "应为列表"),
    "unclosed-bracket": (_swap("总分: 100", "总分: [100"), "总分", "不是有效的 YAML"),
}


def _write(name: str, text: str) -> Path:
    path = work_dir("hostile-profiles") / name / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_broken_profile_is_refused_at_its_line(name, category):
    category("profile")
    text, start, words = CASES[name]
    path = _write(name, text)
    ev = evaluate(SMALL, path)
    assert ev.results is None and ev.unreadable
    places = [p.place for p in ev.errors]
    assert f"{FILE}:{_line(text, start)}" in places, (places, [p.message for p in ev.errors])
    assert any(words in p.message for p in ev.errors), [p.message for p in ev.errors]
    for problem in ev.errors:
        assert problem.message.startswith("评分规则有误") and "Error" not in problem.message


@pytest.mark.parametrize("name", ["empty-bands", "empty-grades", "huge-float", "negative-level-weight"])
def test_the_command_line_refuses_it_in_chinese_and_writes_nothing(name, tmp_path, category):
    category("profile")
    text, start, words = CASES[name]
    path = _write(name, text)
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", "--profile", str(path), str(SMALL)])
    assert checked.exit_code == 2 and words in checked.output and "Traceback" not in checked.output
    out = tmp_path / "out"
    made = runner.invoke(main, ["generate", "--profile", str(path), "-o", str(out), str(SMALL)])
    assert made.exit_code == 1 and "Traceback" not in made.output + str(made.exception or "")
    assert not out.exists() or not any(out.rglob("*"))


@pytest.mark.parametrize("name", ["empty-grades", "negative-level-weight"])
def test_a_packs_broken_profile_is_refused_before_anything_is_written(name, tmp_path, category):
    category("profile")
    pack = work_dir("hostile-profile-packs") / name
    export_pack("全国", pack)
    text, start, words = CASES[name]
    (pack / FILE).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(GenerationError) as caught:
        generate(SMALL, out, ("md",), pack=pack)
    assert words in str(caught.value) and f"{FILE}:{_line(text, start)}" in str(caught.value)
    assert not out.exists() or not any(out.rglob("*"))


def test_a_negative_profile_weight_is_not_blamed_on_the_units_cells(category):
    """A 一级指标 the unit has no indicator under, given a negative weight, used to be reported at 单位信息!B2."""
    category("profile")
    text = _swap("满意度指标: 10", "满意度指标: 10\n  其他指标: -5")
    ev = evaluate(SMALL, _write("negative-unused-level", text))
    assert [p.place for p in ev.errors] == [f"{FILE}:{_line(text, '其他指标')}"]
    assert "为负数" in ev.errors[0].message


@pytest.mark.parametrize("where, line", [("部门整体绩效指标", None), ("项目", None)])
def test_a_negative_indicator_weight_is_blamed_on_its_own_cell(where, line, tmp_path, category):
    category("profile")
    source = (Path(__file__).resolve().parents[1] / "bad_inputs" / "base.yaml").read_text(encoding="utf-8")
    section = source.index(where + ":")
    at = source.index("分值: ", section)
    typed = source[:at] + "分值: -5" + source[source.index("\n", at):]
    path = tmp_path / "填报.yaml"
    path.write_text(typed, encoding="utf-8")
    number = typed[:at].count("\n") + 1
    ev = evaluate(path)
    assert [(p.place, p.message) for p in ev.errors] == [(f"填报.yaml:{number}", "分值“-5”为负数：分值应为0或正数")]


LAUGHS = "名称: x\na: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))


@pytest.mark.parametrize("name, text, words", [
    ("billion-laughs", LAUGHS, "过深、过大"),
    ("deep", "名称: x\n总分: " + "[" * 200 + "]" * 200 + "\n", "评分规则"),
    ("huge-file", "# " + "填" * 200_000 + "\n" + NATIONAL, "不超过"),
    ("binary", "\x00\x01\x02\xff", "评分规则"),
])
def test_a_profile_that_would_exhaust_the_reader_is_refused(name, text, words, category):
    category("profile")
    path = _write(name, text)
    ev = evaluate(SMALL, path)
    assert ev.results is None and ev.unreadable
    assert any(words in p.message for p in ev.errors), [p.message for p in ev.errors]


def test_a_fifo_in_place_of_the_profile_does_not_block(tmp_path, category):
    import os
    category("profile")
    fifo = tmp_path / FILE
    os.mkfifo(fifo)
    ev = evaluate(SMALL, fifo)           # --profile: not a file, so not taken
    assert ev.results is None and ev.errors
    with pytest.raises(InputError) as caught:   # a pack's 评分规则.yaml: refused before it is opened
        load_profile_file(fifo)
    assert "普通文本文件" in caught.value.problems[0].message
