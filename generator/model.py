"""The model of one unit's year: everything a package is computed from, whatever file it was read from."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

DEPARTMENT = "部门整体"
"""The owner name that marks an indicator as the department's own, not a project's."""

LABEL_CELL = "#标签"
"""Below a pack text field's path (unit.sections.名称, and the reader's raw path): where its label was typed — the
workbook's A cell, the place to name for a field the pack does not declare."""


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=False, extra="forbid")


class Direction(str, Enum):
    """How an indicator's actual value is compared with its target."""

    AT_LEAST = "≥"
    AT_MOST = "≤"
    EQUAL = "="
    QUALITATIVE = "定性"


class Level(str, Enum):
    """The national qualitative grade words (the workbook's dropdown); a profile may use its own (定性等级)."""

    ACHIEVED = "达成年度指标"
    PARTLY = "部分达成并具有一定效果"
    MISSED = "未达成且效果较差"


class Amounts(_Model):
    """One line of the income and expenditure statement, in 万元; empty means not given."""

    last_year: Decimal | None = Field(None, alias="上年决算数", description="上年决算数（万元）")
    initial_budget: Decimal | None = Field(None, alias="年初预算数", description="本年年初预算数（万元）")
    budget: Decimal | None = Field(None, alias="全年预算数", description="本年全年预算数，即调整后预算（万元）")
    actual: Decimal | None = Field(None, alias="决算数", description="本年决算数/全年执行数（万元）")
    stated_change: Decimal | None = Field(
        None, alias="增减额（填报）", description="填报的决算数较上年决算数的增减额（万元），减少填负数；可空，填了会核对")
    stated_growth: Decimal | None = Field(
        None, alias="增长率（填报）", description="填报的增长率（%），下降填负数；可空，填了会核对")


AMOUNT_COLUMNS: tuple[str, ...] = ("last_year", "initial_budget", "budget", "actual")


class Funds(_Model):
    """A project's money at one stage (年初预算/全年预算/全年执行), split by source, in 万元."""

    current: Decimal | None = Field(None, alias="当年财政拨款", description="当年财政拨款（万元）")
    carryover: Decimal | None = Field(None, alias="上年结转资金", description="上年结转资金（万元）")
    other: Decimal | None = Field(None, alias="其他资金", description="其他资金（万元）")
    stated_total: Decimal | None = Field(
        None, alias="合计", description="填报的合计（万元）；空时取各来源之和，有来源时用来核对"
    )

    @property
    def parts(self) -> list[Decimal]:
        return [v for v in (self.current, self.carryover, self.other) if v is not None]

    @property
    def total(self) -> Decimal | None:
        """The sum of the sources, or the stated total when no source is split out."""
        parts = self.parts
        if parts:
            return sum(parts, Decimal(0))
        return self.stated_total


FUND_STAGES: tuple[str, ...] = ("initial_budget", "budget", "actual")


class ProjectFunds(_Model):
    """年初预算数, 全年预算数 and 全年执行数 of a project."""

    initial_budget: Funds = Field(default_factory=Funds, alias="年初预算数")
    budget: Funds = Field(default_factory=Funds, alias="全年预算数")
    actual: Funds = Field(default_factory=Funds, alias="全年执行数")


class Indicator(_Model):
    """One performance indicator (三级指标) of a project or of the department."""

    level1: str = Field(alias="一级指标", description="一级指标，如 产出指标")
    level2: str | None = Field(None, alias="二级指标", description="二级指标，如 数量指标")
    name: str = Field(alias="三级指标", description="三级指标名称")
    direction: Direction | None = Field(
        None, alias="指标方向", description="≥ ≤ = 或 定性；空时按年度指标值的符号判断"
    )
    target: str | None = Field(None, alias="年度指标值", description="年度指标值，原样显示，如 ≥50个")
    actual: str | None = Field(None, alias="实际完成值", description="实际完成值，原样显示")
    actual_for_scoring: Decimal | None = Field(
        None, alias="计分实际值", description="实际完成值不是纯数字时，用于计分的数值（与年度指标值同单位）"
    )
    # None: 分值 left empty or unreadable (reported; the indicator cannot be scored), or a profile whose indicators
    # carry none (指标分值: 不填; the unit states each score).
    weight: Decimal | None = Field(alias="分值", description="分值（分）；评分规则不设指标分值时不填，只填“得分”")
    level: str | None = Field(None, alias="定性等级",
                              description="定性指标的完成等级：评分规则的定性等级之一（如 达成年度指标），或其别名、开头几个字")
    not_applicable: bool = Field(False, alias="不适用", description="是：不计分，总分按适用分值折算")
    stated_score: Decimal | None = Field(None, alias="得分", description="填报的得分（分），可空")
    deviation: str | None = Field(None, alias="偏差原因分析及改进措施", description="偏差原因分析及改进措施")


class Project(_Model):
    """One budget project (项目) and what the preparer says about it."""

    name: str = Field(alias="项目名称")
    evaluated: bool = Field(True, alias="是否开展自评", description="否：只在收支表中列示，不出自评报告")
    superior: str | None = Field(None, alias="主管部门", description="空时取单位的主管部门或单位名称")
    office: str | None = Field(None, alias="实施单位", description="实施单位或实施科室")
    kind: str | None = Field(None, alias="项目类型")
    basis: str | None = Field(None, alias="立项依据")
    last_year_actual: Decimal | None = Field(None, alias="上年决算数", description="上年决算数（万元）")
    funds: ProjectFunds = Field(default_factory=ProjectFunds, alias="资金")
    goal: str | None = Field(None, alias="预期目标", description="年度总体目标：预期目标")
    achieved: str | None = Field(None, alias="实际完成情况", description="年度总体目标：实际完成情况")
    approval: str | None = Field(None, alias="资金申报及批复情况")
    conformity: str | None = Field(None, alias="申报相符性")
    funds_use: str | None = Field(None, alias="资金使用情况", description="资金计划、到位及使用的补充说明")
    financial_management: str | None = Field(None, alias="财务管理情况")
    implementation: str | None = Field(None, alias="组织实施情况")
    completion: str | None = Field(None, alias="项目完成情况")
    benefits: str | None = Field(None, alias="项目效益情况")
    problems: str | None = Field(None, alias="存在问题")
    suggestions: str | None = Field(None, alias="改进建议")
    stated_execution_rate: Decimal | None = Field(None, alias="执行率（填报）", description="填报的执行率（%）")
    stated_execution_score: Decimal | None = Field(None, alias="预算执行得分（填报）", description="（分）")
    stated_total: Decimal | None = Field(None, alias="总分（填报）", description="填报的总分（分）")
    stated_grade: str | None = Field(None, alias="等级（填报）")
    indicators: list[Indicator] = Field(default_factory=list, alias="绩效指标")


PROJECT_TEXTS: frozenset[str] = frozenset({
    "superior", "office", "basis", "goal", "achieved", "approval", "conformity", "funds_use", "financial_management",
    "implementation", "completion", "benefits", "problems", "suggestions"})
"""A project's free texts: printed as typed, never computed with (a scorecard does not read them; the checks do, and
what they find reaches the documents as findings). A document that never reads one is not made again when it changes."""


class Staffing(_Model):
    """财政供养人员: headcount against establishment."""

    establishment: int | None = Field(None, alias="编制数", description="编制数（人）")
    in_post: int | None = Field(None, alias="实有在职人数", description="年末实有在职人数（人）")
    retired: int | None = Field(None, alias="离退休人数", description="离退休人数（人）")
    stated_control_rate: Decimal | None = Field(None, alias="在职人员控制率（填报）", description="（%）")


class Buildings(_Model):
    """楼堂馆所控制情况 of the 基础数据表."""

    approved_size: Decimal | None = Field(None, alias="批复规模", description="（平方米）")
    actual_size: Decimal | None = Field(None, alias="实际规模", description="（平方米）")
    budget_investment: Decimal | None = Field(None, alias="预算投资", description="（万元）")
    actual_investment: Decimal | None = Field(None, alias="实际投资", description="（万元）")
    stated_size_rate: Decimal | None = Field(None, alias="规模控制率（填报）", description="（%）")
    stated_investment_rate: Decimal | None = Field(None, alias="投资概算控制率（填报）", description="（%）")


class FunctionalItem(_Model):
    """Expenditure by functional class (功能分类科目), e.g. 201 一般公共服务支出, in 万元."""

    code: str | None = Field(None, alias="科目编码")
    name: str = Field(alias="科目名称")
    amounts: Amounts = Field(default_factory=Amounts, alias="金额")


class Unit(_Model):
    """The budget unit, its profile and the narrative texts of the department report."""

    name: str = Field(alias="单位名称")
    short_name: str | None = Field(None, alias="单位简称")
    year: int | None = Field(alias="评价年度", description="被评价的预算年度；空：未填写或无法识别（已报告为错误，材料不生成）")
    code: str | None = Field(None, alias="单位代码")
    superior: str | None = Field(None, alias="主管部门")
    preparer: str | None = Field(None, alias="填报人")
    phone: str | None = Field(None, alias="联系电话")
    head: str | None = Field(None, alias="单位负责人")
    report_date: date | None = Field(None, alias="报告日期")
    notice: str | None = Field(None, alias="通知文号", description="要求开展自评的财政文件，如 湛霞财〔2024〕68号")
    profile: str | None = Field(None, alias="评分规则", description="评分规则：全国、湖南、四川、广东、安徽；空时取模板包的评分规则")
    functions: list[str] = Field(default_factory=list, alias="职能职责", description="每段一条")
    offices: str | None = Field(None, alias="机构设置")
    subordinates: list[str] = Field(default_factory=list, alias="下属预算单位")
    staffing: Staffing = Field(default_factory=Staffing, alias="人员情况")
    tasks: str | None = Field(None, alias="年度工作任务")
    goal: str | None = Field(None, alias="整体绩效目标", description="部门整体年度总体目标：预期目标")
    achieved: str | None = Field(None, alias="整体目标完成情况", description="部门整体年度总体目标：实际完成情况")
    evaluation_work: str | None = Field(None, alias="绩效自评工作开展情况")
    budget_management: str | None = Field(None, alias="预算编制执行及管理情况")
    key_work: str | None = Field(None, alias="重点工作完成情况")
    conclusion: str | None = Field(None, alias="自评结论")
    problems: str | None = Field(None, alias="存在问题")
    improvements: str | None = Field(None, alias="改进措施")
    other_notes: str | None = Field(None, alias="其他需要说明的情况")
    thrift_measures: str | None = Field(None, alias="厉行节约保障措施")
    stated_execution_rate: Decimal | None = Field(None, alias="预算执行率（填报）", description="（%）")
    stated_execution_score: Decimal | None = Field(None, alias="预算执行得分（填报）", description="（分）")
    stated_total: Decimal | None = Field(None, alias="部门整体得分（填报）", description="（分）")
    stated_grade: str | None = Field(None, alias="部门整体等级（填报）")
    stated_balance_rate: Decimal | None = Field(
        None, alias="结转结余率（填报）", description="填报的结转结余率（%），可空；填了会按（收入总计−本年支出合计）÷本年支出合计核对")
    pack: str | None = Field(None, alias="模板", description="模板包：全国、湖南、四川、广东、安徽；空时取评分规则同名的模板包，再空为全国")
    skip: list[str] = Field(default_factory=list, alias="不生成",
                            description="不需要的文档或附表，每行一个，如 部门整体支出绩效自评报告、基础数据表")
    projects_complete: bool = Field(False, alias="项目清单完整",
                                    description="是：项目表列出了本单位全部项目，报告可以写“共有项目N个”；否或空：只列出了部分项目")
    # The texts a pack declares beyond these fields (pack.yaml 文字栏目). The reader keeps every 单位信息 entry it
    # does not know here by the name typed; once the pack is chosen (checks.texts.apply_pack_texts) they are
    # keyed by the pack's field names, each declared field present ("" when empty), and the rest reported.
    sections: dict[str, str] = Field(default_factory=dict, alias="文字栏目",
                                     description="模板包声明的文字栏目：名称 → 文字（空为 \"\"）")


class Report(_Model):
    """Everything one unit provides for one year; the single input of compute, checks and render."""

    unit: Unit = Field(alias="单位信息")
    finance: dict[str, Amounts] = Field(default_factory=dict, alias="收支情况",
                                        description="收支表各行，键为 layout.FINANCE_ROWS 的行名")
    three_public: dict[str, Amounts] = Field(default_factory=dict, alias="三公经费")
    functional: list[FunctionalItem] = Field(default_factory=list, alias="功能分类")
    buildings: Buildings | None = Field(None, alias="楼堂馆所")
    projects: list[Project] = Field(default_factory=list, alias="项目")
    indicators: list[Indicator] = Field(default_factory=list, alias="部门整体绩效指标")
    source: str = Field("", exclude=True, description="读入的文件名")
    places: dict[str, str] = Field(default_factory=dict, exclude=True,
                                   description="模型路径 → 输入中的位置，如 projects.2.funds.actual.current → 项目!M5")

    def place(self, path: str) -> str:
        """Where the value at a model path was typed, for messages; the file name when unknown."""
        probe = path
        while probe:
            if probe in self.places:
                return self.places[probe]
            probe = probe.rpartition(".")[0]
        return self.source
