"""Findings about a document's sections only for documents the package holds: a township publishing only its
project score tables gets no warning about a department report it never writes."""
from __future__ import annotations

from pathlib import Path

import yaml

from generator.pipeline import evaluate

ROOT = Path(__file__).resolve().parent.parent
TOWNSHIP = ROOT / "inputs" / "anhui-township.yaml"
DEPARTMENT_ONLY = {"section-empty", "no-department-indicators"}


def _codes(path: Path, pack: str | None = None) -> set[str]:
    return {p.code for p in evaluate(path, pack=pack).problems}


def test_a_pack_without_a_department_report_gives_no_department_warnings():
    assert DEPARTMENT_ONLY <= _codes(TOWNSHIP, "全国")         # the township has none of those sections
    assert not DEPARTMENT_ONLY & _codes(TOWNSHIP, "安徽")        # and 安徽 publishes no department report


def test_a_unit_that_turns_the_department_report_off_gets_no_department_warnings(tmp_path):
    data = yaml.safe_load(TOWNSHIP.read_text(encoding="utf-8"))
    data["单位信息"]["模板"] = "全国"
    data["单位信息"]["不生成"] = ["部门整体支出绩效自评报告"]
    changed = tmp_path / "township.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    evaluation = evaluate(changed)
    codes = {p.code for p in evaluation.problems}
    assert not DEPARTMENT_ONLY & codes
    assert evaluation.pack.name == "全国"
