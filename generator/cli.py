"""The `jxzp` command: thin verbs over the library (init, validate, generate)."""
from __future__ import annotations

import json
import logging
import signal
import sqlite3
import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .pipeline import Evaluation, evaluate, summary
from .problems import InputError, os_reason

from .examples import EXAMPLE


INTERRUPTED = "已中断，之前的输出未改动"
EXIT_INTERRUPTED = 130     # the shell's code for a command ended by Ctrl-C


class Jobs(click.ParamType):
    """How many units to generate at once: a whole number of at least 1, refused in Chinese otherwise."""

    name = "整数"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"“{value}”不是整数：请写同时生成的单位数，如 -j 2", param, ctx)
        if number < 1:
            self.fail(f"“{value}”小于 1：同时生成的单位数至少为 1，如 -j 1", param, ctx)
        return number


class Folder(click.ParamType):
    """An output folder: it may not exist yet, but it must not be a file."""

    name = "文件夹"

    def convert(self, value, param, ctx):
        if not str(value).strip():
            self.fail("文件夹名是空的：请给出输出文件夹，如 -o outputs", param, ctx)
        path = Path(value)
        if path.exists() and not path.is_dir():
            self.fail(f"“{value}”是一个文件，不是文件夹：请给出输出文件夹，如 -o outputs", param, ctx)
        for parent in path.parents:
            if parent.exists() and not parent.is_dir():
                self.fail(f"“{value}”的上级“{parent}”是一个文件：请给出输出文件夹，如 -o outputs", param, ctx)
        return path


class Port(click.ParamType):
    """A TCP port, 1–65535."""

    name = "端口"

    def convert(self, value, param, ctx):
        try:
            number = int(str(value).strip())
        except ValueError:
            self.fail(f"“{value}”不是端口号：请写 1～65535 之间的整数，如 --port 8000", param, ctx)
        if not 1 <= number <= 65535:
            self.fail(f"“{value}”不在 1～65535 之间：请换一个端口，如 --port 8080", param, ctx)
        return number


class InputFile(click.ParamType):
    """An existing input file (.xlsx or .yaml)."""

    name = "文件"

    def convert(self, value, param, ctx):
        path = Path(value)
        if not path.exists():
            self.fail(f"找不到文件“{value}”：请检查路径和文件名", param, ctx)
        if path.is_dir():
            self.fail(f"“{value}”是一个文件夹：请给出填报文件（.xlsx 或 .yaml）", param, ctx)
        return path


def _usage_message(exc: click.UsageError) -> str:
    """click's English usage error in Chinese, with the fix."""
    command = exc.ctx.command_path if exc.ctx is not None else "jxzp"
    see = f"；运行 {command} --help 查看用法"
    if isinstance(exc, click.NoSuchOption):
        close = f"，是不是要用 {'、'.join(sorted(exc.possibilities))}" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{close}{see}"
    if isinstance(exc, click.BadOptionUsage):
        return f"选项 {exc.option_name} 后面缺少值{see}"
    if isinstance(exc, click.MissingParameter):
        name = exc.param.opts[0] if exc.param is not None and exc.param.opts else "参数"
        return f"缺少 {name}{see}"
    if isinstance(exc, click.BadParameter):
        name = "/".join(exc.param.opts) if exc.param is not None and exc.param.opts else "参数"
        return f"{name} 的值不对：{exc.message}"
    message = exc.message
    if message.startswith("No such command"):
        word = message.split("'")[1] if "'" in message else message
        return f"没有命令“{word}”：可用的命令有 init、validate、generate、serve{see}"
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.find("(") + 1:message.rfind(")")] if "(" in message else ""
        return f"多余的参数：{extra}{see}"
    if message.startswith("Missing command"):
        return f"缺少命令：可用的命令有 init、validate、generate、serve{see}"
    return f"命令行有误（{message}）{see}"


_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


class _Chinese(click.Group):
    """The command group that answers usage errors, Ctrl-C and SIGTERM in Chinese, never with a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        previous = None
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
        except (KeyboardInterrupt, click.Abort):
            click.echo(f"\n{INTERRUPTED}", err=True)
            sys.exit(EXIT_INTERRUPTED)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
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
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--example", is_flag=True, help="写入已填好的示例，而不是空白模板。")
@click.option("--from", "source", type=InputFile(),
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
    try:
        write_workbook(path, report)
    except OSError as exc:
        click.echo(f"无法写出 {path}（{os_reason(exc)}）：请检查文件夹是否存在、是否有写入权限，"
                   "以及这个文件是否正在 Excel/WPS 中打开", err=True)
        sys.exit(2)
    click.echo(f"已写出{'示例填报表' if report else '空白填报模板'}：{path}")


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
@click.option("-o", "--output", "marked", type=click.Path(dir_okay=False, path_type=Path),
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
        click.echo(f"单位：{unit.name}　年度：{unit.year}　评分规则：{res.profile.name}")
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
@click.option("--templates", "templates", type=click.Path(file_okay=False, path_type=Path), hidden=True,
              help="（旧名，同 --pack 文件夹）")
@click.option("--charts", default="native", show_default=True,
              help="Word 文件中的图表：native 为 Word 原生图表（可在 Word、WPS 中修改样式和数据），picture 为图片。")
@click.option("--force", is_flag=True, help="有错误也生成，各报告标注“未通过校验”。")
@click.option("--strict", is_flag=True, help="把警告也当作错误（有警告的填报表不生成）。")
@click.option("--profile", help="评分规则：全国、湖南、四川、广东、安徽，或评分规则 YAML 文件；默认取填报表中的“评分规则”，再取模板包的评分规则。")
@click.option("-j", "--jobs", type=Jobs(), default=None,
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
    paths, missing = collect_inputs(inputs)
    for message in missing:
        click.echo(f"✗ {message}", err=True)
    if not paths:
        sys.exit(1 if missing else 2)
    pack = pack or (str(templates) if templates else None)
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
              help="监听地址；默认只允许本机访问，在单位内网共用时改为 0.0.0.0。")
@click.option("--port", default=8000, show_default=True, type=Port(), help="端口。")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path),
              help="存放上传文件、生成材料和上传记录（jxzp.sqlite3）的文件夹（默认：系统临时文件夹下的 jxzp-web）。")
@click.option("--keep-days", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="上传的填报表、生成的材料和上传记录保留的天数，超过后自动清理。")
@click.option("--workers", type=click.IntRange(1, 64),
              help="同时生成材料的进程数（默认：本机 CPU 核数）。")
def serve(host: str, port: int, work_dir: Path | None, keep_days: float, workers: int | None) -> None:
    """启动本机网页：上传填报表，查看得分和问题，一键生成并下载全套材料。"""
    import socket
    import tempfile

    import uvicorn

    from .web import create_app

    work_dir = work_dir or Path(tempfile.gettempdir()) / "jxzp-web"
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
    """列出内置的模板包：名称和适用范围。"""
    from .pack import bundled_packs, load_pack

    for name in bundled_packs():
        click.echo(f"{name}\t{load_pack(name).description}")


@main.group("pack")
def pack_group() -> None:
    """模板包：导出一个内置模板包供修改（jxzp pack export 湖南 我的模板包/）。"""


@pack_group.command("export")
@click.argument("name")
@click.argument("folder", type=click.Path(path_type=Path))
def pack_export(name: str, folder: Path) -> None:
    """把内置模板包 NAME 的全部文件复制到 FOLDER，改好后用 jxzp generate 填报表.xlsx --pack FOLDER 生成。

    Word 模板（.docx）用 Word 或 WPS 修改，文本版模板（.md.j2）、句子（句子.j2）和 pack.yaml 用记事本修改；
    FOLDER 中删掉的文件从原模板包取。
    """
    from .pack import PackError, export_pack

    try:
        written = export_pack(name, folder)
    except PackError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"无法写入文件夹 {folder}（{exc.strerror or exc}）：请换一个可写的文件夹", err=True)
        sys.exit(2)
    click.echo(f"已导出模板包“{name}”的 {len(written)} 个文件到 {folder}；"
               f"修改后用 jxzp generate 填报表.xlsx --pack {folder} 生成")


if __name__ == "__main__":
    main()
