"""The input workbook's sheets and columns, declared once for the reader and for `jxzp init`."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..catalog import FINANCE_ROWS, LEVEL1_NAMES, LEVEL2_NAMES, THREE_PUBLIC_ROWS
from ..model import Amounts, Buildings, Direction, Indicator, Level, Project, Staffing, Unit
from ..pack import bundled_packs, pack_names

YES_NO = ("是", "否")
DIRECTIONS = tuple(d.value for d in Direction)
LEVELS = tuple(lv.value for lv in Level)


@dataclass(frozen=True)
class Column:
    """One column (or, on the 单位信息 sheet, one row) of the input workbook."""

    header: str                      # the text in the header cell (sub header for grouped columns)
    path: tuple                      # raw path below the record, e.g. ("资金", "全年预算数", "当年财政拨款")
    note: str = ""                   # the comment on the header cell
    group: str = ""                  # the merged group header above, e.g. 全年预算数
    kind: str = "text"               # text | long | money | percent | score | int | date | choice
    choices: tuple[str, ...] = ()
    required: bool = False
    width: float = 14

    @property
    def key(self) -> str:
        return f"{self.group}/{self.header}" if self.group else self.header


def _kind(info) -> str:
    desc = info.description or ""
    ann = str(info.annotation)
    if "Decimal" in ann:
        if info.alias == "计分实际值":
            return "number"
        if "（%）" in desc:
            return "percent"
        if "（分）" in desc or info.alias in ("分值", "得分"):
            return "score"
        if "（人）" in desc or "平方米" in desc:
            return "number"
        return "money"
    if "int" in ann:
        return "int"
    if "date" in ann:
        return "date"
    if "bool" in ann:
        return "choice"
    return "text"


def _note(info) -> str:
    desc = info.description or ""
    return f"{info.alias}{desc}" if not desc or desc.startswith("（") else desc


LONG_TEXT = {"职能职责", "机构设置", "下属预算单位", "年度工作任务", "整体绩效目标", "整体目标完成情况", "绩效自评工作开展情况",
             "预算编制执行及管理情况", "重点工作完成情况", "自评结论", "存在问题", "改进措施", "其他需要说明的情况",
             "厉行节约保障措施", "立项依据", "预期目标", "实际完成情况", "资金申报及批复情况", "申报相符性", "资金使用情况",
             "财务管理情况", "组织实施情况", "项目完成情况", "项目效益情况", "改进建议", "偏差原因分析及改进措施"}


def _column(info, path: tuple, **extra) -> Column:
    kind = _kind(info)
    alias = info.alias
    if alias in LONG_TEXT:
        kind = "long"
    choices: tuple[str, ...] = ()
    if "bool" in str(info.annotation):
        choices = YES_NO
    width = 48 if kind == "long" else (12 if kind in ("money", "percent", "score", "int", "number") else 16)
    return Column(header=alias, path=path, note=_note(info), kind=kind, choices=choices,
                  required=info.is_required(), width=width, **extra)


def _unit_rows() -> list[Column]:
    rows: list[Column] = []
    for name, info in Unit.model_fields.items():
        if name == "sections":
            continue        # the pack's own text fields: pack_text_rows
        if name == "staffing":
            rows += [_column(i, ("单位信息", "人员情况", i.alias)) for i in Staffing.model_fields.values()]
            continue
        col = _column(info, ("单位信息", info.alias))
        if name in ("profile", "pack"):         # 模板 also offers installed packs: see current_choices
            col = Column(col.header, col.path, col.note, kind="choice", choices=tuple(bundled_packs()), width=col.width)
        rows.append(col)
    rows += [_column(i, ("楼堂馆所", i.alias)) for i in Buildings.model_fields.values()]
    return rows


def _project_columns() -> list[Column]:
    cols: list[Column] = []
    for name, info in Project.model_fields.items():
        if name == "indicators":
            continue
        if name == "funds":
            for stage in ("年初预算数", "全年预算数", "全年执行数"):
                for src in ("合计", "当年财政拨款", "上年结转资金", "其他资金"):
                    note = (f"{stage}合计（万元）：可只填合计；分来源填写时用来核对" if src == "合计"
                            else f"{stage}中的{src}（万元）")
                    cols.append(Column(src, ("资金", stage, src), note, group=stage, kind="money", width=12))
            continue
        col = _column(info, (info.alias,))
        if name == "name":
            col = Column(col.header, col.path, col.note, kind="text", required=True, width=30)
        cols.append(col)
    return cols


OWNER = Column("所属项目", ("所属项目",), "填项目表中的项目名称；部门整体的指标填“部门整体”", kind="text", required=True, width=22)


def _indicator_columns() -> list[Column]:
    cols = [OWNER]
    for name, info in Indicator.model_fields.items():
        col = _column(info, (info.alias,))
        if name == "level1":
            col = Column(col.header, col.path, col.note, kind="choice", choices=LEVEL1_NAMES, required=True, width=14)
        elif name == "level2":
            col = Column(col.header, col.path, col.note, kind="choice", choices=LEVEL2_NAMES, width=16)
        elif name == "direction":
            col = Column(col.header, col.path, col.note, kind="choice", choices=DIRECTIONS, width=10)
        elif name == "level":
            col = Column(col.header, col.path, col.note, kind="choice", choices=LEVELS, width=22)
        elif name == "not_applicable":
            col = Column(col.header, col.path, "是：本指标不适用，不计分，总分按适用分值折算为100分", kind="choice",
                         choices=YES_NO, width=8)
        elif name in ("target", "actual", "name"):
            col = Column(col.header, col.path, col.note, kind="text", required=col.required, width=24)
        cols.append(col)
    return cols


AMOUNT_HEADERS = ("上年决算数", "年初预算数", "全年预算数", "决算数")


def _amount_columns(first: str) -> list[Column]:
    cols = [Column(first, ("行",), "行名已按标准格式列出，请勿修改；只填右边的金额", kind="text", required=True, width=30)]
    for header in AMOUNT_HEADERS:
        cols.append(Column(header, (header,), f"{header}（万元）", kind="money", width=14))
    for name in STATED_CHANGE_FIELDS:
        info = Amounts.model_fields[name]
        cols.append(_column(info, (info.alias,)))
    return cols


STATED_CHANGE_FIELDS = ("stated_change", "stated_growth")
"""The optional stated 增减额 and 增长率 of a statement row, after its amounts (checked against the computed ones)."""


@dataclass(frozen=True)
class Sheet:
    """A sheet of the input workbook."""

    name: str
    columns: list[Column]
    optional: bool = False
    key_value: bool = False             # 单位信息: one row per field, values in column B
    fixed_rows: tuple[str, ...] = ()   # 收支情况/三公经费: the row names, pre-filled
    anchor: str = ""                    # the header text that marks the header row
    instructions: str = ""
    extra: dict = field(default_factory=dict)


UNIT_SHEET = Sheet("单位信息", _unit_rows(), key_value=True, anchor="填报项目",
                   instructions="每行一项；职能职责等多段文字在单元格内换行（Alt+Enter）分段")
FINANCE_SHEET = Sheet("收支情况", _amount_columns("项目"), fixed_rows=tuple(r.display for r in FINANCE_ROWS), anchor="项目",
                      instructions="金额单位：万元，保留两位小数；合计行可不填，填了会与各项之和核对")
PROJECT_SHEET = Sheet("项目", _project_columns(), anchor="项目名称",
                      instructions="每行一个项目；资金单位：万元")
INDICATOR_SHEET = Sheet("绩效指标", _indicator_columns(), anchor="所属项目",
                        instructions="每行一个三级指标；“所属项目”填项目名称，部门整体的指标填“部门整体”")
THREE_PUBLIC_SHEET = Sheet("三公经费", _amount_columns("项目"), optional=True,
                           fixed_rows=tuple(r.display for r in THREE_PUBLIC_ROWS), anchor="项目",
                           instructions="可选；金额单位：万元")
FUNCTIONAL_SHEET = Sheet("功能分类", [
    Column("科目编码", ("科目编码",), "功能分类科目编码，如 201", kind="text", width=12),
    Column("科目名称", ("科目名称",), "如 一般公共服务支出", kind="text", required=True, width=28),
    *[Column(h, ("金额", h), f"{h}（万元）", kind="money", width=14) for h in AMOUNT_HEADERS],
], optional=True, anchor="科目名称", instructions="可选；一般公共预算财政拨款支出按功能分类（类级）")

WEIGHT_COLUMN = "indicators.*.weight"
"""The model path of the message for a 绩效指标 sheet without a 分值 column (every indicator's weight)."""

ESSENTIAL = ("决算数", "全年执行数")
"""Columns (or column groups) every execution rate is computed from: a sheet without one is an error, not a gap."""


def essential_columns(sheet: Sheet) -> dict[str, list[Column]]:
    """The sheet's columns of each ESSENTIAL header or group, by that header."""
    out: dict[str, list[Column]] = {}
    for column in sheet.columns:
        label = column.group if column.group in ESSENTIAL else column.header if column.header in ESSENTIAL else None
        if label is not None:
            out.setdefault(label, []).append(column)
    return out


SHEETS: tuple[Sheet, ...] = (UNIT_SHEET, FINANCE_SHEET, PROJECT_SHEET, INDICATOR_SHEET, THREE_PUBLIC_SHEET, FUNCTIONAL_SHEET)
INSTRUCTIONS_SHEET = "填表说明"


def current_choices(columns: list[Column]) -> list[Column]:
    """The columns with the 模板 dropdown offering the packs there are now (bundled and installed), not those there
    were when this module was imported."""
    return [replace(c, choices=tuple(pack_names())) if c.path == ("单位信息", "模板") else c for c in columns]


def pack_text_rows(text_fields: dict, typed: dict[str, str] | None = None) -> list[Column]:
    """The 单位信息 rows of a pack's own text fields (pack.yaml 文字栏目: name → label, help, required), after the
    built-in rows; with `typed` (a report's unit.sections), also a row for each text it holds that no declared
    field takes, so that nothing typed is lost. The reader finds them by their label."""
    rows: list[Column] = []
    taken: set[str] = set()
    for name, spec in text_fields.items():
        label = spec.shown(name)
        taken |= {name, label}
        rows.append(Column(label, ("单位信息", "文字栏目", name), spec.help or f"{label}（本模板包的文字栏目）",
                           kind="long", required=spec.required, width=48))
    for key in typed or {}:
        if key not in taken:
            rows.append(Column(key, ("单位信息", "文字栏目", key), key, kind="long", width=48))
    return rows
