"""The bundled examples: each finding is a mistake of the published report (the comment says which), the corrected
copies have no finding at all, and the workbook copies find the same as the YAML ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.pipeline import evaluate
from generator.problems import Severity

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
E, W, H = Severity.ERROR, Severity.WARNING, Severity.HINT


def _found(name: str) -> list[tuple]:
    return [(p.code, p.severity, p.place, p.message) for p in evaluate(INPUTS / name).problems]


def _done_by_completion(project: str, line: int, indicator: str, actual: str = "完成") -> tuple:
    return ("indicator-score-note", H, f"lizhou-2021.yaml:{line}",
            f"项目“{project}”的指标“{indicator}”：实际完成值为“{actual}”，未填写数值，按达成计满分")


CITY = "城市社区党建及城乡综合治理"
VILLAGE = "乡村振兴衔接资金"
NEW_ORGS = "两新党组织建设"

LIZHOU = [
    # 决算说明：本年收入合计 1065.56，而 1065.48 + 0.09 = 1065.57
    ("sum-mismatch", E, "lizhou-2021.yaml:96",
     "收支情况“本年收入合计”的决算数填报为1065.56万元，各项之和为1065.57万元，相差0.01万元：请核对合计与各项金额，改正填错的一项"),
    # 城市社区党建：正文执行数 83.89万元，自评表“其中：财政拨款 83.88万元”
    ("fund-sum-mismatch", E, "lizhou-2021.yaml:134",
     "项目“城市社区党建及城乡综合治理”全年执行数的合计填报为83.89万元，各来源之和为83.88万元，相差0.01万元：请核对合计与各来源金额"),
    # 两新党组织建设：正文执行数 106.09万元，自评表“其中：财政拨款 106万元”
    ("fund-sum-mismatch", E, "lizhou-2021.yaml:452",
     "项目“两新党组织建设”全年执行数的合计填报为106.09万元，各来源之和为106万元，相差0.09万元：请核对合计与各来源金额"),
    # 老干部公用经费及慰问体检费：“完成预算54.35 %”，而 23.92 ÷ 44.03 = 54.33%
    ("stated-execution-rate", E, "lizhou-2021.yaml:309",
     "项目“老干部公用经费及慰问体检费”的执行率填报为54.35%，按全年执行数23.92万元 ÷ 全年预算数44.03万元计算应为54.33%："
     "请改为54.33%，或核对计算它的数字"),
    # 乡村振兴衔接资金的报告照搬了城市社区党建项目的“项目绩效目标”
    ("goal-copied", W, "lizhou-2021.yaml:190",
     "项目“乡村振兴衔接资金”的“预期目标”与第1个项目“城市社区党建及城乡综合治理”的几乎一字不差（相同100%）："
     "请写本项目自己的预期目标"),
    # 部门整体报告称“自评得分92分”，却没有公布部门整体绩效指标（无从得出该得分）
    ("no-department-indicators", W, "lizhou-2021.yaml:24",
     "未填写部门整体绩效指标，无法计算部门整体自评得分：请在“绩效指标”中以“部门整体”填写指标"),
    # 城市社区党建自评表：拨付率≥100%，实际只支付146/250个小区党支部经费，偏差原因一栏空白
    ("shortfall-no-reason", W, "lizhou-2021.yaml:158",
     "项目“城市社区党建及城乡综合治理”的指标“小区党组织建设经费拨付率”未完成（年度指标值“≥100%”，实际完成值"
     "“年初预算250个小区党支部经费，实际支付146个小区党支部经费”，得分5.84分/分值10分），"
     "但“偏差原因分析及改进措施”为空：请说明未完成的原因和改进措施"),
    # 乡村振兴衔接资金自评表：完成时间≤12个月，实际“2022年6月底之前结束”，偏差原因空白
    ("shortfall-no-reason", W, "lizhou-2021.yaml:220",
     "项目“乡村振兴衔接资金”的指标“项目完成时间”未完成（年度指标值“≤12个月”，实际完成值“2022年6月底之前结束”，"
     "得分6.67分/分值10分），但“偏差原因分析及改进措施”为空：请说明未完成的原因和改进措施"),
    # 乡村振兴衔接资金自评表：调研≥6次，实际8次（超33%），偏差原因空白
    ("overshoot-no-reason", W, "lizhou-2021.yaml:209",
     "项目“乡村振兴衔接资金”的指标“作为全区调研点位调研次数”实际完成值“市区主要领导等调研8次”超过年度指标值“≥6次”"
     "33.33%（30%及以上须说明），但“偏差原因分析及改进措施”为空：请说明超额完成的原因（如指标值设定偏低）"),
    # 两新党组织建设自评表：宣传教育活动≥2次，实际24场，偏差原因空白
    ("overshoot-no-reason", W, "lizhou-2021.yaml:472",
     "项目“两新党组织建设”的指标“开展宣传教育活动”实际完成值“全年开设微课堂、微报告、微党课、微朗读等流动课堂24场。”"
     "超过年度指标值“≥2次”1100%（30%及以上须说明），但“偏差原因分析及改进措施”为空：请说明超额完成的原因（如指标值设定偏低）"),
    # 部门整体报告没有“其他需要说明的情况”一节（没有也须写明“无”）
    ("section-empty", W, "lizhou-2021.yaml:24",
     "单位信息“其他需要说明的情况”未填写：没有需要说明的情况也要写明，请填写“无”"),
    # 部门整体报告“二、部门财政资金收支情况”：本年收入合计写成 1344.64（实为收入总计）
    ("narrative-amount", W, "lizhou-2021.yaml:76",
     "单位信息“预算编制执行及管理情况”中写“2021年本年收入合计1344.64万元”，而收支情况“本年收入合计”的决算数"
     "（lizhou-2021.yaml:96）为1065.56万元：请把文字改为1065.56万元，或核对收支情况“本年收入合计”的决算数"),
    # 同一段：一般公共预算财政拨款收入写成 1344.64
    ("narrative-amount", W, "lizhou-2021.yaml:76",
     "单位信息“预算编制执行及管理情况”中写“其中：一般公共预算财政拨款收入1344.64万元”，而收支情况"
     "“一般公共预算财政拨款收入”的决算数（lizhou-2021.yaml:94）为1065.48万元：请把文字改为1065.48万元，"
     "或核对收支情况“一般公共预算财政拨款收入”的决算数"),
    # 同一段：本年支出合计 1286.10，决算说明为 1286.09（“其他收入0万元”“项目支出655.6万元”在所写精度上与
    # 0.09、655.59 相符，不算）
    ("narrative-amount", W, "lizhou-2021.yaml:76",
     "单位信息“预算编制执行及管理情况”中写“2021年本年支出合计1286.10万元”，而收支情况“本年支出合计”的决算数"
     "（lizhou-2021.yaml:101）为1286.09万元：请把文字改为1286.09万元，或核对收支情况“本年支出合计”的决算数"),
    # 联系重点工作：正文“财政预算资金15万元”，而全年预算数、执行数均为 5万元
    ("narrative-amount", W, "lizhou-2021.yaml:423",
     "项目“联系重点工作”的“资金申报及批复情况”中写“财政预算资金15万元”，而项目资金的全年预算数（lizhou-2021.yaml:419）"
     "为5万元：请把文字改为5万元，或核对项目资金的全年预算数"),
    # 组织系统信息化：“执行数为14元万”
    ("narrative-yuan", W, "lizhou-2021.yaml:677",
     "项目“组织系统信息化”的“资金使用情况”中写“执行数为14元万”，单位是“元”，而项目资金的全年执行数"
     "（lizhou-2021.yaml:670）为14万元：应为“14万元”，请改正单位"),
    # 三张自评表的实际完成值只写“完成”“已完成”，没有数值（无从核对是否达到年度指标值）
    _done_by_completion(CITY, 152, "新建小区党支部"),
    _done_by_completion(CITY, 153, "小区党支部标准化建设"),
    _done_by_completion(CITY, 154, "建设示范街道"),
    _done_by_completion(CITY, 155, "建设示范社区"),
    _done_by_completion(CITY, 156, "建设示范小区"),
    _done_by_completion(CITY, 157, "培训基层治理骨干"),
    _done_by_completion(CITY, 175, "服务对象满意度"),
    _done_by_completion(CITY, 176, "社会公众满意度"),
    _done_by_completion(VILLAGE, 210, "全年服务群众人数", "已完成"),
    _done_by_completion(VILLAGE, 224, "服务对象满意度"),
    _done_by_completion(VILLAGE, 225, "社会公众满意度"),
    _done_by_completion(NEW_ORGS, 474, "两新组织党组织工作经费、党组织书记岗位补贴经费拨付率"),
    _done_by_completion(NEW_ORGS, 479, "服务对象满意度"),
    _done_by_completion(NEW_ORGS, 480, "社会公众满意度"),
    # 照搬的目标里还有“一流的的现代化”
    ("repeated-words", H, "lizhou-2021.yaml:190",
     "项目“乡村振兴衔接资金”的“预期目标”中“综合实力一流的的现代化市辖区”把“的”写了两遍：请删去重复的字词"),
    # 重点工作“做到“两个维护。”少了后引号
    ("unbalanced-marks", H, "lizhou-2021.yaml:55",
     "单位信息“重点工作完成情况”中有一段的““”和“””数量不等（3个和2个），如“坚持“两个确立”，做到“两个维护”："
     "请补上或删去多余的符号"),
    # 乡村振兴衔接资金：“提升文化长廊1个（长22米，宽3.5米)”全角括号配半角括号
    ("unbalanced-marks", H, "lizhou-2021.yaml:196",
     "项目“乡村振兴衔接资金”的“项目完成情况”中有一段的“（”和“）”数量不等（2个和1个），"
     "如“地建设，提升文化长廊1个（长22米，宽3.5米)，”：请补上或删去多余的符号"),
]

SHIFENG = [
    # “四、绩效管理存在的问题及下一步改进措施”一节照登了模板说明（存在问题与改进措施两栏同一段文字）
    ("template-text", E, "shifeng-2023.yaml:47",
     "单位信息“存在问题”中还留有模板的填写说明或占位符“提出改进的措施、工作建议等（可以按子项目单独分析），没有请写明”："
     "请删去说明文字，写上实际内容"),
    ("template-text", E, "shifeng-2023.yaml:48",
     "单位信息“改进措施”中还留有模板的填写说明或占位符“提出改进的措施、工作建议等（可以按子项目单独分析），没有请写明”："
     "请删去说明文字，写上实际内容"),
    # “其他需要说明的情况”一节照登了模板说明
    ("template-text", E, "shifeng-2023.yaml:49",
     "单位信息“其他需要说明的情况”中还留有模板的填写说明或占位符“没有请写明“无其他需要说明的情况””：请删去说明文字，写上实际内容"),
    # 报告没有部门整体绩效指标和自评得分
    ("no-department-indicators", W, "shifeng-2023.yaml:22",
     "未填写部门整体绩效指标，无法计算部门整体自评得分：请在“绩效指标”中以“部门整体”填写指标"),
    # “（一）整体支出绩效情况”：其中基本支出434.35万元，而 256.06 + 114.84 + 45.57 = 416.47
    # 原文没有基础数据表；本包附的基础数据表在“厉行节约保障措施”处印“无。”，“三公”经费各行印“—”：校验提醒
    ("section-fallback", W, "shifeng-2023.yaml:22",
     "单位信息“厉行节约保障措施”未填写：“基础数据表”将在这里印“无。”；如不是这样，请填写"),
    ("three-public-empty", W, "shifeng-2023.yaml",
     "“三公”经费未填写：“基础数据表”中“三公”经费各行将印“—”。没有“三公”经费支出的，请在合计一行的决算数中填 0"),
    ("narrative-amount", W, "shifeng-2023.yaml:45",
     "单位信息“自评结论”中写“其中基本支出434.35万元”，而收支情况“基本支出”的决算数（shifeng-2023.yaml:57）为416.47万元："
     "请把文字改为416.47万元，或核对收支情况“基本支出”的决算数"),
    # 老干部专项经费：“项目支出131.31元”
    ("narrative-yuan", W, "shifeng-2023.yaml:93",
     "项目“老干部专项经费”的“资金使用情况”中写“项目支出131.31元”，单位是“元”，而项目资金的全年执行数"
     "（shifeng-2023.yaml:92）为131.31万元：应为“131.31万元”，请改正单位"),
]

ZIYANG = [
    # 基础数据表 2022年预算：支出总额 928.05，而 基本支出 342.77 + 项目支出 577.13 = 919.90
    ("sum-mismatch", E, "ziyang-2022.yaml:110",
     "收支情况“本年支出合计”的年初预算数填报为928.05万元，各项之和为919.9万元，相差8.15万元：请核对合计与各项金额，改正填错的一项"),
    # 基础数据表：2021年“三公经费”0.57，而各分项均为 0
    ("sum-mismatch", E, "ziyang-2022.yaml:121",
     "三公经费“三公经费合计”的上年决算数填报为0.57万元，各项之和为0万元，相差0.57万元："
     "请核对合计与各项金额，改正填错的一项"),
    # 基础数据表：2022年预算“三公经费”0，而公务接待 7
    ("sum-mismatch", E, "ziyang-2022.yaml:121",
     "三公经费“三公经费合计”的年初预算数填报为0万元，各项之和为7万元，相差7万元："
     "请核对合计与各项金额，改正填错的一项"),
    # 正文功能分类 1117.6 + 7.48 + 175.73 + 29.56 + 24.82 = 1355.19，而支出合计 1485.66（一处错误，两列同值：一条）
    ("functional-sum-mismatch", E, "ziyang-2022.yaml:113",
     "收支情况“一般公共预算财政拨款支出”的全年预算数、决算数填报为1485.66万元，功能分类各科目之和为1355.19万元，相差130.47万元：请核对功能分类金额或一般公共预算财政拨款支出"),
    # 基础数据表：控制率 100%，而 35 ÷ 39 = 89.74%
    ("stated-control-rate", E, "ziyang-2022.yaml:56",
     "在职人员控制率填报为100%，按实有在职人数35人 ÷ 编制数39人计算应为89.74%：请改为89.74%，或核对计算它的数字"),
    # 正文“引进高层次和实用型人才xx名”：占位符未填
    ("template-text", E, "ziyang-2022.yaml:80",
     "单位信息“重点工作完成情况”中还留有模板的填写说明或占位符“引进高层次和实用型人才xx名，并在“党建引领、助力千企”："
     "请删去说明文字，写上实际内容"),
    # 正文“公务用车购置及运行费支出决算为万元”：缺数字
    ("missing-amount", E, "ziyang-2022.yaml:67",
     "单位信息“预算编制执行及管理情况”中“购置及运行费支出决算为万元，公务接待费支出决算”缺少金额数字："
     "请补上数字（没有发生请写0万元）"),
    # 报告没有“存在问题”“改进措施”“其他需要说明的情况”三节
    ("section-empty", W, "ziyang-2022.yaml:30",
     "单位信息“存在问题”未填写：部门整体支出绩效自评报告必须有“存在问题”一节，请填写"),
    ("section-empty", W, "ziyang-2022.yaml:30",
     "单位信息“改进措施”未填写：部门整体支出绩效自评报告必须有“改进措施”一节，请填写"),
    ("section-empty", W, "ziyang-2022.yaml:30",
     "单位信息“其他需要说明的情况”未填写：没有需要说明的情况也要写明，请填写“无”"),
    # 正文把全年数 698.68 称为“年初预算数”（基础数据表 2022年预算数为 342.77）
    ("narrative-amount", W, "ziyang-2022.yaml:67",
     "单位信息“预算编制执行及管理情况”中写“基本支出：2022年年初预算数为698.68万元”，而收支情况“基本支出”的年初预算数"
     "（ziyang-2022.yaml:107）为342.77万元：请把文字改为342.77万元，或核对收支情况“基本支出”的年初预算数"),
    # 正文把全年数 786.98 称为“年初预算数”（基础数据表 2022年预算数为 577.13）
    ("narrative-amount", W, "ziyang-2022.yaml:67",
     "单位信息“预算编制执行及管理情况”中写“项目支出：2022年年初预算数为786.98万元”，而收支情况“项目支出”的年初预算数"
     "（ziyang-2022.yaml:108）为577.13万元：请把文字改为577.13万元，或核对收支情况“项目支出”的年初预算数"),
    # 正文“其他党委办公厅（室）及相关机构事务支出706.3元”（应为万元：52.2 + 7.48 + 21 + 706.3 = 786.98）
    ("narrative-yuan", W, "ziyang-2022.yaml:67",
     "单位信息“预算编制执行及管理情况”中写“其他党委办公厅（室）及相关机构事务支出706.3元”，单位是“元”，"
     "而同一段中的其他金额都以万元计（786.98万元、52.2万元、7.48万元、21万元），它的大小也与这些金额相当："
     "应为“706.3万元”，请改正单位"),
    # 正文“2022年度部门整体绩效评价得分为98分”，自评表总分 100分
    ("narrative-score", W, "ziyang-2022.yaml:92",
     "单位信息“自评结论”中写“评价得分为98分”，而部门整体的自评得分为100分：请把文字改为100分，或核对绩效指标得分"),
    # 正文“支出较去年增加323.63万元”，而 1485.66 − 1199.63 = 286.03
    ("narrative-change", W, "ziyang-2022.yaml:67",
     "单位信息“预算编制执行及管理情况”中写“支出较去年增加323.63万元”，而收支情况“本年支出合计”决算数1485.66万元 − "
     "上年决算数1199.63万元 = 286.03万元：请把文字改为增加286.03万元，或核对上年决算数（ziyang-2022.yaml:110）"),
    # “内设内设12个职能组（室）：”之后列出了13个名称
    ("list-count", W, "ziyang-2022.yaml:50",
     "单位信息“机构设置”中写“12个职能组（室）”，但随后列出了13个（办公室、调研室、干部组……"
     "区委非公有制经济组织和社会组织工委办公室）：请核对数量或名单"),
    # 同一句“内设内设”
    ("repeated-words", H, "ziyang-2022.yaml:50",
     "单位信息“机构设置”中“阳区委组织部内设内设12个职能组”把“内设”写了两遍：请删去重复的字词"),
    # “配合上级部门完成完成了干部的调训工作”
    ("repeated-words", H, "ziyang-2022.yaml:80",
     "单位信息“重点工作完成情况”中“配合上级部门完成完成了干部的调训”把“完成”写了两遍：请删去重复的字词"),
    # “……也就没有使用政府性基金预算和国有资本经营预算安排的支出”。”：多一个后引号
    ("unbalanced-marks", H, "ziyang-2022.yaml:67",
     "单位信息“预算编制执行及管理情况”中有一段的““”和“””数量不等（0个和1个），如“有资本经营预算安排的支出””："
     "请补上或删去多余的符号"),
]

EXAMPLES = {"lizhou-2021": LIZHOU, "shifeng-2023": SHIFENG, "ziyang-2022": ZIYANG}


@pytest.mark.parametrize("name", EXAMPLES)
def test_an_example_as_published_gives_exactly_its_published_mistakes(name):
    assert _found(f"{name}.yaml") == EXAMPLES[name]


LEFT_BLANK = {"section-fallback", "three-public-empty"}
"""Findings about what the pack's own attached tables print for a part the published report never had (shifeng's
基础数据表): not a mistake to correct in the copy, which holds only what was published."""


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_corrected_copy_has_no_finding_at_all(name):
    left_blank = {code for code, *_ in EXAMPLES[name]} & LEFT_BLANK
    for suffix in (".yaml", ".xlsx"):
        evaluation = evaluate(INPUTS / f"{name}-corrected{suffix}")
        assert evaluation.results is not None
        assert [str(p) for p in evaluation.problems if p.code not in left_blank] == [], suffix
        assert {p.code for p in evaluation.problems} == left_blank


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_workbook_copy_finds_the_same_mistakes(name):
    from_yaml = [(code, severity) for code, severity, *_ in EXAMPLES[name]]
    problems = evaluate(INPUTS / f"{name}.xlsx").problems
    assert [(p.code, p.severity) for p in problems] == from_yaml
    # A table left wholly blank has no cell to name (the optional 三公经费 sheet may be absent).
    assert all(p.place != f"{name}.xlsx" for p in problems if p.code != "three-public-empty"), \
        "every finding names a sheet and cell"


def test_the_four_headline_mistakes_of_the_issue():
    lizhou, ziyang, shifeng = (_found(f"{n}.yaml") for n in ("lizhou-2021", "ziyang-2022", "shifeng-2023"))
    assert any(f[0] == "sum-mismatch" and "上年决算数填报为0.57万元" in f[3] and "各项之和为0万元" in f[3] for f in ziyang)
    assert any(f[0] == "stated-control-rate" and "100%" in f[3] and "89.74%" in f[3] for f in ziyang)
    assert any(f[0] == "narrative-amount" and "434.35" in f[3] and "416.47" in f[3] for f in shifeng)
    assert any(f[0] == "stated-execution-rate" and "54.35%" in f[3] and "54.33%" in f[3] for f in lizhou)
