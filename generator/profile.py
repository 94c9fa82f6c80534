"""Scoring profiles: the weights, bands and options a province scores by, read from a small YAML file."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .model import Level
from .pack import PACKS_DIR
from .problems import InputError, Problem, Severity

PROFILE_FILE = "评分规则.yaml"
DEFAULT_PROFILE = "全国"


class Band(BaseModel):
    """The score band of a qualitative level, as percent of the weight."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    low: Decimal = Field(alias="下限")
    high: Decimal = Field(alias="上限")
    default: Decimal = Field(alias="默认")


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


class Profile(BaseModel):
    """How scores are computed: weights per 一级指标, qualitative bands, grades and options."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    name: str = Field(alias="名称")
    description: str = Field("", alias="说明")
    total: Decimal = Field(Decimal(100), alias="总分")
    execution_weight: Decimal = Field(Decimal(10), alias="预算执行率分值")
    level1_weights: dict[str, Decimal] | None = Field(None, alias="一级指标分值")
    indicator_total: Decimal | None = Field(None, alias="指标总分")
    negative_rule: str = Field("比例", alias="反向指标计分", pattern="^(比例|线性)$")
    overshoot_percent: Decimal = Field(Decimal(30), alias="超额完成需说明比例")
    bands: dict[Level, Band] = Field(alias="定性等级")
    grades: list[GradeBand] = Field(alias="等级")
    caps: list[Cap] = Field(default_factory=list, alias="执行率封顶")

    @model_validator(mode="after")
    def _derive(self) -> "Profile":
        if self.indicator_total is None:
            if self.level1_weights:
                self.indicator_total = sum(self.level1_weights.values(), Decimal(0))
            else:
                self.indicator_total = self.total - self.execution_weight
        self.grades = sorted(self.grades, key=lambda g: g.low, reverse=True)
        self.caps = sorted(self.caps, key=lambda c: c.below)
        return self

    def grade_of(self, total: Decimal) -> str:
        for band in self.grades:
            if total >= band.low:
                return band.grade
        return self.grades[-1].grade


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
    try:
        with open(path, encoding="utf-8") as handle:
            data = YAML(typ="safe").load(handle)
        return Profile.model_validate(data)
    except (YAMLError, OSError, UnicodeDecodeError) as exc:
        message = f"评分规则文件无法读取（{type(exc).__name__}）：请检查文件是否为 UTF-8 编码的 YAML"
    except ValidationError as exc:
        wrong = "；".join(f"“{'.'.join(str(p) for p in e['loc'])}”{e['msg']}" for e in exc.errors())
        message = f"评分规则文件有误：{wrong}。请对照内置模板包“全国”的 评分规则.yaml 修改"
    raise InputError(path, [Problem(Severity.ERROR, path, message, "profile")], unreadable=True)
