"""The `jxzp` command: thin verbs over the library (init, validate, generate)."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from . import __version__
from .filters import percent, score
from .pipeline import Evaluation, evaluate
from .problems import InputError

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = REPO_ROOT / "inputs" / "lizhou-2021.yaml"
GENERATE_EXAMPLES = (REPO_ROOT / "inputs" / "lizhou-2021-corrected.yaml", EXAMPLE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jxzp")
def main() -> None:
    """jxzp：由一张填报表生成预算单位绩效自评全套材料（部门整体报告、项目报告、自评表）。

    \b
    常用命令：
      jxzp init 填报模板.xlsx          生成空白填报模板
      jxzp init --example 示例.xlsx    生成已填好的示例（利州区委组织部2021年）
      jxzp validate 填报表.xlsx        核对填报表，显示得分和发现的问题
      jxzp generate 填报表.xlsx        生成全套材料（Word、Markdown、图表）到 outputs/
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")


@main.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--example", is_flag=True, help="写入已填好的示例，而不是空白模板。")
@click.option("--from", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="用这个填报文件（.yaml 或 .xlsx）的内容填好模板，例如把 YAML 转成 Excel。")
def init(path: Path | None, example: bool, source: Path | None) -> None:
    """写出填报模板 .xlsx（默认文件名：填报模板.xlsx 或 示例-填报表.xlsx）。"""
    from .readers import read_input
    from .readers.excel_template import write_workbook

    if example and source is None:
        source = EXAMPLE
    if path is None:
        path = Path("示例-填报表.xlsx" if source else "填报模板.xlsx")
    report = None
    if source is not None:
        try:
            report, _ = read_input(source)
        except InputError as exc:
            _print_problems(exc.problems)
            sys.exit(2)
    if path.exists() and path.is_dir():
        click.echo(f"{path} 是一个文件夹：请给出 .xlsx 文件名", err=True)
        sys.exit(2)
    write_workbook(path, report)
    click.echo(f"已写出{'示例填报表' if report else '空白填报模板'}：{path}")


def _print_problems(problems) -> None:
    for p in problems:
        tag = f"{p.severity.value} {p.code}" if p.code else p.severity.value
        click.echo(f"  [{tag}] {p}")


def _summary(ev: Evaluation) -> dict:
    out: dict = {"文件": str(ev.path), "可读取": not ev.unreadable}
    if ev.results is not None:
        res = ev.results
        unit = res.report.unit
        dept = res.department
        out.update({
            "单位": unit.name, "年度": unit.year, "评分规则": res.profile.name,
            "部门整体": {"执行率": percent(dept.execution_rate), "得分": score(dept.total), "等级": dept.grade or "未评分"},
            "项目": [{"项目名称": p.project.name, "是否开展自评": p.project.evaluated,
                      "执行率": percent(p.card.execution_rate), "得分": score(p.card.total),
                      "等级": p.card.grade or "未评分"} for p in res.projects],
        })
    out["问题"] = [p.as_dict() for p in ev.problems]
    out["错误数"] = len(ev.errors)
    out["警告数"] = len(ev.warnings)
    return out


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（字段同文字输出）。")
@click.option("--profile", help="评分规则：全国、四川、湖南，或评分规则 YAML 文件；默认取填报表中的“评分规则”。")
@click.option("--strict", is_flag=True, help="严格模式：警告也按错误处理（退出码 1）。")
def validate(inputs: tuple[Path, ...], as_json: bool, profile: str | None, strict: bool) -> None:
    """核对填报文件：显示单位、年度、部门整体和各项目的执行率与得分，以及发现的问题。

    退出码：0 没有错误；1 有错误（--strict 时有警告也算）；2 有文件无法读取。
    """
    evaluations = [evaluate(p, profile) for p in inputs]
    if as_json:
        click.echo(json.dumps([_summary(e) for e in evaluations], ensure_ascii=False, indent=2))
    else:
        for ev in evaluations:
            _print_text(ev)
    if any(e.unreadable for e in evaluations):
        sys.exit(2)
    if any(e.errors or (strict and e.warnings) for e in evaluations):
        sys.exit(1)


def _print_text(ev: Evaluation) -> None:
    click.echo(f"== {ev.path}")
    if ev.results is not None:
        res = ev.results
        unit = res.report.unit
        dept = res.department
        click.echo(f"单位：{unit.name}　年度：{unit.year}　评分规则：{res.profile.name}")
        click.echo(f"部门整体：执行率 {percent(dept.execution_rate)}　得分 {score(dept.total)}　等级 {dept.grade or '未评分'}")
        if res.projects:
            click.echo("项目：")
            for p in res.projects:
                tag = "" if p.project.evaluated else "（未开展自评）"
                click.echo(f"  {p.index + 1:>2}. {p.project.name}{tag}　执行率 {percent(p.card.execution_rate)}"
                           f"　得分 {score(p.card.total)}　{p.card.grade or ''}".rstrip())
    elif ev.unreadable:
        click.echo("文件无法读取：")
    errors, warnings = len(ev.errors), len(ev.warnings)
    hints = len(ev.problems) - errors - warnings
    click.echo(f"发现问题：错误 {errors} 个，警告 {warnings} 个，提示 {hints} 个")
    _print_problems(ev.problems)
    click.echo("")


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"),
              show_default=True, help="输出文件夹；每个单位、年度一个子文件夹。")
@click.option("--format", "formats", default="docx,md", show_default=True,
              help="输出格式，逗号分隔：docx、md、pdf（pdf 需要 LibreOffice）。")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path),
              help="自定义模板所在文件夹（文件名同 templates/ 中的默认模板；缺少的模板用默认的）。")
@click.option("--force", is_flag=True, help="有错误也生成，各报告标注“未通过校验”。")
@click.option("--profile", help="评分规则：全国、四川、湖南，或评分规则 YAML 文件；默认取填报表中的“评分规则”。")
def generate(inputs: tuple[Path, ...], out_dir: Path, formats: str, templates: Path | None, force: bool,
             profile: str | None) -> None:
    """生成全套绩效自评材料：部门整体报告、项目报告、自评表（.docx、.md）、图表、校验报告。

    不给 INPUT 时生成内置示例（利州区委组织部2021年）。有错误的填报表不生成（除非 --force），
    已有的输出保持不变。退出码：0 全部生成；1 有文件未生成。
    """
    from .generate import GenerationError, generate as generate_package, parse_formats

    try:
        chosen = parse_formats(formats)
    except ValueError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if not inputs:
        example = next((p for p in GENERATE_EXAMPLES if p.is_file()), None)
        if example is None:
            click.echo("没有给出填报文件，也找不到内置示例 inputs/lizhou-2021.yaml：请给出要生成的填报文件", err=True)
            sys.exit(2)
        inputs = (example,)
    failed = 0
    for path in inputs:
        try:
            done = generate_package(path, out_dir, chosen, templates, force, profile)
        except GenerationError as exc:
            failed += 1
            click.echo(f"✗ {path}：{exc}", err=True)
            for problem in exc.problems:
                click.echo(f"  [{problem.severity.value}] {problem}", err=True)
            continue
        ev = done.evaluation
        hints = len(ev.problems) - len(ev.errors) - len(ev.warnings)
        status = "（未通过校验，已按 --force 生成）" if done.forced else ""
        click.echo(f"✓ {path} → {done.folder}{status}")
        click.echo(f"  共 {len(done.files)} 个文件，用时 {done.seconds:.1f} 秒；"
                   f"校验：错误 {len(ev.errors)} 个，警告 {len(ev.warnings)} 个，提示 {hints} 个（详见 校验报告.md）")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
