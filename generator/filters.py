"""Domain formatting shared by the CLI, the Markdown and docx templates and the web page: 万元, %, 分, dates, 增减."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .numbers import amount_decimals, round_amount

DASH = "—"


@dataclass(frozen=True)
class NumberFormat:
    """How one kind of figure prints in a pack's documents: its decimals and whether trailing zeros go (8.00 → 8)."""

    decimals: int = 2
    strip_zeros: bool = False


FORMAT_KINDS = {"金额": "money", "正文金额": "amount", "百分比": "percent", "得分": "score", "分值": "weight"}
"""pack.yaml 数字格式 keys → the filter each one shapes."""

DEFAULT_FORMATS: dict[str, NumberFormat] = {
    "money": NumberFormat(2, False), "amount": NumberFormat(2, True), "percent": NumberFormat(2, False),
    "score": NumberFormat(2, False), "weight": NumberFormat(2, True),
}
"""Today's figures: 1234.50 in tables, 1234.5 in prose, 83.89%, 7.60, 分值 10."""


def _show(rounded: Decimal, decimals: int, strip: bool, comma: bool = False) -> str:
    text = f"{rounded:,.{decimals}f}" if comma else f"{rounded:.{decimals}f}"
    if strip and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _amount_places(value: Decimal, fmt: NumberFormat, decimals: int | None) -> int:
    """An amount's decimals: the template's, else the pack's, but never fewer than it was typed with (59.958 keeps
    three: numbers.amount_decimals)."""
    if decimals is not None:
        return max(0, min(int(decimals), 6))
    typed = amount_decimals(value)
    return typed if typed > max(fmt.decimals, 2) else fmt.decimals


def money(value: Decimal | None, decimals: int | None = None, comma: bool = False, *,
          fmt: NumberFormat = DEFAULT_FORMATS["money"]) -> str:
    """A table amount: 1234.5 → "1234.50" (comma=True: "1,234.50"), 59.958 → "59.958"; empty → "—". Rounded half
    up, only here, to `decimals`, else the pack's 数字格式 (default 2, zeros kept), never below the typed precision."""
    if value is None:
        return DASH
    places = _amount_places(value, fmt, decimals)
    return _show(_round(value, places), places, fmt.strip_zeros, comma)


def amount(value: Decimal | None, decimals: int | None = None, *,
           fmt: NumberFormat = DEFAULT_FORMATS["amount"]) -> str:
    """Narrative amount: 100 → "100", 83.89 → "83.89", 630.50 → "630.5", 59.958 → "59.958" (as reports write
    万元 in prose: trailing zeros dropped, the typed precision kept; the pack's 数字格式 “正文金额” may keep them)."""
    if value is None:
        return DASH
    places = _amount_places(value, fmt, decimals)
    return _show(_round(value, places), places, fmt.strip_zeros)


def percent(value: Decimal | None, decimals: int | None = None, *,
            fmt: NumberFormat = DEFAULT_FORMATS["percent"]) -> str:
    """83.8900 → "83.89%"; None → "—". Decimals: the template's, else the pack's (default 2)."""
    if value is None:
        return DASH
    places = fmt.decimals if decimals is None else max(0, min(int(decimals), 6))
    return _show(_round(value, places), places, fmt.strip_zeros) + "%"


def score(value: Decimal | None, decimals: int | None = None, *,
          fmt: NumberFormat = DEFAULT_FORMATS["score"]) -> str:
    """7.6 → "7.60" (a pack that prints “8” for 8.00 says 末尾的零: 去掉); None → "—"."""
    if value is None:
        return DASH
    places = fmt.decimals if decimals is None else max(0, min(int(decimals), 6))
    return _show(_round(value, places), places, fmt.strip_zeros)


def typed(value: Decimal | None) -> str:
    """A figure the unit typed (a stated score, total or rate) as typed: 90 → "90", 90.5 → "90.5", 59.958 →
    "59.958"; None → "—". Excel keeps no trailing zeros, so none are added."""
    if value is None:
        return DASH
    return format(value.normalize(), "f")


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cn_date(value: date | None) -> str:
    """2023-03-30 → "2023年3月30日"."""
    return "" if value is None else f"{value.year}年{value.month}月{value.day}日"


def sign(value: Decimal | None) -> int | None:
    """1 for an increase, -1 for a decrease, 0 when it prints as 0 (rounded as `amount` rounds); None → None.
    With Jinja's `abs` it gives a change's direction and size; the words (增加/减少, 增长/下降, 持平) are the pack's
    (全国/句子.j2, macro 增减)."""
    if value is None:
        return None
    rounded = round_amount(value)
    return 0 if rounded == 0 else (1 if rounded > 0 else -1)


def change_words(delta: Decimal | None, rate: Decimal | None = None, unit: str = "万元") -> str:
    """+72.08, 5.66 → "增加72.08万元，增长5.66%"; 0 → "持平"; negative → "减少…，下降…". Kept for packs written
    before the 句子.j2 macro 增减 (which new templates use) and for the checks' messages."""
    if delta is None:
        return ""
    if round_amount(delta) == 0:
        return "持平"
    verb, trend = ("增加", "增长") if delta > 0 else ("减少", "下降")
    text = f"{verb}{amount(abs(delta))}{unit}"
    if rate is not None:
        text += f"，{trend}{percent(abs(rate))}"
    return text


_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (for headings up to 99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def ordinal(n: int, style: str = "一、") -> str:
    """Chinese heading ordinals: 一、 （一） 1. （1）."""
    if style == "一、":
        return f"{cn_number(n)}、"
    if style == "（一）":
        return f"（{cn_number(n)}）"
    if style == "1.":
        return f"{n}."
    if style == "（1）":
        return f"（{n}）"
    raise ValueError(style)


FILTERS = {
    "money": money,
    "amount": amount,
    "percent": percent,
    "score": score,
    "cn_date": cn_date,
    "typed": typed,
    "change_words": change_words,
    "sign": sign,
    "cn_number": cn_number,
    "ordinal": ordinal,
}


def weight(value: Decimal | None, decimals: int | None = None, *,
           fmt: NumberFormat = DEFAULT_FORMATS["weight"]) -> str:
    """A weight or full score as reports write it: 10 → "10", 2.5 → "2.5"; None → "—"."""
    return amount(value, decimals, fmt=fmt)


def pack_filters(formats: dict[str, NumberFormat]) -> dict:
    """The number filters bound to a pack's 数字格式 (filter name → NumberFormat; those not given keep the default)."""
    from functools import partial
    out = {}
    for name, fmt in formats.items():
        out[name] = partial(FILTERS[name], fmt=fmt)
    return out


_MD_SPECIAL = str.maketrans({
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
    "<": "&lt;", ">": "&gt;", "|": "\\|", "#": "\\#",
})
_AMP_ENTITY = re.compile(r"&(?=#?\w+;)")


def md_text(value: object) -> str:
    """Input text made literal in Markdown: & < > * _ | [ ] shown as typed, line breaks kept as hard breaks."""
    if value is None:
        return ""
    text = _AMP_ENTITY.sub("&amp;", str(value)).translate(_MD_SPECIAL)
    lines = [line.strip() for line in text.splitlines()]
    return "  \n".join(line for line in lines if line)


def md_cell(value: object) -> str:
    """Text for one GFM table cell: literal like md_text, line breaks as <br>, never empty-looking."""
    if value is None:
        return ""
    text = _AMP_ENTITY.sub("&amp;", str(value)).translate(_MD_SPECIAL)
    return "<br>".join(line.strip() for line in text.splitlines() if line.strip())


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def file_name(value: str, limit: int = 60) -> str:
    """A name safe as a file or folder name on Windows and Linux: no \\/:*?"<>| or control characters,
    no leading/trailing dots or spaces, at most `limit` characters; "未命名" when nothing is left."""
    text = _UNSAFE_NAME.sub("", unicodedata.normalize("NFC", str(value)))
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = text[:limit].rstrip(" .")
    if not text or text.upper().split(".")[0] in _RESERVED_NAMES:
        text = f"_{text}" if text else "未命名"
    return text


FILTERS.update({
    "weight": weight,
    "md_text": md_text,
    "md_cell": md_cell,
    "file_name": file_name,
})
