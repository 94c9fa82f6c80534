"""The Markdown files' charts: SVG read back (labels, bar lengths, slice angles) against the report's tables and
the Word charts; chart kinds, colours and font from pack.yaml; only the charts a document places are written."""
from __future__ import annotations

import math
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from generator.filters import amount, percent
from generator.generate import generate
from generator.pack import PACKS_DIR, PackError, load_pack
from packages import FIXTURES, generated, lizhou_input, table_rows
from test_chart_parts import DEPARTMENT, charts_of

SVG = "{http://www.w3.org/2000/svg}"
LIZHOU = lizhou_input()
SMALL = FIXTURES / "small.yaml"


def svg(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes())


def texts(root: etree._Element, cls: str) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text") if t.get("class") == cls]


def bars(root: etree._Element) -> list[etree._Element]:
    return [r for r in root.iter(f"{SVG}rect") if (r.get("class") or "").startswith("bar")]


@pytest.fixture(scope="module")
def lizhou():
    if LIZHOU is None:
        pytest.skip("the Lizhou example input is not in this checkout")
    return generated(LIZHOU, ("docx", "md"))


def test_the_markdown_report_links_one_svg_per_chart_and_the_package_holds_exactly_those(lizhou):
    text = (lizhou.folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8")
    linked = re.findall(r"!\[[^\]]*\]\((图表/[^)]+)\)", text)
    assert linked == ["图表/收支变动.svg", "图表/收入结构.svg", "图表/支出结构.svg", "图表/项目执行率.svg"]
    assert sorted(f for f in lizhou.files if f.startswith("图表/")) == sorted(linked)


def test_each_svg_has_the_word_charts_title_and_names_the_packs_font_with_chinese_fallbacks(lizhou):
    word = charts_of(lizhou.folder / DEPARTMENT)
    for chart, key in zip(word, ("收支变动", "收入结构", "支出结构", "项目执行率")):
        root = svg(lizhou.folder / "图表" / f"{key}.svg")
        assert texts(root, "title") == [chart.title]
        assert root.findtext(f"{SVG}title") == chart.title
        families = [f.strip().strip("'") for f in root.get("font-family").split(",")]
        assert families[0] == "宋体" and "Noto Sans CJK SC" in families and families[-1] == "sans-serif"


def test_the_execution_rate_svg_shows_the_overview_tables_rates_as_bar_lengths(lizhou):
    table = [row for row in table_rows(lizhou.folder / DEPARTMENT) if row[0].isdigit() and row[4].endswith("%")]
    root = svg(lizhou.folder / "图表" / "项目执行率.svg")
    assert len(table) == 15
    assert texts(root, "category") == [row[1] if len(row[1]) <= 18 else row[1][:17] + "…" for row in table]
    assert texts(root, "value") == [row[4] for row in table]
    lengths = [float(r.get("width")) for r in bars(root)]
    rates = [Decimal(row[4].rstrip("%")) for row in table]
    per_point = lengths[0] / float(rates[0])
    for length, rate in zip(lengths, rates):
        assert length == pytest.approx(float(rate) * per_point, abs=0.02)


def test_each_pie_slice_spans_its_share_and_its_legend_states_amount_and_share(lizhou):
    word = charts_of(lizhou.folder / DEPARTMENT)
    for chart, key in zip(word[1:3], ("收入结构", "支出结构")):
        root = svg(lizhou.folder / "图表" / f"{key}.svg")
        (values,) = chart.series.values()
        total = sum(values)
        shares = [v / total * 100 for v in values]
        assert texts(root, "legend") == [f"{label} {amount(v)}万元（{percent(s)}）"
                                         for label, v, s in zip(chart.categories, values, shares)]
        slices = [e for e in root.iter() if e.get("class") == "slice"]
        assert [e.get("data-share") for e in slices] == [percent(s) for s in shares]
        for element, share in zip(slices, shares):
            if element.tag == f"{SVG}circle":
                assert share == 100
                continue
            numbers = [float(n) for n in re.findall(r"-?[\d.]+", element.get("d"))]
            cx, cy, x0, y0, r, _, _, large, _, x1, y1 = numbers
            start = math.atan2(x0 - cx, cy - y0) % (2 * math.pi)
            end = math.atan2(x1 - cx, cy - y1) % (2 * math.pi)
            sweep = (end - start) % (2 * math.pi) or 2 * math.pi
            assert sweep / (2 * math.pi) * 100 == pytest.approx(float(share), abs=0.01)
            assert large == (1 if share > 50 else 0)


def test_the_year_on_year_svg_has_the_word_charts_last_and_this_year(lizhou):
    (pair,) = [c for c in charts_of(lizhou.folder / DEPARTMENT) if c.kind == "col"]
    root = svg(lizhou.folder / "图表" / "收支变动.svg")
    assert texts(root, "category") == pair.categories
    shown = {name: [r.get("data-value") for r in bars(root) if name in r.get("class")] for name in ("上年", "本年")}
    assert shown == {name: [amount(v) for v in values] for name, values in pair.series.items()}
    heights = {float(r.get("height")) / float(Decimal(r.get("data-value"))) for r in bars(root)}
    assert max(heights) - min(heights) < 0.001      # one scale for both years


def test_labels_with_markup_characters_are_text_in_the_svg(tmp_path):
    done = generate(SMALL, tmp_path, ("md",))
    root = svg(done.folder / "图表" / "项目执行率.svg")
    assert '组织系统网络宣传 <A&B> "专…' in texts(root, "category")     # 18 characters at most


def _pack(tmp_path: Path, pack_yaml_edit=None, report_edit=None) -> Path:
    """The 全国 pack copied and edited as a maintainer would."""
    folder = tmp_path / "我的包"
    shutil.copytree(PACKS_DIR / "全国", folder)
    if pack_yaml_edit:
        path = folder / "pack.yaml"
        path.write_text(pack_yaml_edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    if report_edit:
        path = folder / "部门整体支出绩效自评报告.md.j2"
        path.write_text(report_edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def test_a_chart_kind_and_colours_from_pack_yaml_reach_the_word_chart_and_the_svg(tmp_path):
    def edit(text: str) -> str:
        palette = re.search(r"颜色: &色板 (\[.*\])", text).group(1)
        text = text.replace("颜色: *色板", f"颜色: {palette}")
        return text.replace("  收入结构:\n    种类: 饼图\n    颜色: &色板 " + palette,
                            '  收入结构:\n    种类: 条形图\n    颜色: ["#123456"]')

    folder = _pack(tmp_path, edit)
    done = generate(SMALL, tmp_path / "out", ("docx", "md"), pack=str(folder))
    word = {c.title: c for c in charts_of(done.folder / DEPARTMENT)}
    income = word["2021年度收入结构"]
    assert income.kind == "bar"
    assert income.xml.find(".//{*}ser/{*}spPr/{*}solidFill/{*}srgbClr").get("val") == "123456"
    root = svg(done.folder / "图表" / "收入结构.svg")
    assert {r.get("fill") for r in bars(root)} == {"#123456"}
    assert not [e for e in root.iter() if e.get("class") == "slice"]


def test_a_kind_that_cannot_show_the_charts_figures_is_refused_in_chinese(tmp_path):
    folder = _pack(tmp_path, lambda t: t.replace("  项目执行率:\n    种类: 条形图", "  项目执行率:\n    种类: 饼图"))
    with pytest.raises(PackError, match="“图表.项目执行率.种类”不能是饼图：项目执行率只能画成条形图"):
        load_pack(str(folder))
    folder = _pack(tmp_path / "b", lambda t: t.replace("    颜色: [\"#2e86c1\", \"#7f8c8d\"]", "    颜色: [blue]"))
    with pytest.raises(PackError, match="颜色要写成 #RRGGBB"):
        load_pack(str(folder))


def test_a_chart_no_document_places_is_neither_drawn_nor_written(tmp_path):
    folder = _pack(tmp_path, report_edit=lambda t: t.replace('{% for key in ["支出结构"] if key in charts %}',
                                                             '{% for key in [] if key in charts %}'))
    done = generate(SMALL, tmp_path / "out", ("md",), pack=str(folder))
    assert sorted(f for f in done.files if f.startswith("图表/")) == [
        "图表/收入结构.svg", "图表/收支变动.svg", "图表/项目执行率.svg"]
    only_word = generate(SMALL, tmp_path / "word", ("docx",), pack=str(folder))
    assert not [f for f in only_word.files if f.startswith("图表/")]


def test_a_regeneration_that_keeps_the_report_keeps_its_charts(tmp_path):
    first = generate(SMALL, tmp_path, ("md",))
    again = generate(SMALL, tmp_path, ("md",))
    assert again.changes is not None and again.changes.empty
    assert [f for f in again.files if f.startswith("图表/")] == [f for f in first.files if f.startswith("图表/")]
    assert len([f for f in again.files if f.startswith("图表/")]) == 4


def test_markup_in_a_chart_title_is_text_and_a_font_name_cannot_break_out(tmp_path):
    folder = _pack(tmp_path, lambda t: t.replace('标题: "{{ year }}年度收入结构"', '标题: "<script>alert(1)</script>&{{ year }}"'))
    done = generate(SMALL, tmp_path / "out", ("md",), pack=str(folder))
    root = svg(done.folder / "图表" / "收入结构.svg")
    assert texts(root, "title") == ["<script>alert(1)</script>&2021"]
    assert not list(root.iter("{*}script"))
    folder = _pack(tmp_path / "b", lambda t: t.replace("图表字体: 宋体", "图表字体: \"宋体' onload='x\""))
    with pytest.raises(PackError, match="图表字体要写一个字体名称"):
        load_pack(str(folder))
