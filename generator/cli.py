"""The `jxzp` command: thin verbs over the library (init, validate, generate)."""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import sqlite3
import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .pipeline import Evaluation, evaluate, summary
from .problems import InputError, os_reason

from .entry import EXIT_INTERRUPTED, INTERRUPTED
from .examples import EXAMPLE
from .cli_types import KEEP_DAYS, Count, Days, Folder, InputFile, NewFile, Port, _plain, _shown, path_problem  # noqa: F401


def _commands(ctx: click.Context | None) -> str:
    """The commands a group offers, as a usage message lists them."""
    group = ctx.command if ctx is not None else None
    if not isinstance(group, click.Group):
        return ""
    names = [n for n in group.list_commands(ctx) if not getattr(group.get_command(ctx, n), "hidden", False)]
    return f"：可用的命令有 {'、'.join(names)}" if names else ""


def _type_hint(param: click.Parameter | None) -> str:
    """What a value of a click type must be, for the rare parameter whose own check speaks English."""
    kind = param.type if param is not None else None
    if isinstance(kind, click.Choice):
        return f"只能是 {'、'.join(map(str, kind.choices))} 之一"
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return "应为数字"
    return "请按用法说明填写"


def _usage_message(exc: click.UsageError) -> str:
    """click's English usage error in Chinese, naming the option and the fix."""
    command = exc.ctx.command_path if exc.ctx is not None else "jxzp"
    see = f"；运行 {command} --help 查看用法"
    if isinstance(exc, click.NoSuchOption):
        close = f"，是不是要用 {'、'.join(sorted(exc.possibilities))}" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{close}{see}"
    if isinstance(exc, click.BadOptionUsage):
        if "does not take a value" in exc.message:
            return f"选项 {exc.option_name} 是开关，不带值：请只写 {exc.option_name}{see}"
        return f"选项 {exc.option_name} 后面缺少值{see}"
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        if isinstance(param, click.Option) and param.opts:
            return f"缺少选项 {param.opts[0]}{see}"
        return f"缺少 {param.human_readable_name if param is not None else '参数'}{see}"
    if isinstance(exc, click.BadParameter):
        param = exc.param
        # Our own parameter types speak Chinese; a click type's English is replaced by what the value must be.
        said = exc.message if _HAN.search(exc.message) else _type_hint(param)
        if isinstance(param, click.Option):
            return f"{'/'.join(param.opts)} 的值不对：{said}"
        return said
    message = exc.message
    if message.startswith("No such command"):
        word = message.split("'")[1] if "'" in message else message
        return f"没有命令“{_shown(word)}”{_commands(exc.ctx)}{see}"
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.find("(") + 1:message.rfind(")")] if "(" in message else ""
        return f"多余的参数：{_shown(extra)}{see}"
    if message.startswith("Missing command"):
        return f"缺少命令{_commands(exc.ctx)}{see}"
    return f"命令行有误{see}"


_HAN = re.compile("[\u4e00-\u9fff]")


_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


def _ignore_interrupts():
    """Hold further Ctrl-C; the handler it replaced, to put back (None outside the main thread)."""
    try:
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:      # not the main thread
        return None


class _Chinese(click.Group):
    """The command group that answers usage errors, Ctrl-C and SIGTERM in Chinese, never with a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        previous = interrupted = None
        try:
            previous = signal.signal(signal.SIGTERM, _terminate)
        except ValueError:      # not the main thread (an embedding server): keep its handler
            pass
        try:
            result = super().main(args, prog_name or "jxzp", complete_var, standalone_mode=False, **extra)
        except _NO_ARGS as exc:       # `jxzp` alone: the help text is the answer
            click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.message)
            sys.exit(0)
        except click.UsageError as exc:
            click.echo(f"用法错误：{_usage_message(exc)}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"出错：{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:     # the reader of our output went away (… | head): nothing more to say to it
            sys.stdout = open(os.devnull, "w")      # noqa: SIM115 — Python flushes stdout at exit
            sys.exit(1)
        except OSError as exc:      # a path the system refuses in a way no command foresaw: its reason, in Chinese
            where = f"“{_shown(exc.filename)}”" if exc.filename else "文件或文件夹"
            click.echo(f"出错：无法使用{where}（{os_reason(exc)}）：请检查路径、文件名长度和读写权限", err=True)
            sys.exit(2)
        except (KeyboardInterrupt, click.Abort):
            interrupted = _ignore_interrupts()      # a second Ctrl-C while saying so must not print a traceback
            click.echo(INTERRUPTED, err=True)     # click has ended the line of the ^C already
            sys.exit(EXIT_INTERRUPTED)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            if interrupted is not None:     # an embedding program (a test) gets its own handler back
                signal.signal(signal.SIGINT, interrupted)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=_Chinese, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jxzp")
def main() -> None:
    """jxzp：由一张填报表生成预算单位绩效自评全套材料（部门整体报告、项目报告、自评表）。

    \b
    常用命令：
      jxzp init 填报模板.xlsx          生成空白填报模板
      jxzp init --example 示例.xlsx    生成已填好的示例（利州区委组织部2021年）
      jxzp validate 填报表.xlsx        核对填报表，显示得分和发现的问题
      jxzp generate 填报表.xlsx        生成全套材料（Word、Markdown、图表）到 outputs/
      jxzp serve                       在浏览器中使用：上传、核对、生成、下载
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")


@main.command()
@click.argument("path", required=False, type=NewFile("填报模板.xlsx"))
@click.option("--example", is_flag=True, help="写入已填好的示例，而不是空白模板。")
@click.option("--from", "source", type=InputFile(),
              help="用这个填报文件（.yaml 或 .xlsx）的内容填好模板，例如把 YAML 转成 Excel。")
@click.option("--pack", "pack_name", metavar="名称或文件夹",
              help="按这个模板包写模板：它在 pack.yaml“文字栏目”中声明的文字栏目加在“单位信息”表末尾。")
def init(path: Path | None, example: bool, source: Path | None, pack_name: str | None) -> None:
    """写出填报模板 .xlsx（默认文件名：填报模板.xlsx 或 示例-填报表.xlsx）。"""
    from .pack import PackError, load_pack
    from .readers import read_input
    from .readers.excel_template import write_workbook

    pack = None
    if pack_name:
        try:
            pack = load_pack(pack_name)
        except PackError as exc:
            click.echo(str(exc), err=True)
            sys.exit(2)

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
    try:
        write_workbook(path, report, pack)
    except OSError as exc:
        click.echo(f"无法写出 {path}（{os_reason(exc)}）：请检查文件夹是否存在、是否有写入权限，"
                   "以及这个文件是否正在 Excel/WPS 中打开", err=True)
        sys.exit(2)
    click.echo(f"已写出{'示例填报表' if report else '空白填报模板'}：{path}")


def _pack_problem(pack: str | None) -> str | None:
    """Why a --pack folder cannot be a pack, said before the pack loader walks it (`--pack /` is a whole disk)."""
    if not pack:
        return None
    from .pack import PACK_FILE, pack_names

    if pack.strip() in pack_names():
        return None
    problem = path_problem(pack)
    if problem:
        return f"模板包文件夹“{_shown(pack)}”的{problem}：请给出模板包名称或文件夹"
    folder = Path(pack)
    try:
        if not folder.is_dir():
            return None         # not a folder: the loader's own message names the packs there are
        top = [p.name for p in folder.iterdir()]
    except OSError as exc:
        return f"无法打开模板包文件夹“{_shown(pack)}”（{os_reason(exc)}）：请检查路径和权限"
    if PACK_FILE in top or any(name.endswith((".docx", ".j2")) for name in top):
        return None
    return (f"“{_shown(pack)}”不是模板包文件夹：其中没有 {PACK_FILE}，也没有模板文件（.docx、.j2）；"
            "请给出用 jxzp pack export 导出并修改过的文件夹，或内置模板包的名称")


def _print_problems(problems, codes: bool = False) -> None:
    """One line per finding; its breakdown indented under it; rule codes only for bureau staff (--codes)."""
    for p in problems:
        tag = f"{p.severity.value} {p.code}" if codes and p.code else p.severity.value
        click.echo(f"  [{tag}] {p}")
        for line in p.details:
            click.echo(f"        · {line}")


def _figures(ev: Evaluation, project: int | None) -> dict[str, str]:
    """执行率, 得分, 等级 as every output shows them (pipeline.Verdict): “—” and 待改正后评定 for what rests on a
    figure reported as wrong, the unit's own score where none can be computed."""
    return ev.verdict(project).figures()


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（字段同文字输出）。")
@click.option("--profile", help="评分规则：全国、湖南、四川、广东、安徽，或评分规则 YAML 文件；默认取填报表中的“评分规则”，再取模板包的评分规则。")
@click.option("--pack", help="模板包（名称或文件夹）；默认取填报表中的“模板”。")
@click.option("--strict", is_flag=True, help="严格模式：警告也按错误处理（退出码 1）。")
@click.option("--codes", is_flag=True, help="在每条问题前显示规则代码（供财政局核对规则用）。")
@click.option("--mark", is_flag=True,
              help="另存一份标注过的填报表“填报表（已标注）.xlsx”：有问题的单元格填色并附批注，首页列出全部问题。")
@click.option("-o", "--output", "marked", type=NewFile("-o 填报表（已标注）.xlsx"),
              help="--mark 时标注版的文件名（默认放在填报表旁边）。")
def validate(inputs: tuple[Path, ...], as_json: bool, profile: str | None, pack: str | None, strict: bool, codes: bool, mark: bool,
             marked: Path | None) -> None:
    """核对填报文件：显示单位、年度、部门整体和各项目的执行率与得分，以及发现的问题。

    每条问题一行：位置、问题、两边的数和差、怎么改；明细缩进列在下面。
    退出码：0 没有错误；1 有错误（--strict 时有警告也算）；2 有文件无法读取。
    """
    if not inputs:
        click.echo("没有给出要核对的填报文件：请写出文件名，如 jxzp validate 填报表.xlsx（可一次给出多个）", err=True)
        sys.exit(2)
    if marked is not None and (not mark or len(inputs) != 1):
        click.echo("-o 只能与 --mark 一起、对一个填报表使用：请去掉 -o，或只给一个填报表", err=True)
        sys.exit(2)
    refused = _pack_problem(pack)
    if refused:
        click.echo(refused, err=True)
        sys.exit(2)
    evaluations = [evaluate(p, profile, pack) for p in inputs]
    if as_json:
        click.echo(json.dumps([summary(e) for e in evaluations], ensure_ascii=False, indent=2))
    else:
        for ev in evaluations:
            _print_text(ev, codes)
    if mark:
        for ev in evaluations:
            _mark(ev, marked, quiet=as_json)
    if any(e.unreadable for e in evaluations):
        sys.exit(2)
    if any(e.errors or (strict and e.warnings) for e in evaluations):
        sys.exit(1)


def _print_text(ev: Evaluation, codes: bool = False) -> None:
    click.echo(f"== {ev.path}")
    if ev.results is not None:
        res = ev.results
        unit = res.report.unit
        dept = _figures(ev, None)
        click.echo(f"单位：{unit.name}　年度：{unit.year or '—'}　评分规则：{res.profile.name}")
        click.echo(f"部门整体：执行率 {dept['执行率']}　得分 {dept['得分']}{_stated(dept)}　等级 {dept['等级']}")
        if res.projects:
            click.echo("项目：")
            for p in res.projects:
                tag = "" if p.project.evaluated else "（未开展自评）"
                shown = _figures(ev, p.index)
                grade = shown["等级"] if shown["等级"] != "未评分" else ""
                click.echo(f"  {p.index + 1:>2}. {p.project.name}{tag}　执行率 {shown['执行率']}"
                           f"　得分 {shown['得分']}{_stated(shown)}　{grade}".rstrip())
    elif ev.unreadable:
        click.echo("文件无法读取：")
    errors, warnings = len(ev.errors), len(ev.warnings)
    hints = len(ev.problems) - errors - warnings
    click.echo(f"发现问题：错误 {errors} 个，警告 {warnings} 个，提示 {hints} 个")
    _print_problems(ev.problems, codes)
    click.echo("")


def _stated(figures: dict[str, str]) -> str:
    return "（单位填报）" if figures["得分依据"] == "单位填报" else ""


def _mark(ev: Evaluation, target: Path | None, quiet: bool) -> None:
    """Write the preparer's workbook with every finding marked at its cell (--mark)."""
    from .readers.marking import MarkError, mark_workbook, marked_path

    if ev.path.suffix.lower() not in (".xlsx", ".xlsm"):
        click.echo(f"{ev.path.name}：--mark 需要 Excel 填报表（.xlsx），YAML 文件没有单元格可标注；"
                   "问题已按行号列在上面", err=True)
        return
    if ev.unreadable:
        click.echo(f"{ev.path.name} 无法读取，未写标注版：请先按上面的说明处理", err=True)
        return
    target = target or marked_path(ev.path)
    try:
        written = mark_workbook(ev.path, ev.problems, target)
    except MarkError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    click.echo(f"已写出标注版：{written}（有问题的单元格：红色为错误、黄色为警告，批注中是说明；首页列出全部问题）", err=quiet)


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=Folder(), default=Path("outputs"),
              show_default=True, help="输出文件夹；每个单位、年度一个子文件夹，多个单位时另有 汇总/ 文件夹。")
@click.option("--format", "formats", default="docx,md", show_default=True,
              help="输出格式，逗号分隔：docx、md、pdf（pdf 需要 LibreOffice）。")
@click.option("--pack", help="模板包：内置的 全国、湖南、四川、广东、安徽，或用 jxzp pack export 导出后修改的模板包文件夹；"
                           "默认取填报表中的“模板”，再取“评分规则”同名的模板包，再为全国。")
@click.option("--templates", "templates", type=Folder("--pack 我的模板包"), hidden=True,
              help="（旧名，同 --pack 文件夹）")
@click.option("--charts", default="native", show_default=True,
              help="Word 文件中的图表：native 为 Word 原生图表（可在 Word、WPS 中修改样式和数据），picture 为图片。")
@click.option("--force", is_flag=True, help="有错误也生成，各报告标注“未通过校验”。")
@click.option("--strict", is_flag=True, help="把警告也当作错误（有警告的填报表不生成）。")
@click.option("--profile", help="评分规则：全国、湖南、四川、广东、安徽，或评分规则 YAML 文件；默认取填报表中的“评分规则”，再取模板包的评分规则。")
@click.option("-j", "--jobs", type=Count("同时生成的单位数", "-j 2"), default=None,
              help="同时生成的单位数，默认等于 CPU 核数；结果与单进程生成完全相同。")
def generate(inputs: tuple[Path, ...], out_dir: Path, formats: str, pack: str | None, charts: str, templates: Path | None,
             force: bool, strict: bool, profile: str | None, jobs: int | None) -> None:
    """生成全套绩效自评材料：部门整体报告、项目报告、自评表（.docx、.md）、图表、校验报告。

    INPUT 可以是填报文件（.xlsx、.yaml），也可以是放有多个填报文件的文件夹（财政局批量生成）。
    不给 INPUT 时生成内置示例（利州区委组织部2021年）。有错误的填报表不生成（除非 --force），
    已有的输出保持不变；其余单位照常生成。再次生成时只改写内容有变化的文件，并列出变化的文件和数字。
    多于一个填报文件时，另写 汇总/各单位绩效自评汇总表.xlsx 和 .md。
    退出码：0 全部生成；1 有文件未生成；2 参数有误。
    """
    from .batch import collect_inputs, default_jobs, generate_batch, overview_files
    from .generate import CHART_MODES, parse_formats
    from .writer import WriteError, write_files

    try:
        chosen = parse_formats(formats)
    except ValueError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if charts not in CHART_MODES:
        click.echo(f"--charts 只能是 native（Word 原生图表）或 picture（图片），不能是“{charts}”", err=True)
        sys.exit(2)
    if not inputs:
        if not EXAMPLE.is_file():
            click.echo(f"没有给出填报文件，也找不到内置示例 {EXAMPLE}：请给出要生成的填报文件", err=True)
            sys.exit(2)
        inputs = (EXAMPLE,)
    paths, missing = collect_inputs(inputs, out_dir)
    for message in missing:
        click.echo(f"✗ {message}", err=True)
    if not paths:
        sys.exit(1 if missing else 2)
    pack = pack or (str(templates) if templates else None)
    refused = _pack_problem(pack)
    if refused:
        click.echo(refused, err=True)
        sys.exit(2)
    if pack:
        from .pack import PackError, load_pack
        try:
            load_pack(pack)
        except PackError as exc:
            click.echo(str(exc), err=True)
            sys.exit(2)
    options = {"out_dir": out_dir, "formats": chosen, "pack": pack, "force": force, "profile": profile,
               "strict": strict, "charts": charts}
    terminal = sys.stderr.isatty()
    with tempfile.TemporaryDirectory(prefix=".jxzp-claims-") as claims:
        if len(paths) > 1:
            options["claims"] = claims
        outcomes = generate_batch(paths, options, jobs or default_jobs(), progress=terminal,
                                  on_done=None if terminal else lambda o: _print_outcome(o, show_changes=True))
    if terminal:
        for outcome in outcomes:
            _print_outcome(outcome, show_changes=True)
    failed = sum(1 for o in outcomes if not o.ok) + len(missing)
    if len(paths) > 1:
        try:
            written = write_files(out_dir, overview_files(outcomes))
        except WriteError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        ok = len(outcomes) - sum(1 for o in outcomes if not o.ok)
        click.echo(f"共 {len(paths)} 个填报文件：生成 {ok} 个，未生成 {len(paths) - ok} 个；汇总表：{written[0]}")
    if failed:
        sys.exit(1)


def _print_outcome(outcome, show_changes: bool) -> None:
    if not outcome.ok:
        click.echo(f"✗ {outcome.path}：{outcome.message}", err=True)
        for problem in outcome.problems:
            click.echo(f"  [{problem.severity.value}] {problem}", err=True)
        return
    row = outcome.row
    status = "（未通过校验，已按 --force 生成）" if outcome.forced else ""
    hints = f"错误 {row.errors} 个，警告 {row.warnings} 个"
    click.echo(f"✓ {outcome.path} → {outcome.folder}{status}")
    click.echo(f"  共 {outcome.files} 个文件，用时 {outcome.seconds:.1f} 秒；校验：{hints}（详见材料包中的校验报告）")
    changes = outcome.changes
    if show_changes and changes is not None:
        if changes.empty:
            click.echo("  与上次生成相比没有变化，未改写任何文件。")
            return
        rewritten = [*changes.files_changed, *changes.files_added]
        click.echo(f"  与上次生成相比：改写 {len(rewritten)} 个文件" +
                   (f"，删除 {len(changes.files_removed)} 个" if changes.files_removed else ""))
        for name in rewritten:
            click.echo(f"    · {name}")
        for name in changes.files_removed:
            click.echo(f"    − {name}")
        if changes.figures:
            click.echo("  变化的数字：")
            for line in changes.figures:
                click.echo(f"    · {line}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；默认只允许本机访问。供各单位在内网使用时改为 0.0.0.0（须先用 jxzp units import 建立账号）。")
@click.option("--port", default=8000, show_default=True, type=Port(), help="端口。")
@click.option("--work-dir", type=Folder("--work-dir jxzp-web"),
              help="存放上传文件、生成材料和上传记录（jxzp.sqlite3）的文件夹（默认：系统临时文件夹下的 jxzp-web）。")
@click.option("--keep-days", default=30.0, show_default=True, type=Days(),
              help="上传的填报表、生成的材料和上传记录保留的天数（可带小数，至少 1 小时即 0.042 天），超过后自动清理。")
@click.option("--workers", type=Count("同时生成材料的进程数", "--workers 4", high=64),
              help="同时生成材料的进程数（默认：本机 CPU 核数）。")
@click.option("--packs", "packs_dir", type=Folder("--packs 财政局模板包"),
              help="财政局提供的模板包文件夹（每个子文件夹一个模板包）：上传时可以选用，填报表的“模板”栏也可以填这些名称。")
def serve(host: str, port: int, work_dir: Path | None, keep_days: float, workers: int | None,
          packs_dir: Path | None) -> None:
    """启动本机网页：上传填报表，查看得分和问题，一键生成并下载全套材料。"""
    import os
    import socket
    import tempfile

    import uvicorn

    from .pack import SERVED_ENV, PackError, load_pack, pack_names
    from .web import create_app

    if packs_dir is not None:
        served = [p for p in sorted(packs_dir.iterdir()) if (p / "pack.yaml").is_file()] if packs_dir.is_dir() else []
        if not served:
            click.echo(f"--packs {packs_dir} 中没有模板包：请指定一个文件夹，其中每个子文件夹是一个模板包（含 pack.yaml）", err=True)
            sys.exit(2)
        os.environ[SERVED_ENV] = str(packs_dir.resolve())      # the generating processes inherit it
        for name in [p.name for p in served if p.name in pack_names()]:
            try:
                load_pack(name)
            except PackError as exc:
                click.echo(f"模板包“{name}”无法使用，网页上不提供：{exc}", err=True)
    from .web.accounts import has_accounts, loopback

    work_dir = work_dir or Path(tempfile.gettempdir()) / "jxzp-web"
    if not loopback(host) and not has_accounts(work_dir):
        click.echo(f"不能在 {host} 上启动：{work_dir} 中还没有单位账号，网页没有登录，同一网络中的任何人都能看到所有单位"
                   "上传的填报表和材料。只给本机使用请去掉 --host（默认 127.0.0.1）；供各单位使用，请先由单位名单建立账号："
                   f"jxzp units import 单位名单.xlsx --work-dir {work_dir} -o 账号.xlsx，再用同一 --work-dir 启动", err=True)
        sys.exit(2)
    try:
        app = create_app(work_dir, keep_days=keep_days, workers=workers, warm=True)
    except (OSError, sqlite3.Error) as exc:
        click.echo(f"无法使用文件夹 {work_dir}（{os_reason(exc) if isinstance(exc, OSError) else exc}）：请用 --work-dir 指定一个可写的文件夹", err=True)
        sys.exit(2)
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        click.echo(f"无法启动：{host}:{port} 不可用（{os_reason(exc)}），请换一个端口，例如 --port 8080", err=True)
        sys.exit(2)
    everywhere = host in ("0.0.0.0", "::")
    shown = "127.0.0.1" if everywhere else f"[{host}]" if ":" in host else host
    click.echo(f"绩效自评材料生成网页已启动：http://{shown}:{port}/  （在浏览器中打开这个地址）")
    if everywhere:
        click.echo(f"已监听所有网卡：单位内网的其他电脑用本机的 IP 地址访问，端口 {port}")
    click.echo(f"上传的填报表、生成的材料和上传记录存放在 {work_dir}，保留 {keep_days:g} 天后自动清理；"
               f"{app.state.store.workers} 个进程同时生成。按 Ctrl+C 停止。")
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listener])


@main.command("packs")
def packs_command() -> None:
    """列出可用的模板包：内置的、本机安装的（jxzp pack install）和网页服务器提供的，各自的名称、来源和说明。"""
    from .pack import PackError, available_packs, load_pack

    for name, (source, folder) in available_packs().items():
        try:
            description = load_pack(name).description
        except PackError as exc:
            description = f"（无法使用：{exc}）"
        click.echo(f"{name}\t{source}\t{description}" + (f"\t{folder}" if source != "内置" else ""))


@main.group("pack")
def pack_group() -> None:
    """模板包：导出（export）一个模板包供修改，检查（check）改好的模板包，安装（install）给本机的填报表和网页使用，删除（remove）。"""


def _pack_call(call, cannot):
    """A pack command's library call; its PackError, or an OSError as `cannot(reason in Chinese)`, is one line on
    stderr and exit code 2."""
    from .pack import PackError

    try:
        return call()
    except PackError as exc:
        click.echo(str(exc), err=True)
    except OSError as exc:
        click.echo(cannot(os_reason(exc)), err=True)
    sys.exit(2)


@pack_group.command("export")
@click.argument("name")
@click.argument("folder", type=click.Path(path_type=Path))
def pack_export(name: str, folder: Path) -> None:
    """把内置模板包 NAME 的全部文件复制到 FOLDER，改好后用 jxzp generate 填报表.xlsx --pack FOLDER 生成。

    Word 模板（.docx）用 Word 或 WPS 修改，文本版模板（.md.j2）、句子（句子.j2）和 pack.yaml 用记事本修改；
    FOLDER 中删掉的文件从原模板包取。
    """
    from .pack import export_pack

    written = _pack_call(lambda: export_pack(name, folder),
                         lambda reason: f"无法写入文件夹 {folder}（{reason}）：请换一个可写的文件夹")
    click.echo(f"已导出模板包“{name}”的 {len(written)} 个文件到 {folder}；"
               f"修改后用 jxzp pack check {folder} 检查，jxzp generate 填报表.xlsx --pack {folder} 试生成，"
               f"jxzp pack install {folder} 安装")


def _print_pack_report(folder: Path, report) -> None:
    if report.findings:
        click.echo(f"模板包 {folder} 有 {len(report.findings)} 个问题：", err=True)
        for finding in report.findings:
            click.echo(f"  {finding}", err=True)
    else:
        click.echo(f"模板包 {folder} 检查通过：用 {report.inputs} 份示例填报（含一份空白单位）生成了全部文档，"
                   "Word 版与文本版的标题和句子一致")


@pack_group.command("check")
@click.argument("folder", type=click.Path(path_type=Path))
def pack_check(folder: Path) -> None:
    """检查模板包 FOLDER：用内置示例和一个空白单位生成每个文档，一次列出全部问题（文件和行，Word 模板给出段落文字）。

    查的是：pack.yaml 写错的键、评分规则、模板语法、未定义的变量和过滤器、Word 版与文本版不一致、文件名冲突。
    有问题时退出码为 1。
    """
    from .packcheck import check_pack

    if not folder.is_dir():
        click.echo(f"找不到模板包文件夹“{folder}”：请指定 jxzp pack export 导出、修改过的文件夹", err=True)
        sys.exit(2)
    report = check_pack(folder)
    _print_pack_report(folder, report)
    sys.exit(1 if report.findings else 0)


@pack_group.command("install")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--name", help="安装后的名称（默认：pack.yaml 中的“名称”）；填报表的“模板”栏和网页上选这个名称。")
def pack_install(folder: Path, name: str | None) -> None:
    """检查并安装模板包 FOLDER，供本机的填报表（“模板”栏）、jxzp generate 和网页选用；同名的已安装模板包被替换。"""
    from .pack import install_pack, installed_dir
    from .packcheck import check_pack

    if not folder.is_dir():
        click.echo(f"找不到模板包文件夹“{folder}”：请指定 jxzp pack export 导出、修改过的文件夹", err=True)
        sys.exit(2)
    report = check_pack(folder)
    if report.findings:
        _print_pack_report(folder, report)
        click.echo("未安装：请先改正上面的问题（jxzp pack check 可再次检查）", err=True)
        sys.exit(1)
    installed, target, replaced = _pack_call(lambda: install_pack(folder, name),
                                             lambda reason: f"无法安装到 {installed_dir()}（{reason}）：请检查这个文件夹是否可写")
    click.echo(f"已{'更新' if replaced else '安装'}模板包“{installed}”（{target}）：填报表“单位信息”的“模板”填 {installed}，"
               f"或 jxzp generate 填报表.xlsx --pack {installed}")


@pack_group.command("remove")
@click.argument("name")
def pack_remove(name: str) -> None:
    """删除本机安装的模板包 NAME（内置模板包不能删除）。"""
    from .pack import remove_pack

    target = _pack_call(lambda: remove_pack(name), lambda reason: f"无法删除模板包“{name}”（{reason}）")
    click.echo(f"已删除模板包“{name}”（{target}）")


# -- units: the accounts of a bureau's web server (its own module)
from .cli_units import units_group  # noqa: E402

main.add_command(units_group)


if __name__ == "__main__":
    main()
