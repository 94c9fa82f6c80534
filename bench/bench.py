"""Speed and memory of generation, printed as figures (targets of issue 4; never asserted by a unit test).

    python bench/bench.py            # Lizhou + the 100-unit batch
    python bench/bench.py --quick    # Lizhou only

Measures, in one run on this machine:
  1. the Lizhou example: full generation, regeneration after one changed indicator value (files rewritten);
  2. Word rendering of the same Lizhou documents by the compile-once path and by the plain per-document
     docxtpl loop (load template, render, save), side by side, with the ratio;
  3. a synthetic batch of 100 units × 15 projects made from Lizhou: wall time, documents per second, ms per
     document, peak memory of the whole process tree (sampled from /proc).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.batch import default_jobs  # noqa: E402
import io  # noqa: E402

from docx.shared import Mm  # noqa: E402
from docxtpl import DocxTemplate, InlineImage  # noqa: E402
from markupsafe import Markup  # noqa: E402

from generator.generate import _stamp, generate  # noqa: E402
from generator.pipeline import evaluate  # noqa: E402
from generator.render.charts import render_chart  # noqa: E402
from generator.render.context import chart_specs, package_context  # noqa: E402
from generator.render.documents import DocInfo, renderer_for  # noqa: E402
from generator.render.views import template_context  # noqa: E402

LIZHOU = ROOT / "inputs" / "lizhou-2021-corrected.yaml"


def _pss_mb(pid: int) -> float | None:
    """Proportional set size: shared pages (forked workers share the parent's) counted once, split among sharers."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def tree_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process and all its descendants, in MB (Linux /proc); PSS is the memory really used."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total_rss, total_pss, stack = 0.0, 0.0, [pid]
    while stack:
        current = stack.pop()
        total_rss += rss.get(current, 0) / 1024 / 1024
        pss = _pss_mb(current)
        total_pss += pss if pss is not None else rss.get(current, 0) / 1024 / 1024
        stack.extend(children.get(current, []))
    return total_rss, total_pss


def rss_tree_mb(pid: int) -> float:
    return tree_mb(pid)[0]


class PeakMemory:
    """Samples the process tree's memory every 20 ms while active."""

    def __enter__(self) -> "PeakMemory":
        self.peak = rss_tree_mb(os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_tree_mb(os.getpid()))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def lizhou(work: Path) -> dict:
    """Full generation and a one-change regeneration in one warm process, as the web page (or a preparer's
    second run in it) does; the first generation, which also compiles the templates, is timed apart."""
    started = time.perf_counter()
    generate(LIZHOU, work / "lizhou-cold")
    cold = time.perf_counter() - started
    out = work / "lizhou"
    started = time.perf_counter()
    first = generate(LIZHOU, out)
    full = time.perf_counter() - started
    docs = sum(1 for f in first.files if f.endswith((".docx", ".md")))
    changed = work / "lizhou-changed.yaml"
    changed.write_text(LIZHOU.read_text(encoding="utf-8").replace("实际完成值: 200人", "实际完成值: 180人", 1),
                       encoding="utf-8")
    started = time.perf_counter()
    again = generate(changed, out)
    regen = time.perf_counter() - started
    rewritten = [*again.changes.files_changed, *again.changes.files_added]
    return {"cold": cold, "full": full, "docs": docs, "files": len(first.files), "regen": regen,
            "rewritten": rewritten}


def _plain(renderer, stem: str, context: dict, images: dict[str, bytes]) -> bytes:
    """The plain docxtpl way for one document of a pack: load the template, render, save (tables placed the same
    way as the compiled path does, pictures as docxtpl's InlineImage)."""
    tpl = DocxTemplate(str(renderer.pack.need(f"{stem}.docx")))
    numbers: dict[str, int] = {}
    ctx = dict(context)

    def table(table_stem: str, new_page: bool = False, **values) -> Markup:
        part = renderer.compiled(f"{table_stem}.docx")
        return Markup(part.body_xml({**ctx, **values}))

    def figure(key: str, alt: str = ""):
        numbers.setdefault(key, len(numbers) + 1)
        return InlineImage(tpl, io.BytesIO(images[key]), width=Mm(140)) if key in ctx["charts"] else ""

    ctx.update(table=table, figure=figure, figure_no=lambda key: numbers.setdefault(key, len(numbers) + 1))
    tpl.render(template_context(ctx), renderer.docx_env, autoescape=True)   # as render_checked hands it
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


def docx_loop(rounds: int) -> dict:
    """The same Word documents of the 全国 pack through both paths (chart pictures made once, outside the timing)."""
    evaluation = evaluate(LIZHOU, pack="全国")
    pack = evaluation.pack
    renderer = renderer_for(pack)
    context = package_context(evaluation.results, pack)
    context.update(failed_check=0, texts=pack.texts, captions={k: c.caption for k, c in pack.charts.items()})
    specs = chart_specs(evaluation.results, pack.charts, {k: k for k in pack.charts}, pack.chart_font)
    context["charts"] = {spec.key: spec for spec in specs}
    images = {spec.key: render_chart(spec) for spec in specs}
    info = DocInfo("t", evaluation.results.report.unit.name, _stamp(evaluation))
    documents = [("部门整体支出绩效自评报告", context)]
    documents += [("项目支出绩效自评报告", {**context, "item": item}) for item in context["projects"]]
    documents += [("项目支出绩效自评表（全部项目）", context)]

    def run(plain: bool) -> tuple[float, int]:
        started = time.perf_counter()
        for _ in range(rounds):
            for stem, ctx in documents:
                if plain:
                    _plain(renderer, stem, ctx, images)
                else:
                    renderer.docx(stem, ctx, images, info)
        return time.perf_counter() - started, rounds * len(documents)

    run(False)                            # warm-up: compile once (counted in the batch figures, not here)
    fast, n = run(False)
    plain, _ = run(True)
    return {"docs": n, "fast": fast, "plain": plain}


def synthetic_inputs(folder: Path, units: int) -> list[Path]:
    """`units` copies of Lizhou (15 projects each) as distinct units: own name, short name and code."""
    folder.mkdir(parents=True, exist_ok=True)
    text = LIZHOU.read_text(encoding="utf-8")
    paths = []
    for i in range(1, units + 1):
        body = (text.replace("单位名称: 中共广元市利州区委组织部", f"单位名称: 测试第{i:03d}单位")
                .replace("单位简称: 利州区委组织部", f"单位简称: 测试第{i:03d}单位"))
        path = folder / f"unit-{i:03d}.yaml"
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    return paths


def batch(work: Path, units: int, jobs: int) -> dict:
    """The batch as a bureau runs it: `jxzp generate FOLDER -o OUT --jobs N` in its own process."""
    inputs = synthetic_inputs(work / "batch-in", units)
    out = work / "batch-out"
    command = [sys.executable, "-m", "generator.cli", "generate", str(inputs[0].parent), "-o", str(out),
               "--jobs", str(jobs)]
    peak_rss = peak_pss = 0.0
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while process.poll() is None:
        rss, pss = tree_mb(process.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        print(process.stderr.read().decode("utf-8", "replace")[-2000:])
    docx = sum(1 for _ in out.rglob("*.docx"))
    md = sum(1 for _ in out.rglob("*.md"))
    png = sum(1 for _ in out.rglob("*.png"))
    return {"wall": wall, "docx": docx, "md": md, "png": png, "failed": process.returncode != 0,
            "rss": peak_rss, "pss": peak_pss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="只测利州示例，不跑100个单位的批量")
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--rounds", type=int, default=3, help="Word 渲染对比的轮数")
    args = parser.parse_args()
    print(f"机器：{platform.processor() or platform.machine()}，{os.cpu_count()} 核，Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="jxzp-bench-") as tmp:
        work = Path(tmp)
        with PeakMemory() as memory:
            li = lizhou(work)
        print("\n[利州示例]")
        print(f"  首次生成（含模板编译、字体加载）：{li['cold']:.2f} s")
        print(f"  全量生成：{li['full']:.2f} s，{li['files']} 个文件（{li['docs']} 个文档），"
              f"{li['docs'] / li['full']:.1f} 文档/秒，{li['full'] / li['docs'] * 1000:.0f} ms/文档，峰值内存 {memory.peak:.0f} MB")
        print(f"  改一个指标实际值后重新生成：{li['regen']:.2f} s（全量的 {li['regen'] / li['full'] * 100:.0f}%），"
              f"改写 {len(li['rewritten'])} 个文件（另加 manifest.json）：")
        for name in li["rewritten"]:
            print(f"    · {name}")
        loop = docx_loop(args.rounds)
        print(f"\n[Word 渲染：同一批模板与数据，{loop['docs']} 个 .docx]")
        fast_rate, plain_rate = loop["docs"] / loop["fast"], loop["docs"] / loop["plain"]
        print(f"  一次编译（jxzp）：{fast_rate:7.1f} 文档/秒，{loop['fast'] / loop['docs'] * 1000:6.1f} ms/文档")
        print(f"  逐个 docxtpl   ：{plain_rate:7.1f} 文档/秒，{loop['plain'] / loop['docs'] * 1000:6.1f} ms/文档")
        print(f"  倍数：{fast_rate / plain_rate:.1f}×（目标 ≥15×）")
        if not args.quick:
            result = batch(work, args.units, args.jobs)
            documents = result["docx"] + result["md"]
            print(f"\n[批量：{args.units} 个单位 × 15 个项目，--jobs {args.jobs}]")
            print(f"  {result['docx']} 个 .docx、{result['md']} 个 .md、{result['png']} 张图表，另有汇总表"
                  + ("；有单位未生成（见上）" if result["failed"] else "；全部生成"))
            print(f"  用时 {result['wall']:.1f} s（目标 <60 s），{documents / result['wall']:.1f} 文档/秒，"
                  f"{result['wall'] / documents * 1000:.1f} ms/文档（按墙钟时间）")
            print(f"  进程树峰值内存 {result['pss']:.0f} MB（PSS，共享页只计一次；目标 <400 MB）；"
                  f"各进程 RSS 直接相加为 {result['rss']:.0f} MB")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
