"""The preparer's free-text fields, named as the input names them, for the rules that read prose."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..model import Project, Unit
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
    for i, project in enumerate(ctx.report.projects):
        for name in PROJECT_TEXTS:
            text = getattr(project, name)
            if text and text.strip():
                yield TextField(f"projects.{i}.{name}", project_field_name(project, name), text, i)
