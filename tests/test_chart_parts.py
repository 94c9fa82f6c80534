"""Native Word charts: read back from the generated .docx, compared with the report, valid as a package."""
from __future__ import annotations

import io
import posixpath
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from openpyxl import load_workbook
from openxml_audit import OpenXmlValidator

from generator.cli import main
from generator.filters import amount, percent
from generator.generate import generate
from generator.numbers import round2
from generator.render.pdf import soffice
from packages import FIXTURES, generated, lizhou_input, table_rows

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS = {"c": C, "a": A}
DEPARTMENT = "部门整体支出绩效自评报告.docx"
LIZHOU = lizhou_input()
SMALL = FIXTURES / "small.yaml"


@dataclass
class Chart:
    """One chart as Word reads it: title, kind, categories and series from the part's cache, and its workbook."""

    part: str
    title: str
    kind: str                                   # "col", "bar" or "pie"
    categories: list[str]
    series: dict[str, list[Decimal | None]]
    formats: list[str]
    workbook: bytes
    xml: etree._Element


def charts_of(docx: Path) -> list[Chart]:
    """The charts of a .docx in the order the body places them."""
    with zipfile.ZipFile(docx) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
        rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(archive.read("word/_rels/document.xml.rels"))}
        charts = []
        for ref in body.iter(f"{{{C}}}chart"):
            part = posixpath.join("word", rels[ref.get(f"{{{R}}}id")])
            space = etree.fromstring(archive.read(part))
            own = etree.fromstring(archive.read(posixpath.join(posixpath.dirname(part), "_rels",
                                                               posixpath.basename(part) + ".rels")))
            workbook = posixpath.normpath(posixpath.join(posixpath.dirname(part), own[0].get("Target")))
            bar_dir = space.find(".//c:barDir", NS)
            series, categories, formats = {}, None, []
            for ser in space.iterfind(".//c:ser", NS):
                name = ser.findtext("c:tx//c:v", namespaces=NS)
                cats = {int(p.get("idx")): p.findtext("c:v", namespaces=NS) for p in ser.iterfind("c:cat//c:pt", NS)}
                count = int(ser.find("c:val//c:ptCount", NS).get("val"))
                values = {int(p.get("idx")): Decimal(p.findtext("c:v", namespaces=NS))
                          for p in ser.iterfind("c:val//c:pt", NS)}
                categories = [cats[i] for i in range(len(cats))]
                series[name] = [values.get(i) for i in range(count)]
                formats.append(ser.findtext("c:val//c:formatCode", namespaces=NS))
            title = "".join(t.text for t in space.iterfind("c:chart/c:title//a:t", NS))
            charts.append(Chart(part, title, "pie" if bar_dir is None else bar_dir.get("val"), categories, series,
                                formats, archive.read(workbook), space))
        return charts


@pytest.fixture(scope="module")
def lizhou():
    if LIZHOU is None:
        pytest.skip("the Lizhou example input is not in this checkout")
    return generated(LIZHOU, ("docx",))


@pytest.fixture(scope="module")
def lizhou_charts(lizhou):
    return charts_of(lizhou.folder / DEPARTMENT)


def _prose(docx: Path) -> str:
    with zipfile.ZipFile(docx) as archive:
        return "".join(etree.fromstring(archive.read("word/document.xml")).itertext())


def test_the_department_report_carries_its_four_charts_as_word_charts_not_pictures(lizhou, lizhou_charts):
    assert [c.title for c in lizhou_charts] == ["2020年与2021年收支决算对比（万元）", "2021年度收入结构",
                                                "2021年度支出结构", "2021年度项目预算执行率（%）"]
    assert [c.kind for c in lizhou_charts] == ["col", "pie", "pie", "bar"]
    with zipfile.ZipFile(lizhou.folder / DEPARTMENT) as archive:
        assert not [n for n in archive.namelist() if n.startswith("word/media/")]
    # A docx-only package needs no picture of a chart.
    assert not [f for f in lizhou.files if f.startswith("图表/")]


def test_the_execution_rate_chart_lists_the_projects_of_the_overview_table_with_their_rates(lizhou, lizhou_charts):
    rates = lizhou_charts[3]
    table = [row for row in table_rows(lizhou.folder / DEPARTMENT) if row[0].isdigit() and row[4].endswith("%")]
    assert len(table) == 15
    assert rates.categories == [row[1] for row in table]
    assert [percent(v) for v in rates.series["执行率（%）"]] == [row[4] for row in table]
    assert rates.formats == ['0.00"%"']


def test_each_pie_slice_is_the_amount_and_share_the_report_states(lizhou, lizhou_charts):
    text = _prose(lizhou.folder / DEPARTMENT)
    for pie in lizhou_charts[1:3]:
        (values,) = pie.series.values()
        total = sum(values)
        for label, value in zip(pie.categories, values):
            stated = f"{label}{amount(value)}万元，占{percent(value / total * 100)}"
            assert stated in text, stated
        assert pie.formats == ["0.00"]
    assert lizhou_charts[2].categories == ["基本支出", "项目支出"]
    assert lizhou_charts[2].series["金额（万元）"] == [Decimal("630.50"), Decimal("655.59")]


def test_the_year_on_year_chart_has_last_and_this_year_as_the_report_states(lizhou, lizhou_charts):
    pair = lizhou_charts[0]
    assert pair.categories == ["收入总计", "支出总计"]
    this, last = pair.series["本年"], pair.series["上年"]
    text = _prose(lizhou.folder / DEPARTMENT)
    assert f"收入总计{amount(this[0])}万元" in text and f"支出总计{amount(this[1])}万元" in text
    assert f"收入总计与2020年相比增加{amount(this[0] - last[0])}万元" in text
    assert pair.formats == ["0.00", "0.00"]


def test_each_embedded_workbook_opens_with_the_charts_own_data(lizhou_charts):
    for chart in lizhou_charts:
        sheet = load_workbook(io.BytesIO(chart.workbook)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0][1:]) == list(chart.series)
        assert [row[0] for row in rows[1:]] == chart.categories
        for column, values in enumerate(chart.series.values(), 1):
            cells = [row[column] for row in rows[1:]]
            # The cached values Word shows before anyone opens the data are the workbook's cells.
            assert [None if v is None else round2(Decimal(str(v))) for v in cells] == values, chart.title
        assert sheet.cell(2, 2).number_format == chart.formats[0]


def test_labels_with_markup_characters_survive_in_chart_and_workbook():
    done = generated(SMALL, ("docx",))
    (rates,) = [c for c in charts_of(done.folder / DEPARTMENT) if c.kind == "bar"]
    name = '组织系统网络宣传 <A&B> "专项"'
    assert name in rates.categories
    sheet = load_workbook(io.BytesIO(rates.workbook)).active
    assert name in [row[0] for row in sheet.iter_rows(values_only=True)]


def test_charts_avoid_the_known_word_wps_and_libreoffice_traps(lizhou_charts):
    for chart in lizhou_charts:
        space = chart.xml
        ids = [int(e.get("val")) for e in space.iter(f"{{{C}}}axId", f"{{{C}}}crossAx")]
        assert all(0 <= i < 2 ** 32 for i in ids), chart.title                     # the schema's unsignedInt
        assert len(space.findall(".//c:autoUpdate", NS)) == 1
        assert space.find("c:lang", NS).get("val") == "zh-CN"
        # Chinese text takes its font from a:ea: every run and default run property names one.
        for props in space.iter(f"{{{A}}}defRPr", f"{{{A}}}rPr"):
            assert props.find("a:ea", NS) is not None, chart.title
        if chart.kind != "pie":
            assert space.find(".//c:valAx/c:scaling/c:min", NS).get("val") == "0"
            assert space.find(".//c:catAx/c:tickLblSkip", NS).get("val") == "1"
    bar = lizhou_charts[3].xml
    # Input order from the top: the category axis runs top-down and the value axis stays at the bottom.
    assert bar.find(".//c:catAx/c:scaling/c:orientation", NS).get("val") == "maxMin"
    assert bar.find(".//c:valAx/c:crosses", NS).get("val") == "max"


def _package_problems(docx: Path) -> list[str]:
    problems = []
    with zipfile.ZipFile(docx) as archive:
        names = set(archive.namelist())
        types = etree.fromstring(archive.read("[Content_Types].xml"))
        defaults = {e.get("Extension").lower() for e in types.iterfind(f"{{{CT}}}Default")}
        overrides = {e.get("PartName").lstrip("/") for e in types.iterfind(f"{{{CT}}}Override")}
        for name in names - {"[Content_Types].xml"}:
            if name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
                problems.append(f"{name}: no content type")
        problems += [f"{name}: override of a missing part" for name in overrides - names]
        for rels in (n for n in names if n.endswith(".rels")):
            base = posixpath.dirname(posixpath.dirname(rels))
            for rel in etree.fromstring(archive.read(rels)).iterfind(f"{{{PKG}}}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = posixpath.normpath(posixpath.join(base, rel.get("Target"))).lstrip("/")
                if target not in names:
                    problems.append(f"{rels}: {rel.get('Id')} → missing {target}")
        body = etree.fromstring(archive.read("word/document.xml"))
        ids = [e.get("id") for e in body.iter(f"{{{WP}}}docPr")]
        if len(ids) != len(set(ids)):
            problems.append(f"duplicate docPr ids: {sorted(ids)}")
    return problems


@pytest.mark.parametrize("charts", ["native", "picture"])
def test_every_document_is_a_valid_package_that_word_opens_without_repair(charts, tmp_path):
    done = generate(LIZHOU or SMALL, tmp_path, ("docx",), charts=charts)
    validator = OpenXmlValidator(max_errors=0)
    documents = [done.folder / f for f in done.files if f.endswith(".docx")]
    assert len(documents) >= 3
    for docx in documents:
        assert _package_problems(docx) == [], docx.name
        result = validator.validate(str(docx))
        assert [str(e) for e in result.errors] == [], docx.name


def test_picture_mode_keeps_todays_pictures_in_the_docx(tmp_path):
    done = generate(SMALL, tmp_path, ("docx",), charts="picture")
    # The pictures are inside the .docx; no Markdown document links a chart file, so none is written.
    assert not [f for f in done.files if f.startswith("图表/")]
    with zipfile.ZipFile(done.folder / DEPARTMENT) as archive:
        names = archive.namelist()
        media = [archive.read(n) for n in names if n.startswith("word/media/")]
    assert len(media) == 4 and all(m.startswith(b"\x89PNG") for m in media)
    assert not [n for n in names if n.startswith(("word/charts/", "word/embeddings/"))]


def test_markdown_still_gets_its_pictures_next_to_native_charts_in_the_docx(tmp_path):
    done = generate(SMALL, tmp_path, ("docx", "md"))
    assert len([f for f in done.files if f.startswith("图表/")]) == 4
    assert len(charts_of(done.folder / DEPARTMENT)) == 4
    assert "](图表/收入结构.svg)" in (done.folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8")


def test_switching_chart_mode_rewrites_the_department_report(tmp_path):
    generate(SMALL, tmp_path, ("docx",), charts="picture")
    again = generate(SMALL, tmp_path, ("docx",))
    assert DEPARTMENT in again.changes.files_changed
    assert not [f for f in again.files if f.startswith("图表/")]


def test_an_unknown_chart_mode_is_refused_in_chinese_before_anything_is_written(tmp_path):
    result = CliRunner().invoke(main, ["generate", str(SMALL), "-o", str(tmp_path), "--charts", "svg"])
    assert result.exit_code == 2
    assert "--charts 只能是 native（Word 原生图表）或 picture（图片）" in result.output
    assert "Traceback" not in result.output and not list(tmp_path.iterdir())


@pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None, reason="LibreOffice/pdftotext missing")
def test_libreoffice_draws_every_chart_with_its_chinese_labels(tmp_path):
    done = generate(SMALL, tmp_path, ("docx", "pdf"))
    pdf = done.folder / DEPARTMENT.replace(".docx", ".pdf")
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    for chart in charts_of(done.folder / DEPARTMENT):
        assert chart.title in text            # titles are only in the charts, never in the prose
    assert "上年" in text and "本年" in text   # the year-on-year legend


def test_a_chart_already_in_a_custom_template_is_kept_and_ours_are_numbered_after_it(tmp_path):
    ours = generate(SMALL, tmp_path / "first", ("docx",)).folder / DEPARTMENT
    template = tmp_path / "templates" / DEPARTMENT
    template.parent.mkdir()
    with zipfile.ZipFile(ours) as done:
        theirs = {n: done.read(n) for n in ("word/charts/chart1.xml", "word/charts/_rels/chart1.xml.rels",
                                            "word/embeddings/Microsoft_Excel_Worksheet1.xlsx")}
    default = Path(__file__).resolve().parent.parent / "templates" / "全国" / DEPARTMENT
    with zipfile.ZipFile(default) as source, zipfile.ZipFile(template, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/word/charts/chart1.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>'
                                    b'<Default Extension="xlsx" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/></Types>')
            elif name == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdTheirs" Type="{R}/chart" '
                                    'Target="charts/chart1.xml"/></Relationships>'.encode())
            target.writestr(name, data)
        for name, data in theirs.items():
            target.writestr(name, data)
    done = generate(SMALL, tmp_path / "second", ("docx",), pack=template.parent)
    docx = done.folder / DEPARTMENT
    assert [c.part for c in charts_of(docx)] == [f"word/charts/chart{k}.xml" for k in (2, 3, 4, 5)]
    assert _package_problems(docx) == []
    with zipfile.ZipFile(docx) as archive:
        assert {n: archive.read(n) for n in theirs} == theirs
