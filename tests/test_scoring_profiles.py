"""Scoring is the pack's: the execution weight and denominator, execution row by row, first-level weights, a
province's own grade words and indicators with no 分值 — each a small input against a score worked out by hand."""
from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from generator.cli import main
from generator.compute import score_card
from generator.filters import score
from generator.model import Indicator
from generator.pipeline import evaluate, summary
from generator.profile import load_profile

NATIONAL = Path(__file__).resolve().parents[1] / "templates" / "全国" / "评分规则.yaml"

TOWNSHIP_PROFILE = """\
# 某镇做法：预算执行20分（基本支出、项目支出各10分，按年初预算数），产出40、效益30、满意度10；指标不设分值
名称: 某镇
总分: 100
预算执行率分值: 20
执行率分母: 年初预算数
预算执行分项:
  - {行: 基本支出, 分值: 10}
  - {行: 项目支出, 分值: 10}
指标分值: 不填
一级指标分值:
  产出指标: 40
  效益指标: 30
  满意度指标: 10
定性等级:
  好: {下限: 90, 上限: 100, 默认: 100}
  较好: {下限: 75, 上限: 90, 默认: 80}
  一般: {下限: 60, 上限: 75, 默认: 60}
  差: {下限: 0, 上限: 60, 默认: 0}
等级:
  - {等级: 优, 下限: 90}
  - {等级: 良, 下限: 80}
  - {等级: 中, 下限: 60}
  - {等级: 差, 下限: 0}
"""

# A township's 部门整体支出绩效自评表: no 分值 column, each score stated, grade words 好/较好.
TOWNSHIP_INPUT = """\
单位信息:
  单位名称: 某某镇人民政府
  评价年度: 2023
  部门整体得分（填报）: 92.6
  部门整体等级（填报）: 优
收支情况:
  基本支出:
    年初预算数: 500
    全年预算数: 520
    决算数: 480
  项目支出:
    年初预算数: 300
    全年预算数: 310
    决算数: 240
  本年支出合计:
    年初预算数: 800
    全年预算数: 830
    决算数: 720
部门整体绩效指标:
  - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 道路硬化里程, 年度指标值: ≥10公里, 实际完成值: 10公里, 得分: 20}
  - {一级指标: 产出指标, 二级指标: 质量指标, 三级指标: 工程验收合格率, 年度指标值: 100%, 实际完成值: 90%, 得分: 18,
     偏差原因分析及改进措施: 一处工程返工，次年完成。}
  - {一级指标: 效益指标, 二级指标: 社会效益指标, 三级指标: 群众出行条件, 指标方向: 定性, 年度指标值: 明显改善,
     实际完成值: 明显改善, 定性等级: 好, 得分: 28}
  - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 群众满意度, 指标方向: 定性, 年度指标值: 满意,
     实际完成值: 基本满意, 定性等级: 较好, 得分: 9, 偏差原因分析及改进措施: 个别村组意见较多，已逐户回访。}
"""


@pytest.fixture
def township(tmp_path) -> tuple[Path, Path]:
    profile = tmp_path / "评分规则.yaml"
    profile.write_text(TOWNSHIP_PROFILE, encoding="utf-8")
    source = tmp_path / "某镇.yaml"
    source.write_text(TOWNSHIP_INPUT, encoding="utf-8")
    return source, profile


def test_a_township_table_scores_as_the_township_scores_it(township):
    """By hand: 基本支出 480 ÷ 年初500 = 96% × 10 = 9.60; 项目支出 240 ÷ 300 = 80% × 10 = 8.00; execution 17.60.
    Stated scores 20 + 18 (产出, ≤ 40), 28 (效益, ≤ 30), 9 (满意度, ≤ 10) = 75. Total 17.60 + 75 = 92.60 of 100: 优."""
    source, profile = township
    ev = evaluate(source, profile)
    card = ev.results.department
    assert [(r.label, r.rate, r.score) for r in card.execution_rows] == [
        ("基本支出", D(96), D("9.6")), ("项目支出", D(80), D(8))]
    assert card.execution_weight == D(20) and card.execution_score == D("17.6")
    assert card.execution_rate == D(90)                       # 720 ÷ 年初800, not ÷ 全年830
    assert [(s.level1, s.weight, s.score) for s in card.subtotals] == [
        ("产出指标", D(40), D(38)), ("效益指标", D(30), D(28)), ("满意度指标", D(10), D(9))]
    assert [s.weight for s in card.indicators] == [None] * 4  # no weight invented
    assert [s.level for s in card.indicators] == [None, None, "好", "较好"]
    assert score(card.total) == "92.60" and card.grade == "优"
    # No spurious finding: no missing 分值, no score outside 0–0, no level-weight mismatch, no unknown grade word.
    scoring = {"missing", "score-out-of-range", "level1-weights", "indicator-weights-total", "indicator-unscorable",
               "score-outside-band", "stated-total", "stated-grade", "shortfall-no-reason"}
    assert [p for p in ev.problems if p.code in scoring] == []
    assert not ev.incomplete
    assert summary(ev)["部门整体"] == {"执行率": "90.00%", "得分": "92.60", "等级": "优", "得分依据": "计算"}


def test_validate_names_the_pack_and_profile_it_scored_with(township):
    source, profile = township
    out = CliRunner().invoke(main, ["validate", "--json", "--profile", str(profile), str(source)]).output
    data = json.loads(out)[0]
    assert (data["评分规则"], data["模板包"], data["部门整体"]["得分"]) == ("某镇", "全国", "92.60")


def test_a_level_over_its_weight_is_found_at_its_first_indicator(township):
    source, profile = township
    source.write_text(TOWNSHIP_INPUT.replace("得分: 20}", "得分: 25}"), encoding="utf-8")
    found = [p for p in evaluate(source, profile).problems if p.code == "score-out-of-range"]
    assert [(p.path, p.message) for p in found] == [(
        "indicators.0.stated_score",
        "部门整体的指标“产出指标（各指标得分之和）”填报得分43分，超出0–40分：得分不能为负，也不能高于分值，请改正")]


def test_a_grade_word_the_profile_does_not_have_is_found_at_its_cell(township):
    source, profile = township
    source.write_text(TOWNSHIP_INPUT.replace("定性等级: 好", "定性等级: 达成年度指标"), encoding="utf-8")
    found = [p for p in evaluate(source, profile).problems if p.code == "indicator-unscorable"]
    assert len(found) == 1 and found[0].path == "indicators.2.level"
    assert "“达成年度指标”不是评分规则“某镇”的等级" in found[0].message and "好、较好、一般、差" in found[0].message


def _profile(tmp_path: Path, **changes) -> object:
    """The national profile with some keys changed, read from a file as a pack's would be."""
    yaml = YAML(typ="rt")
    data = yaml.load(NATIONAL.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    path = tmp_path / f"{len(list(tmp_path.iterdir()))}.yaml"
    with open(path, "w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return load_profile(str(path), allow_path=True)


def ind(level1: str = "产出指标", weight: str | None = "80", **kw) -> Indicator:
    data = {"一级指标": level1, "三级指标": "指标", "年度指标值": "≥10个", "实际完成值": "10个",
            "分值": None if weight is None else D(weight), **kw}
    return Indicator.model_validate(data)


EXEC20 = {"预算执行率分值": 20, "一级指标分值": {"产出指标": 40, "效益指标": 30, "满意度指标": 10}}


@pytest.mark.parametrize("name, changes, budgets, rows, indicators, expected", [
    # 20 points, one row, ÷ 全年预算数: 90 ÷ 100 = 90% × 20 = 18; 18 + 80 = 98
    ("weight-20", EXEC20, (None, "100", "90"), None,
     [ind("产出指标", "40"), ind("效益指标", "30"), ind("满意度指标", "10")], ("18.00", "98.00", "优")),
    # ÷ 年初预算数: 90 ÷ 80 = 112.5%, counted as 100% → 20; 20 + 80 = 100
    ("base-initial", {**EXEC20, "执行率分母": "年初预算数"}, ("80", "100", "90"), None,
     [ind("产出指标", "40"), ind("效益指标", "30"), ind("满意度指标", "10")], ("20.00", "100.00", "优")),
    # row by row: 95 ÷ 100 × 10 = 9.5 and 25 ÷ 50 × 10 = 5; 14.5 + 80 = 94.5
    ("rows", {**EXEC20, "预算执行分项": [{"行": "基本支出", "分值": 10}, {"行": "项目支出", "分值": 10}]},
     (None, "150", "120"), [("基本支出", "100", "95"), ("项目支出", "50", "25")],
     [ind("产出指标", "40"), ind("效益指标", "30"), ind("满意度指标", "10")], ("14.50", "94.50", "优")),
    # first-level weights of its own (60/30, no 满意度): 10 + 60 × 5/10 + 30 = 70 of 100 → 中
    ("level1", {"一级指标分值": {"产出指标": 60, "效益指标": 30}}, (None, "100", "100"), None,
     [ind("产出指标", "60", 实际完成值="5个"), ind("效益指标", "30")], ("10.00", "70.00", "中")),
    # its own grade words: 较好 is 80% of 20 → 16; 10 + 70 + 16 = 96
    ("grade-words", {"定性等级": {"好": {"下限": 90, "上限": 100, "默认": 100},
                                "较好": {"下限": 75, "上限": 90, "默认": 80},
                                "差": {"下限": 0, "上限": 75, "默认": 0}},
                     "一级指标分值": {"产出指标": 70, "效益指标": 20}},
     (None, "100", "100"), None,
     [ind("产出指标", "70"), ind("效益指标", "20", 指标方向="定性", 定性等级="较好")], ("10.00", "96.00", "优")),
    # no 分值: the stated scores are the scores; 10 + 35 + 25 + 8 = 78 → 中
    ("no-weights", {"指标分值": "不填"}, (None, "100", "100"), None,
     [ind("产出指标", None, 得分=D(35)), ind("效益指标", None, 得分=D(25)), ind("满意度指标", None, 得分=D(8))],
     ("10.00", "78.00", "中")),
])
def test_each_scoring_variant(tmp_path, name, changes, budgets, rows, indicators, expected):
    profile = _profile(tmp_path, **changes)
    initial, budget, actual = (None if v is None else D(v) for v in budgets)
    card = score_card("x", initial, budget, actual, indicators, profile,
                      [(label, D(b), D(a)) for label, b, a in rows] if rows else None)
    assert (score(card.execution_score), score(card.total), card.grade) == expected


@pytest.mark.parametrize("typed, word", [("较好", "较好"), ("较", "较好"), ("  好 ", "好"), ("一般般", None)])
def test_a_grade_word_is_read_as_the_profile_spells_it(tmp_path, typed, word):
    profile = _profile(tmp_path, 定性等级={"好": {"下限": 90, "上限": 100, "默认": 100},
                                           "较好": {"下限": 75, "上限": 90, "默认": 80},
                                           "一般": {"下限": 60, "上限": 75, "默认": 60, "别名": ["尚可"]}})
    assert profile.level_named(typed) == word
    assert profile.level_named("尚可") == "一般"


def test_the_bundled_words_keep_their_short_forms():
    national = load_profile("全国")
    assert [national.level_named(w) for w in ("达成", "部分达成", "未达成")] == list(national.bands)


def test_an_exported_pack_with_the_township_profile_prints_the_township_table(township, tmp_path):
    """Only pack files edited: 全国 exported, its 评分规则.yaml replaced by the township's, its department table's
    execution row made one row per 预算执行分项 — the table prints the figures the township publishes."""
    from generator.generate import generate
    from generator.pack import export_pack

    source, profile = township
    pack = tmp_path / "某镇模板包"
    export_pack("全国", pack)
    (pack / "评分规则.yaml").write_text(profile.read_text(encoding="utf-8"), encoding="utf-8")
    table = pack / "部门整体支出绩效自评表.md.j2"
    text = table.read_text(encoding="utf-8")
    one_row = next(line for line in text.splitlines() if line.startswith("| 年度资金总额 |"))
    text = text.replace(one_row, "{% for r in card.execution_rows %}\n| {{ r.label }} |  | {{ r.budget|money }} | "
                                 "{{ r.actual|money }} | {{ r.weight|weight }} | {{ r.rate|percent }} | "
                                 "{{ r.score|score }} |\n{% endfor %}")
    table.write_text(text, encoding="utf-8")
    done = generate(source, tmp_path / "out", ("md",), pack=pack)
    report = (done.folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8")
    lines = report.splitlines()
    assert "| 基本支出 |  | 500.00 | 480.00 | 10 | 96.00% | 9.60 |" in lines
    assert "| 项目支出 |  | 300.00 | 240.00 | 10 | 80.00% | 8.00 |" in lines
    rows = [line for line in lines if line.startswith("|") and ("道路硬化里程" in line or "群众满意度" in line)]
    assert rows[0].startswith("| 产出指标（40分） |") and "| — | 20.00 |" in rows[0]   # no 分值 printed, none invented
    assert "| — | 9.00 |" in rows[1]
    assert "| 总分 |  |  |  |  | 100 | 92.60 |  |" in lines and "自评等级：优" in lines
    assert "绩效自评得分为92.60分，等级为“优”" in report
    # Met or not, without weights: 10公里 of ≥10 and 好 (a full-marks word) are met; 90% of 100% and 较好 are not.
    assert "部门整体共设置绩效指标4项，其中2项全部达成，“工程验收合格率”“群众满意度”等2项未全部达成。" in report
    manifest = json.loads((done.folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["评分规则"], manifest["关键数字"]["部门整体 得分"]) == ("某镇", "92.60")


def test_a_workbook_without_a_weight_column_scores_under_a_profile_without_weights(township, tmp_path):
    """The township's workbook has no 分值 column at all: read on and scored; under a profile that needs 分值 the
    missing column is said once, at the header row."""
    from openpyxl import load_workbook

    from generator.problems import InputError
    from generator.readers import read_input
    from generator.readers.excel_template import write_workbook

    source, profile = township
    book = tmp_path / "某镇.xlsx"
    try:
        report = read_input(source)[0]
    except InputError as exc:       # the blank 分值 the township's profile allows: the model is read all the same
        report = exc.report
    write_workbook(book, report)
    wb = load_workbook(book)
    sheet = wb["绩效指标"]
    sheet.delete_cols(next(c.column for c in sheet[1] if str(c.value).startswith("分值")))
    wb.save(book)
    ev = evaluate(book, profile)
    assert not ev.incomplete and not ev.errors
    assert score(ev.results.department.total) == "92.60" and ev.results.department.grade == "优"
    national = evaluate(book)
    assert [(p.place, p.code) for p in national.errors] == [("绩效指标!1:1", "missing-column")]
    assert national.incomplete


@pytest.mark.parametrize("typed, code, words", [
    ("预算执行率（填报）: 90", None, ""),                         # 720 ÷ 年初800
    ("预算执行率（填报）: 86.75", "stated-execution-rate", "÷ 本年支出合计年初预算数800万元"),   # 720 ÷ 全年830
    ("预算执行得分（填报）: 17.6", None, ""),
    ("预算执行得分（填报）: 16.5", "stated-execution-score",
     "基本支出执行率96.00% × 分值10分 + 项目支出执行率80.00% × 分值10分"),
])
def test_stated_execution_figures_are_checked_by_the_profiles_rule(township, typed, code, words):
    source, profile = township
    source.write_text(TOWNSHIP_INPUT.replace("  部门整体得分（填报）", f"  {typed}\n  部门整体得分（填报）"), encoding="utf-8")
    found = [p for p in evaluate(source, profile).problems if p.code.startswith("stated-execution")]
    assert [p.code for p in found] == ([code] if code else [])
    assert all(words in p.message + " ".join(p.details) for p in found), [p.message for p in found]
