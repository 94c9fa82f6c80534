"""Scoring profiles: the weights, bands and options a province scores by, read from a small YAML file."""
from __future__ import annotations

import math
import os
import stat
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import YAMLError

from .numbers import normalize_text
from .pack import PACKS_DIR
from .problems import InputError, Problem, Severity

PROFILE_FILE = "评分规则.yaml"
EXECUTION_ROWS = ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出")
"""The statement rows a department's execution may be scored by, row by row (预算执行分项)."""
DEFAULT_PROFILE = "全国"

MAX_BYTES = 256 * 1024
"""A profile file is a page of text; a larger one (or a FIFO, a device) is not opened."""
MAX_NODES = 10000
"""Keys and values a profile may expand to: YAML aliases that multiply without end are stopped."""
LIMIT = Decimal(10000)
"""No weight, total or percent of a profile is above this: a larger number is a typing slip, never a rule."""

BASES = {"全年预算数": "budget", "年初预算数": "initial_budget"}
"""执行率分母 → the budget column the execution rate divides by."""


class Band(BaseModel):
    """The score band of a qualitative grade word, as percent of the weight; `aliases` are other ways to type it."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    low: Decimal = Field(alias="下限")
    high: Decimal = Field(alias="上限")
    default: Decimal = Field(alias="默认")
    aliases: list[str] = Field(default_factory=list, alias="别名")


class GradeBand(BaseModel):
    """A grade and the lowest total that earns it."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    grade: str = Field(alias="等级")
    low: Decimal = Field(alias="下限")


class Cap(BaseModel):
    """An optional rule: an execution rate below `below` % caps the total at `cap`."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    below: Decimal = Field(alias="执行率低于")
    cap: Decimal = Field(alias="总分不高于")


class ExecutionRow(BaseModel):
    """One row of a department's execution score (基本支出, 项目支出): its statement row and its weight (分)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    row: str = Field(alias="行")
    weight: Decimal = Field(alias="分值")


class Profile(BaseModel):
    """How scores are computed: weights per 一级指标, qualitative bands, grades and options."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    name: str = Field(alias="名称")
    description: str = Field("", alias="说明")
    total: Decimal = Field(Decimal(100), alias="总分")
    execution_weight: Decimal = Field(Decimal(10), alias="预算执行率分值")
    base: str = Field("全年预算数", alias="执行率分母", pattern="^(全年预算数|年初预算数)$")
    execution_rows: list[ExecutionRow] = Field(default_factory=list, alias="预算执行分项")
    level1_weights: dict[str, Decimal] | None = Field(None, alias="一级指标分值")
    indicator_total: Decimal | None = Field(None, alias="指标总分")
    weights: str = Field("填写", alias="指标分值", pattern="^(填写|不填)$")
    negative_rule: str = Field("比例", alias="反向指标计分", pattern="^(比例|线性)$")
    overshoot_percent: Decimal = Field(Decimal(30), alias="超额完成需说明比例")
    bands: dict[str, Band] = Field(alias="定性等级")
    grades: list[GradeBand] = Field(alias="等级")
    caps: list[Cap] = Field(default_factory=list, alias="执行率封顶")

    @model_validator(mode="after")
    def _derive(self) -> "Profile":
        try:
            if self.execution_rows and "execution_weight" not in self.model_fields_set:
                self.execution_weight = sum((r.weight for r in self.execution_rows), Decimal(0))
            if self.indicator_total is None:
                if self.level1_weights:
                    self.indicator_total = sum(self.level1_weights.values(), Decimal(0))
                else:
                    self.indicator_total = self.total - self.execution_weight
        except ArithmeticError:     # a number beyond any rule (1e999999999): reported at its line by _mistakes
            self.indicator_total = Decimal(0)
        return self

    @property
    def caps_by_rate(self) -> list[Cap]:
        """The caps from the lowest rate up: the first one a rate falls under applies."""
        return sorted(self.caps, key=lambda c: c.below)

    @property
    def grades_by_total(self) -> list[GradeBand]:
        """The grades from the highest lowest total down (the file may list them in any order)."""
        return sorted(self.grades, key=lambda g: g.low, reverse=True)

    @property
    def execution_base(self) -> str:
        """The budget column the execution rate divides by: "budget" (全年预算数) or "initial_budget" (年初预算数)."""
        return BASES[self.base]

    @property
    def weights_given(self) -> bool:
        """Each indicator carries a 分值 (指标分值: 填写); when not (不填), the unit states each score and the sums
        are checked against the 一级指标's weight."""
        return self.weights == "填写"

    def grade_of(self, total: Decimal) -> str:
        grades = self.grades_by_total
        for band in grades:
            if total >= band.low:
                return band.grade
        return grades[-1].grade

    def level_named(self, text: str | None) -> str | None:
        """The profile's grade word a typed text means: the word or one of its 别名 (spacing and full-width forms
        aside), else the one word that begins with the text (达成 → 达成年度指标); None when none or several do."""
        if not text:
            return None
        typed = normalize_text(text)
        for word, band in self.bands.items():
            if typed == normalize_text(word) or typed in (normalize_text(a) for a in band.aliases):
                return word
        begins = [word for word in self.bands if normalize_text(word).startswith(typed)]
        return begins[0] if len(begins) == 1 else None

    def full_marks(self, word: str) -> bool:
        """The grade word's band reaches the whole weight (达成年度指标): a lower one is a shortfall to explain."""
        return self.bands[word].high >= 100


def profile_names() -> list[str]:
    """The bundled profiles: one per bundled pack, named as the pack (全国 first)."""
    names = sorted(p.parent.name for p in PACKS_DIR.glob(f"*/{PROFILE_FILE}"))
    return sorted(names, key=lambda n: n != DEFAULT_PROFILE)


def load_profile(name_or_path: str | Path | None, allow_path: bool = False, place: str = "") -> Profile:
    """A bundled profile by name, or — only when the command line gives it (`allow_path`) — a YAML file.

    A name typed in a workbook is never taken as a path: an uploaded file must not make the server read its files,
    and the refusal is the same whether or not such a file exists.
    """
    key = str(name_or_path or DEFAULT_PROFILE).strip()
    if key in profile_names():
        return _load(str(PACKS_DIR / key / PROFILE_FILE))
    path = Path(key)
    if allow_path and path.is_file():
        return _load(str(path.resolve()))
    if allow_path:
        message = f"找不到评分规则“{key}”：--profile 请填写 {'、'.join(profile_names())} 之一，或一个评分规则 YAML 文件的路径"
    else:
        message = (f"评分规则“{key[:60]}”不是内置的评分规则：请填写 {'、'.join(profile_names())} 之一"
                   "（自己改的评分规则文件请在命令行用 --profile 文件 指定）")
    raise InputError(key, [Problem(Severity.ERROR, place or key, message, "profile")], unreadable=True)


def load_profile_file(path: Path) -> Profile:
    """A pack's own 评分规则.yaml."""
    return _load(str(Path(path).resolve()))


@lru_cache(maxsize=32)
def _load(path: str) -> Profile:
    """A profile file read and checked whole: every mistake is one Chinese message at its line (文件:行)."""
    name = Path(path).name
    try:
        # Only a regular file of a profile's size is opened: a FIFO would block, a huge file is no profile.
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            _refuse(path, [(name, f"评分规则文件应为不超过 {MAX_BYTES // 1024} KB 的普通文本文件：请换成 评分规则.yaml 文本文件")])
        with open(path, encoding="utf-8") as handle:
            tree = YAML(typ="rt").load(handle)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        _refuse(path, [(f"{name}:{mark.line + 1}" if mark is not None else name,
                        "同一个项目写了两遍：请删去其中一处")])
    except YAMLError as exc:
        # An unclosed bracket or quote is reported where it opens, not where the parser gave up.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        _refuse(path, [(where, "不是有效的 YAML（缩进、冒号或引号有误）：请对照内置模板包“全国”的 评分规则.yaml 修改")])
    except (OSError, UnicodeDecodeError, RecursionError) as exc:
        _refuse(path, [(name, f"评分规则文件无法读取（{type(exc).__name__}）：请检查文件是否为 UTF-8 编码的 YAML")])
    if not isinstance(tree, dict):
        _refuse(path, [(name, "评分规则文件应为若干“名称: 值”的项目：请对照内置模板包“全国”的 评分规则.yaml 修改")])
    try:
        profile = Profile.model_validate(_plain(tree, [MAX_NODES]))
    except ValidationError as exc:
        _refuse(path, [(_where(name, tree, e["loc"]), _pydantic_message(e)) for e in exc.errors()])
    except (ArithmeticError, RecursionError):
        _refuse(path, [(name, "评分规则文件过深、过大或有无法使用的数字：请对照内置模板包“全国”的 评分规则.yaml 修改")])
    mistakes = [(_where(name, tree, loc), message) for loc, message in _mistakes(profile, set(tree))]
    if mistakes:
        _refuse(path, mistakes)
    return profile


def _refuse(path: str, mistakes: list[tuple[str, str]]) -> NoReturn:
    problems = [Problem(Severity.ERROR, where, f"评分规则有误：{message}", "profile") for where, message in mistakes]
    raise InputError(path, problems, unreadable=True)


def _plain(node: Any, budget: list[int], depth: int = 0) -> Any:
    """ruamel's round-trip tree as plain dicts, lists and scalars (floats as the text typed, so 0.1 stays 0.1).
    `budget` counts the nodes left: aliases that expand without end (a "billion laughs") stop, as nesting does."""
    budget[0] -= 1
    if depth > 20 or budget[0] < 0:
        raise RecursionError
    if isinstance(node, dict):
        return {str(k): _plain(v, budget, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v, budget, depth + 1) for v in node]
    if isinstance(node, float) and not isinstance(node, bool):
        return str(node) if math.isfinite(node) else _HUGE if not math.isnan(node) else "非数字"
    return node


_HUGE = "无穷大"      # what a float too large for YAML (1e400) stands for: refused as out of range


def _where(name: str, tree: Any, loc: tuple) -> str:
    """文件:行 of the deepest key or item of `loc` the file has (the file alone when it has none of it)."""
    line, node = None, tree
    for key in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and key in node:
                line = lc.key(key)[0] + 1 if lc is not None else line
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                line = lc.item(key)[0] + 1 if lc is not None else line
                node = node[key]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return f"{name}:{line}" if line is not None else name


_LABELS = {name: info.alias for model in (Profile, Band, GradeBand, Cap, ExecutionRow)
           for name, info in model.model_fields.items()}


def _pydantic_message(error: dict) -> str:
    """pydantic's finding in Chinese, naming the key as the file spells it."""
    loc = [str(_LABELS.get(k, k)) if isinstance(k, str) else f"第{k + 1}项" for k in error["loc"]]
    key = "的".join(loc) or "文件"
    kind = error["type"]
    if kind == "missing":
        return f"缺少“{key}”：请补上"
    if kind == "extra_forbidden":
        return f"不认识的项目“{loc[-1]}”：请检查是否写错（可用的项目见内置模板包“全国”的 评分规则.yaml）"
    if error.get("input") == _HUGE:
        return f"“{key}”超出合理范围：应在 0～{LIMIT.normalize():f} 之间"
    if kind.startswith(("decimal", "finite", "float", "int")):
        return f"“{key}”应为一个数字，这里是“{str(error.get('input'))[:30]}”"
    if kind == "string_pattern_mismatch":
        choices = {"执行率分母": "全年预算数 或 年初预算数", "指标分值": "填写 或 不填", "反向指标计分": "比例 或 线性"}
        return f"“{key}”只能是 {choices.get(loc[-1], '规定的几个词之一')}"
    if kind in ("dict_type", "model_type"):
        return f"“{key}”应为若干“名称: 值”的项目"
    if kind == "list_type":
        return f"“{key}”应为列表（每项一行，以“- ”开头）"
    if kind == "string_type":
        return f"“{key}”应为文字"
    return f"“{key}”的值不对"


def _mistakes(profile: Profile, typed: set[str]) -> list[tuple[tuple, str]]:
    """What pydantic cannot see, each with the key path it is at: numbers out of range, empty lists, bands out of
    order, weights that do not add up. `typed`: the top-level keys the file itself gives."""
    def number(loc: tuple, label: str, value: Decimal | None, high: Decimal = LIMIT) -> bool:
        if value is None:
            return True
        if not value.is_finite() or value > high:
            found.append((loc, f"{label}“{value:.6g}”超出合理范围：应在 0～{high.normalize():f} 之间"))
            return False
        if value < 0:
            found.append((loc, f"{label}“{value.normalize():f}”为负数：分值和比例应为 0 或正数"))
            return False
        return True

    found: list[tuple[tuple, str]] = []
    number(("总分",), "总分", profile.total)
    if profile.total == 0:
        found.append((("总分",), "总分为 0：请写满分，如 100"))
    number(("预算执行率分值",), "预算执行率分值", profile.execution_weight)
    number(("超额完成需说明比例",), "超额完成需说明比例", profile.overshoot_percent)
    weights_ok = True
    for level1, weight in (profile.level1_weights or {}).items():
        weights_ok &= number(("一级指标分值", level1), f"一级指标“{level1}”的分值", weight)
    if "指标总分" in typed:
        weights_ok &= number(("指标总分",), "指标总分", profile.indicator_total)
    for i, row in enumerate(profile.execution_rows):
        weights_ok &= number(("预算执行分项", i, "分值"), f"预算执行分项“{row.row}”的分值", row.weight)
        if row.row not in EXECUTION_ROWS:
            found.append((("预算执行分项", i, "行"), f"预算执行分项的行“{row.row}”不是收支表的支出行：只能是 {'、'.join(EXECUTION_ROWS)}"))
    if not profile.bands:
        found.append((("定性等级",), "定性等级是空的：请至少写一个等级及其分数区间，如 达成年度指标: {下限: 80, 上限: 100, 默认: 100}"))
    for word, band in profile.bands.items():
        here = ("定性等级", word)
        if all(number(here, f"定性等级“{word}”的{label}", value, Decimal(100))
               for label, value in (("下限", band.low), ("上限", band.high), ("默认", band.default))):
            if not band.low <= band.default <= band.high or band.low >= band.high:
                found.append((here, f"定性等级“{word}”的区间不对：应为 下限 < 上限，且 下限 ≤ 默认 ≤ 上限（占分值的百分比，0～100）"))
    if not profile.grades:
        found.append((("等级",), "等级是空的：请至少写一个等级及其最低分，如 - {等级: 优, 下限: 90}"))
    for i, grade in enumerate(profile.grades):
        number(("等级", i, "下限"), f"等级“{grade.grade}”的下限", grade.low)
    for i, cap in enumerate(profile.caps):
        number(("执行率封顶", i, "执行率低于"), "执行率封顶的执行率", cap.below)
        number(("执行率封顶", i, "总分不高于"), "执行率封顶的总分", cap.cap)
    if weights_ok and not found:
        execution = (sum((r.weight for r in profile.execution_rows), Decimal(0)) if profile.execution_rows
                     else profile.execution_weight)
        if profile.execution_rows and "预算执行率分值" in typed \
                and execution != profile.execution_weight:
            found.append((("预算执行分项",), f"预算执行分项的分值合计{execution.normalize():f}分，"
                               f"与预算执行率分值{profile.execution_weight.normalize():f}分不符：请改成一致"))
        elif execution + profile.indicator_total != profile.total:
            where = ("一级指标分值",) if profile.level1_weights else ("指标总分",) \
                if "指标总分" in typed else ("总分",)
            found.append((where, f"预算执行{execution.normalize():f}分加指标{profile.indicator_total.normalize():f}分"
                               f"不等于总分{profile.total.normalize():f}分：请调整分值"))
    return found
