"""The preparer's free-text fields, named as the input names them, for the rules that read prose."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..model import LABEL_CELL, Project, Report, Unit
from ..numbers import normalize_text
from ..problems import Problem, Severity
from .engine import Context

UNIT_TEXTS = ("functions", "offices", "tasks", "goal", "achieved", "evaluation_work", "budget_management",
              "key_work", "conclusion", "problems", "improvements", "other_notes", "thrift_measures")
"""Narrative fields of the department report (model.Unit)."""

PROJECT_TEXTS = ("basis", "goal", "achieved", "approval", "conformity", "funds_use", "financial_management",
                 "implementation", "completion", "benefits", "problems", "suggestions")
"""Narrative fields of a project report (model.Project)."""


@dataclass(frozen=True)
class TextField:
    """One free-text field: where it is, how to name it in a message, and its text."""

    path: str
    name: str
    text: str
    project: int | None = None

    @property
    def is_unit(self) -> bool:
        return self.project is None


@lru_cache(maxsize=None)
def alias(model: type, name: str) -> str:
    return model.model_fields[name].alias or name


def unit_field_name(name: str) -> str:
    return f"单位信息“{alias(Unit, name)}”"


def project_field_name(project: Project, name: str) -> str:
    return f"项目“{project.name}”的“{alias(Project, name)}”"


def _text(value) -> str | None:
    if isinstance(value, list):
        return "\n".join(value) if value else None
    return value


def text_fields(ctx: Context) -> list[TextField]:
    """Every non-empty free-text field: the unit's first, then each project's, in input order (listed once per
    check run: several rules read them all)."""
    cache = ctx.__dict__.get("_text_fields")
    if cache is None:
        cache = ctx.__dict__["_text_fields"] = list(_text_fields(ctx))
    return cache


def _text_fields(ctx: Context) -> Iterator[TextField]:
    unit = ctx.report.unit
    for name in UNIT_TEXTS:
        text = _text(getattr(unit, name))
        if text and text.strip():
            yield TextField(f"unit.{name}", unit_field_name(name), text)
    for name, text in unit.sections.items():
        if text and text.strip():
            yield TextField(f"unit.sections.{name}", f"单位信息“{name}”", text)
    for i, project in enumerate(ctx.report.projects):
        for name in PROJECT_TEXTS:
            text = getattr(project, name)
            if text and text.strip():
                yield TextField(f"projects.{i}.{name}", project_field_name(project, name), text, i)


SENTENCE_ENDS = "。；！？\n"


def sentence_start(text: str, pos: int) -> int:
    """Where the sentence holding text[pos] starts."""
    return max(text.rfind(ch, 0, pos) for ch in SENTENCE_ENDS) + 1


def quote(text: str, start: int, end: int, width: int) -> str:
    """The words around text[start:end] for a message: up to `width` characters each side, cut at sentence ends."""
    left = max(sentence_start(text, start), start - width)
    rights = [i for i in (text.find(ch, end) for ch in SENTENCE_ENDS) if i != -1]
    return text[left:min([*rights, end + width, len(text)])].strip().lstrip("，、；：,;:")


# ---------------------------------------------------------------- a pack's own text fields

def _label_key(text: str) -> str:
    return normalize_text(text).rstrip("*")


def apply_pack_texts(report: Report, pack) -> list[Problem]:
    """Key the unit's extra 单位信息 entries by the chosen pack's text fields (文字栏目, typed by label or name), every
    declared field present ("" when empty); an entry the pack does not declare is reported and dropped, a required
    field left empty is reported at its cell, as a built-in report section is."""
    declared = pack.text_fields
    by_word: dict[str, str] = {}
    for name, spec in declared.items():
        by_word[_label_key(name)] = name
        by_word[_label_key(spec.shown(name))] = name
    places = report.places
    problems: list[Problem] = []
    kept: dict[str, str] = {}
    for typed, text in report.unit.sections.items():
        path = f"unit.sections.{typed}"
        name = by_word.get(_label_key(typed))
        if name is None:
            place = places.get(f"{path}.{LABEL_CELL}") or report.place(path)
            what = "填报项目" if "!" in place else "栏目"
            hint = (f"；模板包“{pack.name}”的文字栏目有：{'、'.join(s.shown(n) for n, s in declared.items())}"
                    if declared else "")
            problems.append(Problem(Severity.WARNING, place, f"未知的{what}“{typed}”，已忽略：请检查名称是否写错{hint}",
                                    "unknown-key", path=path))
            continue
        target = f"unit.sections.{name}"
        if target != path:
            for suffix in ("", f".{LABEL_CELL}"):
                if path + suffix in places:
                    places[target + suffix] = places.pop(path + suffix)
        kept[name] = f"{kept[name]}\n{text}".strip() if kept.get(name) else text
    for name, spec in declared.items():
        kept.setdefault(name, "")
        if spec.required and not kept[name].strip():
            path = f"unit.sections.{name}"
            place = places.get(path) or report.source
            problems.append(Problem(Severity.WARNING, place,
                                    f"单位信息“{spec.shown(name)}”未填写：模板包“{pack.name}”的材料要有这一部分，请填写"
                                    + (f"（{spec.help}）" if spec.help else ""), "section-empty", path=path))
    report.unit.sections = {name: kept[name] for name in declared}
    return problems
