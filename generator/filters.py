"""Domain formatting shared by the CLI, the Markdown and docx templates and the web page: 万元, %, 分, dates, 增减."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from .numbers import amount_decimals, round2, round_amount

DASH = "—"


def money(value: Decimal | None, comma: bool = False) -> str:
    """1234.5 → "1234.50" (or "1,234.50"), 59.958 → "59.958"; empty → "—". Rounded half up, only here, to the
    precision the amount was typed with and never fewer than 2 decimals (numbers.amount_decimals)."""
    if value is None:
        return DASH
    decimals = amount_decimals(value)
    rounded = round_amount(value)
    return f"{rounded:,.{decimals}f}" if comma else f"{rounded:.{decimals}f}"


def amount(value: Decimal | None) -> str:
    """Narrative amount: 100 → "100", 83.89 → "83.89", 630.50 → "630.5", 59.958 → "59.958" (as reports write
    万元 in prose: trailing zeros dropped, the typed precision kept)."""
    if value is None:
        return DASH
    rounded = round_amount(value)
    text = f"{rounded:.{amount_decimals(value)}f}".rstrip("0").rstrip(".")
    return text or "0"


def percent(value: Decimal | None) -> str:
    """83.8900 → "83.89%"; None → "—"."""
    return DASH if value is None else f"{round2(value):.2f}%"


def score(value: Decimal | None) -> str:
    """7.6 → "7.60"; None → "—"."""
    return DASH if value is None else f"{round2(value):.2f}"


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
    "change_words": change_words,
    "sign": sign,
    "cn_number": cn_number,
    "ordinal": ordinal,
}


def weight(value: Decimal | None) -> str:
    """A weight or full score as reports write it: 10 → "10", 2.5 → "2.5"; None → "—"."""
    return amount(value)


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
