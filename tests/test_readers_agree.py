"""The same data as Excel or as YAML gives an equal model."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from generator.catalog import FINANCE_ROWS
from generator.readers import read_input
from generator.readers.excel_template import write_workbook

INPUTS = Path(__file__).resolve().parent.parent / "inputs"


def _dump(report) -> dict:
    return report.model_dump()


@pytest.mark.parametrize("yaml_path", sorted(INPUTS.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_example_reads_the_same_from_yaml_and_xlsx(yaml_path):
    xlsx = yaml_path.with_suffix(".xlsx")
    assert xlsx.exists(), f"{xlsx.name} is missing: run `jxzp init --from {yaml_path.name} {xlsx.name}` in inputs/"
    from_yaml, _ = read_input(yaml_path)
    from_xlsx, warnings = read_input(xlsx)
    assert warnings == []
    assert _dump(from_xlsx) == _dump(from_yaml)


money = st.decimals(min_value=0, max_value=99999, places=2).map(lambda d: d.normalize() if d else Decimal(0))
text = st.text(alphabet=st.sampled_from("甲乙丙丁项目经费&<>\"' 12,.%（）\n"), min_size=1, max_size=30).filter(
    lambda s: s.strip() and not s.strip().startswith("="))
names = st.lists(st.text(alphabet="甲乙丙丁戊己庚辛", min_size=2, max_size=6), min_size=1, max_size=4, unique=True)


@st.composite
def raw_inputs(draw) -> dict:
    rows = draw(st.lists(st.sampled_from([r.key for r in FINANCE_ROWS]), max_size=6, unique=True))
    projects = []
    for name in draw(names):
        indicators = [{
            "一级指标": draw(st.sampled_from(["产出指标", "效益指标", "满意度指标"])),
            "三级指标": draw(text).strip().splitlines()[0] or "指标",
            "年度指标值": draw(st.sampled_from(["≥50个", "≤12个月", "100%", "优"])),
            "实际完成值": draw(text),
            "分值": str(draw(st.integers(0, 50))),
            "不适用": draw(st.booleans()),
        } for _ in range(draw(st.integers(0, 3)))]
        projects.append({
            "项目名称": name,
            "是否开展自评": draw(st.booleans()),
            "资金": {"全年预算数": {"当年财政拨款": str(draw(money))}, "全年执行数": {"合计": str(draw(money))}},
            "存在问题": draw(text),
            "绩效指标": indicators,
        })
    return {
        "单位信息": {"单位名称": "测试单位", "评价年度": draw(st.integers(2015, 2030)), "职能职责": draw(st.lists(text, max_size=3))},
        "收支情况": {r: {"决算数": str(draw(money)), "上年决算数": str(draw(money))} for r in rows},
        "项目": projects,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=raw_inputs())
def test_excel_and_yaml_readers_agree(raw, tmp_path_factory):
    folder = tmp_path_factory.mktemp("agree")
    yaml_path = folder / "in.yaml"
    buffer = io.StringIO()
    YAML().dump(raw, buffer)
    yaml_path.write_text(buffer.getvalue(), encoding="utf-8")
    from_yaml, _ = read_input(yaml_path)
    xlsx_path = folder / "in.xlsx"
    write_workbook(xlsx_path, from_yaml)
    from_xlsx, _ = read_input(xlsx_path)
    assert _dump(from_xlsx) == _dump(from_yaml)


YAML_FILES = sorted([*INPUTS.glob("*.yaml"), *(INPUTS.parent / "tests").rglob("*.yaml")])


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.name)
def test_fast_and_careful_yaml_readers_give_the_same_tree_and_lines(path):
    from generator.problems import InputError
    from generator.readers.yaml_reader import read_yaml

    try:
        careful = read_yaml(path, careful=True)
    except InputError as exc:
        with pytest.raises(InputError) as fast_error:
            read_yaml(path)
        assert [str(p) for p in fast_error.value.problems] == [str(p) for p in exc.problems]
        return
    assert read_yaml(path) == careful
