"""Every rule, through one planted-error input each: base.yaml with one mistake gives exactly that rule's finding."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.checks import RULES
from generator.pipeline import evaluate
from generator.problems import Severity

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
ERROR, WARNING, HINT = Severity.ERROR, Severity.WARNING, Severity.HINT

# (rule code = fixture name, severity, place, exact message); the fixtures come from make_fixtures.py
CASES = [
    ("sum-mismatch", ERROR, "sum-mismatch.yaml:56",
     "收支情况“本年收入合计”的决算数填报为1185万元，各项之和为1185.1万元，相差0.1万元：请核对合计与各项金额，改正填错的一项"),
    ("balance-mismatch", ERROR, "balance-mismatch.yaml:87",
     "收支情况的决算数不平衡：年初结转和结余＋本年收入合计为1245万元，本年支出合计＋年末结转和结余为1250万元，相差5万元：请核对这几项金额，收支应平衡"),
    ("functional-sum-mismatch", ERROR, "functional-sum-mismatch.yaml:92",
     "收支情况“一般公共预算财政拨款支出”的决算数填报为1180.5万元，功能分类各科目之和为1180.6万元，相差0.1万元：请核对功能分类金额或一般公共预算财政拨款支出"),
    ("fund-sum-mismatch", ERROR, "fund-sum-mismatch.yaml:161",
     "项目“高标准农田建设”全年执行数的合计填报为315.1万元，各来源之和为315万元，相差0.1万元：请核对合计与各来源金额"),
    ("over-budget", WARNING, "over-budget.yaml:228",
     "项目“农机购置补贴”全年执行数125万元超过全年预算数120万元（执行率104.17%）：请核对执行数和预算数；确有超预算支出的，请在“资金使用情况”中说明原因"),
    ("projects-exceed-spending", ERROR, "projects-exceed-spending.yaml:80",
     "项目表中4个项目的全年执行数合计为496.5万元，超过收支情况“项目支出”的决算数495.5万元，多出1万元：项目资金是项目支出的一部分，请核对各项目金额或项目支出"),
    ("duplicate-content", WARNING, "duplicate-content.yaml:319",
     "项目“农业技术推广”与第3个项目“乡村人才培训”的资金完全相同（全年预算数32.5万元，全年执行数30.25万元），“实际完成情况”也一字不差：可能重复填报，请删除重复的项目，或改正其资金和文字"),
    ("goal-copied", WARNING, "goal-copied.yaml:230",
     "项目“农机购置补贴”的“预期目标”与第1个项目“高标准农田建设”的几乎一字不差（相同100%）：请写本项目自己的预期目标"),
    ("stated-execution-rate", ERROR, "stated-execution-rate.yaml:172",
     "项目“高标准农田建设”的执行率填报为98.43%，按全年执行数315万元 ÷ 全年预算数320万元计算应为98.44%：请改为98.44%，或核对计算它的数字"),
    ("stated-execution-score", ERROR, "stated-execution-score.yaml:173",
     "项目“高标准农田建设”的预算执行得分填报为9.48分，按执行率98.44% × 分值10分（执行率超过100%按100%计）计算应为9.84分：请改为9.84分，或核对计算它的数字"),
    ("stated-total", ERROR, "stated-total.yaml:174",
     "项目“高标准农田建设”的总分填报为98.43分，按预算执行得分9.84分 + 各绩效指标得分88.5分计算应为98.34分：请改为98.34分，或核对计算它的数字"),
    ("stated-grade", ERROR, "stated-grade.yaml:237",
     "项目“农机购置补贴”的等级填报为优，按总分88分和评分规则“全国”的等级划分计算应为良：请改为良，或核对计算它的数字"),
    ("stated-control-rate", ERROR, "stated-control-rate.yaml:22",
     "在职人员控制率填报为96%，按实有在职人数38人 ÷ 编制数40人计算应为95.00%：请改为95.00%，或核对计算它的数字"),
    ("stated-size-rate", ERROR, "stated-size-rate.yaml:146",
     "楼堂馆所规模控制率填报为95.38%，按实际规模1150平方米 ÷ 批复规模1200平方米计算应为95.83%：请改为95.83%，或核对计算它的数字"),
    ("stated-investment-rate", ERROR, "stated-investment-rate.yaml:147",
     "楼堂馆所投资概算控制率填报为69%，按实际投资480万元 ÷ 预算投资500万元计算应为96.00%：请改为96.00%，或核对计算它的数字"),
    ("stated-change", ERROR, "stated-change.yaml:66",
     "收支情况“基本支出”的增减额填报为93.5万元，按决算数689.5万元 − 上年决算数650万元计算应为39.5万元：请改为39.5万元，或核对计算它的数字"),
    ("stated-growth", ERROR, "stated-growth.yaml:66",
     "收支情况“基本支出”的增长率填报为6.8%，按（决算数689.5万元 − 上年决算数650万元）÷ 上年决算数650万元计算应为6.08%：请改为6.08%，或核对计算它的数字"),
    ("stated-balance-rate", ERROR, "stated-balance-rate.yaml:41",
     "结转结余率填报为6.06%，按（收入总计1245万元 − 本年支出合计1185万元） ÷ 本年支出合计1185万元计算应为5.06%：请改为5.06%，或核对计算它的数字"),
    ("indicator-score-differs", WARNING, "indicator-score-differs.yaml:183",
     "项目“高标准农田建设”指标“新建高标准农田面积”填报得分28分，按年度指标值“≥2000亩”和实际完成值“2000亩”计算为30分（未达标时按分值×实际值÷指标值）：总分按计算得分30分计；请改为30分，或核对指标值和实际完成值"),
    ("no-budget", ERROR, "no-budget.yaml:225",
     "项目“农机购置补贴”的全年预算数未填写或为0，无法计算执行率：请填写全年预算数（万元）"),
    ("no-actual", ERROR, "no-actual.yaml:229",
     "项目“农机购置补贴”的全年执行数未填写，无法计算该项目的执行率和预算执行得分：请填写全年执行数（万元），当年没有支出的填 0"),
    ("no-indicators", WARNING, "no-indicators.yaml:319",
     "项目“农业技术推广”没有绩效指标，无法计算得分：请在“绩效指标”中按项目名称填写指标，或把“是否开展自评”改为“否”"),
    ("no-department-indicators", WARNING, "no-department-indicators.yaml:5",
     "未填写部门整体绩效指标，无法计算部门整体自评得分：请在“绩效指标”中以“部门整体”填写指标"),
    ("indicator-unscorable", ERROR, "indicator-unscorable.yaml:311",
     "项目“乡村人才培训”的指标“带动就业创业人数”：实际完成值不是数值，无法计分：请填写数值、填写“计分实际值”，或把指标方向改为“定性”"),
    ("indicator-score-note", HINT, "indicator-score-note.yaml:317",
     "项目“乡村人才培训”的指标“学员满意度”：实际完成值为“完成”，未填写数值，按达成计满分"),
    ("score-out-of-range", ERROR, "score-out-of-range.yaml:211",
     "项目“高标准农田建设”的指标“农田基础设施条件”填报得分16分，超出0–15分：得分不能为负，也不能高于分值，请改正"),
    ("score-outside-band", ERROR, "score-outside-band.yaml:261",
     "项目“农机购置补贴”的定性指标“农机化水平提升”选择了“部分达成并具有一定效果”，得分应在18–24（不含）分之间（分值30分的60%–80%），填报得分25分不在其中，已按18分计：请调整得分或定性等级"),
    ("level1-weights", WARNING, "level1-weights.yaml:318",
     "项目“乡村人才培训”的满意度指标分值合计为12分，评分规则“全国”规定为10分：请调整该一级指标下各三级指标的分值，或选用与本地做法一致的评分规则"),
    ("level1-unknown", WARNING, "level1-unknown.yaml:319",
     "项目“乡村人才培训”的一级指标“社会影响指标”不在评分规则“全国”的一级指标（产出指标、效益指标、满意度指标）中，其分值0分无处归属：请改为其中之一，或选用与本地做法一致的评分规则"),
    ("indicator-weights-total", WARNING, "indicator-weights-total.yaml:293",
     "项目“乡村人才培训”的绩效指标分值合计为92分，评分规则“四川”规定为90分（预算执行率另计10分）：请调整各指标的分值"),
    ("shortfall-no-reason", WARNING, "shortfall-no-reason.yaml:196",
     "项目“高标准农田建设”的指标“亩均粮食增产”未完成（年度指标值“≥50公斤”，实际完成值“45公斤”，得分13.5分/分值15分），但“偏差原因分析及改进措施”为空：请说明未完成的原因和改进措施"),
    ("overshoot-no-reason", WARNING, "overshoot-no-reason.yaml:288",
     "项目“乡村人才培训”的指标“培训新型职业农民人数”实际完成值“680人”超过年度指标值“≥500人”36%（30%及以上须说明），但“偏差原因分析及改进措施”为空：请说明超额完成的原因（如指标值设定偏低）"),
    ("amount-scale", WARNING, "amount-scale.yaml:100",
     "收支情况“机关运行经费”的决算数为963000万元，是同类金额的10,136倍，像是按“元”填写：应为 96.30 万元？请改正（金额单位为万元）"),
    ("staff-over-establishment", WARNING, "staff-over-establishment.yaml:20",
     "实有在职人数41人超过编制数40人：请核对人数；确实超编的，请在“其他需要说明的情况”中说明"),
    ("report-date-early", ERROR, "report-date-early.yaml:13",
     "报告日期2023年12月20日不在评价年度2023年结束之后：自评是对已结束年度的评价，请核对报告日期（应在2024年）或评价年度"),
    ("section-empty", WARNING, "section-empty.yaml:5",
     "单位信息“改进措施”未填写：部门整体支出绩效自评报告必须有“改进措施”一节，请填写"),
    ("section-fallback", WARNING, "section-fallback.yaml:5",
     "单位信息“厉行节约保障措施”未填写：“基础数据表”将在这里印“无。”；如不是这样，请填写"),
    ("three-public-empty", WARNING, "three-public-empty.yaml",
     "“三公”经费未填写：“基础数据表”中“三公”经费各行将印“—”。没有“三公”经费支出的，请在合计一行的决算数中填 0"),
    ("template-text", ERROR, "template-text.yaml:35",
     "单位信息“其他需要说明的情况”中还留有模板的填写说明或占位符“没有请写明“无其他需要说明的情况””：请删去说明文字，写上实际内容"),
    ("narrative-amount", WARNING, "narrative-amount.yaml:27",
     "单位信息“预算编制执行及管理情况”中写“其中：基本支出698.5万元”，而收支情况“基本支出”的决算数（narrative-amount.yaml:65）为689.5万元：请把文字改为689.5万元，或核对收支情况“基本支出”的决算数"),
    ("narrative-yuan", WARNING, "narrative-yuan.yaml:27",
     "单位信息“预算编制执行及管理情况”中写“项目支出495.5元”，单位是“元”，而收支情况“项目支出”的决算数（narrative-yuan.yaml:80）为495.5万元：应为“495.5万元”，请改正单位"),
    ("narrative-rate", WARNING, "narrative-rate.yaml:167",
     "项目“高标准农田建设”的“资金使用情况”中写“完成预算的98.54%”，而项目的执行率为98.44%（全年执行数315万元 ÷ 全年预算数320万元）：请把文字改为98.44%"),
    ("narrative-target-rate", WARNING, "narrative-target-rate.yaml:168",
     "项目“高标准农田建设”的“项目完成情况”中写“全年新建高标准农田2000亩，完成率95%”，而绩效指标“新建高标准农田面积”实际完成值“2000亩”÷ 年度指标值“≥2000亩”= 100.00%：请把文字改为100.00%，或核对该指标的年度指标值和实际完成值"),
    ("narrative-score", WARNING, "narrative-score.yaml:32",
     "单位信息“自评结论”中写“自评得分98.83分”，而部门整体的自评得分为99.83分：请把文字改为99.83分，或核对绩效指标得分"),
    ("narrative-change", WARNING, "narrative-change.yaml:27",
     "单位信息“预算编制执行及管理情况”中写“支出较上年增加57万元”，而收支情况“本年支出合计”决算数1185万元 − 上年决算数1110万元 = 75万元：请把文字改为增加75万元，或核对上年决算数（narrative-change.yaml:82）"),
    ("narrative-growth", WARNING, "narrative-growth.yaml:27",
     "单位信息“预算编制执行及管理情况”中写“支出较上年增加75万元，增长7.76%”，而收支情况“本年支出合计”（决算数1185万元 − 上年决算数1110万元）÷ 上年决算数1110万元 = 6.76%：请把文字改为增长6.76%，或核对上年决算数（narrative-growth.yaml:82）"),
    ("narrative-change-stated", WARNING, "narrative-change-stated.yaml:27",
     "单位信息“预算编制执行及管理情况”中写“年末结转和结余60万元，比上年增加6万元”，而收支情况“年末结转和结余”填报的增减额为5万元：请把文字改为增加5万元，或核对填报的增减额"),
    ("narrative-share", WARNING, "narrative-share.yaml:27",
     "单位信息“预算编制执行及管理情况”中写“其中：基本支出689.5万元，占58.91%”，而收支情况“基本支出”的决算数689.5万元 ÷ “本年支出合计”1185万元 = 58.19%：请把文字改为58.19%，或核对这两个金额"),
    ("narrative-breakdown", WARNING, "narrative-breakdown.yaml:167",
     "项目“高标准农田建设”的“资金使用情况”中写“执行数为315万元，其中：200万元用于土地平整，125万元用于灌溉设施；完成预算的98.44%”，其中列出的各部分 200 + 125 = 325万元，超过所写的合计315万元：请核对合计与各部分金额，改正写错的一项"),
    ("missing-amount", ERROR, "missing-amount.yaml:27",
     "单位信息“预算编制执行及管理情况”中“其中公务接待费支出为万元、公务用车运行维护费”缺少金额数字：请补上数字（没有发生请写0万元）"),
    ("list-count", WARNING, "list-count.yaml:17",
     "单位信息“机构设置”中写“5个股室”，但随后列出了4个（办公室、计划财务股、农田建设股、农机股）：请核对数量或名单"),
    ("repeated-words", HINT, "repeated-words.yaml:31",
     "单位信息“重点工作完成情况”中“民680人，完成完成了年度重点工”把“完成”写了两遍：请删去重复的字词"),
    ("unbalanced-marks", HINT, "unbalanced-marks.yaml:36",
     "单位信息“厉行节约保障措施”中有一段的““”和“””数量不等（1个和0个），如“严格执行“过紧日子要求，压减一般性”：请补上或删去多余的符号"),
]


def test_the_base_input_has_no_finding():
    evaluation = evaluate(FIXTURES / "base.yaml")
    assert evaluation.results is not None
    assert evaluation.problems == []


def test_every_rule_has_a_planted_error_input():
    assert [code for code, *_ in CASES] == [r.code for r in RULES]
    assert {p.stem for p in FIXTURES.glob("*.yaml")} == {r.code for r in RULES} | {"base"}


@pytest.mark.parametrize("code, severity, place, message", CASES, ids=[c[0] for c in CASES])
def test_a_planted_error_gives_exactly_its_finding(code, severity, place, message):
    evaluation = evaluate(FIXTURES / f"{code}.yaml")
    assert [(p.code, p.severity, p.place, p.message) for p in evaluation.problems] == [(code, severity, place, message)]


@pytest.mark.parametrize("code", [r.code for r in RULES])
def test_the_rule_declares_the_severity_its_finding_has(code):
    rule = next(r for r in RULES if r.code == code)
    expected = next(c for c in CASES if c[0] == code)
    assert rule.severity is expected[1]
    assert rule.summary and rule.template


def test_the_fixtures_are_what_make_fixtures_writes():
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    base = (FIXTURES / "base.yaml").read_text(encoding="utf-8")
    for code, (what, edits) in module.VARIANTS.items():
        assert (FIXTURES / f"{code}.yaml").read_text(encoding="utf-8") == module.build(code, what, edits, base), code


@pytest.mark.parametrize("code, details", [
    ("sum-mismatch", ["一般公共预算财政拨款收入 1180.5（sum-mismatch.yaml:47）", "其他收入 4.6（sum-mismatch.yaml:51）"]),
    ("balance-mismatch", ["年初结转和结余 60（balance-mismatch.yaml:58）", "本年收入合计 1185（balance-mismatch.yaml:56）",
                          "本年支出合计 1185（balance-mismatch.yaml:85）", "年末结转和结余 65（balance-mismatch.yaml:87）"]),
    ("amount-scale", ["“机关运行经费”的其他各列：88（amount-scale.yaml:97）、95（amount-scale.yaml:98）、"
                      "98（amount-scale.yaml:99），中位数95万元"]),
])
def test_the_breakdown_of_a_finding_is_in_its_details_not_its_message(code, details):
    found = [p for p in evaluate(FIXTURES / f"{code}.yaml").problems if p.code == code]
    assert [list(p.details) for p in found] == [details]
    assert ".yaml:" not in found[0].message   # the parts and their places are folded away from the one line
