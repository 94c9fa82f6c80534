"""The 填报模板 workbook: blank for a preparer to fill, or filled from a model."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from generator.catalog import FINANCE_ROWS, THREE_PUBLIC_ROWS
from generator.model import (
    Amounts, Buildings, Direction, Funds, FunctionalItem, Indicator, Level, Project, ProjectFunds, Report, Staffing, Unit,
)
from generator.readers.excel_template import LISTS_SHEET, first_data_row, write_workbook
from generator.readers.layout import (
    FINANCE_SHEET, FUNCTIONAL_SHEET, INDICATOR_SHEET, INSTRUCTIONS_SHEET, PROJECT_SHEET, SHEETS, THREE_PUBLIC_SHEET,
    UNIT_SHEET,
)


def small_report() -> Report:
    unit = Unit(
        name="湛霞市示例局", short_name="示例局", year=2023, superior="湛霞市人民政府", preparer="李四",
        phone="0759-1234567", head="张三", report_date=date(2024, 3, 30), notice="湛霞财〔2024〕68号",
        profile="湖南", functions=["负责全市示例工作。", "承办市政府交办的其他事项。"], subordinates=["示例中心"],
        staffing=Staffing(establishment=143, in_post=136, retired=20, stated_control_rate=Decimal("95.10")),
        other_notes="无", stated_execution_rate=Decimal("54.35"),
    )
    funds = ProjectFunds(
        initial_budget=Funds(current=Decimal("100"), stated_total=Decimal("100")),
        budget=Funds(current=Decimal("90"), carryover=Decimal("10")),
        actual=Funds(current=Decimal("83.89")),
    )
    indicator = Indicator(level1="产出指标", level2="数量指标", name="培训人次", direction=Direction.AT_LEAST,
                          target="=50人次", actual="55人次", weight=Decimal("20"), stated_score=Decimal("20"))
    qualitative = Indicator(level1="满意度指标", level2="服务对象满意度指标", name="学员满意度",
                            direction=Direction.QUALITATIVE, weight=Decimal("10"), level=Level.PARTLY,
                            not_applicable=True)
    projects = [
        Project(name="干部培训", office="培训科", funds=funds, goal="完成培训\n提升能力", indicators=[indicator, qualitative]),
        Project(name="办公设备购置", evaluated=False, last_year_actual=Decimal("12.5")),
    ]
    department = Indicator(level1="效益指标", level2="社会效益指标", name="群众知晓率", target="≥90%", actual="92%",
                           weight=Decimal("30"))
    return Report(
        unit=unit,
        finance={"一般公共预算财政拨款收入": Amounts(last_year=Decimal("2686.28"), actual=Decimal("2700.00")),
                 "人员经费": Amounts(budget=Decimal("1200.5"))},
        three_public={"公务接待费": Amounts(actual=Decimal("1.23"))},
        functional=[FunctionalItem(code="201", name="一般公共服务支出", amounts=Amounts(actual=Decimal("88.8")))],
        buildings=Buildings(approved_size=Decimal("1200"), actual_investment=Decimal("300")),
        projects=projects,
        indicators=[department],
    )


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("blank") / "填报表.xlsx"
    write_workbook(path)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("filled") / "填报表.xlsx"
    write_workbook(path, small_report())
    return openpyxl.load_workbook(path)


def header_cells(ws, sheet):
    """(cell, column) for every header cell of a sheet; on 单位信息 the A cell of each field row."""
    if sheet.key_value:
        return [(ws.cell(row, 1), c) for row, c in enumerate(sheet.columns, 2)]
    row = 2 if sheet is PROJECT_SHEET else 1
    out = []
    for index, column in enumerate(sheet.columns, 1):
        out.append((ws.cell(row if column.group else 1, index), column))
    return out


def validation_for(ws, coordinate: str):
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


def test_blank_workbook_has_the_guide_then_every_layout_sheet(blank):
    assert blank.sheetnames[: len(SHEETS) + 1] == [INSTRUCTIONS_SHEET, *(s.name for s in SHEETS)]
    assert blank[LISTS_SHEET].sheet_state == "hidden"
    assert blank.active.title == INSTRUCTIONS_SHEET


def test_guide_explains_units_totals_owner_and_commands(blank):
    text = "\n".join(str(c.value) for row in blank[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    for phrase in ("万元", "两位小数", "合计", "所属项目", "下拉", "不适用", "jxzp validate", "jxzp generate"):
        assert phrase in text


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.name)
def test_header_text_sits_in_row_one_with_a_comment_on_every_header_cell(blank, sheet):
    ws = blank[sheet.name]
    assert ws.cell(1, 1).value.rstrip("*") in (sheet.anchor, sheet.columns[0].header)
    for cell, column in header_cells(ws, sheet):
        marked = column.required and not sheet.fixed_rows
        assert cell.value == column.header + ("*" if marked else "")
        assert cell.comment is not None and cell.comment.author == "jxzp"
        assert column.note.removeprefix("（").split("；")[0].rstrip("）") in cell.comment.text
        assert ("（必填）" in cell.comment.text) == column.required


def test_unit_sheet_lists_every_field_in_order(blank):
    ws = blank[UNIT_SHEET.name]
    assert [ws.cell(1, i).value for i in (1, 2, 3)] == ["填报项目", "填报内容", "说明"]
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(UNIT_SHEET.columns))] == \
        [c.header + ("*" if c.required else "") for c in UNIT_SHEET.columns]
    assert "编制数" in ws.cell(2 + [c.header for c in UNIT_SHEET.columns].index("编制数"), 3).value


def test_project_sheet_has_a_two_row_header_with_merged_groups(blank):
    ws = blank[PROJECT_SHEET.name]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == "项目名称*" and "A1:A2" in merged
    groups = [i for i, c in enumerate(PROJECT_SHEET.columns, 1) if c.group == "全年预算数"]
    first, last = openpyxl.utils.get_column_letter(groups[0]), openpyxl.utils.get_column_letter(groups[-1])
    assert ws[f"{first}1"].value == "全年预算数*" and f"{first}1:{last}1" in merged
    assert [ws.cell(2, i).value for i in groups] == ["合计", "当年财政拨款", "上年结转资金", "其他资金"]
    assert ws[f"{first}1"].comment is not None
    assert first_data_row(PROJECT_SHEET) == 3


@pytest.mark.parametrize("sheet_name, header, cell_row", [
    ("绩效指标", "指标方向", 2), ("绩效指标", "定性等级", 500), ("绩效指标", "一级指标", 1000),
    ("绩效指标", "二级指标", 2), ("绩效指标", "不适用", 2), ("项目", "是否开展自评", 3), ("项目", "是否开展自评", 500),
])
def test_choice_columns_have_dropdowns_with_chinese_errors(blank, sheet_name, header, cell_row):
    sheet = next(s for s in SHEETS if s.name == sheet_name)
    index = [c.header for c in sheet.columns].index(header) + 1
    coordinate = f"{openpyxl.utils.get_column_letter(index)}{cell_row}"
    (rule,) = validation_for(blank[sheet_name], coordinate)
    assert rule.type == "list" and rule.showErrorMessage and rule.errorTitle == "请从列表中选择"
    choices = next(c for c in sheet.columns if c.header == header).choices
    assert rule.formula1 == '"' + ",".join(choices) + '"'
    assert header in rule.error


def test_rating_rule_has_a_dropdown_on_its_value_cell(blank):
    row = 2 + [c.header for c in UNIT_SHEET.columns].index("评分规则")
    (rule,) = validation_for(blank[UNIT_SHEET.name], f"B{row}")
    assert rule.type == "list" and "全国" in rule.formula1


def test_owner_column_lists_department_and_project_names(blank):
    (rule,) = validation_for(blank[INDICATOR_SHEET.name], "A2")
    assert rule.type == "list"
    assert blank[LISTS_SHEET]["A1"].value == "部门整体"
    assert "'项目'!$A3" in blank[LISTS_SHEET]["A2"].value
    assert rule.formula1 in blank.defined_names


@pytest.mark.parametrize("sheet_name, panes", [
    ("单位信息", "B2"), ("收支情况", "B2"), ("项目", "B3"), ("绩效指标", "B2"), ("三公经费", "B2"), ("功能分类", "C2"),
])
def test_header_rows_and_name_column_are_frozen(blank, sheet_name, panes):
    assert blank[sheet_name].freeze_panes == panes


def test_money_columns_are_formatted_as_wanyuan_with_two_decimals(blank):
    ws = blank[PROJECT_SHEET.name]
    for index, column in enumerate(PROJECT_SHEET.columns, 1):
        letter = openpyxl.utils.get_column_letter(index)
        expected = {"money": "#,##0.00", "percent": "0.00", "score": "0.00"}.get(column.kind)
        if expected:
            assert ws.column_dimensions[letter].number_format == expected, column.header
    assert blank[FINANCE_SHEET.name]["B2"].number_format == "#,##0.00"


def test_long_text_wraps_at_the_top(blank):
    ws = blank[PROJECT_SHEET.name]
    index = [c.header for c in PROJECT_SHEET.columns].index("立项依据") + 1
    alignment = ws.column_dimensions[openpyxl.utils.get_column_letter(index)].alignment
    assert alignment.wrap_text and alignment.vertical == "top"
    row = 2 + [c.header for c in UNIT_SHEET.columns].index("职能职责")
    assert blank[UNIT_SHEET.name][f"B{row}"].alignment.wrap_text


@pytest.mark.parametrize("sheet, rows", [(FINANCE_SHEET, FINANCE_ROWS), (THREE_PUBLIC_SHEET, THREE_PUBLIC_ROWS)],
                         ids=lambda x: getattr(x, "name", ""))
def test_fixed_rows_are_prefilled_and_totals_marked(blank, sheet, rows):
    ws = blank[sheet.name]
    assert [ws.cell(1, i).value for i in range(1, 6)] == ["项目", "上年决算数", "年初预算数", "全年预算数", "决算数"]
    for number, row in enumerate(rows, 2):
        label = ws.cell(number, 1)
        assert label.value == row.display
        assert label.font.bold == bool(row.parts)
        if row.parts:
            assert "可不填" in label.comment.text


def unit_value(ws, header: str):
    return ws.cell(2 + [c.header for c in UNIT_SHEET.columns].index(header), 2).value


def test_filled_unit_sheet_holds_the_model_values(filled):
    ws = filled[UNIT_SHEET.name]
    assert unit_value(ws, "单位名称") == "湛霞市示例局"
    assert unit_value(ws, "评价年度") == 2023
    assert unit_value(ws, "报告日期") == datetime(2024, 3, 30)
    assert unit_value(ws, "职能职责") == "负责全市示例工作。\n承办市政府交办的其他事项。"
    assert unit_value(ws, "编制数") == 143
    assert unit_value(ws, "在职人员控制率（填报）") == pytest.approx(95.10)
    assert unit_value(ws, "预算执行率（填报）") == pytest.approx(54.35)
    assert unit_value(ws, "批复规模") == 1200
    assert unit_value(ws, "实际投资") == 300
    assert unit_value(ws, "评分规则") == "湖南"
    assert unit_value(ws, "单位代码") is None
    row = 2 + [c.header for c in UNIT_SHEET.columns].index("预算执行率（填报）")
    assert ws.cell(row, 2).number_format == "0.00"


def test_filled_statements_put_amounts_on_their_rows(filled):
    ws = filled[FINANCE_SHEET.name]
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    income = labels.index("一般公共预算财政拨款收入") + 1
    assert ws.cell(income, 2).value == pytest.approx(2686.28)
    assert ws.cell(income, 5).value == 2700
    assert ws.cell(labels.index("其中：人员经费") + 1, 4).value == pytest.approx(1200.5)
    ws3 = filled[THREE_PUBLIC_SHEET.name]
    row = [ws3.cell(r, 1).value for r in range(1, ws3.max_row + 1)].index("公务接待费") + 1
    assert ws3.cell(row, 5).value == pytest.approx(1.23)
    assert [c.value for c in filled[FUNCTIONAL_SHEET.name][2]] == ["201", "一般公共服务支出", None, None, None,
                                                                  pytest.approx(88.8)]


def project_value(ws, row: int, key: str):
    return ws.cell(row, [c.key for c in PROJECT_SHEET.columns].index(key) + 1).value


def test_filled_projects_start_on_row_three(filled):
    ws = filled[PROJECT_SHEET.name]
    assert project_value(ws, 3, "项目名称") == "干部培训"
    assert project_value(ws, 3, "是否开展自评") == "是"
    assert project_value(ws, 3, "年初预算数/合计") == 100
    assert project_value(ws, 3, "全年预算数/合计") is None
    assert project_value(ws, 3, "全年预算数/上年结转资金") == 10
    assert project_value(ws, 3, "全年执行数/当年财政拨款") == pytest.approx(83.89)
    assert project_value(ws, 3, "预期目标") == "完成培训\n提升能力"
    assert project_value(ws, 4, "项目名称") == "办公设备购置"
    assert project_value(ws, 4, "是否开展自评") == "否"
    assert project_value(ws, 4, "上年决算数") == pytest.approx(12.5)


def test_filled_indicators_name_their_owner(filled):
    ws = filled[INDICATOR_SHEET.name]
    headers = [c.header for c in INDICATOR_SHEET.columns]
    rows = [{h: ws.cell(r, i).value for i, h in enumerate(headers, 1)} for r in range(2, 5)]
    assert [r["所属项目"] for r in rows] == ["部门整体", "干部培训", "干部培训"]
    assert rows[1]["指标方向"] == "≥" and rows[1]["年度指标值"] == "=50人次" and rows[1]["分值"] == 20
    assert ws.cell(3, headers.index("年度指标值") + 1).data_type == "s"
    assert rows[1]["不适用"] is None
    assert rows[2]["定性等级"] == "部分达成并具有一定效果" and rows[2]["不适用"] == "是"


def test_the_same_report_gives_the_same_bytes(tmp_path: Path):
    first, second, blank = tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    write_workbook(first, small_report())
    write_workbook(second, small_report())
    write_workbook(blank)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != blank.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    props = openpyxl.load_workbook(first).properties
    assert props.creator == "jxzp" and props.modified == datetime(2024, 1, 1)


def test_a_written_workbook_reads_back_as_the_same_report(tmp_path: Path):
    pytest.importorskip("generator.readers.excel")
    from generator.readers import read_input

    path = tmp_path / "填报表.xlsx"
    report = small_report()
    write_workbook(path, report)
    again, _warnings = read_input(path)
    assert again.model_dump() == report.model_dump()


def test_required_columns_carry_a_red_asterisk_in_the_header_and_the_note(tmp_path):
    path = tmp_path / "填报表.xlsx"
    write_workbook(path)
    wb = openpyxl.load_workbook(path, rich_text=True)
    name = wb[PROJECT_SHEET.name]["A1"].value
    assert str(name) == "项目名称*" and name[-1].text == "*" and name[-1].font.color.rgb.endswith("FF0000")
    note = wb[UNIT_SHEET.name]["C2"].value
    assert str(note).startswith("*（必填）") and note[0].font.color.rgb.endswith("FF0000")
    assert wb[UNIT_SHEET.name]["A3"].value == "单位简称"          # an optional field has no asterisk


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.name)
def test_every_sheet_prints_landscape_one_page_wide_with_its_header_on_every_page(blank, sheet):
    ws = blank[sheet.name]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    rows = 1 if sheet.key_value else (2 if sheet is PROJECT_SHEET else 1)
    assert ws.print_title_rows == f"$1:${rows}"


def test_the_guide_describes_the_web_page_before_the_command_line(blank):
    text = "\n".join(str(c.value) for row in blank[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    assert "jxzp serve" in text and "--mark" in text
    assert text.index("浏览器") < text.index("jxzp validate")


def test_headers_with_or_without_the_asterisk_read_the_same(tmp_path):
    from generator.readers import read_input
    base = Path(__file__).resolve().parent / "bad_inputs" / "base.yaml"
    path = tmp_path / "填报表.xlsx"
    report, _ = read_input(base)
    write_workbook(path, report)
    wb = openpyxl.load_workbook(path)
    marked, _ = read_input(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows(max_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.endswith("*"):
                    cell.value = cell.value.rstrip("*")
    plain = tmp_path / "无星号.xlsx"
    wb.save(plain)
    assert read_input(plain)[0].model_dump() == marked.model_dump()
    assert marked.model_dump() == report.model_dump()
