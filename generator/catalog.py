"""The fixed rows of the income and expenditure statement and the sums that bind them, declared once."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of a statement; a row with parts is a total of them."""

    key: str
    group: str
    parts: tuple[str, ...] = ()
    label: str = ""
    itemized: bool = False
    """The total is the sum only when every part is given (a lone 公用经费 is not 基本支出; 收入总计 is not 本年收入合计
    while 年初结转和结余 is unknown): an unknown part is never taken as zero."""

    @property
    def display(self) -> str:
        return self.label or self.key


INCOME_SOURCES = (
    "一般公共预算财政拨款收入",
    "政府性基金预算财政拨款收入",
    "国有资本经营预算财政拨款收入",
    "财政专户管理资金收入",
    "上级补助收入",
    "事业收入",
    "经营收入",
    "附属单位上缴收入",
    "其他收入",
)
EXPENDITURE_PARTS = ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出")

FINANCE_ROWS: tuple[Row, ...] = (
    *(Row(k, "收入") for k in INCOME_SOURCES),
    Row("本年收入合计", "收入", INCOME_SOURCES),
    Row("年初结转和结余", "收入"),
    Row("收入总计", "收入", ("本年收入合计", "年初结转和结余"), itemized=True),
    Row("基本支出", "支出", ("人员经费", "公用经费"), itemized=True),
    Row("人员经费", "支出", label="其中：人员经费"),
    Row("公用经费", "支出", label="其中：公用经费"),
    Row("项目支出", "支出"),
    Row("上缴上级支出", "支出"),
    Row("经营支出", "支出"),
    Row("对附属单位补助支出", "支出"),
    Row("本年支出合计", "支出", EXPENDITURE_PARTS),
    Row("年末结转和结余", "支出"),
    Row("支出总计", "支出", ("本年支出合计", "年末结转和结余"), itemized=True),
    Row("一般公共预算财政拨款支出", "其他", label="其中：一般公共预算财政拨款支出"),
    Row("政府采购支出", "其他"),
    Row("机关运行经费", "其他"),
)

THREE_PUBLIC_PARTS = ("因公出国（境）费", "公务用车购置费", "公务用车运行维护费", "公务接待费")
THREE_PUBLIC_ROWS: tuple[Row, ...] = (
    *(Row(k, "三公经费") for k in THREE_PUBLIC_PARTS),
    Row("三公经费合计", "三公经费", THREE_PUBLIC_PARTS),
)

ROWS_BY_KEY = {row.key: row for row in (*FINANCE_ROWS, *THREE_PUBLIC_ROWS)}

AMOUNT_LABELS = {
    "last_year": "上年决算数",
    "initial_budget": "年初预算数",
    "budget": "全年预算数",
    "actual": "决算数",
}

LEVEL1_NAMES = ("产出指标", "效益指标", "满意度指标", "完成指标")
LEVEL2_NAMES = (
    "数量指标", "质量指标", "时效指标", "成本指标",
    "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标",
    "服务对象满意度指标", "满意度指标",
)
