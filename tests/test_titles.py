"""Titles broken between words into balanced lines (generator.titles and the templates' title_lines filter)."""
from __future__ import annotations

import pytest

from generator.pack import load_pack
from generator.render.environment import make_environment
from generator.titles import title_lines


@pytest.mark.parametrize(("title", "names", "lines"), [
    ("中共广元市利州区委组织部2021年度绩效自评材料校验报告", ("中共广元市利州区委组织部",),
     ("中共广元市利州区委组织部", "2021年度绩效自评材料校验报告")),
    ("2021年度城市社区党建及城乡综合治理项目支出绩效自评报告", ("城市社区党建及城乡综合治理",),
     ("2021年度城市社区党建及城乡综合治理", "项目支出绩效自评报告")),
    ("青禾镇人民政府2023年度绩效自评材料校验报告", ("青禾镇人民政府",), ("青禾镇人民政府2023年度", "绩效自评材料校验报告")),
    ("2021年度驻村帮扶项目支出绩效自评报告", ("驻村帮扶",), ("2021年度驻村帮扶项目支出绩效自评报告",)),
    # a name wider than a line is the only place a break may fall inside
    ("2021年度一个非常非常非常非常非常非常非常非常长的项目名称项目支出绩效自评报告",
     ("一个非常非常非常非常非常非常非常非常长的项目名称",),
     ("2021年度一个非常非常非常非常非常非常非", "常非常长的项目名称项目支出绩效自评报告")),
    ("", (), ()),
])
def test_title_lines(title, names, lines):
    assert title_lines(title, names) == lines


def test_no_line_starts_with_closing_punctuation():
    lines = title_lines("某某单位（试点）2021年度部门整体支出绩效自评报告", ("某某单位",), 12)
    assert all(line[0] not in "）。，、" for line in lines) and "".join(lines) == "某某单位（试点）2021年度部门整体支出绩效自评报告"


def test_the_filter_breaks_a_word_title_and_leaves_a_markdown_heading_whole():
    pack = load_pack("全国")
    template = '{{ (name ~ "2021年度绩效自评材料校验报告")|title_lines(name) }}'
    values = {"name": "中共广元市利州区委组织部<A&B>"}
    word = make_environment(pack.dirs, "docx").from_string(template).render(values)
    text = make_environment(pack.dirs, "md").from_string(template).render(values)
    assert word == "中共广元市利州区委组织部&lt;A&amp;B&gt;\n2021年度绩效自评材料校验报告"
    assert text == "中共广元市利州区委组织部&lt;A&B&gt;2021年度绩效自评材料校验报告"
