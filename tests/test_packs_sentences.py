"""One sentence, one place: a province's 句子.j2 takes 全国's sentences by name (“全国/句子.j2”) and keeps only the
sentences it changes, so a fix to a 全国 sentence reaches every pack that does not change that sentence."""
from __future__ import annotations

import re
import shutil

import pytest

import generator.pack as pack_module
from generator.generate import generate
from generator.pack import PACKS_DIR, bundled_packs
from golden_dump import package_dump
from packages import INPUTS

MACRO = re.compile(r"\{%-? macro (\S+?)\(.*?\{%-? endmacro -?%\}", re.S)


TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)


def macro_lines(text: str) -> list[str]:
    """The sentence lines inside the macros of a sentence file: lines that print words or values, not lines made
    only of tags (`{%- endif -%}`, `{%- set card = e.card -%}`), which every macro file shares."""
    lines = []
    for match in MACRO.finditer(text):
        for line in match.group(0).splitlines():
            line = line.strip()
            if TAG.sub("", line).strip():
                lines.append(line)
    return lines


@pytest.mark.parametrize("name", [n for n in bundled_packs() if n != "全国" and (PACKS_DIR / n / "句子.j2").is_file()])
def test_a_province_repeats_at_most_a_tenth_of_its_sentence_lines_from_全国(name):
    national = set(macro_lines((PACKS_DIR / "全国" / "句子.j2").read_text(encoding="utf-8")))
    own = macro_lines((PACKS_DIR / name / "句子.j2").read_text(encoding="utf-8"))
    repeated = [line for line in own if line in national]
    assert own, f"{name}/句子.j2 has no sentence of its own"
    assert len(repeated) * 10 <= len(own), f"{name} repeats {len(repeated)} of {len(own)} lines: {repeated[:3]}"


OLD = "本材料未通过校验（{{ failed_check }}个错误，见校验报告），仅供核对，改正后请重新生成，不得公开。"
NEW = "【测试】本材料有{{ failed_check }}个错误未改正，仅供核对。"


def test_a_changed_全国_sentence_shows_in_every_pack_that_does_not_change_it(tmp_path, monkeypatch):
    copy = tmp_path / "templates"
    shutil.copytree(PACKS_DIR, copy)
    sentences = copy / "全国" / "句子.j2"
    text = sentences.read_text(encoding="utf-8")
    assert text.count(OLD) == 1
    sentences.write_text(text.replace(OLD, NEW), encoding="utf-8")
    overriding = [n for n in bundled_packs() if n != "全国" and (copy / n / "句子.j2").is_file()
                  and "macro 未通过校验(" in (copy / n / "句子.j2").read_text(encoding="utf-8")]
    assert overriding == []
    monkeypatch.setattr(pack_module, "PACKS_DIR", copy)
    for name in bundled_packs():
        made = generate(INPUTS / "lizhou-2021.yaml", tmp_path / name, ("docx", "md"), pack=name, force=True)
        dump = package_dump(made.folder)
        published = {k: v for k, v in dump.items() if not k.startswith("校验报告")}
        assert published, name
        shown = [k for k, v in published.items() if re.search(r"【测试】本材料有\d+个错误未改正，仅供核对。", v)]
        assert shown, f"{name}: the changed 全国 sentence is in none of {sorted(published)}"
        assert not any("不得公开" in v for v in published.values()), name
