"""Parse the numbers preparers type (full-width digits, 1,234.56, "95%", stray spaces) into Decimal."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_COMPARATORS = {"≥": "≥", ">=": "≥", "＞＝": "≥", "≧": "≥", "不少于": "≥", "不低于": "≥", ">": ">",
                "≤": "≤", "<=": "≤", "≦": "≤", "不超过": "≤", "不高于": "≤", "<": "<", "=": "="}
_TARGET = re.compile(
    r"^(?P<cmp>≥|>=|≧|≤|<=|≦|>|<|=|不少于|不低于|不超过|不高于)?\s*"
    r"(?P<num>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s]{0,6})$"
)


class NotANumber(ValueError):
    """The text cannot be read as a number."""


@lru_cache(maxsize=8192)
def normalize_text(value: str) -> str:
    """Full-width to half-width (NFKC), thousands separators and spaces removed (remembered: the same texts are
    normalized by the reader and again by several checks, and again when a package is regenerated)."""
    text = unicodedata.normalize("NFKC", value)
    text = _SPACES.sub("", text)
    return text.replace(",", "").replace("，", "")


def parse_decimal(value: object) -> Decimal | None:
    """A cell or YAML scalar as Decimal; None for empty; NotANumber for text that is no number.

    "95%" reads as 95 (percent values are kept in percent units everywhere in the model).
    Floats go through repr so 0.1 stays 0.1, not 0.1000000000000000055.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotANumber(str(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NotANumber(str(value))
        return Decimal(repr(value))
    text = normalize_text(str(value))
    if text in ("", "-", "—", "／", "/", "无"):
        return None
    if text.endswith("%"):
        text = text[:-1]
    if text.endswith("万元"):
        text = text[:-2]
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise NotANumber(str(value)) from exc
    if not number.is_finite():
        raise NotANumber(str(value))
    return number


def parse_int(value: object) -> int | None:
    """A headcount or year; NotANumber when not a whole number."""
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise NotANumber(str(value))
    return int(number)


def parse_target(text: str | None) -> tuple[str | None, Decimal | None, str]:
    """Split "≥50个" into ("≥", 50, "个"); (None, None, "") when the text is not a plain quantity."""
    if text is None:
        return None, None, ""
    clean = normalize_text(str(text))
    match = _TARGET.match(clean)
    if not match:
        return None, None, ""
    cmp = match.group("cmp")
    return (_COMPARATORS.get(cmp) if cmp else None), Decimal(match.group("num")), match.group("unit")


_DATE_FORMS = (
    re.compile(r"^(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object) -> date | None:
    """2023年3月30日, 2023.03.31, 2023-03-31 or a real date cell."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = normalize_text(str(value))
    if not text:
        return None
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise NotANumber(str(value)) from exc
    raise NotANumber(str(value))


def round2(value: Decimal) -> Decimal:
    """Round half up to 2 decimals: the one rounding rule of published figures."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


MAX_AMOUNT_DECIMALS = 4
"""The finest precision an amount is kept at: 万元 to four decimals is one yuan; finer is a computed quotient."""


def amount_decimals(value: Decimal) -> int:
    """The decimals an amount in 万元 is shown and compared with: those it was typed with, never fewer than two.

    59.958 → 3, 630.5 → 2, 100 → 2. A sum keeps the finest precision of its parts (Decimal addition keeps the
    longer exponent: 20 + 39.958 = 59.958). A value with more than MAX_AMOUNT_DECIMALS decimals was computed by a
    division, not typed, and gets the published two. Rates, shares and scores are not amounts: always two.
    """
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        return 2
    decimals = -exponent
    return decimals if 2 < decimals <= MAX_AMOUNT_DECIMALS else 2


def round_amount(value: Decimal) -> Decimal:
    """Round half up to the precision the amount was typed with (amount_decimals): the one rounding of amounts,
    at display."""
    return value.quantize(Decimal(1).scaleb(-amount_decimals(value)), rounding=ROUND_HALF_UP)
