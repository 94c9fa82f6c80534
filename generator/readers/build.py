"""Turn the raw tree a reader produced (Chinese keys, cell values, places) into the model, collecting every problem."""
from __future__ import annotations

import difflib
import math
import re
import types
import typing
from functools import lru_cache
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from ..catalog import FINANCE_ROWS, THREE_PUBLIC_ROWS
from ..model import LABEL_CELL, Amounts, Direction, Funds, Level, Report, Unit
from ..numbers import NotANumber, normalize_text, parse_date, parse_decimal, parse_int
from ..problems import InputError, Problem, Problems

Path_ = tuple  # raw path: Chinese keys and list indexes

# A yes/no cell is a dropdown of 是/否; anything else ("√", "1", "也许") is a guess the preparer must settle.
_TRUE = {"是"}
_FALSE = {"否"}
# Characters an XML 1.0 document cannot hold (Word refuses the file), and lone surrogates (no UTF-8 for them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A text with a Chinese character in it stays non-ASCII under NFKC, so it can be none of the _NOT_A_VALUE words.
_HAN = re.compile("[\u4e00-\u9fff]")
_NOT_A_VALUE = {"nan", "inf", "infinity", "+inf", "-inf", "+infinity", "-infinity", "+nan", "-nan"}
YEARS = (1990, 2100)
_DIRECTIONS = {
    "≥": Direction.AT_LEAST, ">=": Direction.AT_LEAST, ">": Direction.AT_LEAST, "正向": Direction.AT_LEAST,
    "≤": Direction.AT_MOST, "<=": Direction.AT_MOST, "<": Direction.AT_MOST, "反向": Direction.AT_MOST,
    "=": Direction.EQUAL, "＝": Direction.EQUAL, "定性": Direction.QUALITATIVE,
}
_LEVELS = {lv.value: lv for lv in Level} | {"达成": Level.ACHIEVED, "部分达成": Level.PARTLY, "未达成": Level.MISSED}
_UNITS = {"weight": "分", "stated_score": "分"}
# The unit a number may be typed with, by the hint of its field (_unit_hint): “2024年”/“2024年度” is the year 2024,
# “40人” forty people, “95%” a rate, “310万元” an amount. The same words after a number of another field are a
# slip to show at its cell (编制数 “12万元”), never a number to take.
_OWN_UNITS = {"如 2023": ("年度", "年"), "单位：人": ("人",), "单位：%": ("%",), "单位：万元": ("万元",),
              "与年度指标值同单位": ("%", "万元")}
_UNIT_WORDS = ("万元", "%", "年度", "年", "人")
_NOT_NEGATIVE = {Funds: frozenset({"current", "carryover", "other", "stated_total"}),
                 Amounts: frozenset({"last_year", "initial_budget", "budget", "actual"})}
_REFUSED = object()
ROW_KEYS = {"finance": tuple(r.key for r in FINANCE_ROWS), "three_public": tuple(r.key for r in THREE_PUBLIC_ROWS)}
_ROW_LOOKUP = {name: {normalize_text(k): k for k in keys} for name, keys in ROW_KEYS.items()}


def row_key(section: str, label: str) -> str | None:
    """The catalog key of a typed row name: full-width/half-width brackets, spaces and 其中： do not matter."""
    clean = normalize_text(str(label)).removeprefix("其中:")
    return _ROW_LOOKUP[section].get(clean)


def _label(name: str, info) -> str:
    return info.alias or name


def _unit_hint(name: str, info) -> str:
    desc = info.description or ""
    if "（%）" in desc or "率" in (info.alias or ""):
        return "单位：%"
    if "（分）" in desc or name in _UNITS:
        return "单位：分"
    if "（人）" in desc:
        return "单位：人"
    if "平方米" in desc:
        return "单位：平方米"
    if name == "year":
        return "如 2023"
    if name == "actual_for_scoring":
        return "与年度指标值同单位"
    return "单位：万元"


def _range(name: str, info, annotation) -> tuple[Decimal, Decimal, str]:
    """The sane range of a number field and how the message states it: a value outside it is a typing slip
    (a unit in 元, a misplaced decimal point, a pasted serial number), never a figure to publish."""
    hint = _unit_hint(name, info)
    if name == "year":
        return Decimal(YEARS[0]), Decimal(YEARS[1]), f"{YEARS[0]}～{YEARS[1]} 之间的四位年份，如 2023"
    if hint == "单位：人":
        return Decimal(0), Decimal(10 ** 7), "0～10000000 人之间的整数"
    if hint == "单位：%":
        return Decimal(-10 ** 4), Decimal(10 ** 4), "-10000～10000（%）之间"
    if hint == "单位：分":
        return Decimal(0), Decimal(1000), "0～1000 分之间"
    if hint == "单位：平方米":
        return Decimal(0), Decimal(10 ** 9), "0～10⁹ 平方米之间"
    if hint == "单位：万元":
        return Decimal(-10 ** 12), Decimal(10 ** 12), "绝对值小于 10¹² 万元；请检查单位是否为万元、小数点位置是否正确"
    return Decimal(-10 ** 15), Decimal(10 ** 15), "绝对值小于 10¹⁵"


_RANGES: dict[tuple[str, int], tuple[Decimal, Decimal, str]] = {}


def _range_of(name: str, info, annotation) -> tuple[Decimal, Decimal, str]:
    """_range, worked out once per model field (field infos live as long as their model class)."""
    key = (name, id(info))
    known = _RANGES.get(key)
    if known is None:
        known = _RANGES[key] = _range(name, info, annotation)
    return known


@lru_cache(maxsize=None)
def _shape(annotation) -> tuple[Any, Any, Any]:
    """(list | dict | BaseModel | None, the type without Optional, a list's item type) of a field's annotation,
    worked out once per annotation rather than for every value read."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _shape(inner[0])
    if origin is list:
        return list, annotation, typing.get_args(annotation)[0]
    if origin is dict:
        return dict, annotation, None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return BaseModel, annotation, None
    return None, annotation, None


@lru_cache(maxsize=None)
def _fields(cls: type[BaseModel]) -> tuple[tuple[tuple[str, str, Any, bool, bool], ...], frozenset[str]]:
    """(name, label, field info, required, holds a model) of each field a model reads, and the labels it knows:
    worked out once per model class rather than for every record read."""
    fields = tuple((name, _label(name, info), info, info.is_required(), _shape(info.annotation)[0] is BaseModel)
                   for name, info in cls.model_fields.items() if not info.exclude)
    return fields, frozenset(label for _, label, *_ in fields)


class Builder:
    """Walks model fields by their Chinese aliases; coerces values; records places; collects problems."""

    def __init__(self, places: dict[Path_, str], source: str, workbook: bool = False) -> None:
        self.places = places
        self.source = source
        self.workbook = workbook    # values are cells: a number with its unit typed in is text Excel cannot add up
        self.problems = Problems()
        self.model_places: dict[str, str] = {}
        self.fatal = False   # a required value with no stand-in is missing: no model at all

    def place(self, raw_path: Path_) -> str:
        probe = raw_path
        while probe:
            if probe in self.places:
                return self.places[probe]
            probe = probe[:-1]
        return self.source

    def build(self, raw: Any) -> Report | None:
        if not isinstance(raw, dict):
            self.problems.error(self.source, "文件内容不是预期的结构：最外层应为“单位信息”“收支情况”“项目”等栏目", "structure")
            return None
        if "单位信息" not in raw:
            self.problems.error(self.source, "缺少“单位信息”：请填写单位名称、评价年度等基本信息", "missing-section")
            return None
        data = self.model(Report, raw, (), "")
        if data is None or self.fatal:
            return None
        try:
            report = Report.model_validate(data)
        except ValidationError:   # a shape the builder did not foresee: its problems are reported, no model
            return None
        report.source = self.source
        report.places = self.model_places
        return report

    # -- structure

    def model(self, cls: type[BaseModel], raw: Any, rpath: Path_, mpath: str) -> dict | None:
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            self.problems.error(self.place(rpath), f"“{rpath[-1] if rpath else '根'}”应为若干“名称: 值”的栏目", "structure")
            return None
        out: dict[str, Any] = {}
        fields, known = _fields(cls)
        places = self.places
        prefix = f"{mpath}." if mpath else ""
        for name, label, info, required, nested in fields:
            sub_r = (*rpath, label)
            place = places.get(sub_r)
            value = raw.get(label)
            if place is None and value is None and not required and not nested:
                continue        # a field not in the input at all, with no cell: nothing to record (most fields)
            sub_m = prefix + name
            if place is not None:
                self.model_places[sub_m] = place
            if _blank(value):
                self.empty_places(info.annotation, sub_r, sub_m)
                if required:
                    self.problems.error(self.place(sub_r), f"缺少“{label}”：请填写{label}", "missing", sub_m)
                    self.stand_in(out, name, info, label)
                continue
            shown_label = f"{rpath[-1]}的{label}" if cls in (Amounts, Funds) and rpath else label
            converted = self.value(info.annotation, value, sub_r, sub_m, name, info, shown_label)
            if converted is not None and name in _NOT_NEGATIVE.get(cls, ()) and converted < 0:
                # A negative amount is a slip (a minus typed, a refund netted); judged at its own cell, it does
                # not turn into a wrong execution rate blamed on the rate cell.
                self.problems.error(self.place(sub_r), f"{shown_label}“{str(value).strip()}”为负数：金额应为0或正数，"
                                    "请核对金额（收回、冲减的资金在文字说明中写明）", "negative-amount", sub_m)
                converted = None
            if converted is not None:
                out[name] = converted
            elif required:
                self.stand_in(out, name, info, label)
        for key in raw:
            if key not in known:
                if cls is Unit:     # perhaps a pack's own text field: kept, judged once the pack is known
                    self.pack_text(out, raw[key], (*rpath, key), f"{prefix}sections.{key}")
                    continue
                self.problems.warning(self.place((*rpath, key)), f"未知的栏目“{key}”，已忽略：请检查名称是否写错", "unknown-key")
        return out

    def pack_text(self, out: dict, value: Any, rpath: Path_, mpath: str) -> None:
        """A 单位信息 entry no built-in field takes, kept by the name typed ("" when empty) with its place."""
        key = str(rpath[-1]).strip()
        if (*rpath, LABEL_CELL) in self.places:
            self.model_places[f"{mpath}.{LABEL_CELL}"] = self.places[(*rpath, LABEL_CELL)]
        if rpath in self.places:
            self.model_places[mpath] = self.places[rpath]
        text = "" if _blank(value) else "\n".join(self.paragraphs(value, rpath, key))
        out.setdefault("sections", {})[key] = text

    def sections(self, value: Any, rpath: Path_, mpath: str) -> dict[str, str]:
        """文字栏目 written as its own mapping (YAML): name → text."""
        if not isinstance(value, dict):
            self.problems.error(self.place(rpath), f"“{rpath[-1]}”应为“栏目名称: 文字”的栏目", "structure")
            return {}
        out: dict = {}
        for key, item in value.items():
            self.pack_text(out, item, (*rpath, key), f"{mpath}.{key}")
        return out.get("sections", {})

    def empty_places(self, annotation, rpath: Path_, mpath: str) -> None:
        """Remember the cells of a block left wholly empty (a project's 全年预算数), so that a finding about a
        value missing there points at the cell to fill, not at the file."""
        origin, cls, _ = _shape(annotation)
        if origin is not BaseModel:
            return
        for name, info in cls.model_fields.items():
            sub_r, sub_m = (*rpath, _label(name, info)), f"{mpath}.{name}"
            if sub_r in self.places:
                self.model_places[sub_m] = self.places[sub_r]
            self.empty_places(info.annotation, sub_r, sub_m)

    def stand_in(self, out: dict, name: str, info, label: str) -> None:
        """What a required field holds when it is missing or unreadable (its problem is already reported), so that
        the rest of the input is still built and checked: no value for a 分值 (the indicator is unscorable, its
        card gets no total; no 评价年度: the checks that need the year stay silent, no package is made), a visible gap
        for a name."""
        _, annotation, _ = _shape(info.annotation)
        if name in ("weight", "year"):
            out[name] = None
        elif annotation is str:
            out[name] = f"（未填写{label}）"
        else:
            self.fatal = True

    def value(self, annotation, value: Any, rpath: Path_, mpath: str, name: str, info, label: str = "") -> Any:
        origin, annotation, item_type = _shape(annotation)
        if origin is list:
            if item_type is str:
                return self.paragraphs(value, rpath, label or _label(name, info))
            if not isinstance(value, list):
                self.problems.error(self.place(rpath), f"“{rpath[-1]}”应为多条记录组成的列表", "structure")
                return None
            return [v for i, item in enumerate(value)
                    if (v := self.model(item_type, item, (*rpath, i), f"{mpath}.{i}")) is not None]
        if origin is dict:
            if name == "sections":
                return self.sections(value, rpath, mpath)
            return self.rows(value, rpath, mpath, name)
        if origin is BaseModel:
            return self.model(annotation, value, rpath, mpath)
        return self.scalar(annotation, value, rpath, name, info, label, mpath)

    def rows(self, value: Any, rpath: Path_, mpath: str, name: str) -> dict | None:
        if not isinstance(value, dict):
            self.problems.error(self.place(rpath), f"“{rpath[-1]}”应为“行名: 金额”的栏目", "structure")
            return None
        allowed = ROW_KEYS[name]
        out = {}
        for key, item in value.items():
            clean = row_key(name, key)
            if clean is None:
                close = difflib.get_close_matches(normalize_text(str(key)), allowed, n=1, cutoff=0.5)
                fix = (f"请使用模板中的行名，最接近的是“{close[0]}”" if close
                       else f"{rpath[-1]}只能填写模板中的这些行：{'、'.join(allowed)}")
                self.problems.error(self.place((*rpath, key)), f"未知的行“{key}”，{fix}", "unknown-row", mpath)
                continue
            built = self.model(Amounts, item, (*rpath, key), f"{mpath}.{clean}")
            if built is not None:
                out[clean] = built
        return out

    def paragraphs(self, value: Any, rpath: Path_ = (), label: str = "") -> list[str]:
        items = value if isinstance(value, list) else [value]
        nested = next((i for i, item in enumerate(items) if isinstance(item, (list, dict))), None)
        if nested is not None:
            where = self.place((*rpath, nested) if isinstance(value, list) else rpath)
            self.problems.error(where, f"{label}的每一段应为一段文字，这里却是列表或若干栏目：请把这一段写成文字", "not-a-scalar")
            return []
        lines = (line for item in items if item is not None for line in str(item).splitlines())
        return [s for s in (line.strip() for line in lines) if s]

    def scalar(self, annotation, value: Any, rpath: Path_, name: str, info, label: str = "", mpath: str = "") -> Any:
        label = label or _label(name, info)
        if isinstance(value, (list, dict)):
            what = "列表" if isinstance(value, list) else "若干栏目"
            self.problems.error(self.place(rpath), f"{label}应为一个值，这里却是{what}：请只填写一个值（文字或数字）", "not-a-scalar")
            return None
        shown = str(value).strip()
        if annotation is str:     # most values: a text, only checked for the "not a number" words
            return self._text(value, shown, label, rpath)
        try:
            if annotation in (Decimal, int):
                value = self._without_unit(value, shown, name, info, label, rpath, mpath, annotation)
                if value is _REFUSED:
                    return None
                number = parse_decimal(value)
                if number is None:
                    return None
                if name == "weight" and number < 0:
                    self.problems.error(self.place(rpath), f"分值“{shown}”为负数：分值应为0或正数", "negative-weight", mpath)
                    return None
                low, high, allowed = _range_of(name, info, annotation)
                if not low <= number <= high:
                    self.problems.error(self.place(rpath), f"{label}“{shown}”超出合理范围：应为{allowed}", "out-of-range", mpath)
                    return None
                if annotation is int:
                    return parse_int(number)
                return number
            if annotation is date:
                day = parse_date(value)
                if day is not None and not YEARS[0] <= day.year <= YEARS[1]:
                    self.problems.error(self.place(rpath), f"{label}“{shown}”超出合理范围：年份应在 {YEARS[0]}～{YEARS[1]} 之间，请检查日期",
                                        "out-of-range", mpath)
                    return None
                return day
        except NotANumber:
            if annotation is date:
                self.problems.error(self.place(rpath), f"{label}“{shown}”不是日期，请按 2023年3月30日 或 2023-03-30 填写", "not-a-date", mpath)
            elif name == "year":
                self.problems.error(self.place(rpath), f"{label}“{shown}”不是整数年份：请用阿拉伯数字填写四位年份，如 2023 或 2023年",
                                    "not-a-number", mpath)
            elif annotation is int:
                self.problems.error(self.place(rpath), f"{label}“{shown}”不是整数，请填写整数（{_unit_hint(name, info)}）", "not-a-number", mpath)
            else:
                self.problems.error(self.place(rpath), f"{label}“{shown}”不是数字，请填写数字（{_unit_hint(name, info)}）", "not-a-number", mpath)
            return None
        if annotation is bool:
            text = normalize_text(shown).lower()
            if isinstance(value, bool):
                return value
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            self.problems.error(self.place(rpath), f"{label}“{shown}”无法识别，请填写“是”或“否”", "not-a-bool", mpath)
            return None
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            table = _DIRECTIONS if annotation is Direction else _LEVELS
            key = normalize_text(shown)
            if key in table:
                return table[key]
            choices = "、".join(dict.fromkeys(m.value for m in annotation))
            self.problems.error(self.place(rpath), f"{label}“{shown}”无法识别，请从下拉列表中选择：{choices}", "bad-choice", mpath)
            return None
        return self._text(value, shown, label, rpath)

    def _without_unit(self, value: Any, shown: str, name: str, info, label: str, rpath: Path_, mpath: str,
                      annotation) -> Any:
        """A number typed with its field's own unit (“2024年”, “40人”, “95%”, “310万元”) without it; _REFUSED, with
        the problem reported at the value, for a unit of another kind of field (编制数 “12万元”), and for an
        amount typed with 万元 into a workbook cell (text that the workbook's own sums and rates leave out)."""
        if not isinstance(value, str):
            return value
        text = normalize_text(value).replace("\u2212", "-")    # the minus sign of Word and of pasted tables
        hint = _unit_hint(name, info)
        whole = "整数" if annotation is int else "数字"
        for unit in _OWN_UNITS.get(hint, ()):
            if text.endswith(unit) and len(text) > len(unit):
                bare = text[:-len(unit)]
                if bare.endswith(_UNIT_WORDS):      # “95%%”, “2024年年”: not a number with its unit
                    raise NotANumber(shown)
                if unit == "万元" and self.workbook:
                    self.problems.error(self.place(rpath), f"{label}“{shown}”是带单位的文字：金额单元格只填数字"
                                        f"（单位已是万元），请改为 {bare}", "unit-in-cell", mpath)
                    return _REFUSED
                return bare
        unit = next((u for u in _UNIT_WORDS if text.endswith(u) and len(text) > len(u)), None)
        if unit is not None and text[:-len(unit)].lstrip("+-").replace(".", "", 1).isdigit():
            self.problems.error(self.place(rpath), f"{label}“{shown}”带的单位“{unit}”不对：请只填写{whole}（{hint}）",
                                "wrong-unit", mpath)
            return _REFUSED
        return text

    def _text(self, value: Any, shown: str, label: str, rpath: Path_) -> str | None:
        """A text value, refused when it is a program's "not a number / infinity" word rather than content."""
        if (isinstance(value, float) and not math.isfinite(value)) or (
                _HAN.search(shown) is None and normalize_text(shown).lower() in _NOT_A_VALUE):
            self.problems.error(self.place(rpath), f"{label}“{shown}”不是有效的内容（程序的“非数字/无穷大”记号）：请填写实际的文字或数值",
                                "not-a-value")
            return None
        return text_of(value)


def text_of(value: Any) -> str | None:
    """A text field's value; numbers typed into text cells keep their digits (1.0 → 1)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    text = str(value).replace("\r\n", "\n").strip()
    return text or None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def check_names(report_raw: dict, builder: Builder) -> None:
    """Project names must be unique: they key indicators, file names and messages."""
    seen: dict[str, int] = {}
    for i, project in enumerate(report_raw.get("项目") or []):
        if not isinstance(project, dict):
            continue
        name = text_of(project.get("项目名称")) if project.get("项目名称") is not None else None
        if not name:
            continue
        key = normalize_text(name)
        if key in seen:
            builder.problems.error(builder.place(("项目", i, "项目名称")),
                                   f"项目名称“{name}”与第{seen[key] + 1}个项目重复：每个项目名称只能出现一次，请修改或合并",
                                   "duplicate-project", f"projects.{i}.name")
        else:
            seen[key] = i


def xml_safe(text: str) -> tuple[str, str | None]:
    """The text without the characters XML cannot hold, and the warning to give when some were removed."""
    found = _NOT_XML.findall(text)
    if not found:
        return text, None
    names = "、".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found))
    surrogate = any("\ud800" <= c <= "\udfff" for c in found)
    what = "无法编码的字符（孤立的代理码）" if surrogate else "Word 文档不能容纳的控制字符"
    return _NOT_XML.sub("", text), f"文字中有{what} {names}，已删除：请检查这段文字是否从其他软件粘贴而来"


# In UTF-8 bytes: a control character XML cannot hold, U+FFFE/U+FFFF, an encoded surrogate, or a backslash (a
# double-quoted YAML text can write any character as an escape such as \x1f).
_NOT_XML_SOURCE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\\]|\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf]")


def clean_source(data: bytes) -> bool:
    """True when no text read from this YAML source can hold a character XML cannot: safe_text would change nothing
    and warn of nothing, so its walk over a large file's every value is skipped."""
    return _NOT_XML_SOURCE.search(data) is None


def safe_text(raw: Any, builder: Builder, rpath: Path_ = ()) -> Any:
    """The raw tree with every character XML cannot hold removed from its texts and keys, each removal a warning
    at its place (a workbook's cells are made safe as they are read, with their cell as the place)."""
    if isinstance(raw, str):
        clean, warning = xml_safe(raw)
        if warning:
            builder.problems.warning(builder.place(rpath), warning, "control-char")
        return clean
    if isinstance(raw, dict):
        out = {}
        for key, value in raw.items():
            clean = safe_text(key, builder, (*rpath, key)) if isinstance(key, str) else key
            if clean != key and (*rpath, key) in builder.places:
                builder.places[(*rpath, clean)] = builder.places[(*rpath, key)]
            # A clean text or a number as it stands, without a call and a path per cell: most of a large file.
            out[clean] = value if _as_is(value) else safe_text(value, builder, (*rpath, clean))
        return out
    if isinstance(raw, list):
        return [item if _as_is(item) else safe_text(item, builder, (*rpath, i)) for i, item in enumerate(raw)]
    return raw


def _as_is(value: Any) -> bool:
    """A value safe_text would return unchanged without a warning: a text XML can hold, or no text at all."""
    if isinstance(value, str):
        return _NOT_XML.search(value) is None
    return not isinstance(value, (dict, list))


def build_report(raw: Any, places: dict[Path_, str], source: str, problems: list[Problem] | None = None,
                 xml_clean: bool = False, workbook: bool = False) -> tuple[Report, list[Problem]]:
    """The model from a raw tree; InputError carrying all problems when any is an error, and the model built from
    everything readable when there is one (InputError.report), so that the checks still run in the same pass.
    `xml_clean`: the reader knows no text of the tree can hold a character XML cannot (see clean_source);
    `workbook`: the values are a workbook's cells."""
    builder = Builder(places, source, workbook)
    if problems:
        builder.problems.items.extend(problems)
    if not xml_clean:
        raw = safe_text(raw, builder)
    if isinstance(raw, dict):
        check_names(raw, builder)
    report = builder.build(raw)
    if report is None or builder.problems.has_errors:
        raise InputError(source, builder.problems.items, report=report)
    return report, builder.problems.items
