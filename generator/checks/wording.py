"""Wording slips that published reports carry: an amount with its number missing, a count that does not match the list
after it, a word typed twice, a quote or bracket left open."""
from __future__ import annotations

import re
from functools import lru_cache

from ..problems import Severity
from .engine import Context, Hit, rule
from .texts import quote, text_fields

MISSING_AMOUNT = re.compile(r"(?:为|是|计|共|达|约|支出|决算|预算|金额)\s*万元")
"""“支出决算为万元”: the unit is there, the number is not (“数万元”“上万元”“十万元” are not matched)."""

COUNTED_LIST = re.compile(
    r"(?P<n>\d+)个(?P<noun>[^，。：:；、\d]{0,12}?)(?:[：:]|，分别(?:是|为)|，即)(?P<list>[^。；\n]+)")
"""“内设12个职能组（室）：办公室、调研室、…”: a count followed by the list it counts."""
MAX_ITEM = 25

DOUBLED_VERBS = ("内设", "完成", "开展", "实施", "加强", "推进", "落实", "建立", "进行", "提高", "制定", "召开", "举办",
                 "按照", "通过", "根据", "围绕", "认真", "全面", "深入", "积极", "进一步")
"""Words a report never writes twice in a row. Doubled words in general cannot be told from legal compounds
without a dictionary (党组织组织力, 两新组织党组织党建), so only these are checked."""
REPEATED = re.compile("(?P<w>" + "|".join(DOUBLED_VERBS) + ")(?P=w)|的的(?!确)")
"""“内设内设”“完成完成了”“一流的的” (的的确确 is a word)."""

PAIRS = (("“", "”"), ("（", "）"), ("《", "》"))


@rule("missing-amount", Severity.ERROR, "文字中的金额只有单位没有数字（如“支出决算为万元”）",
      "{field}中“{fragment}”缺少金额数字：请补上数字（没有发生请写0万元）")
def missing_amount(ctx: Context):
    for field in text_fields(ctx):
        for match in MISSING_AMOUNT.finditer(field.text):
            yield Hit(field.path, {"field": field.name, "fragment": quote(field.text, match.start(), match.end(), 10)})


def _items(listing: str) -> list[str]:
    """Split “a、b（c、d）、e” at the top-level 、 only."""
    items, depth, current = [], 0, ""
    for ch in listing:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if ch == "、" and depth == 0:
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    return [i.strip() for i in items]


@rule("list-count", Severity.WARNING, "文字中“N个…：a、b、c”列出的名称个数与N不符",
      "{field}中写“{count_text}”，但随后列出了{listed}个（{preview}）：请核对数量或名单")
def list_count(ctx: Context):
    for field in text_fields(ctx):
        for match in COUNTED_LIST.finditer(field.text):
            items = _items(match.group("list"))
            if (len(items) < 2 or any(not i or len(i) > MAX_ITEM or "，" in i or "," in i for i in items)
                    or items[-1].endswith("等")):
                continue
            n = int(match.group("n"))
            if n != len(items):
                yield Hit(field.path, {"field": field.name, "count_text": f"{n}个{match.group('noun')}",
                                       "listed": len(items),
                                       "preview": "、".join(items[:3]) + "……" + items[-1] if len(items) > 4
                                       else "、".join(items)})


@rule("repeated-words", Severity.HINT, "文字中常用词连写两遍（如“内设内设”“完成完成了”“的的”）",
      "{field}中“{fragment}”把“{word}”写了两遍：请删去重复的字词")
def repeated_words(ctx: Context):
    for field in text_fields(ctx):
        for word, start, end in _repeated(field.text):
            yield Hit(field.path, {"field": field.name, "word": word, "fragment": quote(field.text, start, end, 6)})


@lru_cache(maxsize=8192)
def _repeated(text: str) -> tuple[tuple[str, int, int], ...]:
    """Every doubled word of a text, remembered per text (a regeneration searches only the changed texts)."""
    return tuple((m.group("w") or "的", m.start(), m.end()) for m in REPEATED.finditer(text))


@rule("unbalanced-marks", Severity.HINT, "一段文字中的引号、括号或书名号没有配对",
      "{field}中有一段的“{open}”和“{close}”数量不等（{n_open}个和{n_close}个），如“{fragment}”：请补上或删去多余的符号")
def unbalanced_marks(ctx: Context):
    for field in text_fields(ctx):
        for paragraph in field.text.splitlines():
            for opening, closing in PAIRS:
                n_open, n_close = paragraph.count(opening), paragraph.count(closing)
                if n_open != n_close:
                    pos = _first_unpaired(paragraph, opening, closing)
                    yield Hit(field.path, {"field": field.name, "open": opening, "close": closing,
                                           "n_open": n_open, "n_close": n_close,
                                           "fragment": quote(paragraph, pos, pos + 1, 12)})
                    break


def _first_unpaired(text: str, opening: str, closing: str) -> int:
    depth, last_open = 0, 0
    for i, ch in enumerate(text):
        if ch == opening:
            if depth == 0:
                last_open = i
            depth += 1
        elif ch == closing:
            if depth == 0:
                return i
            depth -= 1
    return last_open
