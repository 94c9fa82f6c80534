"""Each bad input gives exactly its one message at its place; each forgiven input reads as base.yaml does."""
from __future__ import annotations

import copy
import re
import subprocess
import sys
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.pipeline import evaluate
from generator.problems import Severity
from generator.readers import read_input

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad_inputs"
FORGIVEN = BAD / "forgiven"
REPO = HERE.parent

ERROR, WARNING = Severity.ERROR, Severity.WARNING
UNREADABLE, HAS_ERRORS, OK = 2, 1, 0

# (file in tests/bad_inputs/, severity, place, exact message, exit code of `jxzp validate`)
CASES = [
    # not a usable file at all
    ("empty.xlsx", ERROR, "empty.xlsx",
     "文件是空的（0 字节），请检查是否选错了文件，或重新保存填报文件后再试", UNREADABLE),
    ("not-a-workbook.xlsx", ERROR, "not-a-workbook.xlsx",
     "不是 Excel 工作簿（.xlsx）：请上传用 jxzp init 生成的填报模板，或 .yaml 填报文件", UNREADABLE),
    ("old-format.xls", ERROR, "old-format.xls",
     "旧版 Excel（.xls）文件不能直接读取：请在 Excel 或 WPS 中打开，“另存为”Excel 工作簿（.xlsx）后重试", UNREADABLE),
    ("password.xlsx", ERROR, "password.xlsx",
     "工作簿设置了打开密码，无法读取：请在 Excel/WPS 中取消密码（文件→信息→保护工作簿）后另存，再重试", UNREADABLE),
    ("yaml-empty.yaml", ERROR, "yaml-empty.yaml",
     "文件是空的（0 字节），请检查是否选错了文件，或重新保存填报文件后再试", UNREADABLE),
    ("yaml-not-utf8.yaml", ERROR, "yaml-not-utf8.yaml",
     "文件不是 UTF-8 编码：请用记事本或编辑器另存为 UTF-8 后重试", UNREADABLE),
    ("yaml-syntax-error.yaml", ERROR, "yaml-syntax-error.yaml:5",
     "YAML 格式错误：缺少冒号，请写成“名称: 值”（英文冒号后留一个空格）", UNREADABLE),
    ("yaml-tab-indent.yaml", ERROR, "yaml-tab-indent.yaml:5",
     "YAML 格式错误：这一行有制表符（Tab），请改用空格缩进", UNREADABLE),
    ("yaml-colon-in-text.yaml", ERROR, "yaml-colon-in-text.yaml:89",
     "YAML 格式错误：这一行多了冒号或缩进不对，文字中含有冒号时请给整段文字加引号", UNREADABLE),
    ("yaml-duplicate-key.yaml", ERROR, "yaml-duplicate-key.yaml:5",
     "栏目“单位名称”在同一层级写了两次，请删除或合并其中一处", UNREADABLE),
    ("zip-bomb.xlsx", ERROR, "zip-bomb.xlsx",
     "这个 Excel 文件其中一个部件解压后达 5 MB（压缩比 1026∶1），远超正常的填报表，疑似“压缩炸弹”，已拒绝："
     "请使用在 Excel/WPS 中正常保存的填报表（.xlsx）", UNREADABLE),
    ("yaml-billion-laughs.yaml", ERROR, "yaml-billion-laughs.yaml:1",
     "填报文件中使用了 YAML 锚点或别名（& 或 *）：请把引用的内容直接写出来", UNREADABLE),
    # the workbook's shape
    ("formula-no-value.xlsx", ERROR, "项目!L3",
     "单元格有公式（=SUM(M3:O3)）但没有保存计算结果：这个文件可能由程序生成、从未在 Excel/WPS 中打开保存过。"
     "请用 Excel 或 WPS 打开后保存，再重试", HAS_ERRORS),
    ("excel-error-value.xlsx", ERROR, "项目!AE3",
     "单元格是错误值 #DIV/0!：请修正这个单元格的公式或改填数值", HAS_ERRORS),
    ("missing-sheet.xlsx", ERROR, "missing-sheet.xlsx",
     "缺少工作表“绩效指标”：请使用 jxzp init 生成的填报模板，不要删除或改名工作表", HAS_ERRORS),
    ("missing-column.xlsx", ERROR, "绩效指标!1:1",
     "工作表“绩效指标”缺少“分值”列：请恢复这一列（可用 jxzp init 生成新模板对照）", HAS_ERRORS),
    ("missing-actual-column.xlsx", ERROR, "收支情况!1:1",
     "工作表“收支情况”缺少“决算数”列（表头行中没有这一列）：执行率要按决算数计算，请从填报模板（jxzp init 生成）"
     "复制“决算数”列到原位置后重新填写", HAS_ERRORS),
    ("renamed-header.xlsx", ERROR, "项目!A1",
     "找不到表头（前6行中没有“项目名称”），请恢复表头行，不要删除或改写表头文字（可用 jxzp init 生成新模板对照）", HAS_ERRORS),
    ("row-without-name.xlsx", ERROR, "收支情况!A27",
     "这一行填了金额但没有行名：请在 A 列填写行名或删除这一行的金额", HAS_ERRORS),
    ("unknown-row.xlsx", ERROR, "收支情况!A2",
     "未知的行“财政拨款收入”，请使用模板中的行名，最接近的是“一般公共预算财政拨款收入”", HAS_ERRORS),
    ("yaml-unknown-row.yaml", ERROR, "yaml-unknown-row.yaml:33",
     "未知的行“基本经费支出”，请使用模板中的行名，最接近的是“基本支出”", HAS_ERRORS),
    ("unknown-unit-field.xlsx", WARNING, "单位信息!A5",
     "未知的填报项目“统一社会信用代码”，已忽略：请检查名称是否写错", OK),
    ("yaml-unknown-key.yaml", WARNING, "yaml-unknown-key.yaml:128",
     "未知的栏目“备注”，已忽略：请检查名称是否写错", OK),
    # 单位信息
    ("yaml-missing-unit-name.yaml", ERROR, "yaml-missing-unit-name.yaml:4", "缺少“单位名称”：请填写单位名称", HAS_ERRORS),
    ("missing-year.xlsx", ERROR, "单位信息!B4", "缺少“评价年度”：请填写评价年度", HAS_ERRORS),
    ("text-headcount.xlsx", ERROR, "单位信息!B16", "编制数“四十”不是整数，请填写整数（单位：人）", HAS_ERRORS),
    ("headcount-in-wan-yuan.xlsx", ERROR, "单位信息!B16", "编制数“12万元”带的单位“万元”不对：请只填写整数（单位：人）",
     HAS_ERRORS),
    ("unreadable-year.xlsx", ERROR, "单位信息!B4", "评价年度“二〇二三”不是整数年份：请用阿拉伯数字填写四位年份，如 2023 或 2023年", HAS_ERRORS),
    ("look-alike-sheet.xlsx", Severity.HINT, " 项目 !A1",
     "工作表名“ 项目 ”中有多余的空格或全角字符，已按工作表“项目”读取：请把它改名为“项目”", OK),
    ("wrong-date.xlsx", ERROR, "单位信息!B10",
     "报告日期“2024年3月”不是日期，请按 2023年3月30日 或 2023-03-30 填写", HAS_ERRORS),
    ("yaml-wrong-date.yaml", ERROR, "yaml-wrong-date.yaml:10",
     "报告日期“2024-02-30”不是日期，请按 2023年3月30日 或 2023-03-30 填写", HAS_ERRORS),
    # amounts
    ("not-a-number.xlsx", ERROR, "项目!Q3",
     "全年执行数的当年财政拨款“三百一十”不是数字，请填写数字（单位：万元）", HAS_ERRORS),
    ("yaml-not-a-number.yaml", ERROR, "yaml-not-a-number.yaml:53",
     "全年执行数的当年财政拨款“三百一十”不是数字，请填写数字（单位：万元）", HAS_ERRORS),
    ("amount-with-unit.xlsx", ERROR, "项目!Q3",
     "全年执行数的当年财政拨款“310万元”是带单位的文字：金额单元格只填数字（单位已是万元），请改为 310", HAS_ERRORS),
    ("negative-amount.xlsx", ERROR, "项目!Q3",
     "全年执行数的当年财政拨款“-310”为负数：金额应为0或正数，请核对金额（收回、冲减的资金在文字说明中写明）", HAS_ERRORS),
    ("amount-in-yuan.xlsx", ERROR, "收支情况!E2",
     "一般公共预算财政拨款收入的决算数“11,805,000元”不是数字，请填写数字（单位：万元）", HAS_ERRORS),
    # projects
    ("duplicate-project.xlsx", ERROR, "项目!A5",
     "项目名称“高标准农田建设”与第1个项目重复：每个项目名称只能出现一次，请修改或合并", HAS_ERRORS),
    ("yaml-duplicate-project.yaml", ERROR, "yaml-duplicate-project.yaml:78",
     "项目名称“高标准农田建设”与第1个项目重复：每个项目名称只能出现一次，请修改或合并", HAS_ERRORS),
    ("yaml-bad-yes-no.yaml", ERROR, "yaml-bad-yes-no.yaml:79", "是否开展自评“待定”无法识别，请填写“是”或“否”", HAS_ERRORS),
    # indicators
    ("unknown-project.xlsx", ERROR, "绩效指标!A5",
     "所属项目“高标准农田”在“项目”表中找不到：请与项目表中的项目名称保持一致，部门整体的指标填“部门整体”", HAS_ERRORS),
    ("missing-owner.xlsx", ERROR, "绩效指标!A6",
     "这一行指标没有填“所属项目”：请填写项目表中的项目名称，部门整体的指标填“部门整体”", HAS_ERRORS),
    ("negative-weight.xlsx", ERROR, "绩效指标!I5", "分值“-50”为负数：分值应为0或正数", HAS_ERRORS),
    ("yaml-negative-weight.yaml", ERROR, "yaml-negative-weight.yaml:70", "分值“-30”为负数：分值应为0或正数", HAS_ERRORS),
    ("yaml-missing-weight.yaml", ERROR, "yaml-missing-weight.yaml:122", "缺少“分值”：请填写分值", HAS_ERRORS),
    ("unknown-direction.xlsx", ERROR, "绩效指标!E8",
     "指标方向“↑”无法识别，请从下拉列表中选择：≥、≤、=、定性", HAS_ERRORS),
    ("yaml-unknown-level.yaml", ERROR, "yaml-unknown-level.yaml:106",
     "项目“农机购置补贴”的指标“农业机械化水平”：定性等级“优秀”不是评分规则“全国”的等级：请从 达成年度指标、部分达成并具有一定效果、未达成且效果较差 中选择", HAS_ERRORS),
]

SEVERAL = [
    (ERROR, "绩效指标!A5", "所属项目“高标准农田”在“项目”表中找不到：请与项目表中的项目名称保持一致，部门整体的指标填“部门整体”"),
    (ERROR, "单位信息!B4", "缺少“评价年度”：请填写评价年度"),
    (ERROR, "项目!Q3", "全年执行数的当年财政拨款“三百一十”不是数字，请填写数字（单位：万元）"),
    (ERROR, "项目!B4", "是否开展自评“待定”无法识别，请填写“是”或“否”"),
    (ERROR, "绩效指标!I8", "分值“-50”为负数：分值应为0或正数"),
]


@pytest.mark.parametrize("name, severity, place, message, exit_code", CASES, ids=[c[0] for c in CASES])
def test_a_bad_input_gives_its_one_message_at_its_place(name, severity, place, message, exit_code):
    evaluation = evaluate(BAD / name)
    assert [(p.severity, p.place, p.message) for p in evaluation.problems] == [(severity, place, message)]
    assert evaluation.unreadable == (exit_code == UNREADABLE)


@pytest.mark.parametrize("name, severity, place, message, exit_code", CASES, ids=[c[0] for c in CASES])
def test_validate_exits_with_the_code_of_the_problem_and_prints_it(name, severity, place, message, exit_code):
    result = CliRunner().invoke(main, ["validate", str(BAD / name)])
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{place}：{message}" in result.output


def test_every_problem_of_a_file_is_reported_not_only_the_first():
    evaluation = evaluate(BAD / "several-problems.xlsx")
    assert [(p.severity, p.place, p.message) for p in evaluation.problems] == SEVERAL
    assert CliRunner().invoke(main, ["validate", str(BAD / "several-problems.xlsx")]).exit_code == HAS_ERRORS


def test_validate_of_every_input_at_once_prints_no_traceback():
    inputs = sorted(p for p in [*BAD.iterdir(), *FORGIVEN.iterdir()] if p.is_file() and p.suffix != ".py")
    run = subprocess.run([sys.executable, "-m", "generator.cli", "validate", *map(str, inputs)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == UNREADABLE
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stdout.count("== ") == len(inputs)


def test_every_file_in_the_folder_is_a_case():
    listed = {c[0] for c in CASES} | {"several-problems.xlsx", "six-mistakes.xlsx", "base.yaml", "make_bad_inputs.py"}
    present = {p.name for p in BAD.iterdir() if p.is_file()}
    assert present == listed
    assert {p.name for p in FORGIVEN.iterdir()} == set(FORGIVEN_CASES)


def test_the_base_input_is_clean():
    assert evaluate(BAD / "base.yaml").problems == []


# -- forgiven: the file reads as base.yaml, except for the values named here

BASE_FINANCE = "finance.一般公共预算财政拨款收入"
FORGIVEN_CASES = {
    "numbers-as-text.xlsx": {
        "unit.year": 2023, "unit.staffing.establishment": 40,
        "projects.0.funds.budget.current": Decimal("320"), "projects.0.funds.actual.current": Decimal("310.00"),
        "projects.0.indicators.0.weight": Decimal("50"),
    },
    "full-width-digits.xlsx": {
        "unit.year": 2023, "projects.0.funds.actual.current": Decimal("310.00"),
        "projects.0.indicators.0.weight": Decimal("50"),
    },
    "thousands-separators.xlsx": {
        f"{BASE_FINANCE}.actual": Decimal("1180.50"), f"{BASE_FINANCE}.last_year": Decimal("1100"),
        "finance.本年收入合计.actual": Decimal("1180.50"),
    },
    "percent-as-text.xlsx": {
        "projects.0.stated_execution_rate": Decimal("96.88"), "unit.staffing.stated_control_rate": Decimal("95"),
    },
    "percent-cell.xlsx": {
        "projects.0.stated_execution_rate": Decimal("96.875"), "unit.staffing.stated_control_rate": Decimal("95"),
    },
    "stray-spaces.xlsx": {
        "unit.name": "青山县农业农村局", "projects.0.name": "高标准农田建设",
        "projects.0.funds.actual.current": Decimal("310"),
    },
    "blank-rows.xlsx": {},
    "title-row-merged.xlsx": {},
    "whole-column-format.xlsx": {},
    "dates-as-text.xlsx": {"unit.report_date": date(2024, 3, 30)},
    "year-with-nian.xlsx": {"unit.year": 2023},
    "formulas-with-values.xlsx": {
        **{f"projects.0.funds.{stage}.stated_total": value
           for stage, value in (("initial_budget", Decimal("300")), ("budget", Decimal("320")), ("actual", Decimal("310")))},
        **{f"projects.1.funds.{stage}.stated_total": value
           for stage, value in (("initial_budget", Decimal("100")), ("budget", Decimal("120")), ("actual", Decimal("120")))},
        "finance.本年收入合计.last_year": Decimal("1100"), "finance.本年收入合计.initial_budget": Decimal("1150"),
        "finance.本年收入合计.budget": Decimal("1200"), "finance.本年收入合计.actual": Decimal("1180.5"),
        "indicators.1.weight": Decimal("30"),
    },
    "forgiving.yaml": {
        "unit.year": 2023, "unit.staffing.establishment": 40, "unit.staffing.stated_control_rate": Decimal("95"),
        f"{BASE_FINANCE}.actual": Decimal("1180.50"), "projects.0.funds.actual.current": Decimal("310"),
        "projects.0.name": "高标准农田建设", "unit.report_date": date(2024, 3, 30),
    },
}


def _get(tree, path: str):
    for part in path.split("."):
        tree = tree[int(part)] if isinstance(tree, list) else tree[part]
    return tree


def _set(tree, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        tree = tree[int(part)] if isinstance(tree, list) else tree.setdefault(part, {})
    if isinstance(tree, list):
        tree[int(last)] = value
    else:
        tree[last] = value


@pytest.fixture(scope="module")
def base_model() -> dict:
    report, _ = read_input(BAD / "base.yaml")
    return report.model_dump()


@pytest.mark.parametrize("name", FORGIVEN_CASES)
def test_a_harmless_habit_is_forgiven_with_the_right_values(name, base_model):
    evaluation = evaluate(FORGIVEN / name)
    assert [p for p in evaluation.problems if p.severity is not Severity.HINT] == []
    model = evaluation.results.report.model_dump()
    expected = FORGIVEN_CASES[name]
    for path, value in expected.items():
        found = _get(model, path)
        assert found == value and type(found) is type(value), path
    wanted = copy.deepcopy(base_model)
    for path, value in expected.items():
        _set(wanted, path, value)
    assert model == wanted


@pytest.mark.parametrize("name", ["percent-cell.xlsx", "formulas-with-values.xlsx", "forgiving.yaml"])
def test_validate_accepts_a_forgiven_input(name):
    result = CliRunner().invoke(main, ["validate", str(FORGIVEN / name)])
    assert result.exit_code == OK, result.output
    assert "错误 0 个" in result.output


def _sheet_xml(path: Path, sheet: str) -> str:
    """The XML of a named worksheet, read straight from the zip: what the file holds, not what a reader makes of it."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(rId\d+)"', workbook).group(1)
        target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="/?(?:xl/)?([^"]+)"', rels)
        if target is None:
            target = re.search(rf'<Relationship [^>]*Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid}"', rels)
        return archive.read(f"xl/{target.group(1)}").decode()


def test_the_inputs_hold_what_their_names_say():
    no_value = _sheet_xml(BAD / "formula-no-value.xlsx", "项目")
    assert re.search(r'<c r="L3"[^>]*><f>SUM\(M3:O3\)</f>(<v\s*/>|<v></v>)?</c>', no_value)
    with_values = _sheet_xml(FORGIVEN / "formulas-with-values.xlsx", "项目")
    assert re.search(r'<c r="L3"[^>]*><f[^>]*>SUM\(M3:O3\)</f><v>320</v></c>', with_values)
    error = _sheet_xml(BAD / "excel-error-value.xlsx", "项目")
    assert re.search(r'<c r="AE3"[^>]*t="e"[^>]*><f[^>]*>[^<]+</f><v>#DIV/0!</v></c>', error)
    assert 'r="A1048576"' in _sheet_xml(FORGIVEN / "whole-column-format.xlsx", "项目")
    assert '<mergeCell ref="A1:AH1"/>' in _sheet_xml(FORGIVEN / "title-row-merged.xlsx", "项目")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert (BAD / "password.xlsx").read_bytes().startswith(ole)
    assert (BAD / "old-format.xls").read_bytes().startswith(ole)
