"""One verdict: a scorecard whose figures are reported as wrong is “待改正后评定” in validate, its JSON, the web page,
the manifest and every document of a --force package; the unit's own score where none can be computed is the same
figure everywhere."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from starlette.testclient import TestClient

from generator.cli import main
from generator.filters import percent, score, typed
from generator.generate import generate
from generator.pipeline import HELD, evaluate, summary
from generator.web import create_app

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "inputs" / "lizhou-2021.xlsx"


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def evaluation():
    return evaluate(PUBLISHED)


@pytest.fixture(scope="module")
def held(evaluation) -> list:
    """The projects validate holds back, with the figures it would have shown had it not."""
    out = [pr for pr in evaluation.results.projects if evaluation.verdict(pr.index).held]
    assert [pr.project.name for pr in out] == ["城市社区党建及城乡综合治理", "两新党组织建设"]
    return out


def withheld(prs) -> list[str]:
    """Each held project's computed score and rate as a document would print them (e.g. 94.23, 83.88%)."""
    figures = []
    for pr in prs:
        assert pr.card.total is not None and pr.card.grade   # computed: only the verdict holds them back
        figures += [score(pr.card.total), percent(pr.card.execution_rate)]
    return figures


def test_validate_and_its_json_hold_back_the_projects_with_errors(evaluation, held):
    text = CliRunner().invoke(main, ["validate", str(PUBLISHED)]).output
    data = json.loads(CliRunner().invoke(main, ["validate", "--json", str(PUBLISHED)]).output)[0]
    assert data == json.loads(json.dumps(summary(evaluation), ensure_ascii=False))
    rows = {p["项目名称"]: p for p in data["项目"]}
    for pr in held:
        assert rows[pr.project.name] == {"项目名称": pr.project.name, "是否开展自评": True, "执行率": "—",
                                              "得分": "—", "等级": HELD, "得分依据": "—"}
        line = next(line for line in text.splitlines() if pr.project.name in line)
        assert HELD in line and score(pr.card.total) not in line
    assert data["评分规则"] == "四川" and data["模板包"] == "四川"


def test_the_units_stated_score_is_the_same_figure_everywhere(evaluation, tmp_path):
    unit = evaluation.results.report.unit
    assert evaluation.results.department.total is None and unit.stated_total is not None
    figure = typed(unit.stated_total)          # as the unit typed it, in every output
    data = summary(evaluation)["部门整体"]
    assert (data["得分"], data["得分依据"]) == (figure, "单位填报")
    done = generate(PUBLISHED, tmp_path, ("md",), force=True)
    manifest = json.loads((done.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["关键数字"]["部门整体 得分"] == figure
    report = (done.folder / "部门整体支出绩效自评报告.md").read_text(encoding="utf-8")
    assert f"得分为{figure}分" in report


@pytest.mark.parametrize("pack", ["四川", "全国"])
def test_a_forced_package_states_no_score_grade_or_rate_of_a_held_project(held, pack, tmp_path):
    done = generate(PUBLISHED, tmp_path, ("docx", "md"), pack=pack, force=True)
    assert done.forced
    hidden = withheld(held)
    texts = {}
    for path in sorted(done.folder.rglob("*")):
        if path.suffix == ".md" or path.name == "manifest.json":
            texts[path] = path.read_text(encoding="utf-8")
        elif path.suffix == ".docx":
            texts[path] = docx_text(path)
    assert any(p.suffix == ".docx" for p in texts) and any(p.suffix == ".md" for p in texts)
    for path, text in texts.items():
        if path.stem.startswith("校验报告"):
            continue        # the findings quote the typed figures on purpose
        for figure in hidden:
            assert figure not in text, (path.name, figure)
    manifest = json.loads((done.folder / "manifest.json").read_text(encoding="utf-8"))["关键数字"]
    for pr in held:
        name = pr.project.name
        assert (manifest[f"{name} 项目得分"], manifest[f"{name} 等级"], manifest[f"{name} 执行率"]) == ("—", HELD, "—")
        own = [p for p in texts if p.stem.endswith(name) and p.parent.name == "项目支出绩效自评报告"]
        assert len(own) == 2                         # its report, in Word and in Markdown
        for path in own:
            assert HELD in texts[path] and not re.search(r"等级[为：]“?[优良中差]", texts[path])


def test_the_web_page_shows_the_same_verdict_as_validate(evaluation, held, tmp_path):
    with TestClient(create_app(tmp_path)) as client:
        # as the page's script posts: with the anti-forgery token the page carries
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
        client.headers["X-CSRF-Token"] = token
        answer = client.post("/upload", files={"file": (PUBLISHED.name, PUBLISHED.read_bytes())},
                             headers={"accept": "application/json"})
        assert answer.status_code == 201, answer.text
        page = answer.json()["summary"]
        job = answer.json()["job"]
        assert client.post(f"/jobs/{job}/generate", data={"force": "1"},
                           headers={"accept": "application/json"}).status_code == 202
        deadline = time.monotonic() + 120
        while client.get(f"/jobs/{job}/status").json()["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        details = client.get(f"/api/jobs/{job}").json()
    shown = summary(evaluation)
    assert page["department"] == {"execution_rate": shown["部门整体"]["执行率"], "total": shown["部门整体"]["得分"],
                                  "grade": shown["部门整体"]["等级"]}
    assert [(p["name"], p["execution_rate"], p["total"], p["grade"]) for p in page["projects"]] == \
        [(p["项目名称"], p["执行率"], p["得分"], p["等级"]) for p in shown["项目"]]
    dumped = json.dumps(details, ensure_ascii=False)
    for figure in withheld(held):
        assert figure not in dumped
