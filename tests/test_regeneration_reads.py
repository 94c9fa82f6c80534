"""Regeneration makes a document again only when what it read changed (views.Tracked, generate.make): editing one
project's free text redoes that project's report and nothing else, and a regenerated package is always, byte for
byte, the package a fresh generation of the same input makes — also for a pack whose templates read across
projects, the department, and whole views."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.compute import compute
from generator.generate import generate
from generator.model import PROJECT_TEXTS
from generator.pipeline import evaluate
from generator.render.documents import Renderer
from packages import lizhou_input

LIZHOU = lizhou_input()

# Templates that read what the bundled ones do not: the department report one project's 存在问题 (by position),
# every project's name and another project's whole model as text; each project report the department's score, another project's 改进建议, one field through
# items(), and its whole model as text.
NOSY_DEPARTMENT = ("\n{{ projects[1].project.problems }}\n"
                   "{% for p in listed_projects %}{{ p.project.name }}；{% endfor %}\n"
                   "{{ (projects[2].project|string)|length }}\n")
NOSY_PROJECT = ("\n{{ department.card.total }} {{ projects[0].project.suggestions }}\n"
                "{% for k, v in item.project.items() %}{% if k == 'benefits' %}{{ v }}{% endif %}{% endfor %}\n"
                "{{ (item.project|string)|length }}\n")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def nosy_pack(folder: Path) -> Path:
    result = CliRunner().invoke(main, ["pack", "export", "全国", str(folder)])
    assert result.exit_code == 0, result.output
    for name, extra in (("部门整体支出绩效自评报告", NOSY_DEPARTMENT), ("项目支出绩效自评报告", NOSY_PROJECT)):
        path = folder / f"{name}.md.j2"
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return folder


def _project(data: dict, index: int) -> dict:
    return data["项目"][index]


def _text(index: int, key: str, words: str):
    def edit(data: dict) -> None:
        _project(data, index)[key] = words
    return edit


def _indicator_actual(data: dict) -> None:
    data["部门整体绩效指标"][0]["实际完成值"] = "达到年度指标值的九成"


def _swap(data: dict) -> None:
    data["项目"][0], data["项目"][1] = data["项目"][1], data["项目"][0]


def _not_evaluated(data: dict) -> None:
    _project(data, 2)["是否开展自评"] = "否"


def _rename(data: dict) -> None:
    _project(data, 3)["项目名称"] += "（二期）"


def _amount(data: dict) -> None:
    funds = _project(data, 4)["资金"]["全年执行数"]
    funds["当年财政拨款"] = round(float(funds["当年财政拨款"]) - 1, 2)


EDITS = [
    ("one project's 存在问题, read by the department report", _text(1, "存在问题", "一是新写的问题。")),
    ("another project's 存在问题, read only by its own report", _text(0, "存在问题", "一是另一个问题。")),
    ("the first project's 改进建议, read by every project report", _text(0, "改进建议", "一是新建议。")),
    ("a 项目效益情况, read through items()", _text(5, "项目效益情况", "效益明显。")),
    ("a 主管部门, read as part of the whole model", _text(6, "主管部门", "某主管部门")),
    ("a 项目完成情况, read by the department report only as part of a whole model", _text(2, "项目完成情况", "全部完成。")),
    ("a department indicator", _indicator_actual),
    ("two projects swapped", _swap),
    ("a project no longer evaluated", _not_evaluated),
    ("a project renamed", _rename),
    ("a project's amount", _amount),
    ("nothing", lambda data: None),
]


def _write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _same_as_fresh(tmp_path: Path, formats: tuple[str, ...], pack: str | None, edits) -> None:
    data = yaml.safe_load(LIZHOU.read_text(encoding="utf-8"))
    unit = tmp_path / "unit.yaml"
    _write(unit, data)
    kept = tmp_path / "kept"
    generate(unit, kept, formats, pack=pack, force=True)
    for step, (what, edit) in enumerate(edits):
        edit(data)
        _write(unit, data)
        again = generate(unit, kept, formats, pack=pack, force=True)
        fresh = generate(unit, tmp_path / f"fresh{step}", formats, pack=pack, force=True)
        regenerated, made = tree(again.folder), tree(fresh.folder)
        assert sorted(regenerated) == sorted(made), what
        differing = [name for name in made if regenerated[name] != made[name]]
        assert differing == [], f"{what}: {differing}"


def test_a_regenerated_package_equals_a_fresh_one_for_a_pack_that_reads_across(tmp_path):
    pack = nosy_pack(tmp_path / "pack")
    _same_as_fresh(tmp_path, ("md",), str(pack), EDITS)


def test_a_regenerated_package_equals_a_fresh_one_in_word_too(tmp_path):
    _same_as_fresh(tmp_path, ("docx", "md"), None, [EDITS[0], EDITS[5], EDITS[6], EDITS[9]])


def test_a_document_named_by_number_follows_the_project_that_takes_the_number(tmp_path):
    """Two projects swap places: the file 项目/1 is now the other project's report, though no figure of the package
    moved (no chart of the projects' order) and every project reads as it did."""
    pack = nosy_pack(tmp_path / "pack")
    spec = pack / "pack.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace('''文件: "项目支出绩效自评报告/{{ '%02d'|format(item.number) }}-{{ item.project.name }}"''',
                        '''文件: "项目/{{ item.number }}"''')
    start = text.index("  项目执行率:")
    text = text[:start] + text[text.index("文字:"):]
    spec.write_text(text, encoding="utf-8")
    _same_as_fresh(tmp_path, ("md",), str(pack), [("two projects swapped", _swap)])


def test_the_nosy_templates_did_read_across(tmp_path):
    """The property above is only worth something if the edits reach the documents that read them."""
    pack = nosy_pack(tmp_path / "pack")
    data = yaml.safe_load(LIZHOU.read_text(encoding="utf-8"))
    unit = tmp_path / "unit.yaml"
    _write(unit, data)
    first = generate(unit, tmp_path / "out", ("md",), pack=str(pack), force=True)
    department = "部门整体支出绩效自评报告.md"
    before = tree(first.folder)
    EDITS[0][1](data)
    EDITS[2][1](data)
    _write(unit, data)
    after = tree(generate(unit, tmp_path / "out", ("md",), pack=str(pack), force=True).folder)
    assert "一是新写的问题。" in after[department].decode("utf-8")
    changed_reports = [n for n in after if n.startswith("项目支出绩效自评报告/") and after[n] != before.get(n)]
    evaluated = sum(1 for p in data["项目"] if p.get("是否开展自评", True) not in ("否", False))
    assert len(changed_reports) == evaluated          # each printed the first project's 改进建议


def test_one_changed_text_renders_only_the_report_that_prints_it(tmp_path, monkeypatch):
    text = LIZHOU.read_text(encoding="utf-8")
    unit = tmp_path / "unit.yaml"
    unit.write_text(text, encoding="utf-8")
    generate(unit, tmp_path / "out")
    rendered: list[str] = []
    for method in ("docx", "md"):
        real = getattr(Renderer, method)

        def spy(self, stem, *args, real=real, method=method, **kwargs):
            rendered.append(f"{stem}.{method}")
            return real(self, stem, *args, **kwargs)

        monkeypatch.setattr(Renderer, method, spy)
    old, new = "一是网评文章和正能量作品", "一是网评的文章和正能量作品"
    assert text.count(old) == 1
    unit.write_text(text.replace(old, new), encoding="utf-8")
    again = generate(unit, tmp_path / "out")
    assert sorted(rendered) == ["项目支出绩效自评报告.docx", "项目支出绩效自评报告.md"]
    assert again.changes.files_changed == ["项目支出绩效自评报告/14-组织系统网络宣传.docx",
                                           "项目支出绩效自评报告/14-组织系统网络宣传.md"]
    printed = (again.folder / "项目支出绩效自评报告/14-组织系统网络宣传.md").read_text(encoding="utf-8")
    assert new in printed


def test_the_manifest_says_what_each_document_read(tmp_path):
    done = generate(LIZHOU, tmp_path / "out")
    listing = {f["路径"]: f.get("依据", "").split() for f in
               json.loads((done.folder / "manifest.json").read_text(encoding="utf-8"))["文件"]}
    report = listing["项目支出绩效自评报告/01-城市社区党建及城乡综合治理.md"]
    assert "0.problems" in report and not any(r.startswith("1") for r in report)
    assert "部门整体" in listing["部门整体支出绩效自评报告.md"]


@pytest.mark.parametrize("reads", ["0 ² 9" + "9" * 5000 + " 部门整体.x 0.__class__ .", 42, ["0", "1"], ""])
def test_an_edited_manifest_costs_a_render_never_a_wrong_file(tmp_path, reads):
    """The manifest is a file in the preparer's folder: whatever its 依据 says, the package is the fresh one."""
    out = tmp_path / "out"
    first = generate(LIZHOU, out, ("md",))
    manifest = first.folder / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in data["文件"]:
        entry["依据"] = reads
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    changed = tmp_path / "unit.yaml"
    changed.write_text(LIZHOU.read_text(encoding="utf-8").replace("一是网评文章和正能量作品", "一是网评的文章"), encoding="utf-8")
    again = generate(changed, out, ("md",))
    fresh = generate(changed, tmp_path / "fresh", ("md",))
    assert tree(again.folder) == tree(fresh.folder)


@pytest.mark.parametrize("name", sorted(PROJECT_TEXTS))
def test_a_free_text_is_never_computed_with(name):
    """What PROJECT_TEXTS promises: changing a project's free text changes none of its figures (only the checks read
    it, and what they find reaches the documents through the findings)."""
    base = evaluate(LIZHOU).results
    report = base.report.model_copy(deep=True)
    for project in report.projects:
        setattr(project, name, "完全不同的一段文字，含数字 12.5 万元和 99%。")
    changed = compute(report, base.profile)
    for before, after in zip(base.projects, changed.projects):
        assert _figures(after.card) == _figures(before.card)


def _figures(card) -> tuple:
    return (card.budget, card.actual, card.execution_rate, card.execution_score, card.total, card.grade,
            [(i.score, i.applicable, i.basis) for i in card.indicators], [(s.level1, s.score) for s in card.subtotals])
