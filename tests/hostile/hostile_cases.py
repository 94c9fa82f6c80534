"""The hostile inputs: YAML texts, workbooks (cell values and damaged parts) and file names, each with its outcome.

Every case is made from tests/bad_inputs/base.yaml (a small, clean unit) by changing one thing. A case says what a
careful tool must do with it: accept it (optionally with a warning at a place, optionally reading a value as
given), or refuse it with a Chinese message at a place that contains given words.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from openpyxl import load_workbook

from generator.readers import read_input
from generator.readers.excel_template import workbook_bytes

HERE = Path(__file__).resolve().parent
BASE = HERE.parent / "bad_inputs" / "base.yaml"
YAML_NAME = "填报.yaml"
XLSX_NAME = "填报.xlsx"
DAMAGED = "文件已损坏或不是 Excel 保存的工作簿"


@dataclass(frozen=True)
class Case:
    """One hostile input and what must become of it."""

    category: str
    name: str
    make: Callable[[Path], Path] = field(repr=False)     # writes the input into a folder, returns its path
    outcome: str                                           # "accepted" or "refused"
    place: str | None = None                               # where the message (or the warning) points
    words: tuple[str, ...] = ()                            # what the message says
    value: tuple[str, Any] | None = None                   # a model path and the value an accepted input gives it
    unreadable: bool = False                               # refused before any value is read
    by_checks: bool = False                                # refused by a check on what was read, not by the reader

    @property
    def id(self) -> str:
        return f"{self.category}/{self.name}"


def accepted(category: str, name: str, make, place: str | None = None, *words: str, value=None) -> Case:
    return Case(category, name, make, "accepted", place, words, value)


def refused(category: str, name: str, make, place: str, *words: str, unreadable: bool = False,
            by_checks: bool = False) -> Case:
    return Case(category, name, make, "refused", place, words, None, unreadable, by_checks)


# -- YAML

@lru_cache(maxsize=None)
def base_text() -> str:
    return BASE.read_text(encoding="utf-8")


def line_of(fragment: str, text: str | None = None) -> int:
    text = text or base_text()
    return text[:text.index(fragment)].count("\n") + 1


def yaml_file(text: str | bytes, name: str = YAML_NAME) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        return path
    return make


def replaced(old: str, new: str) -> str:
    text = base_text()
    assert old in text, old
    return text.replace(old, new, 1)


# The numeric fields of the input, each with the line its value sits on: the base line replaced, or a line added.
NUMBER_FIELDS = {
    "year": ("  评价年度: 2023", "  评价年度: {}"),
    "headcount": ("    编制数: 40", "    编制数: {}"),
    "amount": ("        当年财政拨款: 310.00", "        当年财政拨款: {}"),
    "finance": ("    决算数: 1180.50", "    决算数: {}"),
    "weight": ("        分值: 50", "        分值: {}"),
    "percent": ("    离退休人数: 12", "    离退休人数: 12\n    在职人员控制率（填报）: {}"),
    "score": ("        分值: 50", "        分值: 50\n        得分: {}"),
    "scoring": ("        实际完成值: 2000亩", "        实际完成值: 2000亩\n        计分实际值: {}"),
    "date": ("  报告日期: 2024-03-30", "  报告日期: {}"),
}
ADDED = {"percent", "score", "scoring"}
MODEL_PATHS = {
    "year": "unit.year", "headcount": "unit.staffing.establishment", "amount": "projects.0.funds.actual.current",
    "finance": "finance.一般公共预算财政拨款收入.actual", "weight": "projects.0.indicators.0.weight",
    "percent": "unit.staffing.stated_control_rate", "score": "projects.0.indicators.0.stated_score",
    "scoring": "projects.0.indicators.0.actual_for_scoring", "date": "unit.report_date",
}

RANGE, NOT_NUMBER, NOT_INT, NOT_DATE = "超出合理范围", "不是数字", "不是整数", "不是日期"
WAN_YUAN, NEGATIVE = "单位“万元”不对", "为负数"
ONE_VALUE, TAG = "应为一个值", "YAML 标记"
_TAGS = ("!!python/object/apply:os.system ['true']", "!!set {a, b}", "!!binary aGVsbG8=", "!custom 1",
         "!!python/name:os.system ''", "!!omap [a: 1]")
_NOT_A_NUMBER = (".nan", ".NaN", ".inf", "-.inf", "NaN", "nan", "Infinity", "-Infinity", "inf", "'10^20'", "0x1F",
                 "0b101", "'三百'", "'1e5e5'", "true", "'12元5角'")

# field → [(typed value, expected: a value when accepted, else the words of the refusal)]
NUMBER_CASES: dict[str, list[tuple[str, Any]]] = {
    "year": [("2023", 2023), ("'２０２３'", 2023), ("2023.0", 2023), ("' 2023 '", 2023),
             ("1e308", RANGE), ("-1e308", RANGE), ("100000000000000000000", RANGE), ("-5", RANGE), ("99999", RANGE),
             ("'12万元'", WAN_YUAN), ("1989", RANGE), ("'2023年'", 2023), ("'2023年度'", 2023), ("'２０２３年'", 2023),
             ("'２０２３'", 2023), ("'2023年年'", NOT_INT), ("'2023人'", "单位“人”不对"), ("'2023%'", "单位“%”不对"), ("2101", RANGE), ("0", RANGE), ("1e999999999", RANGE),
             ("2023.5", NOT_INT), ("'二〇二三'", NOT_INT), (".nan", NOT_INT), (".inf", NOT_INT), ("NaN", NOT_INT),
             ("[2023]", ONE_VALUE), ("{年: 2023}", ONE_VALUE), *[(t, TAG) for t in _TAGS[:3]]],
    "headcount": [("0", 0), ("40", 40), ("'４０'", 40), ("10000000", 10000000), ("'40人'", 40),
                  ("'12万元'", WAN_YUAN), ("'40%'", "单位“%”不对"), ("'40年'", "单位“年”不对"),
                  ("-5", RANGE), ("-1", RANGE), ("1e308", RANGE), ("10000001", RANGE), ("1e999999999", RANGE),
                  ("40.5", NOT_INT), ("'四十'", NOT_INT), (".nan", NOT_INT), (".inf", NOT_INT), ("[40]", ONE_VALUE)],
    "amount": [("310", Decimal("310")), ("'３１０'", Decimal("310")), ("'310万元'", Decimal("310")),
               ("'1,234.5'", Decimal("1234.5")), ("0", Decimal("0")), ("999999999999", Decimal("999999999999")),
               ("0.000001", Decimal("0.000001")), ("1_000", Decimal("1000")), ("'５万元'", Decimal("5")),
               ("-5", NEGATIVE), ("'-5万元'", NEGATIVE), ("'\u22125'", NEGATIVE), ("'310%'", "单位“%”不对"), ("'310人'", "单位“人”不对"),
               ("1e308", RANGE), ("-1e308", RANGE), ("1e999999999", RANGE), ("-1e999999999", RANGE),
               ("100000000000000000000000000000", RANGE), ("1000000000001", RANGE),
               *[(v, NOT_NUMBER) for v in _NOT_A_NUMBER], ("[1, 2]", ONE_VALUE), ("{a: 1}", ONE_VALUE),
               *[(t, TAG) for t in _TAGS]],
    "finance": [("1180.50", Decimal("1180.50")), ("1e308", RANGE), ("-1e20", RANGE), (".nan", NOT_NUMBER),
                ("-1180.50", NEGATIVE),
                ("'11,805,000元'", NOT_NUMBER), ("[1]", ONE_VALUE), (_TAGS[0], TAG)],
    "weight": [("50", Decimal("50")), ("'50'", Decimal("50")), ("1000", Decimal("1000")),
               ("-1", "为负数"), ("-1e308", "为负数"), ("1001", RANGE), ("1e308", RANGE), (".inf", NOT_NUMBER),
               (".nan", NOT_NUMBER), ("'五十'", NOT_NUMBER), ("[50]", ONE_VALUE)],
    "percent": [("95", Decimal("95")), ("'95%'", Decimal("95")), ("120", Decimal("120")),
                ("1e308", RANGE), ("-20000", RANGE), ("10001", RANGE), ("NaN", NOT_NUMBER), ("'95%%'", NOT_NUMBER)],
    "score": [("45", Decimal("45")), ("0", Decimal("0")), ("-1", RANGE), ("1001", RANGE), ("1e308", RANGE),
              (".nan", NOT_NUMBER), ("{a: 1}", ONE_VALUE)],
    "scoring": [("2000", Decimal("2000")), ("-3.5", Decimal("-3.5")), ("1e16", RANGE), ("-1e308", RANGE),
                (".inf", NOT_NUMBER)],
    "date": [("2024-03-30", datetime(2024, 3, 30).date()), ("'2024年3月30日'", datetime(2024, 3, 30).date()),
             ("'2024.03.30'", datetime(2024, 3, 30).date()), ("'２０２４-０３-３０'", datetime(2024, 3, 30).date()),
             ("9999-12-31", RANGE), ("1900-01-01", RANGE), ("'1989年12月31日'", RANGE), ("2101-01-01", RANGE),
             ("2024-02-30", NOT_DATE), ("'2024年3月'", NOT_DATE), ("'NaN'", NOT_DATE), ("99999999999", NOT_DATE),
             ("'0000-01-01'", NOT_DATE), ("[2024-03-30]", ONE_VALUE), (_TAGS[1], TAG)],
}

# Texts: accepted as typed (or with the characters Word cannot hold removed, with a warning) or refused.
TEXT_FIELDS = {
    "unit-name": ("  单位名称: 青山县农业农村局", "  单位名称: {}", "unit.name"),
    "project-name": ("  - 项目名称: 高标准农田建设", "  - 项目名称: {}", "projects.0.name"),
    "target": ("        年度指标值: ≥2000亩", "        年度指标值: {}", "projects.0.indicators.0.target"),
    "problems": ("  存在问题: 个别项目资金支付进度偏慢。", "  存在问题: {}", "unit.problems"),
}
CONTROL = "控制字符"
SURROGATE = "代理码"
NOT_A_VALUE = "不是有效的内容"
TEXT_CASES: list[tuple[str, str, Any]] = [
    # (name, typed, expected: the text read, or (warning words, text read), or the refusal's words)
    ("unit-separator", '"甲\\x1f乙"', (CONTROL, "甲乙")),
    ("backspace", '"甲\\x08乙"', (CONTROL, "甲乙")),
    ("nul", '"甲\\x00乙"', (CONTROL, "甲乙")),
    ("vertical-tab-form-feed", '"甲\\v\\f乙"', (CONTROL, "甲乙")),
    ("escape", '"甲\\e乙"', (CONTROL, "甲乙")),
    ("lone-high-surrogate", '"甲\\ud800乙"', (SURROGATE, "甲乙")),
    ("lone-low-surrogate", '"甲\\udfff乙"', (SURROGATE, "甲乙")),
    ("noncharacter", '"甲\\uffff乙"', (CONTROL, "甲乙")),
    ("markup", "'<script>alert(1)</script>'", "<script>alert(1)</script>"),
    ("jinja-expression", "'{{ 7*7 }}'", "{{ 7*7 }}"),
    ("jinja-statement", "'{% for x in range(9) %}x{% endfor %}'", "{% for x in range(9) %}x{% endfor %}"),
    ("xml-breakers", "']]>&amp;<w:p></w:t>'", "]]>&amp;<w:p></w:t>"),
    ("right-to-left-override", "'甲\u202e乙'", "甲\u202e乙"),
    ("zero-width", "'甲\u200b乙'", "甲\u200b乙"),
    ("emoji", "'农田😀建设'", "农田😀建设"),
    ("formula-like", "'=cmd|calc!A1'", "=cmd|calc!A1"),
    ("shell-like", "'$(rm -rf /)'", "$(rm -rf /)"),
    ("path-like", "'../../etc/passwd'", "../../etc/passwd"),
    ("windows-reserved", "'CON'", "CON"),
    ("long", "'" + "很长的文字" * 4000 + "'", "很长的文字" * 4000),
    ("nan-text", "NaN", NOT_A_VALUE),
    ("inf-text", "'-Infinity'", NOT_A_VALUE),
    ("nan-float", ".nan", NOT_A_VALUE),
    ("list", "[甲, 乙]", ONE_VALUE),
    ("mapping", "{甲: 乙}", ONE_VALUE),
    ("tag-apply", _TAGS[0], TAG),
    ("tag-local", "!custom 甲", TAG),
]
# Names become file and folder names; these are checked there too (tests below look at the written names).
TEXT_FIELD_CASES = {
    "unit-name": [c for c in TEXT_CASES if c[0] not in ("long", "list", "mapping")],
    "project-name": [c for c in TEXT_CASES if c[0] not in ("long",)],
    "target": TEXT_CASES,
    "problems": [c for c in TEXT_CASES if c[0] not in ("list",)],    # a list of paragraphs is fine there
}

NO_SPENDING_ACTUAL = re.sub(r"(  (?:基本支出|项目支出|本年支出合计):\n(?:    .*\n)*?)    决算数: [\d.]+\n", r"\1",
                            base_text())
"""The base input with the 决算数 of 本年支出合计 and of both rows it adds up removed."""

STRUCTURE_CASES: list[Case] = [
    refused("yaml", "nested-lists-5000", yaml_file(replaced("  单位名称: 青山县农业农村局",
            "  单位名称: " + "[" * 5000 + "]" * 5000)), f"{YAML_NAME}:{line_of('  单位名称')}", "层级超过", unreadable=True),
    refused("yaml", "nested-maps-5000", yaml_file(replaced("  单位名称: 青山县农业农村局",
            "  单位名称: " + "{a: " * 5000 + "1" + "}" * 5000)), f"{YAML_NAME}:{line_of('  单位名称')}", "层级超过", unreadable=True),
    refused("yaml", "nested-50", yaml_file(replaced("  单位名称: 青山县农业农村局",
            "  单位名称: " + "[" * 50 + "]" * 50)), f"{YAML_NAME}:{line_of('  单位名称')}", "层级超过", unreadable=True),
    refused("yaml", "billion-laughs", yaml_file("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n单位信息: {}\n"),
            f"{YAML_NAME}:1", "锚点", unreadable=True),
    refused("yaml", "merge-key", yaml_file(replaced("单位信息:\n", "base: &b {单位名称: 甲}\n单位信息:\n  <<: *b\n")),
            f"{YAML_NAME}:{line_of('单位信息:') + 2}", "锚点", unreadable=True),
    refused("yaml", "raw-control-character", yaml_file(replaced("  单位名称: 青山县农业农村局", "  单位名称: 青山\x1f县")),
            f"{YAML_NAME}:{line_of('  单位名称')}", "控制字符", unreadable=True),
    refused("yaml", "raw-nul", yaml_file(replaced("  单位名称: 青山县农业农村局", "  单位名称: 青山\x00县")),
            f"{YAML_NAME}:{line_of('  单位名称')}", "控制字符", unreadable=True),
    refused("yaml", "surrogate-bytes", yaml_file(replaced("  单位名称: 青山县农业农村局", "  单位名称: 青山\ud800县")),
            YAML_NAME, "UTF-8", unreadable=True),
    refused("yaml", "utf16", yaml_file(base_text().encode("utf-16")), YAML_NAME, "UTF-8", unreadable=True),
    refused("yaml", "gbk", yaml_file(base_text().encode("gbk")), YAML_NAME, "UTF-8", unreadable=True),
    refused("yaml", "top-level-list", yaml_file("- 单位信息: {单位名称: 甲}\n"), YAML_NAME, "最外层", unreadable=False),
    refused("yaml", "top-level-scalar", yaml_file("单位信息\n"), YAML_NAME, "最外层"),
    refused("yaml", "only-comments", yaml_file("# 只有注释\n"), YAML_NAME, "最外层"),
    refused("yaml", "unit-is-list", yaml_file(replaced("单位信息:\n", "单位信息:\n  - 甲\n废:\n")),
            f"{YAML_NAME}:{line_of('单位信息:') + 1}", "栏目"),
    refused("yaml", "projects-is-mapping", yaml_file(replaced("项目:\n", "项目: {甲: 乙}\n废:\n")),
            f"{YAML_NAME}:{line_of('项目:')}", "列表"),
    refused("yaml", "duplicate-key", yaml_file(replaced("  单位简称: 县农业农村局", "  单位名称: 重复")),
            f"{YAML_NAME}:{line_of('  单位简称')}", "写了两次", unreadable=True),
    refused("yaml", "tab-indent", yaml_file(replaced("  单位简称:", "\t单位简称:")),
            f"{YAML_NAME}:{line_of('  单位简称')}", "制表符", unreadable=True),
    refused("yaml", "unclosed-quote", yaml_file(replaced("  单位简称: 县农业农村局", "  单位简称: \"县农业农村局")),
            f"{YAML_NAME}:{line_of('  单位简称')}", "引号", unreadable=True),
    refused("yaml", "yes-no-maybe", yaml_file(replaced("    实施单位: 农田建设股", "    是否开展自评: 也许\n    实施单位: 农田建设股")),
            f"{YAML_NAME}:{line_of('    实施单位: 农田建设股')}", "请填写“是”或“否”"),
    refused("yaml", "yes-no-check-mark", yaml_file(replaced("    实施单位: 农田建设股", "    是否开展自评: √\n    实施单位: 农田建设股")),
            f"{YAML_NAME}:{line_of('    实施单位: 农田建设股')}", "请填写“是”或“否”"),
    refused("yaml", "yes-no-english", yaml_file(replaced("    实施单位: 农田建设股", "    是否开展自评: yes\n    实施单位: 农田建设股")),
            f"{YAML_NAME}:{line_of('    实施单位: 农田建设股')}", "请填写“是”或“否”"),
    refused("yaml", "yes-no-one", yaml_file(replaced("    实施单位: 农田建设股", "    是否开展自评: 1\n    实施单位: 农田建设股")),
            f"{YAML_NAME}:{line_of('    实施单位: 农田建设股')}", "请填写“是”或“否”"),
    refused("yaml", "yes-no-list", yaml_file(replaced("    实施单位: 农田建设股", "    是否开展自评: [是]\n    实施单位: 农田建设股")),
            f"{YAML_NAME}:{line_of('    实施单位: 农田建设股')}", ONE_VALUE),
    accepted("yaml", "yes-no-no", yaml_file(replaced("    实施单位: 农田建设股", "    是否开展自评: 否\n    实施单位: 农田建设股")),
             value=("projects.0.evaluated", False)),
    accepted("yaml", "yes-no-true", yaml_file(replaced("    实施单位: 农田建设股", "    是否开展自评: true\n    实施单位: 农田建设股")),
             value=("projects.0.evaluated", True)),
    refused("yaml", "not-applicable-maybe", yaml_file(replaced("        分值: 50", "        分值: 50\n        不适用: 也许")),
            f"{YAML_NAME}:{line_of('        分值: 50') + 1}", "请填写“是”或“否”"),
    refused("yaml", "functions-nested-list", yaml_file(replaced("    - 贯彻执行国家农业农村工作的方针政策。", "    - [甲, 乙]")),
            f"{YAML_NAME}:{line_of('    - 贯彻执行国家农业农村工作的方针政策。')}", "每一段应为一段文字"),
    accepted("yaml", "bom", yaml_file(b"\xef\xbb\xbf" + base_text().encode("utf-8")), value=("unit.year", 2023)),
    accepted("yaml", "crlf", yaml_file(base_text().replace("\n", "\r\n")), value=("unit.year", 2023)),
    accepted("yaml", "cr-only", yaml_file(base_text().replace("\n", "\r")), value=("unit.year", 2023)),
    # an empty 全年执行数: the execution rate and score it stops are an error at the value to fill
    refused("yaml", "actual-empty", yaml_file(replaced("        当年财政拨款: 310.00", "        当年财政拨款:")),
            f"{YAML_NAME}:{line_of('        当年财政拨款: 310.00')}", "全年执行数未填写", "执行率和预算执行得分",
            by_checks=True),
    refused("yaml", "actual-empty-text", yaml_file(replaced("        当年财政拨款: 310.00", "        当年财政拨款: '  '")),
            f"{YAML_NAME}:{line_of('        当年财政拨款: 310.00')}", "全年执行数未填写", by_checks=True),
    refused("yaml", "actual-null", yaml_file(replaced("        当年财政拨款: 310.00", "        当年财政拨款: ~")),
            f"{YAML_NAME}:{line_of('        当年财政拨款: 310.00')}", "全年执行数未填写", by_checks=True),
    refused("yaml", "actual-block-empty", yaml_file(replaced("      全年执行数:\n        当年财政拨款: 310.00\n",
                                                             "      全年执行数:\n")),
            f"{YAML_NAME}:{line_of('      全年执行数:')}", "全年执行数未填写", by_checks=True),
    # (the row has no 决算数 line left: the finding is at the row's first line below its name)
    refused("yaml", "department-actual-empty", yaml_file(NO_SPENDING_ACTUAL),
            f"{YAML_NAME}:{line_of('  本年支出合计:', NO_SPENDING_ACTUAL) + 1}",
            "本年支出合计", "决算数", "无法计算部门整体的执行率和得分", by_checks=True),
    accepted("yaml", "control-char-in-key", yaml_file(replaced("  单位简称: 县农业农村局", '  "单位\\x1f简称": 县农业农村局')),
             f"{YAML_NAME}:{line_of('  单位简称')}", CONTROL, value=("unit.short_name", "县农业农村局")),
]


def _yaml_cases() -> list[Case]:
    cases: list[Case] = []
    for kind, values in NUMBER_CASES.items():
        anchor, form = NUMBER_FIELDS[kind]
        line = line_of(anchor) + (1 if kind in ADDED else 0)
        place = f"{YAML_NAME}:{line}"
        for typed, expected in values:
            make = yaml_file(replaced(anchor, form.format(typed)))
            name = f"{kind}={typed}"
            if isinstance(expected, str):
                cases.append(refused("yaml", name, make, place, expected, unreadable=expected == TAG))
            else:
                cases.append(accepted("yaml", name, make, value=(MODEL_PATHS[kind], expected)))
    for kind, values in TEXT_FIELD_CASES.items():
        anchor, form, path = TEXT_FIELDS[kind]
        place = f"{YAML_NAME}:{line_of(anchor)}"
        for label, typed, expected in values:
            make = yaml_file(replaced(anchor, form.format(typed)))
            name = f"{kind}={label}"
            if isinstance(expected, tuple):
                cases.append(accepted("yaml", name, make, place, expected[0], value=(path, expected[1])))
            elif expected in (NOT_A_VALUE, ONE_VALUE, TAG):
                cases.append(refused("yaml", name, make, place, expected, unreadable=expected == TAG))
            else:
                cases.append(accepted("yaml", name, make, value=(path, expected)))
    return cases + STRUCTURE_CASES


# -- workbooks

@lru_cache(maxsize=None)
def base_workbook() -> bytes:
    report, _ = read_input(BASE)
    return workbook_bytes(report)


def workbook_file(data: bytes | Callable[[], bytes], name: str = XLSX_NAME) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(data() if callable(data) else data)
        return path
    return make


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with each part passed through `change` (None drops the part), plus `extra` parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            new = change(info.filename, source.read(info.filename))
            if new is not None:
                target.writestr(info.filename, new)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


PARTS = {"单位信息": "xl/worksheets/sheet2.xml", "收支情况": "xl/worksheets/sheet3.xml",
         "项目": "xl/worksheets/sheet4.xml", "绩效指标": "xl/worksheets/sheet5.xml"}


def cell_xml(sheet: str, ref: str, xml: str) -> Callable[[], bytes]:
    """The base workbook with one cell's XML replaced (the cell written as Excel would, or as no program would)."""
    part = PARTS[sheet]

    def build() -> bytes:
        def change(name: str, content: bytes) -> bytes:
            if name != part:
                return content
            pattern = re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)'.encode())
            if pattern.search(content):
                return pattern.sub(xml.encode("utf-8"), content, count=1)
            row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            return re.sub(rf'(<row r="{row}"[^>]*>)'.encode(), lambda m: m.group(1) + xml.encode("utf-8"), content,
                          count=1)
        return rezip(base_workbook(), change)
    return build


def part_changed(part: str, change: Callable[[bytes], bytes | None], extra: dict[str, bytes] | None = None):
    def build() -> bytes:
        return rezip(base_workbook(), lambda name, content: change(content) if name == part else content, extra)
    return build


def openpyxl_edit(edit: Callable[[Any], None]) -> Callable[[], bytes]:
    """The base workbook changed as a preparer would in Excel: through openpyxl, values typed into cells."""
    def build() -> bytes:
        book = load_workbook(io.BytesIO(base_workbook()))
        edit(book)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    return build


def set_cell(sheet: str, ref: str, value: Any, number_format: str | None = None):
    def edit(book) -> None:
        book[sheet][ref] = value
        if number_format:
            book[sheet][ref].number_format = number_format
    return openpyxl_edit(edit)


def without_column(sheet: str, header: str, width: int = 1):
    """The base workbook with the column(s) under `header` deleted, as Excel's 删除列 does."""
    def edit(book) -> None:
        ws = book[sheet]
        ws.delete_cols(next(c.column for c in ws[1] if c.value == header), width)
    return openpyxl_edit(edit)


def without_header(sheet: str, header: str):
    """The base workbook with the header text `header` cleared, its column (and values) left in place."""
    def edit(book) -> None:
        ws = book[sheet]
        next(c for c in ws[1] if c.value == header).value = None
    return openpyxl_edit(edit)


def blank_gap(rows: int) -> Callable[[], bytes]:
    """The second project moved `rows` rows down, leaving a gap of blank rows in the 项目 sheet."""
    def build() -> bytes:
        def change(name: str, content: bytes) -> bytes:
            if name != PARTS["项目"]:
                return content
            target = 4 + rows

            def move(match: re.Match) -> bytes:
                return re.sub(rb'r="([A-Z]+)4"', lambda m: b'r="' + m.group(1) + str(target).encode() + b'"',
                              match.group(0)).replace(b'<row r="4"', f'<row r="{target}"'.encode())
            content = re.sub(rb'<row r="4".*?</row>', move, content, count=1, flags=re.S)
            return re.sub(rb'<dimension ref="A1:([A-Z]+)\d+"/>', lambda m: b'<dimension ref="A1:' + m.group(1)
                          + str(target).encode() + b'"/>', content)
        return rezip(base_workbook(), change)
    return build


def with_empty_rows(rows: int) -> Callable[[], bytes]:
    """Formatted but empty rows written into the 项目 sheet before the second project (whole-row formatting)."""
    def build() -> bytes:
        def change(name: str, content: bytes) -> bytes:
            if name != PARTS["项目"]:
                return content
            target = 4 + rows
            empties = b"".join(f'<row r="{r}" s="2" customFormat="1"/>'.encode() for r in range(4, target))

            def move(match: re.Match) -> bytes:
                moved = re.sub(rb'r="([A-Z]+)4"', lambda m: b'r="' + m.group(1) + str(target).encode() + b'"',
                               match.group(0)).replace(b'<row r="4"', f'<row r="{target}"'.encode())
                return empties + moved
            return re.sub(rb'<row r="4".*?</row>', move, content, count=1, flags=re.S)
        return rezip(base_workbook(), change)
    return build


def lying_sizes() -> bytes:
    """The 项目 sheet's entry declaring another uncompressed size than it has (a zip edited by hand)."""
    data = bytearray(base_workbook())
    name = PARTS["项目"].encode()
    offset = 0
    while True:
        central = data.find(b"PK\x01\x02", offset)
        if central < 0:
            break
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + length] == name:
            size = struct.unpack_from("<I", data, central + 24)[0]
            struct.pack_into("<I", data, central + 24, size // 2)
            local = struct.unpack_from("<I", data, central + 42)[0]
            struct.pack_into("<I", data, local + 22, size // 2)
        offset = central + 4
    return bytes(data)


def flipped_bytes() -> bytes:
    """A byte of the 项目 sheet's compressed data changed: its CRC no longer matches."""
    data = bytearray(base_workbook())
    name = PARTS["项目"].encode()
    offset = 0
    while True:
        local = data.find(b"PK\x03\x04", offset)
        if local < 0:
            break
        length, extra = struct.unpack_from("<HH", data, local + 26)
        if data[local + 30:local + 30 + length] == name:
            start = local + 30 + length + extra
            data[start + 40] ^= 0xFF
            break
        offset = local + 4
    return bytes(data)


_SHARED = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
           b' count="1" uniqueCount="1"><si><t>&#30002;</t></si></sst>')
_SHARED_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                b'spreadsheetml.sharedStrings+xml"/></Types>')
_SHARED_REL = (b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
               b'Target="/xl/sharedStrings.xml" Id="rId99"/></Relationships>')


def shared_text(sheet: str, ref: str, text: str) -> Callable[[], bytes]:
    """One cell holding `text` from a shared-string table, written as Excel writes it (control characters as _xHHHH_)."""
    escaped = "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in text).encode("ascii")
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
           b'main" count="1" uniqueCount="1"><si><t>' + escaped + b'</t></si></sst>')
    return with_shared_strings(sst, sheet, ref, "0")


def with_shared_strings(sst: bytes, sheet: str, ref: str, index: str) -> Callable[[], bytes]:
    """A shared-string table (as Excel writes) and one cell pointing into it."""
    part = PARTS[sheet]

    def build() -> bytes:
        def change(name: str, content: bytes) -> bytes:
            if name == "[Content_Types].xml":
                return content.replace(b"</Types>", _SHARED_TYPE)
            if name == "xl/_rels/workbook.xml.rels":
                return content.replace(b"</Relationships>", _SHARED_REL)
            if name == part:
                return re.sub(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)'.encode(),
                              f'<c r="{ref}" t="s"><v>{index}</v></c>'.encode(), content, count=1)
            return content
        return rezip(base_workbook(), change, {"xl/sharedStrings.xml": sst})
    return build


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
          b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&d;</t></si></sst>')
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e;</t></si></sst>')


def _doctype(content: bytes) -> bytes:
    return re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or b"") +
                  b'<!DOCTYPE worksheet [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;&x;&x;">]>', content,
                  count=1)


def _unit_and_rate(book) -> None:
    """5万元 typed as text into 全年执行数 of a project whose 执行率（填报） was typed from the true figures."""
    book["项目"]["Q3"] = "5万元"
    book["项目"]["AE3"] = 96.88


def _negative_and_rate(book) -> None:
    book["项目"]["Q3"] = -5
    book["项目"]["AE3"] = 96.88


def _spaced_sheet(book) -> None:
    book["项目"].title = " 项目 "


def _look_alike_beside(book) -> None:
    """A copy of the 项目 sheet named “ 项目 ” with another project in it, beside the real 项目 sheet."""
    copy = book.copy_worksheet(book["项目"])
    copy.title = " 项目 "
    copy["A3"] = "假项目"


def _workbook_cases() -> list[Case]:
    w = "workbook"
    item = "项目!Q3"          # 全年执行数/当年财政拨款 of the first project
    year = "单位信息!B4"
    staff = "单位信息!B16"
    day = "单位信息!B10"
    name = "单位信息!B2"
    weight = "绩效指标!I5"
    cases = [
        # cell values a preparer can type or paste
        accepted(w, "amount-full-width-text", workbook_file(set_cell("项目", "Q3", "３１０")),
                 value=("projects.0.funds.actual.current", Decimal("310"))),
        # typed with 万元 into a cell: text a workbook's own sums and rates leave out, so refused at the cell (not
        # read as 310 and then blamed on the 执行率 cell that no longer agrees); YAML has no such sums: read there
        refused(w, "amount-with-unit", workbook_file(set_cell("项目", "Q3", "310万元")), item, "带单位的文字",
                "请改为 310"),
        refused(w, "amount-with-unit-and-stated-rate", workbook_file(openpyxl_edit(_unit_and_rate)), item,
                "带单位的文字", "请改为 5"),
        refused(w, "amount-negative", workbook_file(set_cell("项目", "Q3", -5)), item, NEGATIVE),
        refused(w, "amount-negative-with-stated-rate", workbook_file(openpyxl_edit(_negative_and_rate)), item, NEGATIVE),
        refused(w, "finance-negative", workbook_file(set_cell("收支情况", "E2", -1180.5)), "收支情况!E2", NEGATIVE),
        refused(w, "headcount-12万元", workbook_file(set_cell("单位信息", "B16", "12万元")), staff, WAN_YUAN),
        accepted(w, "headcount-with-unit", workbook_file(set_cell("单位信息", "B16", "40人")),
                 value=("unit.staffing.establishment", 40)),
        accepted(w, "sheet-name-with-spaces", workbook_file(openpyxl_edit(_spaced_sheet)),
                 value=("projects.0.name", "高标准农田建设")),
        accepted(w, "sheet-look-alike-beside-the-real-one", workbook_file(openpyxl_edit(_look_alike_beside)),
                 " 项目 !A1", "未读取", "读取的是“项目”", value=("projects.0.name", "高标准农田建设")),
        accepted(w, "year-with-年", workbook_file(set_cell("单位信息", "B4", "2023年")), value=("unit.year", 2023)),
        accepted(w, "year-with-年度", workbook_file(set_cell("单位信息", "B4", "2023年度")), value=("unit.year", 2023)),
        accepted(w, "year-full-width", workbook_file(set_cell("单位信息", "B4", "２０２３")), value=("unit.year", 2023)),
        refused(w, "amount-1e308", workbook_file(set_cell("项目", "Q3", 1e308)), item, RANGE),
        refused(w, "amount-minus-1e308", workbook_file(set_cell("项目", "Q3", -1e308)), item, RANGE),
        refused(w, "amount-1e308-text", workbook_file(set_cell("项目", "Q3", "1e308")), item, RANGE),
        refused(w, "amount-10^30", workbook_file(set_cell("项目", "Q3", 10 ** 30)), item, RANGE),
        refused(w, "amount-percent-format-huge", workbook_file(set_cell("项目", "Q3", 1e300, "0.00%")), item,
                "单位“%”不对"),
        refused(w, "amount-nan-text", workbook_file(set_cell("项目", "Q3", "NaN")), item, NOT_NUMBER),
        refused(w, "amount-inf-text", workbook_file(set_cell("项目", "Q3", "-inf")), item, NOT_NUMBER),
        refused(w, "amount-boolean", workbook_file(set_cell("项目", "Q3", True)), item, NOT_NUMBER),
        refused(w, "amount-date", workbook_file(set_cell("项目", "Q3", datetime(2024, 1, 1))), item, NOT_NUMBER),
        refused(w, "amount-excel-error", workbook_file(cell_xml("项目", "Q3", '<c r="Q3" t="e"><v>#NUM!</v></c>')),
                item, "错误值"),
        refused(w, "amount-raw-inf", workbook_file(cell_xml("项目", "Q3", '<c r="Q3"><v>INF</v></c>')), XLSX_NAME, DAMAGED,
                "工作表“项目”", unreadable=True),
        refused(w, "amount-raw-nan", workbook_file(cell_xml("项目", "Q3", '<c r="Q3"><v>NaN</v></c>')), XLSX_NAME, DAMAGED,
                unreadable=True),
        refused(w, "amount-raw-huge-exponent", workbook_file(cell_xml("项目", "Q3", '<c r="Q3"><v>1E+999</v></c>')),
                item, NOT_NUMBER),
        refused(w, "year-1e308", workbook_file(set_cell("单位信息", "B4", 1e308)), year, RANGE),
        refused(w, "year-negative", workbook_file(set_cell("单位信息", "B4", -5)), year, RANGE),
        refused(w, "year-99999", workbook_file(set_cell("单位信息", "B4", 99999)), year, RANGE),
        refused(w, "year-12万元", workbook_file(set_cell("单位信息", "B4", "12万元")), year, WAN_YUAN),
        refused(w, "year-fraction", workbook_file(set_cell("单位信息", "B4", 2023.5)), year, NOT_INT),
        refused(w, "year-as-date", workbook_file(set_cell("单位信息", "B4", datetime(2023, 1, 1))), year, NOT_INT),
        accepted(w, "year-as-text", workbook_file(set_cell("单位信息", "B4", "2023")), value=("unit.year", 2023)),
        refused(w, "headcount-negative", workbook_file(set_cell("单位信息", "B16", -5)), staff, RANGE),
        refused(w, "headcount-1e308", workbook_file(set_cell("单位信息", "B16", 1e308)), staff, RANGE),
        refused(w, "headcount-fraction", workbook_file(set_cell("单位信息", "B16", 40.5)), staff, NOT_INT),
        refused(w, "date-9999", workbook_file(set_cell("单位信息", "B10", datetime(9999, 12, 31))), day, RANGE),
        refused(w, "date-1900", workbook_file(set_cell("单位信息", "B10", datetime(1900, 1, 1))), day, RANGE),
        refused(w, "date-text-9999", workbook_file(set_cell("单位信息", "B10", "9999-12-31")), day, RANGE),
        refused(w, "date-number-huge", workbook_file(set_cell("单位信息", "B10", 1e308)), day, "错误值"),
        accepted(w, "date-with-time", workbook_file(set_cell("单位信息", "B10", datetime(2024, 3, 30, 0, 0))),
                 value=("unit.report_date", datetime(2024, 3, 30).date())),
        refused(w, "weight-negative", workbook_file(set_cell("绩效指标", "I5", -1)), weight, "为负数"),
        refused(w, "weight-huge", workbook_file(set_cell("绩效指标", "I5", 1e12)), weight, RANGE),
        refused(w, "yes-no-maybe", workbook_file(set_cell("项目", "B3", "也许")), "项目!B3", "请填写“是”或“否”"),
        refused(w, "yes-no-check", workbook_file(set_cell("项目", "B3", "√")), "项目!B3", "请填写“是”或“否”"),
        refused(w, "yes-no-number", workbook_file(set_cell("项目", "B3", 1)), "项目!B3", "请填写“是”或“否”"),
        accepted(w, "yes-no-boolean-cell", workbook_file(set_cell("项目", "B3", False)),
                 value=("projects.0.evaluated", False)),
        accepted(w, "yes-no-full-width-space", workbook_file(set_cell("项目", "B3", "\u3000否\u3000")),
                 value=("projects.0.evaluated", False)),
        # an empty 全年执行数, and a sheet without the column every execution rate is computed from
        refused(w, "actual-empty", workbook_file(set_cell("项目", "Q3", None)), item, "全年执行数未填写",
                "执行率和预算执行得分", by_checks=True),
        refused(w, "actual-spaces", workbook_file(set_cell("项目", "Q3", "\u3000 ")), item, "全年执行数未填写",
                by_checks=True),
        refused(w, "finance-actual-column-deleted", workbook_file(without_column("收支情况", "决算数")), "收支情况!1:1",
                "工作表“收支情况”缺少“决算数”列", "复制"),
        refused(w, "finance-actual-header-cleared", workbook_file(without_header("收支情况", "决算数")), "收支情况!1:1",
                "工作表“收支情况”缺少“决算数”列", "复制"),
        refused(w, "project-actual-columns-deleted", workbook_file(without_column("项目", "全年执行数", 4)), "项目!1:1",
                "工作表“项目”缺少“全年执行数”列", "复制"),
        refused(w, "project-actual-group-header-cleared", workbook_file(without_header("项目", "全年执行数")), "项目!1:1",
                "工作表“项目”缺少“全年执行数”列", "复制"),
        refused(w, "target-nan", workbook_file(set_cell("绩效指标", "F5", "NaN")), "绩效指标!F5", NOT_A_VALUE),
        refused(w, "target-infinity", workbook_file(set_cell("绩效指标", "F5", "Infinity")), "绩效指标!F5", NOT_A_VALUE),
        # Excel keeps a control character in a shared string as _x001F_; openpyxl gives back the character itself
        accepted(w, "name-control-char", workbook_file(shared_text("单位信息", "B2", "青山县_x001F_农业农村局")),
                 name, CONTROL, value=("unit.name", "青山县农业农村局")),
        accepted(w, "name-backspace", workbook_file(shared_text("单位信息", "B2", "青山县_x0008_农业农村局")),
                 name, CONTROL, value=("unit.name", "青山县农业农村局")),
        accepted(w, "name-nul", workbook_file(shared_text("单位信息", "B2", "青山县_x0000_农业农村局")),
                 name, CONTROL, value=("unit.name", "青山县农业农村局")),
        accepted(w, "project-name-control-char", workbook_file(shared_text("项目", "A3", "高标准_x0001_农田建设")),
                 "项目!A3", CONTROL, value=("projects.0.name", "高标准农田建设")),
        accepted(w, "indicator-owner-control-char", workbook_file(shared_text("绩效指标", "A5", "高标准_x0001_农田建设")),
                 "绩效指标!A5", CONTROL, value=("projects.0.indicators.0.name", "新建高标准农田面积")),
        accepted(w, "target-control-char", workbook_file(shared_text("绩效指标", "F5", "≥2000亩_x001B_")),
                 "绩效指标!F5", CONTROL, value=("projects.0.indicators.0.target", "≥2000亩")),
        accepted(w, "inline-escaped-control-char", workbook_file(cell_xml("单位信息", "B3",
                 '<c r="B3" t="inlineStr"><is><t>县_x001F_局</t></is></c>')), "单位信息!B3", CONTROL,
                 value=("unit.short_name", "县局")),
        accepted(w, "escaped-carriage-return", workbook_file(shared_text("单位信息", "B3", "县农业_x000D_\n农村局")),
                 value=("unit.short_name", "县农业\n农村局")),
        accepted(w, "markup-in-name", workbook_file(set_cell("单位信息", "B2", "<w:p>青山县&amp;</w:t>")),
                 value=("unit.name", "<w:p>青山县&amp;</w:t>")),
        accepted(w, "jinja-in-name", workbook_file(set_cell("单位信息", "B2", "{{ 7*7 }}{% raw %}")),
                 value=("unit.name", "{{ 7*7 }}{% raw %}")),
        accepted(w, "formula-looking-text", workbook_file(set_cell("绩效指标", "G5", "'=1+1")),
                 value=("projects.0.indicators.0.actual", "'=1+1")),
        # blank rows of any length between filled rows
        *[accepted(w, f"blank-gap-{rows}", workbook_file(blank_gap(rows)), value=("projects.1.name", "农机购置补贴"))
          for rows in (1, 2500, 10_000, 100_000, 1_048_570)],
        *[accepted(w, f"formatted-empty-rows-{rows}", workbook_file(with_empty_rows(rows)),
                   value=("projects.1.name", "农机购置补贴")) for rows in (2500, 30_000)],
        # damaged files
        refused(w, "cell-xml-broken", workbook_file(part_changed(PARTS["项目"], lambda c: c.replace(b"</c>", b"</d>", 1))),
                XLSX_NAME, DAMAGED, "xl/worksheets/sheet4.xml", unreadable=True),
        refused(w, "sheet-truncated", workbook_file(part_changed(PARTS["项目"], lambda c: c[:len(c) // 2])),
                XLSX_NAME, DAMAGED, "工作表“项目”", unreadable=True),
        refused(w, "sheet-empty-part", workbook_file(part_changed(PARTS["绩效指标"], lambda c: b"")),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "sheet-binary-garbage", workbook_file(part_changed(PARTS["收支情况"], lambda c: bytes(range(256)) * 8)),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "shared-string-out-of-range", workbook_file(with_shared_strings(_SHARED, "单位信息", "B3", "99999")),
                XLSX_NAME, DAMAGED, "工作表“单位信息”", unreadable=True),
        refused(w, "shared-string-not-a-number", workbook_file(with_shared_strings(_SHARED, "单位信息", "B3", "x")),
                XLSX_NAME, DAMAGED, unreadable=True),
        accepted(w, "shared-string-used", workbook_file(with_shared_strings(_SHARED, "单位信息", "B3", "0")),
                 value=("unit.short_name", "甲")),
        refused(w, "entity-expansion", workbook_file(with_shared_strings(LAUGHS, "单位信息", "B3", "0")),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "external-entity", workbook_file(with_shared_strings(EXTERNAL, "单位信息", "B3", "0")),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "entity-in-sheet", workbook_file(part_changed(PARTS["项目"], _doctype)),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "entity-in-workbook", workbook_file(part_changed("xl/workbook.xml", _doctype)),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "bad-date-cell", workbook_file(cell_xml("单位信息", "B10", '<c r="B10" t="d"><v>not-a-date</v></c>')),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "date-serial-out-of-range", workbook_file(cell_xml("单位信息", "B10",
                '<c r="B10" s="13"><v>99999999999</v></c>')), day, "错误值"),
        refused(w, "numeric-cell-garbage", workbook_file(cell_xml("项目", "Q3", '<c r="Q3"><v>abc</v></c>')),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "cell-reference-garbage", workbook_file(cell_xml("项目", "Q3", '<c r="!!"><v>1</v></c>')),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "row-number-garbage", workbook_file(part_changed(PARTS["项目"],
                lambda c: c.replace(b'<row r="3"', b'<row r="x"', 1))), XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "lying-sizes", workbook_file(lying_sizes), XLSX_NAME, "", unreadable=True),
        refused(w, "crc-mismatch", workbook_file(flipped_bytes), XLSX_NAME, "", unreadable=True),
        refused(w, "truncated-zip", workbook_file(lambda: base_workbook()[:len(base_workbook()) * 2 // 3]),
                XLSX_NAME, "不是 Excel 工作簿", unreadable=True),
        refused(w, "no-workbook-part", workbook_file(lambda: rezip(base_workbook(),
                lambda n, c: None if n == "xl/workbook.xml" else c)), XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "no-sheet-part", workbook_file(lambda: rezip(base_workbook(),
                lambda n, c: None if n == PARTS["项目"] else c)), XLSX_NAME, "缺少工作表“项目”"),
        refused(w, "no-content-types", workbook_file(lambda: rezip(base_workbook(),
                lambda n, c: None if n == "[Content_Types].xml" else c)), XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "styles-garbage", workbook_file(part_changed("xl/styles.xml", lambda c: b"<styleSheet><oops")),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "workbook-rels-garbage", workbook_file(part_changed("xl/_rels/workbook.xml.rels", lambda c: b"\xff\xfe")),
                XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "wrong-encoding-declared", workbook_file(part_changed(PARTS["项目"],
                lambda c: b'<?xml version="1.0" encoding="UTF-16"?>' + c)), XLSX_NAME, DAMAGED, unreadable=True),
        refused(w, "empty-zip", workbook_file(lambda: rezip(base_workbook(), lambda n, c: None)),
                XLSX_NAME, "不是 Excel 工作簿", unreadable=True),
        accepted(w, "stale-dimension", workbook_file(part_changed(PARTS["项目"],
                 lambda c: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:AH3"/>', c))),
                 value=("projects.1.name", "农机购置补贴")),
        accepted(w, "no-dimension", workbook_file(part_changed(PARTS["项目"],
                 lambda c: re.sub(rb'<dimension ref="[^"]*"/>', b'', c))), value=("projects.1.name", "农机购置补贴")),
        refused(w, "docx-instead", workbook_file(lambda: rezip(base_workbook(), lambda n, c: None,
                {"word/document.xml": b"<w:document/>"})), XLSX_NAME, DAMAGED, unreadable=True),
        accepted(w, "traversal-member-name", workbook_file(lambda: rezip(base_workbook(), lambda n, c: c,
                 {"../../evil.txt": b"x", "/abs/evil.txt": b"x"})), value=("unit.year", 2023)),
        accepted(w, "huge-declared-dimension", workbook_file(part_changed(PARTS["项目"],
                 lambda c: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', c))),
                 value=("projects.1.name", "农机购置补贴")),
        refused(w, "sheet-renamed", workbook_file(part_changed("xl/workbook.xml",
                lambda c: c.replace("项目".encode(), "项 目x".encode(), 1))), XLSX_NAME, "缺少工作表“项目”"),
    ]
    return cases


# -- file names

def renamed(name: str, yaml: bool = True) -> Callable[[Path], Path]:
    return yaml_file(base_text(), name) if yaml else workbook_file(base_workbook, name)


def _file_name_cases() -> list[Case]:
    f = "file-name"
    names = ["填 报 表.yaml", "-starts-with-dash.yaml", "--help.yaml", "'quoted'.yaml", '"double".yaml',
             "$(whoami).yaml", "a;b&c|d.yaml", "新建 文本文档 (2).yaml", "名" * 80 + ".yaml", "UPPER.YAML", "x.yml",
             "CON.yaml", "nul.yaml", ".hidden.yaml", "a\tb.yaml", "emoji😀.yaml", "\u202egnp.yaml", "é-nfd-e\u0301.yaml",
             "%2e%2e%2f.yaml", "a..yaml"]
    cases = [accepted(f, n.replace("/", "_")[:40], renamed(n), value=("unit.year", 2023)) for n in names]
    cases += [accepted(f, n[:40], renamed(n, yaml=False), value=("unit.year", 2023))
              for n in ("填 报 表.xlsx", "-x.xlsx", "名" * 80 + ".xlsx", "UPPER.XLSX", "x.xlsm")]
    # a name that says what the file is not: read by its suffix, refused in Chinese
    cases += [
        refused(f, "workbook-named-yaml", workbook_file(base_workbook, "填报.yaml"), "填报.yaml", "UTF-8", unreadable=True),
        refused(f, "yaml-named-xlsx", yaml_file(base_text(), "填报.xlsx"), "填报.xlsx", "不是 Excel 工作簿",
                unreadable=True),
        refused(f, "empty-file", yaml_file(b"", "空.yaml"), "空.yaml", "0 字节", unreadable=True),
    ]
    # project and unit names that become file and folder names
    for label, typed in (("slash", "'甲/乙'"), ("traversal", "'../../逃逸'"), ("reserved", "'CON'"),
                         ("dots", "'...'"), ("colon-star", "'a:*?<>|b'"), ("long", "'" + "长" * 300 + "'"),
                         ("spaces-only-edges", "'  .甲.  '"), ("backslash", "'a\\\\b'")):
        cases.append(accepted(f, f"project-name-{label}", yaml_file(replaced("  - 项目名称: 高标准农田建设",
                                                                        f"  - 项目名称: {typed}"))))
        cases.append(accepted(f, f"unit-name-{label}", yaml_file(replaced("  单位名称: 青山县农业农村局",
                                                                     f"  单位名称: {typed}"))))
    return cases


def input_cases() -> list[Case]:
    return [*_yaml_cases(), *_workbook_cases(), *_file_name_cases()]
