"""Narrative against numbers: the rules over the preparer's free text.

The amounts, changes, rates, shares and breakdowns are read by prose.py, whatever the wording; the label scan
kept here serves only the rules about 元 written for 万元 and about scores, whose phrasings are fixed.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..catalog import ROWS_BY_KEY
from ..compute import HUNDRED, ratio_percent
from ..filters import change_words, percent
from ..model import AMOUNT_COLUMNS, DEPARTMENT, FUND_STAGES, Direction
from ..problems import Severity
from . import prose
from .engine import Context, Hit, column_label, rule, same_as_typed, shown, shown_computed
from .stated import growth_from_change, within_typed
from .projects import fund_path
from .sums import FUND_STAGE_LABELS
from .texts import TextField, sentence_start, text_fields

NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
MONEY = NUMBER + r"\s*(?P<unit>万元|元万|元)(?![/／每])(?!以上|以下|左右|以内|余|多)"

GAP_WORDS = ("年初预算数", "全年预算数", "调整后预算数", "决算数", "执行数", "预算数", "年初预算", "全年预算", "决算",
             "预算", "执行", "实际", "支出", "金额", "总额", "合计", "总计", "共计", "累计", "为", "是", "共", "计", "达到",
             "达", "约", "本年度", "本年", "全年", "当年", "年度")
GAP = r"(?P<gap>(?:[:：\s]|20\d\d年|" + "|".join(GAP_WORDS) + r")*?)"
"""What may stand between a label and its amount: connecting words, a year, a colon — nothing that changes the subject."""

BOUNDARY_CHARS = set(" \t\n，。；：、,.;:!?！？（()）“”\"'‘’《》【】[]—-…")
BOUNDARY_WORDS = ("其中", "年", "度", "和", "及", "与", "含", "即", "包括")
LAST_YEAR_WORDS = ("上年", "去年", "上一年", "同期", "上年度")

COLUMN_WORDS = (("年初预算", ("initial_budget",)), ("全年预算", ("budget",)), ("调整后预算", ("budget",)),
                ("预算", ("initial_budget", "budget")), ("决算", ("actual",)), ("执行", ("actual",)),
                ("实际", ("actual",)))
"""Words in the gap that name the column an amount is from."""


@dataclass(frozen=True)
class Label:
    """A phrase of prose that names a structured figure: a statement row (unit texts) or a project's money."""

    pattern: str
    table: str
    key: str


UNIT_LABELS = (
    Label(r"(?:本年|当年|全年)?收入合计|本年收入", "finance", "本年收入合计"),
    Label(r"(?:本年|当年|全年)?支出合计|本年支出", "finance", "本年支出合计"),
    Label(r"收入总计", "finance", "收入总计"),
    Label(r"支出总计", "finance", "支出总计"),
    Label(r"一般公共预算(?:财政)?拨款收入", "finance", "一般公共预算财政拨款收入"),
    Label(r"一般公共预算(?:财政)?拨款支出", "finance", "一般公共预算财政拨款支出"),
    Label(r"基本支出", "finance", "基本支出"),
    Label(r"人员经费", "finance", "人员经费"),
    Label(r"(?:日常)?公用经费", "finance", "公用经费"),
    Label(r"项目支出", "finance", "项目支出"),
    Label(r"年初结转和?结余|上年结转和?结余|上年结余结转", "finance", "年初结转和结余"),
    Label(r"年末结转和?结余|结转结余|结余结转", "finance", "年末结转和结余"),
    Label(r"机关运行经费", "finance", "机关运行经费"),
    Label(r"政府采购支出", "finance", "政府采购支出"),
    Label(r"[“\"]?三公[”\"]?经费", "three_public", "三公经费合计"),
    Label(r"因公出国[（(]境[）)]费", "three_public", "因公出国（境）费"),
    Label(r"公务用车购置费", "three_public", "公务用车购置费"),
    Label(r"公务用车运行维护费", "three_public", "公务用车运行维护费"),
    Label(r"公务接待费", "three_public", "公务接待费"),
)

PROJECT_LABELS = (
    Label(r"(?:项目)?(?:全年|年初)?预算数|(?:财政)?预算资金|(?:项目)?年初预算|(?:项目)?全年预算", "project", "budget"),
    Label(r"(?:项目)?执行数|实际支出|项目支出|支出决算数?|实际执行数?", "project", "actual"),
)

SCORE = re.compile(r"(?:自评|评价|综合)得分(?:为|是|：|:)?\s*" + NUMBER + r"\s*分")
LOOSE_YUAN = re.compile(r"(?<![\d.])(?P<num>\d+\.\d+)\s*元(?![/／每])")
LOOSE_YUAN_MIN = Decimal(10)
WAN = re.compile(NUMBER + r"\s*万元")
"""An unlabelled "706.3元" (decimals, from 10 up: not "2000元/人", not "2.5元" prices) is 万元 written as 元 when it
equals a figure of its scope, or lies among the 万元 amounts of its own paragraph (52.2万元 … 786.98万元)."""

TABLE_LABELS = {"finance": "收支情况", "three_public": "三公经费"}


def _compile(labels: tuple[Label, ...]) -> re.Pattern:
    alternatives = "|".join(f"(?P<L{i}>{label.pattern})" for i, label in enumerate(labels))
    return re.compile(f"(?:{alternatives}){GAP}{MONEY}")


UNIT_SCAN = _compile(UNIT_LABELS)
PROJECT_SCAN = _compile(PROJECT_LABELS)


Figure = prose.Figure


# ---------------------------------------------------------------- reading the prose

def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _fragment(text: str, start: int, end: int) -> str:
    """The phrase from its label to its amount, with a year or 其中 just before it ("2021年本年收入合计1344.64万元")."""
    return text[prose.lead_start(text, start):end].strip()


def _at_boundary(text: str, start: int) -> bool:
    if start == 0 or text[start - 1] in BOUNDARY_CHARS:
        return True
    return text[:start].endswith(BOUNDARY_WORDS)


def _columns(ctx: Context, text: str, start: int, gap: str) -> tuple[str, ...]:
    """The columns an amount may be from, by the words around it; all columns when nothing says."""
    year = ctx.report.unit.year
    before = text[max(0, start - 6):start]
    if before.endswith(LAST_YEAR_WORDS) or (year is not None and (f"{year - 1}年" in gap or before.endswith(f"{year - 1}年"))):
        return ("last_year",)
    for word, columns in COLUMN_WORDS:
        if word in gap:
            return columns
    return AMOUNT_COLUMNS


@dataclass(frozen=True)
class Mention:
    """An amount in prose and the figure it names."""

    field: TextField
    fragment: str
    number: Decimal
    unit: str
    figure: Figure


def mentions(ctx: Context, field: TextField) -> list[Mention]:
    """Every "<label>…<amount>" of a text whose label names a figure the report has (scanned once per check run,
    though several rules read them)."""
    cache = ctx.__dict__.setdefault("_mentions", {})
    if field not in cache:
        cache[field] = list(_scan(ctx, field))
    return cache[field]


@lru_cache(maxsize=8192)
def _matches(text: str, is_unit: bool) -> tuple[tuple[Any, int, int, str, str, str], ...]:
    """Every "<label>…<amount>" written in a text: (label, start, end, gap, number, unit), from the text alone, so
    a regeneration after one change scans only the changed texts."""
    labels, scan = (UNIT_LABELS, UNIT_SCAN) if is_unit else (PROJECT_LABELS, PROJECT_SCAN)
    found = []
    for match in scan.finditer(text):
        label = next(lb for i, lb in enumerate(labels) if match.group(f"L{i}") is not None)
        start = match.start()
        if not _at_boundary(text, start):
            continue
        if is_unit and label.key != "项目支出" and "项目" in text[sentence_start(text, start):start]:
            continue
        found.append((label, start, match.end(), match.group("gap"), match.group("num"), match.group("unit")))
    return tuple(found)


def _scan(ctx: Context, field: TextField) -> Iterator[Mention]:
    text = field.text
    for label, start, end, gap, number, unit in _matches(text, field.is_unit):
        if field.is_unit:
            figure = prose.statement_figure(ctx, label.table, label.key, _columns(ctx, text, start, gap))
        else:
            figure = prose.project_figure(ctx, field.project, label.key)
        if figure is None:
            continue
        yield Mention(field, _fragment(text, start, end), _number(number), unit, figure)


def _agrees(number: Decimal, figure: Figure) -> bool:
    return any(same_as_typed(number, value) for value in figure.accepted)


# ---------------------------------------------------------------- the rules

@rule("narrative-amount", Severity.WARNING,
      "文字中写的金额（“<收支项目或同义说法>…<金额>万元”）与填报表中的金额不符（收入决算、总支出、基本支出、三公经费、项目预算数/执行数等）",
      "{field}中写“{fragment}”，而{source}（{where}）为{figure}万元：请把文字改为{figure}万元，或核对{source}")
def narrative_amount(ctx: Context):
    for reading in prose.readings(ctx):
        for said in reading.said:
            if said.kind != "amount" or _amount_agrees(ctx, reading, said):
                continue
            figure = prose.figure_of(ctx, reading, said)
            yield Hit(reading.field.path, {"field": reading.field.name, "fragment": said.fragment,
                                           "source": figure.source, "where": ctx.place(figure.path),
                                           "figure": shown_computed(figure.value)})


@rule("narrative-yuan", Severity.WARNING,
      "文字中的金额写成“元”，而数值等于以万元计的填报金额，或落在同一段其他万元金额之间：把万元误写为元",
      "{field}中写“{fragment}”，单位是“元”，{reason}：应为“{number}万元”，请改正单位")
def narrative_yuan(ctx: Context):
    for field in text_fields(ctx):
        for m in mentions(ctx, field):
            if m.unit in ("元", "元万") and _agrees(m.number, m.figure):
                yield Hit(field.path, {"field": field.name, "fragment": m.fragment, "number": format(m.number, "f"),
                                       "reason": f"而{m.figure.source}（{ctx.place(m.figure.path)}）"
                                                 f"为{shown_computed(m.figure.value)}万元"})
        for number, start, end in _loose_yuan(field.text, field.is_unit):
            figure = _scope_figure(ctx, field, number)
            if figure is not None:
                where = f"（{ctx.place(figure.path)}）" if figure.path else ""
                reason = f"而{figure.source}{where}为{shown_computed(figure.value)}万元"
            else:
                wan = _paragraph_wan(field.text, start)
                if len(wan) < 2 or not min(wan) <= number <= max(wan):
                    continue
                reason = "而同一段中的其他金额都以万元计（" + "、".join(f"{format(v, 'f')}万元" for v in wan[:4]) + \
                         ("等" if len(wan) > 4 else "") + "），它的大小也与这些金额相当"
            yield Hit(field.path, {"field": field.name, "number": format(number, "f"), "reason": reason,
                                   "fragment": _fragment(field.text, max(sentence_start(field.text, start),
                                                                         start - 24), end)})


@lru_cache(maxsize=8192)
def _loose_yuan(text: str, is_unit: bool) -> tuple[tuple[Decimal, int, int], ...]:
    """The amounts in 元 of a text that no labelled mention covers, large enough to be 万元 mistyped: from the text
    alone, remembered (a regeneration after one change searches only the changed texts)."""
    found = []
    for match in LOOSE_YUAN.finditer(text):
        number = _number(match.group("num"))
        if number >= LOOSE_YUAN_MIN and not _preceded_by_label(text, is_unit, match.start()):
            found.append((number, match.start(), match.end()))
    return tuple(found)


def _paragraph_wan(text: str, pos: int) -> list[Decimal]:
    """The amounts written in 万元 in the paragraph (line) around a position."""
    left = text.rfind("\n", 0, pos) + 1
    right = text.find("\n", pos)
    paragraph = text[left:right if right != -1 else len(text)]
    return [_number(m.group("num")) for m in WAN.finditer(paragraph)]


def _preceded_by_label(text: str, is_unit: bool, start: int) -> bool:
    """True when a labelled mention already covers this amount (it was judged against its own figure)."""
    scan = UNIT_SCAN if is_unit else PROJECT_SCAN
    return any(m.end() > start >= m.start() for m in scan.finditer(text))


def _scope_figure(ctx: Context, field: TextField, number: Decimal) -> Figure | None:
    """A figure of the field's scope exactly equal to the number: the project's own money, or the unit's statements."""
    if not field.is_unit:
        project = ctx.report.projects[field.project]
        for stage in FUND_STAGES:
            funds = getattr(project.funds, stage)
            for value in (funds.total, funds.stated_total, *funds.parts):
                if value is not None and value == number:
                    return Figure(f"项目资金的{_stage_label(stage)}", value, (value,),
                                  fund_path(field.project, stage, funds))
        return None
    for table in ("finance", "three_public"):
        for key, line in getattr(ctx.results, table).items():
            for column in AMOUNT_COLUMNS:
                for value in (line.stated[column], line.values[column]):
                    if value is not None and value == number:
                        return Figure(f"{TABLE_LABELS[table]}“{key}”的{column_label(column)}", value, (value,),
                                      f"{table}.{key}.{column}")
    for i, item in enumerate(ctx.report.functional):
        for column in AMOUNT_COLUMNS:
            value = getattr(item.amounts, column)
            if value is not None and value == number:
                return Figure(f"功能分类“{item.name}”的{column_label(column)}", value, (value,),
                              f"functional.{i}.amounts.{column}")
    for i, project in enumerate(ctx.report.projects):
        for stage in FUND_STAGES:
            funds = getattr(project.funds, stage)
            if funds.total is not None and funds.total == number:
                return Figure(f"项目“{project.name}”的{_stage_label(stage)}", funds.total, (funds.total,),
                              fund_path(i, stage, funds))
    return None


def _stage_label(stage: str) -> str:
    return FUND_STAGE_LABELS[stage]


@rule("narrative-rate", Severity.WARNING,
      "文字中的执行率（“执行率95%”“完成预算的98.44%”）与 执行数÷预算数 不符（项目文字按项目资金，部门文字按所说的收支项目）",
      "{field}中写“{fragment}”，而{owner}的执行率为{figure}（{basis}）：请把文字改为{figure}")
def narrative_rate(ctx: Context):
    for reading in prose.readings(ctx):
        for said in reading.said:
            if said.kind != "rate" or said.target:
                continue
            found = prose.execution_rate(ctx, reading, said.label)
            if found is None:
                continue
            values, basis = found
            if any(same_as_typed(said.number, v) for v in values):
                continue
            owner = "项目" if not reading.field.is_unit else \
                f"收支情况“{said.label.key if said.label else '本年支出合计'}”"
            yield Hit(reading.field.path, {"field": reading.field.name, "fragment": said.fragment, "owner": owner,
                                           "figure": percent(values[-1] if len(values) > 1 else values[0]),
                                           "basis": basis})


@rule("narrative-target-rate", Severity.WARNING,
      "文字中实物指标的完成率（“完成数字化加工18.5万页，完成率92.5%”）与名称相符的绩效指标的 实际完成值÷年度指标值 不符"
      "（没有相符的指标时不核对，也不与预算执行率比较）",
      "{field}中写“{fragment}”，而绩效指标“{name}”实际完成值“{actual}”÷ 年度指标值“{target}”= {figure}："
      "请把文字改为{figure}，或核对该指标的年度指标值和实际完成值")
def narrative_target_rate(ctx: Context):
    for reading in prose.readings(ctx):
        for said in reading.said:
            if said.kind != "rate" or not said.target:
                continue
            found = _target_indicator(ctx, reading, said)
            if found is None:
                continue
            s, rate = found
            if same_as_typed(said.number, rate):
                continue
            yield Hit(reading.field.path, {"field": reading.field.name, "fragment": said.sentence.strip(),
                                           "name": s.indicator.name, "actual": s.indicator.actual or "",
                                           "target": s.indicator.target or "", "figure": percent(rate)},
                      involves=(f"{_indicators_path(reading)}.{s.index}.actual",))


MIN_SHARED = 4
"""Characters an indicator's name must share, in a row, with the sentence of a 完成率 to be what it speaks of."""


def _indicators_path(reading) -> str:
    return "indicators" if reading.field.is_unit else f"projects.{reading.field.project}.indicators"


def _target_indicator(ctx: Context, reading, said):
    """The one quantitative indicator (of the project, or the department's) whose name the sentence of a 完成率
    names, with its completion in %; None when none or more than one matches (then the rate is left alone)."""
    card = ctx.results.department if reading.field.is_unit else ctx.results.projects[reading.field.project].card
    sentence = said.sentence[:len(said.sentence) - len(said.fragment)]
    matches = []
    for s in card.indicators:
        if s.target_value is None or s.actual_value is None or s.target_value <= 0 or s.direction is Direction.AT_MOST:
            continue
        shared = _longest_shared(s.indicator.name, sentence)
        if shared >= min(MIN_SHARED, len(s.indicator.name)) and shared >= 2:
            matches.append((shared, s))
    if not matches:
        return None
    best = max(m[0] for m in matches)
    chosen = [s for shared, s in matches if shared == best]
    if len(chosen) != 1:
        return None
    s = chosen[0]
    return s, s.actual_value / s.target_value * HUNDRED


def _longest_shared(a: str, b: str) -> int:
    """The length of the longest run of characters both texts hold."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


@rule("narrative-score", Severity.WARNING, "文字中的自评得分（“自评得分92分”“评价得分为98分”）与得分不符",
      "{field}中写“{fragment}”，而{owner}的自评得分为{figure}分：请把文字改为{figure}分，或核对绩效指标得分")
def narrative_score(ctx: Context):
    for field in text_fields(ctx):
        if field.is_unit:
            card, stated, owner = ctx.results.department, ctx.report.unit.stated_total, DEPARTMENT
        else:
            pr = ctx.results.projects[field.project]
            card, stated, owner = pr.card, pr.project.stated_total, f"项目“{pr.project.name}”"
        if card.total is None and stated is None:
            continue
        for match in SCORE.finditer(field.text):
            start = match.start()
            if field.is_unit and "项目" in field.text[sentence_start(field.text, start):start]:
                continue
            number = _number(match.group("num"))
            if number > HUNDRED or any(v is not None and same_as_typed(number, v) for v in (stated, card.total)):
                continue
            yield Hit(field.path, {"field": field.name, "fragment": _fragment(field.text, start, match.end()),
                                   "owner": owner, "figure": shown_computed(stated if stated is not None else card.total)})


@rule("narrative-change", Severity.WARNING,
      "文字中的同比增减额（“支出较去年增加323.63万元”“基本支出512.40万元，比上年决算减少86.15万元”）与 决算数−上年决算数 不符",
      "{field}中写“{fragment}”，而{name}决算数{actual}万元 − 上年决算数{last}万元 = {change}万元："
      "请把文字改为{words}，或核对上年决算数（{where}）")
def narrative_change(ctx: Context):
    for reading, said, change in _changes(ctx, "change"):
        if same_as_typed(said.signed, change.delta):
            continue
        yield Hit(reading.field.path, {"field": reading.field.name, "fragment": said.fragment, "name": change.name,
                                       "actual": shown_computed(change.actual), "last": shown_computed(change.last),
                                       "change": shown_computed(change.delta), "words": change_words(change.delta),
                                       "where": ctx.place(change.path)})


def _changes(ctx: Context, kind: str):
    for reading in prose.readings(ctx):
        for said in reading.said:
            if said.kind == kind:
                change = prose.change_of(ctx, reading, said.label)
                if change is not None:
                    yield reading, said, change


@rule("narrative-growth", Severity.WARNING,
      "文字中的同比增长率/下降率（“增长5.66%”“下降14.39%”）与 (决算数−上年决算数)÷上年决算数 不符",
      "{field}中写“{fragment}”，而{name}（决算数{actual}万元 − 上年决算数{last}万元）÷ 上年决算数{last}万元 = {rate}："
      "请把文字改为{words}，或核对上年决算数（{where}）")
def narrative_growth(ctx: Context):
    for reading, said, change in _changes(ctx, "growth"):
        rate = change.rate
        if rate is None or same_as_typed(said.signed, rate):
            continue
        words = _growth_words(rate)
        yield Hit(reading.field.path, {"field": reading.field.name, "fragment": said.fragment, "name": change.name,
                                       "actual": shown_computed(change.actual), "last": shown_computed(change.last),
                                       "rate": percent(rate), "words": words, "where": ctx.place(change.path)})


@rule("narrative-change-stated", Severity.WARNING,
      "上年决算数未填时，文字中的同比增减额、增长率与填报的增减额、增长率不符，或增长率与增减额和决算数推算的"
      "（增减额÷(决算数−增减额)）不符",
      "{field}中写“{fragment}”，而{basis}：请把文字改为{words}，或核对{what}")
def narrative_change_stated(ctx: Context):
    for reading in prose.readings(ctx):
        for said in reading.said:
            if said.kind not in ("change", "growth") or said.label is None or said.label.table == "project":
                continue
            table, key = said.label.table, said.label.key
            actual = ctx.presented(table, key, "actual")
            if actual is None or ctx.presented(table, key, "last_year") is not None:
                continue        # with last year's figure the text is checked against the computed change
            typed = getattr(ctx.report, table).get(key)
            stated_change = typed.stated_change if typed is not None else None
            stated_growth = typed.stated_growth if typed is not None else None
            name = f"{prose.TABLE_NAMES[table]}“{key}”"
            fields = {"field": reading.field.name, "fragment": said.fragment}
            if said.kind == "change":
                if stated_change is not None:
                    if not same_as_typed(said.signed, stated_change):
                        yield Hit(reading.field.path, {
                            **fields, "basis": f"{name}填报的增减额为{shown(stated_change)}万元",
                            "words": change_words(stated_change), "what": "填报的增减额"},
                            involves=(f"{table}.{key}.stated_change",))
                    continue
                implied = growth_from_change(said.signed, actual) if stated_growth is not None else None
                if implied is None or within_typed(stated_growth, implied[1], implied[2]):
                    continue
                yield Hit(reading.field.path, {
                    **fields, "words": "与增长率相符的增减额", "what": "填报的增长率",
                    "basis": f"按这一增减额和{name}决算数{shown_computed(actual)}万元推算，增长率为{percent(implied[0])}，"
                             f"填报的增长率却是{shown(stated_growth)}%"},
                    involves=(f"{table}.{key}.stated_growth",))
                continue
            if stated_growth is not None:
                if same_as_typed(said.signed, stated_growth):
                    continue
                yield Hit(reading.field.path, {**fields, "basis": f"{name}填报的增长率为{shown(stated_growth)}%",
                                               "words": _growth_words(stated_growth), "what": "填报的增长率"},
                          involves=(f"{table}.{key}.stated_growth",))
                continue
            change = stated_change if stated_change is not None else _text_change(reading, said)
            implied = growth_from_change(change, actual) if change is not None else None
            if implied is None or within_typed(said.signed, implied[1], implied[2]):
                continue
            yield Hit(reading.field.path, {
                **fields, "words": _growth_words(implied[0]), "what": "增减额和决算数",
                "basis": f"按增减额{shown(change)}万元和{name}决算数{shown_computed(actual)}万元推算，上年决算数为"
                         f"{shown_computed(actual - change)}万元，增长率为{percent(implied[0])}"})


def _text_change(reading, said) -> Decimal | None:
    """The change of the same figure written before this growth rate in the same text (“减少120.50万元，下降8.42%”)."""
    before = [s for s in reading.said if s.kind == "change" and s.label == said.label and s.end <= said.start]
    return before[-1].signed if before else None


def _growth_words(rate: Decimal) -> str:
    trend = "增长" if rate > 0 else ("下降" if rate < 0 else "持平")
    return f"{trend}{percent(abs(rate))}" if rate != 0 else "持平"


@rule("narrative-share", Severity.WARNING,
      "文字中的占比（“占49.02%”“占本年支出合计的100%”）与 该项金额÷合计 不符",
      "{field}中写“{fragment}”，而{part}{part_value}万元 ÷ {total}{total_value}万元 = {share}："
      "请把文字改为{share}，或核对这两个金额")
def narrative_share(ctx: Context):
    for reading in prose.readings(ctx):
        for said in reading.said:
            if said.kind != "share" or said.label is None:
                continue
            totals = prose.share_totals(said.label, said.denominator, prose.labels_of(ctx))
            column = _share_column(reading, said)
            part = ctx.presented(said.label.table, said.label.key, column)
            ratios = [(key, value, ratio_percent(part, value)) for table, key in totals
                      if (value := ctx.presented(table, key, column)) is not None]
            ratios = [r for r in ratios if r[2] is not None]
            if not ratios or any(same_as_typed(said.number, r) for _, _, r in ratios):
                continue
            key, value, share = ratios[0]
            yield Hit(reading.field.path, {
                "field": reading.field.name, "fragment": said.fragment,
                "part": f"{prose.TABLE_NAMES[said.label.table]}“{said.label.key}”的{column_label(column)}",
                "part_value": shown_computed(part), "total": f"“{key}”", "total_value": shown_computed(value),
                "share": percent(share)})


def _amount_agrees(ctx: Context, reading, said) -> bool:
    figure = prose.figure_of(ctx, reading, said)
    return figure is None or any(same_as_typed(said.number, v) for v in figure.accepted)


def _complete(ctx: Context, b) -> bool:
    """The parts must make the total, not just stay below it, when they name the rows the total is the sum of and
    every row they leave out is empty or 0 in the statement (基本支出 + 项目支出 for a 本年支出合计 with nothing else)."""
    if b.label is None or b.label.table == "project":
        return False
    row = ROWS_BY_KEY.get(b.label.key)
    named = [p[3] for p in b.parts]
    if row is None or not row.parts or any(lb is None or lb.table != b.label.table for lb in named):
        return False
    keys = [lb.key for lb in named]
    if len(set(keys)) != len(keys) or not set(keys) <= set(row.parts):
        return False
    line = ctx.results.finance if b.label.table == "finance" else ctx.results.three_public
    return all(not any(line[k].values[c] for c in AMOUNT_COLUMNS) for k in row.parts if k not in keys)


def _share_column(reading, said) -> str:
    """The column of the amount the share follows (年初预算数…占…), the 决算数 when nothing says."""
    amounts = [s for s in reading.said if s.kind == "amount" and s.label == said.label and s.end <= said.start]
    if amounts and len(amounts[-1].columns) == 1:
        return amounts[-1].columns[0]
    return "actual"


@rule("narrative-breakdown", Severity.WARNING,
      "文字中“<合计>万元，其中/包括/含 A万元、B万元……”列出的各部分之和与合计不符（超过合计；或列全了却不等于合计）",
      "{field}中写“{fragment}”，其中列出的各部分 {parts} = {sum}万元，{relation}所写的合计{total}万元："
      "请核对合计与各部分金额，改正写错的一项")
def narrative_breakdown(ctx: Context):
    for reading in prose.readings(ctx):
        wrong = {s.start for s in reading.said if s.kind == "amount" and not _amount_agrees(ctx, reading, s)}
        for b in reading.breakdowns:
            total = sum((p[0] for p in b.parts), Decimal(0))
            if total == b.total or (total < b.total and not _complete(ctx, b)):
                continue
            if b.total_start in wrong or any(p[1] in wrong for p in b.parts):
                continue        # a part or the total already found wrong against its figure: one finding is enough
            if b.label is not None and b.label.table != "project" and ctx.suspect(f"{b.label.table}.{b.label.key}."):
                continue        # the statement's own sum is already found wrong: the text repeats that mistake
            yield Hit(reading.field.path, {
                "field": reading.field.name, "fragment": b.fragment,
                "parts": " + ".join(format(p[0], "f") for p in b.parts), "sum": format(total, "f"),
                "relation": "超过" if total > b.total else "不等于", "total": format(b.total, "f")})
