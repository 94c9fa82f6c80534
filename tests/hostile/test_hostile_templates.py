"""Templates are untrusted (packs pass from unit to unit): every escape a template tries is refused in Chinese, nothing
is rendered, and a previous package stays as it was."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from docx import Document

from generator.generate import GenerationError, generate
from generator.pack import export_pack
from generator.pipeline import evaluate
from packages import FIXTURES, work_dir

SMALL = FIXTURES / "small.yaml"
REPORT_MD = "项目支出绩效自评报告.md.j2"


@pytest.fixture(scope="module")
def previous():
    """A package generated with the bundled pack; every refused run below must leave it byte for byte."""
    out = work_dir("sandbox-out")
    made = generate(SMALL, out, ("docx", "md"))
    return out, {p: p.read_bytes() for p in made.folder.rglob("*") if p.is_file()}


def _pack(name: str) -> Path:
    folder = work_dir("sandbox-packs") / name
    export_pack("全国", folder)
    return folder


def _refused(pack: Path, previous, formats=("md",)) -> str:
    out, before = previous
    with pytest.raises(GenerationError) as caught:
        generate(SMALL, out, formats, pack=pack)
    message = str(caught.value)
    assert "Traceback" not in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p in before} == before
    assert sorted(p for p in out.rglob("*") if p.is_file()) == sorted(before)
    return message


ESCAPES = {
    "globals": "{{ cycler.__init__.__globals__ }}",
    "mro": "{{ ''.__class__.__mro__ }}",
    "subclasses": "{{ ().__class__.__base__.__subclasses__() }}",
    "model-class": "{{ unit.__class__.__init__.__globals__ }}",
    "format-attr": "{{ '{0.__class__}'.format(unit) }}",
    "builtins-open": "{{ __builtins__.open('/etc/passwd').read() }}",
    "lipsum-globals": "{{ lipsum.__globals__ }}",
    "mutate-data": "{{ unit.functions.append('x') }}",
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_a_markdown_template_reaching_for_python_internals_is_refused(name, previous, category):
    category("template")
    pack = _pack(f"escape-{name}")
    (pack / REPORT_MD).write_text(f"# 标题\n{ESCAPES[name]}\n", encoding="utf-8")
    message = _refused(pack, previous)
    assert REPORT_MD in message


def test_a_word_template_reaching_for_python_internals_is_refused(previous, category):
    category("template")
    pack = _pack("escape-docx")
    doc = Document(str(pack / "项目支出绩效自评报告.docx"))
    doc.add_paragraph("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    doc.save(str(pack / "项目支出绩效自评报告.docx"))
    message = _refused(pack, previous, ("docx",))
    assert "项目支出绩效自评报告.docx" in message


@pytest.mark.parametrize("include", ["/etc/passwd", "../../../../etc/passwd", "../全国/pack.yaml"])
def test_an_include_outside_the_pack_is_refused(include, previous, category):
    category("template")
    pack = _pack(f"include-{abs(hash(include))}")
    (pack / REPORT_MD).write_text(f'{{% include "{include}" %}}\n', encoding="utf-8")
    message = _refused(pack, previous)
    assert "root:" not in message


def test_a_symlinked_template_is_refused_before_anything_renders(previous, tmp_path, category):
    category("template")
    pack = _pack("symlink")
    (pack / REPORT_MD).unlink()
    os.symlink("/etc/passwd", pack / REPORT_MD)
    message = _refused(pack, previous)
    assert "符号链接" in message and "root:" not in message


@pytest.mark.parametrize("name, text, words", [
    ("recursion", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "递归"),
    ("huge-loop", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "次数过多"),
    ("huge-string", "{{ 'x' * 1000000000 }}", "过长"),
    ("huge-power", "{{ 10 ** 100000000 }}", "乘方"),
    ("huge-padding", "{{ ''|center(1000000000) }}", "宽度"),
    ("division", "{{ 1 / 0 }}", "除数为零"),
    ("unknown", "{{ 项目负责人 }}", "项目负责人"),
    ("syntax", "{% if %}", "语法错误"),
])
def test_a_runaway_or_broken_template_ends_in_a_chinese_message(name, text, words, previous, category):
    category("template")
    pack = _pack(f"runaway-{name}")
    (pack / REPORT_MD).write_text(text, encoding="utf-8")
    message = _refused(pack, previous)
    assert words in message and REPORT_MD in message


@pytest.mark.parametrize("field", ["评分规则", "模板"])
def test_a_workbook_cannot_name_a_file_of_the_server(field, tmp_path, category):
    """Only a bundled name is taken from an input; the answer is the same whether the path exists or not."""
    category("profile")
    messages = []
    for path in ("/etc/passwd", "/no/such/file.yaml", str(FIXTURES)):
        source = SMALL.read_text(encoding="utf-8")
        source = "\n".join(line for line in source.splitlines() if not line.strip().startswith(f"{field}:"))
        (tmp_path / "input.yaml").write_text(source.replace("单位信息:\n", f"单位信息:\n  {field}: {path}\n", 1),
                                             encoding="utf-8")
        ev = evaluate(tmp_path / "input.yaml")
        assert ev.results is None and ev.errors
        messages.append(ev.errors[0].message.replace(path[:60], "…"))
    assert len(set(messages)) == 1
    assert "全国" in messages[0] and "--" in messages[0]


def test_a_pack_based_on_an_unknown_pack_is_refused(tmp_path, category):
    category("template")
    pack = _pack("unknown-base")
    text = (pack / "pack.yaml").read_text(encoding="utf-8").replace("基于: 全国", "基于: /etc")
    (pack / "pack.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(GenerationError, match="没有这个模板包"):
        generate(SMALL, tmp_path / "out", ("md",), pack=pack)


def test_a_table_placed_again_and_again_does_not_renew_the_budget(previous, category):
    """Each nested table() renders within its document's budget: twenty tables of 100,000 steps are refused."""
    category("template")
    pack = _pack("nested-budget")
    (pack / "空表.md.j2").write_text("{% for i in range(100000) %}{% endfor %}", encoding="utf-8")
    (pack / REPORT_MD).write_text('{% for i in range(20) %}{{ table("空表") }}{% endfor %}', encoding="utf-8")
    message = _refused(pack, previous)
    assert "次数过多" in message
