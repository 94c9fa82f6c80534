"""The compile-once Word path gives the same documents as the plain per-document docxtpl loop it replaces."""
from __future__ import annotations

import io

import pytest
from docx import Document

from generator.generate import DEPARTMENT_DOCX, PROJECT_DOCX, _stamp, template_paths
from generator.pipeline import evaluate
from generator.render.charts import render_chart
from generator.render.docx import DocInfo, render_docx, render_docx_plain
from generator.render.views import build_package

from packages import lizhou_input


def _content(data: bytes) -> tuple[list[str], list[list[str]], int]:
    doc = Document(io.BytesIO(data))
    tables = [[cell.text for row in t.rows for cell in row.cells] for t in doc.tables]
    return [p.text for p in doc.paragraphs], tables, len(doc.inline_shapes)


@pytest.fixture(scope="module")
def lizhou():
    evaluation = evaluate(lizhou_input())
    package = build_package(evaluation.results)
    images = {spec.key: render_chart(spec) for spec in package.charts}
    return evaluation, package, images


def test_department_report_equals_the_plain_docxtpl_rendering(lizhou):
    evaluation, package, images = lizhou
    info = DocInfo("标题", "单位", _stamp(evaluation))
    template = template_paths(None)[DEPARTMENT_DOCX]
    fast = render_docx(template, package.department, images, info, {"failed_check": ""})
    plain = render_docx_plain(template, package.department, images, info, {"failed_check": ""})
    assert _content(fast) == _content(plain)
    assert _content(fast)[2] == len(package.charts)      # every chart embedded


def test_every_project_report_equals_the_plain_rendering(lizhou):
    evaluation, package, images = lizhou
    template = template_paths(None)[PROJECT_DOCX]
    for project in package.projects:
        info = DocInfo(project.title_lines[0], "单位", _stamp(evaluation))
        fast = render_docx(template, project, images, info, {"failed_check": ""})
        plain = render_docx_plain(template, project, images, info, {"failed_check": ""})
        assert _content(fast) == _content(plain), project.file_stem


def test_fast_rendering_is_byte_stable(lizhou):
    evaluation, package, images = lizhou
    info = DocInfo("标题", "单位", _stamp(evaluation))
    template = template_paths(None)[DEPARTMENT_DOCX]
    extra = {"failed_check": ""}
    first = render_docx(template, package.department, images, info, extra)
    assert first == render_docx(template, package.department, images, info, extra)
