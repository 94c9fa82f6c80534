"""The 湖南 pack: seed 002's outline and funds sentences, and seed 000's older eight-chapter outline rebuilt by a
maintainer from an exported copy of the pack, editing templates only."""
from __future__ import annotations

from pathlib import Path

from docx import Document

from generator.generate import generate
from generator.pack import export_pack
from generator.packs.build import report_from_markdown, save
from packages import INPUTS, work_dir

REPORT = "部门整体支出绩效自评报告"
SEED_002 = ["一、预算单位基本情况", "二、预算收支出情况（按单位预算口径）", "三、资金使用及绩效情况（包含单位管理的公共专项）",
            "四、绩效管理存在的问题及下一步改进措施", "其他需要说明的情况"]
SEED_000 = ["一、部门基本情况", "二、部门预算单位构成", "三、部门预算收支概况", "四、一般公共预算拨款支出预算",
            "五、部门整体支出绩效目标", "六、绩效评价工作情况", "七、主要绩效及评价结论", "八、绩效自评公开情况"]


def headings(docx: Path, style: str = "Heading 1") -> list[str]:
    return [p.text for p in Document(str(docx)).paragraphs if p.style.name == style]


def md_headings(md: Path) -> list[str]:
    return [line[3:] for line in md.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]


def test_hunan_pack_follows_seed_002():
    made = generate(INPUTS / "shifeng-2023-corrected.yaml", work_dir("hunan-002"), ("docx", "md"), pack="湖南", force=True)
    docx, md = made.folder / f"{REPORT}.docx", made.folder / f"{REPORT}.md"
    assert headings(docx) == SEED_002
    assert [h for h in md_headings(md) if not h.startswith("附件")] == SEED_002
    paragraphs = [p.text for p in Document(str(docx)).paragraphs]
    assert paragraphs[:4] == ["附件1", "2023年度部门整体支出绩效自评报告", "", "中共株洲市石峰区委员会组织部（盖章）"]
    # functions numbered （一）… as in the seed; each listed project numbered （1）… with its computed funds sentence
    assert paragraphs[paragraphs.index(SEED_002[0]) + 1].startswith("（一）负责研究和指导全区党组织建设")
    assert headings(docx, "Heading 3")[:2] == ["（1）业务性专项经费", "（2）村级组织运转经费"]
    assert "年初预算13.5万元，上年结转结余5.17万元，项目支出16.53万元，结余结转2.14万元。" in paragraphs
    assert "年初预算70万元，年中执行调增61.31万元，项目支出131.31万元。" in paragraphs
    assert "年初预算20万元，项目支出0万元，结余结转20万元。" in paragraphs
    # the projects list is not marked complete: no count of projects
    assert not any("共有项目" in p for p in paragraphs)
    # the report is 附件1 of the notice, its tables follow as 附件2 and 附件3; no separate project reports
    text = md.read_text(encoding="utf-8")
    assert text.index("## 附件2") < text.index("部门整体支出绩效评价基础数据表") < text.index("## 附件3") \
        < text.index("部门整体支出绩效自评表**")
    assert not any(name.startswith("项目支出绩效自评报告") for name in made.files)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the exported template no longer holds {old!r}"
    return text.replace(old, new, 1)


def test_seed_000_outline_from_the_exported_hunan_pack(tmp_path):
    """A maintainer renames and reorders the chapters of an exported 湖南 pack into seed 000's eight chapters; the
    Word template is rebuilt from the edited text template, no Python of the generator is touched."""
    pack = tmp_path / "资阳"
    export_pack("湖南", pack)
    source = pack / f"{REPORT}.md.j2"
    text = source.read_text(encoding="utf-8")
    # seed 000 is not an attachment of a notice: title with the unit's name, no 附件1 line, no stamp line
    text = _replace(text, "附件1{#样式:附件标题#}\n", "")
    text = _replace(text, "# {{ year }}年度部门整体支出绩效自评报告", "# {{ unit.name|text }}{#换行#}{{ year }}年绩效自评")
    text = _replace(text, "{{ unit.name|text }}（盖章）{#样式:标题空行#}\n", "")
    text = _replace(text, "## {{ 章.next()|cn_number }}、预算单位基本情况", "## 一、部门基本情况")
    text = _replace(text, "{% if unit.subordinates %}\n{{ 句.下属单位()|text }}\n\n{% endif %}\n", "")
    text = _replace(text, "## {{ 章.next()|cn_number }}、预算收支出情况（按单位预算口径）",
                    "## 二、部门预算单位构成\n\n"
                    "{% if unit.subordinates %}\n{{ 句.下属单位()|text }}\n\n{% else %}\n"
                    "{{ unit.short_name or unit.name }}只有本级，没有其他二级预算单位。\n\n{% endif %}\n"
                    "## 三、部门预算收支概况")
    text = _replace(text, "## {{ 章.next()|cn_number }}、资金使用及绩效情况（包含单位管理的公共专项）",
                    "## 四、一般公共预算拨款支出预算\n\n"
                    '{% set gp = finance["一般公共预算财政拨款支出"] %}\n'
                    "{% if gp.budget is not none %}\n"
                    "{{ year }}年一般公共预算拨款支出{{ gp.budget|amount }}万元。\n\n"
                    "{% endif %}\n"
                    "## 五、部门整体支出绩效目标")
    # the key work moves from 五 to 七, after the evaluation work
    key_work = "{% for para in unit.key_work|paragraphs %}\n{{ para|text }}\n\n{% endfor %}\n"
    text = _replace(text, key_work, "")
    text = _replace(text, "### （{{ 节.next()|cn_number }}）绩效自评工作开展情况", "## 六、绩效评价工作情况")
    text = _replace(text, "## {{ 章.next()|cn_number }}、绩效管理存在的问题及下一步改进措施", "## 七、主要绩效及评价结论\n\n" + key_work)
    text = _replace(text, "## 其他需要说明的情况", "## 八、绩效自评公开情况")
    text = _replace(text, "## 附件{{ loop.index + 1 }}", "## 附件{{ loop.index }}")
    source.write_text(text, encoding="utf-8")
    save(report_from_markdown(text, REPORT), pack / f"{REPORT}.docx")

    made = generate(INPUTS / "ziyang-2022-corrected.yaml", work_dir("hunan-000"), ("docx", "md"), pack=pack, force=True)
    docx, md = made.folder / f"{REPORT}.docx", made.folder / f"{REPORT}.md"
    assert headings(docx) == SEED_000
    assert [h for h in md_headings(md) if not h.startswith("附件")] == SEED_000
    paragraphs = [p.text for p in Document(str(docx)).paragraphs]
    assert paragraphs[:2] == ["中共益阳市资阳区委组织部", "2022年绩效自评"]
    assert "2022年一般公共预算拨款支出1479.3万元。" in paragraphs
    # the key work now sits in 七, after 六's evaluation work
    assert paragraphs.index("七、主要绩效及评价结论") < paragraphs.index("（一）、严密组织、从严要求，圆满完成换届选举任务")
    md_text = md.read_text(encoding="utf-8")
    assert md_text.index("## 附件1") < md_text.index("部门整体支出绩效评价基础数据表") < md_text.index("## 附件2")


def test_project_count_and_totals_only_when_the_list_is_complete(tmp_path):
    source = (INPUTS / "shifeng-2023-corrected.yaml").read_text(encoding="utf-8")
    marked = tmp_path / "shifeng-complete.yaml"
    marked.write_text(_replace(source, "  评分规则: 湖南\n", "  评分规则: 湖南\n  项目清单完整: 是\n"), encoding="utf-8")
    made = generate(marked, work_dir("hunan-complete"), ("md",), pack="湖南", force=True)
    text = (made.folder / f"{REPORT}.md").read_text(encoding="utf-8")
    # 9 projects; 全年预算数 18.67 + 340.31 + 131.31 + 189.40 + 20 + 795 + 35.34 + 1.43 + 0.48, the balance as corrected
    assert "2023年度本单位共有项目9个，全年预算数合计1531.94万元，项目支出合计1462.23万元，结余结转69.71万元。" in text
