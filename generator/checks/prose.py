"""A wording-independent reader of the preparer's prose: every amount, percentage and change phrase, tied to the label
it speaks about, checked against the structured figures.

How a text is read (conservative by design: a false alarm on a correct report costs more trust than a missed slip):
- labels are the statement rows and project money named by the model's aliases and the synonym table (synonyms.yaml,
  extendable); a label only counts where it starts a phrase (after punctuation, 其中, a year …), so
  财政拨款基本支出 is not 基本支出;
- a sentence (up to 。；！？ or a line break) is cut into clauses at commas; a clause without a label of its own
  continues the subject of the clause before only when it starts with a continuation word (比上年…, 增长…, 占…,
  执行率…); any other clause ends the subject;
- an amount belongs to a label when only connecting words stand between them (为, 决算数, 2023年, a colon);
  a change amount or rate when a change verb (增加/减少/增长/下降/持平) follows a comparison with last year
  (比上年, 较去年, 同比, 比2022年 for the year before); a percentage after 占 is a share, after a name of the
  budget execution rate (the synonym table's 预算执行率: 执行率, 支出进度, 资金到位率, 完成预算的 …) an execution
  rate, after any other 完成率 the completion of a physical target (compared with the indicator it names, if any);
- the amounts after “其中”, “包括” or “（含” that follow an amount are its parts;
- what fits none of these is not read at all, and a label that could mean two rows is not reported.
Figures written in the text agree when they equal the computed figure at the precision they were written with.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from ..catalog import ROWS_BY_KEY
from ..compute import ratio_percent
from ..model import AMOUNT_COLUMNS
from .engine import Context, column_label
from .texts import TextField, text_fields

SYNONYMS = Path(__file__).with_name("synonyms.yaml")
TABLES = {"收支情况": "finance", "三公经费": "three_public"}
RATE_KEY = "预算执行率"
"""The synonym table's list of the names a budget execution rate goes by (Label.table "rate")."""
TABLE_NAMES = {v: k for k, v in TABLES.items()}
PROJECT_KEYS = {"全年预算数": "budget", "全年执行数": "actual"}

NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
FIGURE = re.compile(r"(?<![\d.])" + NUMBER + r"\s*(?P<unit>万元|元万|元|%|％)(?![/／每])(?!以上|以下|左右|以内|余|多)")
"""A number with its unit: 万元 (元 and 元万 are other rules' business), or a percentage."""

GAP_WORDS = ("年初预算数", "全年预算数", "调整后预算数", "决算数", "执行数", "预算数", "年初预算", "全年预算", "决算",
             "预算", "执行", "实际", "支出", "金额", "总额", "合计", "总计", "共计", "累计", "为", "是", "共", "计", "达到",
             "达", "约", "本年度", "本年", "全年", "当年", "年度", "安排", "完成")
GAP = re.compile(r"^(?:[:：\s]|20\d\d年|" + "|".join(GAP_WORDS) + r")*$")
"""What may stand between a label and its amount: connecting words, a year, a colon — nothing that changes the subject."""

BOUNDARY_CHARS = set(" \t\n，。；：、,.;:!?！？（()）“”\"'‘’《》【】[]—-…")
BOUNDARY_WORDS = ("其中", "年", "度", "和", "及", "与", "含", "即", "包括", "本单位", "本部门", "单位", "部门", "全年",
                  "本年", "当年", "共")
LAST_YEAR_WORDS = ("上年", "去年", "上一年", "同期", "上年度")
COLUMN_WORDS = (("年初预算", ("initial_budget",)), ("全年预算", ("budget",)), ("调整后预算", ("budget",)),
                ("预算", ("initial_budget", "budget")), ("决算", ("actual",)), ("执行", ("actual",)),
                ("实际", ("actual",)))
SENTENCE_END = "。；;！？!?\n"
CLAUSE_END = "，,"
LEAD_IN = re.compile(r"(?:20\d\d年度?|其中[:：]?)$")

COMPARISON = re.compile(r"(?:比|较|与)(?P<year>20\d\d年|上年|去年|上一年|上年度)|同比")
CHANGE_VERB = re.compile(r"(?P<verb>增加|减少|增长|下降|上升|降低|增|减|持平)(?:了)?(?:幅度)?(?:为|达到|达|约)?\s*$")
SHARE = re.compile(r"占(?:比)?(?P<den>[^，,。；%％\d]{0,16}?)(?:的)?(?:比例|比重)?(?:为|达到|达|是|约)?\s*$")
RATE = re.compile(r"(?P<word>执行率|完成率|到位率|支出进度|执行进度|完成(?:全年|年度)?预算(?:数)?)(?:的)?(?:为|达到|达|是)?\s*$")
"""A rate word right before a percentage; what the rate means is the name it ends (synonyms.yaml 预算执行率)."""
TARGET_RATE = "完成率"
"""A 完成率 whose label does not name the budget is the completion of a physical target (页数、公里), not the budget's."""
CONTINUATION = re.compile(r"^\s*(?:比|较|与上年|与去年|同比|增加|减少|增长|下降|上升|降低|持平|占|执行率|预算执行率|完成预算"
                          r"|增幅|降幅|减幅)")
OPENER = re.compile(r"^\s*[，,。]?\s*(?:其中|包括|含)[:：，,]?|^\s*[（(]\s*(?:其中|含|包括)[:：]?")
DOWN = ("减少", "下降", "降低", "减")


@dataclass(frozen=True)
class Label:
    """A phrase that names a structured figure: a statement row (unit texts) or a project's money."""

    words: str
    table: str          # finance | three_public | project
    key: str            # the row key, or budget/actual for a project
    change_only: bool = False


# ---------------------------------------------------------------- the synonym table

def _rows(table: str, mapping: Mapping) -> Iterator[tuple[str, str]]:
    for key, words in (mapping or {}).items():
        if table in ("finance", "three_public") and key not in ROWS_BY_KEY:
            raise ValueError(f"同义词表中的行名“{key}”不是{TABLE_NAMES[table]}的行")
        for word in [key, *(words or [])] if table != "project" else (words or []):
            yield str(key), str(word)


def _labels_of(data: Mapping, change_only: bool = False) -> list[Label]:
    out: list[Label] = []
    for name, table in TABLES.items():
        out += [Label(word, table, key, change_only) for key, word in _rows(table, data.get(name) or {})]
    for key, words in (data.get("项目") or {}).items():
        if key not in PROJECT_KEYS:
            raise ValueError(f"同义词表“项目”下只能有 全年预算数、全年执行数，不能有“{key}”")
        out += [Label(str(word), "project", PROJECT_KEYS[key], change_only) for word in words or []]
    if not change_only and data.get("只用于增减"):
        out += _labels_of(data["只用于增减"], change_only=True)
    if not change_only:
        out += [Label(str(word), "rate", "budget") for word in data.get(RATE_KEY) or []]
    return out


def _row_names() -> list[Label]:
    """Every statement row by its own name (the model's aliases), as the catalog writes it."""
    out = []
    for row in ROWS_BY_KEY.values():
        table = "three_public" if row.group == "三公经费" else "finance"
        for word in {row.key, row.display.removeprefix("其中：")}:
            out.append(Label(word, table, row.key))
    return out


def load_synonyms(extra: Iterable[Mapping] = ()) -> tuple[Label, ...]:
    """The labels of the statement rows and the bundled synonym table, then those of each extra mapping (a province
    pack's own file, read with yaml.safe_load, in the same format). A word that names two different figures is
    dropped: it is ambiguous, so nothing said with it is reported."""
    with SYNONYMS.open(encoding="utf-8") as f:
        labels = _row_names() + _labels_of(yaml.safe_load(f))
    for data in extra:
        labels += _labels_of(data)
    targets: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for lb in labels:
        targets.setdefault((lb.words, _kind(lb)), set()).add((lb.table, lb.key))
    unique: dict[tuple[str, str, bool], Label] = {}
    for lb in labels:
        if len(targets[(lb.words, _kind(lb))]) == 1:
            unique.setdefault((lb.words, _kind(lb), lb.change_only), lb)
    return tuple(unique.values())


def _kind(label: Label) -> str:
    """Labels of one kind compete for the same words: statement rows (unit texts), project money, rate names."""
    return label.table if label.table in ("project", "rate") else "statement"


@lru_cache(maxsize=8)
def _scanner(labels: tuple[Label, ...], project: bool) -> tuple[re.Pattern, dict[str, Label]]:
    # a word that is both a full label and a change-only one is a full label
    ordered = sorted(labels, key=lambda lb: not lb.change_only)
    chosen = {lb.words: lb for lb in ordered if lb.table != "rate" and (lb.table == "project") == project}
    words = sorted(chosen, key=len, reverse=True)      # the longest label wins: 本年支出合计 before 支出
    return re.compile("|".join(re.escape(w) for w in words)), chosen


_SCANNERS: dict[tuple[int, bool], tuple[tuple[Label, ...], tuple[re.Pattern, dict[str, Label]]]] = {}


def _scanner_of(labels: tuple[Label, ...], project: bool) -> tuple[re.Pattern, dict[str, Label]]:
    """_scanner for the same labels object as last time without hashing every label again (a report with
    20,000 projects reads 40,000 texts)."""
    key = (id(labels), project)
    known = _SCANNERS.get(key)
    if known is None or known[0] is not labels:
        if len(_SCANNERS) > 16:
            _SCANNERS.clear()
        known = _SCANNERS[key] = (labels, _scanner(labels, project))
    return known[1]


DEFAULT_LABELS = load_synonyms()

MAX_SYNONYMS_BYTES = 256 * 1024
"""A pack's 同义词.yaml is a word list: anything larger is a mistake or an attack, refused before parsing."""


def pack_synonyms(pack) -> tuple[Label, ...]:
    """The labels of the bundled table and of each 同义词.yaml of the pack's chain (its base's first); PackError
    (Chinese, naming the file) when one cannot be used."""
    from ..pack import SYNONYMS_FILE
    files = tuple((str(folder / SYNONYMS_FILE), (folder / SYNONYMS_FILE).stat().st_mtime_ns)
                  for folder in reversed(pack.dirs) if (folder / SYNONYMS_FILE).is_file())
    return _pack_labels(pack.name, files) if files else DEFAULT_LABELS


@lru_cache(maxsize=16)
def _pack_labels(name: str, files: tuple[tuple[str, int], ...]) -> tuple[Label, ...]:
    from ..pack import PackError, SYNONYMS_FILE
    extra = []
    for path, _ in files:
        where = f"模板包“{name}”的 {SYNONYMS_FILE}"
        if Path(path).stat().st_size > MAX_SYNONYMS_BYTES:
            raise PackError(f"{where}过大（超过 {MAX_SYNONYMS_BYTES // 1024} KB）：同义词表只列说法，请检查文件")
        try:
            with open(path, encoding="utf-8-sig") as f:
                data = yaml.safe_load(f)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f"第{mark.line + 1}行" if mark is not None else ""
            raise PackError(f"{where}{line}无法读取：请检查 YAML 格式和 UTF-8 编码") from None
        problem = _shape_problem(data)
        if problem:
            raise PackError(f"{where}有误：{problem}。请对照 jxzp 自带的同义词表的格式修改") from None
        extra.append(data)
    try:
        return load_synonyms(extra)
    except ValueError as exc:
        raise PackError(f"模板包“{name}”的 {SYNONYMS_FILE} 有误：{exc}") from None


def _shape_problem(data) -> str:
    """What is wrong with a synonym table's shape (sections of rows of word lists), or "" when nothing is."""
    if data is None:
        return ""
    if not isinstance(data, dict):
        return "最外层应为“收支情况:”“三公经费:”“项目:”“预算执行率:”等栏目"
    known = (*TABLES, "项目", "只用于增减", RATE_KEY)
    for section, rows in data.items():
        if section not in known:
            return f"栏目“{section}”不认识，只能是 {'、'.join(known)}"
        if section == RATE_KEY:
            rows = {RATE_KEY: rows}
        elif section == "只用于增减":
            if not isinstance(rows, dict):
                return "“只用于增减”下应为“收支情况:”等栏目"
            inner = _shape_problem({k: v for k, v in rows.items() if k != RATE_KEY} or None)
            if inner:
                return inner
            continue
        if not isinstance(rows, dict):
            return f"“{section}”下应为“行名: [说法, 说法]”"
        for row, words in rows.items():
            if not isinstance(words, list) or not all(isinstance(w, str) and 0 < len(w) <= 40 for w in words):
                return f"“{section}”下“{row}”应为一列说法（每个不超过40字），如 [总支出, 支出总额]"
    return ""


_RATE_WORDS: dict[int, tuple[tuple[Label, ...], tuple[str, ...]]] = {}


def _rate_words(labels: tuple[Label, ...]) -> tuple[str, ...]:
    """The names of the budget execution rate among these labels, worked out once per labels object."""
    known = _RATE_WORDS.get(id(labels))
    if known is None or known[0] is not labels:
        if len(_RATE_WORDS) > 16:
            _RATE_WORDS.clear()
        known = _RATE_WORDS[id(labels)] = (labels, tuple(lb.words for lb in labels if lb.table == "rate"))
    return known[1]


# ---------------------------------------------------------------- what a text says

@dataclass(frozen=True)
class Said:
    """One figure written in a text and what it claims.

    kind: amount (the label's figure), change (its change from last year, 万元), growth (that change in %),
    share (its share of a total, %), rate (its execution rate, %), part (one of the parts after 其中).
    """

    kind: str
    number: Decimal
    start: int                   # where the number is written in the text
    end: int
    fragment: str
    label: Label | None = None
    columns: tuple[str, ...] = AMOUNT_COLUMNS
    signed: Decimal | None = None          # a change with its direction
    denominator: str = ""                  # a share: the words naming the total, if written
    target: bool = False                   # a rate: the completion of a physical target (完成率), not the budget's
    sentence: str = ""                     # a rate: its sentence up to the figure, to find the indicator it is about


@dataclass(frozen=True)
class Breakdown:
    """An amount followed by its parts (其中/包括/含 A、B、C), all written in the same text."""

    total: Decimal
    total_start: int
    total_end: int
    parts: tuple[tuple[Decimal, int, int, Label | None], ...]
    fragment: str
    label: Label | None = None          # what the total is, when a label stands right before it


@dataclass
class Reading:
    """Everything the scanner read in one text."""

    field: TextField
    said: list[Said] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _at_boundary(text: str, start: int) -> bool:
    if start == 0 or text[start - 1] in BOUNDARY_CHARS:
        return True
    head = text[:start]
    return head.endswith(BOUNDARY_WORDS) or bool(re.search(r"20\d\d年度?$", head))


def _columns(year: int | None, text: str, start: int, gap: str) -> tuple[str, ...]:
    """The columns an amount may be from, by the words around it; all columns when nothing says."""
    before = text[max(0, start - 6):start]
    if before.endswith(LAST_YEAR_WORDS) or (year is not None and (
            f"{year - 1}年" in gap or before.endswith((f"{year - 1}年", f"{year - 1}年度")))):
        return ("last_year",)
    for word, columns in COLUMN_WORDS:
        if word in gap:
            return columns
    return AMOUNT_COLUMNS


def lead_start(text: str, start: int) -> int:
    """Where a label's phrase starts: with a year or 其中 just before the label (“2021年本年收入合计”)."""
    lead = LEAD_IN.search(text[max(0, start - 8):start])
    return start - len(lead.group(0)) if lead else start


_READ: dict[tuple[str, bool, int, int], tuple[tuple[Label, ...], tuple[Said, ...], tuple[Breakdown, ...]]] = {}
_READ_LIMIT = 8192


def read_text(ctx: Context, field_: TextField, labels: tuple[Label, ...] = DEFAULT_LABELS) -> Reading:
    """Read one text: every figure tied to what it speaks about, and every breakdown.

    What a text says depends on its words, its kind (unit or project), the year and the labels only: a text read
    before in this process (a regeneration after one change re-checks all the others) is not read again."""
    key = (field_.text, field_.is_unit, ctx.report.unit.year, id(labels))
    known = _READ.get(key)
    if known is not None and known[0] is labels:
        return Reading(field_, list(known[1]), list(known[2]))
    reading = _read_text(ctx, field_, labels)
    if len(_READ) >= _READ_LIMIT:          # a batch worker reads new units' texts: keep the memory bounded
        _READ.clear()
    _READ[key] = (labels, tuple(reading.said), tuple(reading.breakdowns))
    return reading


def _read_text(ctx: Context, field_: TextField, labels: tuple[Label, ...]) -> Reading:
    text = field_.text
    pattern, by_words = _scanner_of(labels, not field_.is_unit)
    rate_words = _rate_words(labels)
    year = ctx.report.unit.year
    reading = Reading(field_)
    found = [(m.start(), m.end(), by_words[m.group(0)]) for m in pattern.finditer(text) if _at_boundary(text, m.start())]
    figures = list(FIGURE.finditer(text))
    sentence_start = 0
    for i, ch in enumerate(text + "\n"):
        if ch not in SENTENCE_END:
            continue
        _read_sentence(reading, text, sentence_start, i, found, figures, year, field_.is_unit, rate_words)
        sentence_start = i + 1
    reading.breakdowns = list(_breakdowns(text, figures, found))
    return reading


def _read_sentence(reading: Reading, text: str, lo: int, hi: int, found, figures, year: int | None, is_unit: bool,
                   rate_words: tuple[str, ...]) -> None:
    sentence = text[lo:hi]
    labels = [(s, e, lb) for s, e, lb in found if lo <= s < hi]
    if is_unit and "项目" in sentence:
        # a sentence about projects: only 项目支出 itself is the unit's figure
        cut = sentence.find("项目")
        labels = [(s, e, lb) for s, e, lb in labels if lb.key == "项目支出" or s - lo < cut]
    subject: tuple[int, int, Label] | None = None
    clause_start = lo
    last_end = lo                 # where the text after the subject, or the last figure read, ends
    compared = False              # a comparison with last year stands since the subject
    for pos in range(lo, hi + 1):
        at_end = pos == hi or text[pos] in CLAUSE_END
        if not at_end:
            continue
        clause = text[clause_start:pos]
        own = [lb for lb in labels if clause_start <= lb[0] < pos]
        if not own and not CONTINUATION.match(clause):
            subject = None
        points = sorted([(s, "label", (s, e, lb)) for s, e, lb in own] +
                        [(m.start(), "figure", m) for m in figures if clause_start <= m.start() < pos])
        for _, kind, item in points:
            if kind == "label":
                subject, last_end, compared = item, item[1], False
                continue
            m = item
            between = text[last_end:m.start()]
            if COMPARISON.search(between):
                comparison = COMPARISON.search(between)
                when = comparison.group("year")
                compared = not (when and when[:-1].isdigit() and (year is None or int(when[:-1]) != year - 1))
            said = _classify(text, subject, m, between, compared, year, last_end, (lo, rate_words))
            if said is not None:
                reading.said.append(said)
            last_end = m.end()
        clause_start = pos + 1


def _classify(text: str, subject, m: re.Match, between: str, compared: bool, year: int | None, last_end: int,
              rates: tuple[int, tuple[str, ...]] = (0, ())) -> Said | None:
    """What one figure claims, given the subject it follows and the words just before it; None when unsure.
    `rates`: where the sentence starts, and the names of the budget execution rate (synonyms.yaml 预算执行率)."""
    unit = m.group("unit")
    percent = unit in ("%", "％")
    number = _number(m.group("num"))
    rate = RATE.search(between) if percent else None
    if rate and not (subject and COMPARISON.search(between)):
        # A rate is the budget's only when its name says so (预算执行率, 支出进度, 资金到位率 …); a bare 完成率 is a
        # physical target's, and any other rate (人员到位率) is none of ours.
        lo, rate_words = rates
        target = not text.endswith(rate_words, 0, last_end + rate.end("word"))
        if target and rate.group("word") != TARGET_RATE:
            return None
        # an execution rate needs no subject: the project's own, or the label's (the department's when none)
        return Said("rate", number, m.start(), m.end(), text[last_end + rate.start():m.end()].strip("，, "),
                    subject[2] if subject and not target else None, target=target, sentence=text[lo:m.end()])
    if subject is None:
        return None
    s, e, label = subject
    fragment = _fragment(text, s, e, m.start(), m.end())
    verb = CHANGE_VERB.search(between)
    if verb and compared:
        down = verb.group("verb") in DOWN
        if verb.group("verb") == "持平":
            return None
        if unit == "万元":
            return Said("change", number, m.start(), m.end(), fragment, label, signed=-number if down else number)
        if percent:
            return Said("growth", number, m.start(), m.end(), fragment, label, signed=-number if down else number)
        return None
    if label.change_only:
        return None
    if percent:
        share = SHARE.search(between)
        if share:
            return Said("share", number, m.start(), m.end(), fragment, label, denominator=share.group("den").strip())
        return None
    if unit != "万元" or last_end != e:
        return None             # only the first amount right after its label is the label's amount
    gap = text[e:m.start()]
    if not GAP.match(gap):
        return None
    return Said("amount", number, m.start(), m.end(), fragment, label, columns=_columns(year, text, s, gap))


def _fragment(text: str, s: int, e: int, start: int, end: int) -> str:
    """The phrase from its label to the figure (with a year or 其中 just before the label); when the figure is in a
    later clause, the label, an ellipsis and that clause."""
    head = lead_start(text, s)
    clause = max(text.rfind(ch, 0, start) for ch in CLAUSE_END) + 1
    if clause <= e or end - head <= 40:
        return text[head:end].strip()
    return f"{text[head:e].strip()}……{text[clause:end].strip()}"


def _breakdowns(text: str, figures: list[re.Match], found) -> Iterator[Breakdown]:
    amounts = [m for m in figures if m.group("unit") == "万元"]
    for i, total in enumerate(amounts):
        after = text[total.end():total.end() + 8]
        opener = OPENER.match(after)
        if not opener:
            continue
        begin = total.end() + opener.end()
        in_brackets = "（" in opener.group(0) or "(" in opener.group(0)
        stop = _list_end(text, begin, in_brackets)
        parts = []
        for m in amounts[i + 1:]:
            if m.start() >= stop:
                break
            if _depth(text, begin, m.start()) > 0 or _is_change(text, begin, m.start()):
                continue        # a nested breakdown, or a change, is no part of this one
            parts.append((_number(m.group("num")), m.start(), m.end(), _part_label(text, begin, m.start(), found)))
        if len(parts) < 2:
            continue
        head = lead_start(text, max(text.rfind(ch, 0, total.start()) for ch in "，,。；;：:\n") + 1)
        yield Breakdown(_number(total.group("num")), total.start(), total.end(), tuple(parts),
                        _short(text[head:stop]), _part_label(text, head, total.start(), found))


def _list_end(text: str, begin: int, in_brackets: bool) -> int:
    if in_brackets:
        depth = 1
        for pos in range(begin, len(text)):
            depth += text[pos] in "（(" and 1 or 0
            depth -= text[pos] in "）)" and 1 or 0
            if depth == 0:
                return pos
        return len(text)
    for pos in range(begin, len(text)):
        if text[pos] in "。\n" and _depth(text, begin, pos) == 0:
            return pos
    return len(text)


def _depth(text: str, begin: int, pos: int) -> int:
    chunk = text[begin:pos]
    return chunk.count("（") + chunk.count("(") - chunk.count("）") - chunk.count(")")


def _is_change(text: str, begin: int, pos: int) -> bool:
    clause = text[max(begin, max(text.rfind(ch, 0, pos) for ch in "，,；;、") + 1):pos]
    return bool(COMPARISON.search(clause) or CHANGE_VERB.search(clause) or "占" in clause)


def _part_label(text: str, begin: int, pos: int, found) -> Label | None:
    clause_start = max(begin, max(text.rfind(ch, 0, pos) for ch in "，,；;、：:") + 1)
    inside = [lb for s, e, lb in found if clause_start <= s and e <= pos and GAP.match(text[e:pos])]
    return inside[-1] if inside else None


def _short(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 1] + "……"


def labels_of(ctx: Context) -> tuple[Label, ...]:
    """The labels of this check run: the pack's (pack_synonyms, set by run_checks) or the bundled ones."""
    return ctx.__dict__.get("synonyms") or DEFAULT_LABELS


def readings(ctx: Context) -> list[Reading]:
    """Every text read once per check run, though several rules use it."""
    cache = ctx.__dict__.get("_prose")
    if cache is None:
        labels = labels_of(ctx)
        cache = ctx.__dict__["_prose"] = [read_text(ctx, f, labels) for f in text_fields(ctx)]
    return cache


# ---------------------------------------------------------------- the figures a label names

@dataclass(frozen=True)
class Figure:
    """The structured figure a phrase names: what to call it, the value to show, every value it may agree with."""

    source: str
    value: Decimal
    accepted: tuple[Decimal, ...]
    path: str = ""


def statement_figure(ctx: Context, table: str, key: str, columns: tuple[str, ...]) -> Figure | None:
    line = ctx.line(table, key)
    accepted: list[Decimal] = []
    shown_value = None
    for column in ("actual", "budget", "initial_budget", "last_year"):
        if column not in columns:
            continue
        values = [v for v in (line.stated[column], line.values[column]) if v is not None]
        accepted += values
        if values and shown_value is None:
            shown_value = (values[0], column)
    if shown_value is None:
        return None
    value, column = shown_value
    return Figure(f"{TABLE_NAMES[table]}“{key}”的{column_label(column)}", value, tuple(accepted),
                  f"{table}.{key}.{column}")


def project_figure(ctx: Context, index: int, key: str) -> Figure | None:
    from .projects import fund_path
    funds = ctx.report.projects[index].funds
    stages = ("initial_budget", "budget") if key == "budget" else ("actual",)
    accepted: list[Decimal] = []
    for stage in stages:
        f = getattr(funds, stage)
        accepted += [v for v in (f.total, f.stated_total, *f.parts) if v is not None]
    stage = "budget" if key == "budget" else "actual"
    if key == "budget" and funds.budget.total is None:
        stage = "initial_budget"
    main = getattr(funds, stage).total
    if main is None:
        return None
    source = "项目资金的全年预算数" if key == "budget" else "项目资金的全年执行数"
    return Figure(source, main, tuple(accepted), fund_path(index, stage, getattr(funds, stage)))


def figure_of(ctx: Context, reading: Reading, said: Said) -> Figure | None:
    lb = said.label
    if lb is None:
        return None
    if lb.table == "project":
        return project_figure(ctx, reading.field.project, lb.key)
    return statement_figure(ctx, lb.table, lb.key, said.columns)


@dataclass(frozen=True)
class Change:
    """A figure's change from last year: this year, last year, where they are."""

    name: str
    actual: Decimal
    last: Decimal
    path: str

    @property
    def delta(self) -> Decimal:
        return self.actual - self.last

    @property
    def rate(self) -> Decimal | None:
        return ratio_percent(self.delta, self.last)


def change_of(ctx: Context, reading: Reading, label: Label) -> Change | None:
    if label.table == "project":
        project = ctx.report.projects[reading.field.project]
        actual, last = project.funds.actual.total, project.last_year_actual
        if actual is None or last is None:
            return None
        return Change(f"项目“{project.name}”的全年执行数", actual, last,
                      f"projects.{reading.field.project}.last_year_actual")
    actual = ctx.presented(label.table, label.key, "actual")
    last = ctx.presented(label.table, label.key, "last_year")
    if actual is None or last is None:
        return None
    return Change(f"{TABLE_NAMES[label.table]}“{label.key}”", actual, last, f"{label.table}.{label.key}.last_year")


def share_totals(label: Label, denominator: str, labels: tuple[Label, ...]) -> list[tuple[str, str]]:
    """The totals a share may be of: the one its words name (占本年支出合计的…), else every total the row is
    part of (基本支出 → 本年支出合计, 支出总计), as (table, key)."""
    if label.table == "project":
        return []
    if denominator:
        words = denominator.removeprefix("本年").removeprefix("全年") if denominator not in {lb.words for lb in labels} \
            else denominator
        named = [(lb.table, lb.key) for lb in labels if lb.table == label.table and not lb.change_only
                 and lb.words in (denominator, words)]
        return named[:1]
    out: list[tuple[str, str]] = []
    frontier = [label.key]
    while frontier:
        key = frontier.pop(0)
        for row in ROWS_BY_KEY.values():
            if key in row.parts and row.key not in out:
                out.append(row.key)
                frontier.append(row.key)
    return [(label.table, k) for k in out]


def execution_rate(ctx: Context, reading: Reading, label: Label | None) -> tuple[list[Decimal], str] | None:
    """The execution rate a text may mean (computed and, where typed, stated) and how it is computed."""
    from .engine import shown_computed
    if not reading.field.is_unit:
        pr = ctx.results.projects[reading.field.project]
        if pr.card.execution_rate is None:
            return None
        values = [v for v in (pr.card.execution_rate, pr.project.stated_execution_rate) if v is not None]
        return values, (f"全年执行数{shown_computed(pr.card.actual)}万元 ÷ "
                        f"全年预算数{shown_computed(pr.card.budget)}万元")
    if label is None:
        label = Label("", "finance", "本年支出合计")
    if label.table == "project":
        return None
    actual = ctx.presented(label.table, label.key, "actual")
    budget = ctx.presented(label.table, label.key, "budget")
    rate = ratio_percent(actual, budget)
    if rate is None:
        return None
    values = [rate]
    if label.key == "本年支出合计" and ctx.report.unit.stated_execution_rate is not None:
        values.append(ctx.report.unit.stated_execution_rate)
    return values, (f"{TABLE_NAMES[label.table]}“{label.key}”决算数{shown_computed(actual)}万元 ÷ "
                    f"全年预算数{shown_computed(budget)}万元")


__all__ = ["pack_synonyms", "labels_of", "Label", "Said", "Breakdown", "Reading", "Figure", "Change", "load_synonyms", "read_text", "readings",
           "figure_of", "change_of", "share_totals", "execution_rate", "statement_figure", "project_figure"]
