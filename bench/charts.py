"""Pictures vs native Word charts, side by side in one run: chart cost, Lizhou (docx only), the 100-unit batch.

    python bench/charts.py              # everything (the batch takes a few minutes)
    python bench/charts.py --quick      # per-chart cost and Lizhou only

Each measurement of a whole generation runs in its own process, so the mode measured alone pays for what it
loads (matplotlib and its fonts for pictures, python-pptx for native charts); peak memory is the PSS of that
process tree, sampled from /proc. The batch is bench.py's: 100 copies of Lizhou (15 projects each) as distinct
units, `jxzp generate FOLDER --format docx --charts MODE --jobs N`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import LIZHOU, ROOT, synthetic_inputs, tree_mb  # bench/bench.py, next to this script

from generator.batch import default_jobs

MODES = ("picture", "native")
_ONE = """
import json, sys, time
from generator.generate import generate
out, mode = sys.argv[1], sys.argv[2]
started = time.perf_counter()
generate({lizhou!r}, out + "/cold", ("docx",), charts=mode)
cold = time.perf_counter() - started
started = time.perf_counter()
done = generate({lizhou!r}, out + "/warm", ("docx",), charts=mode)
print(json.dumps({{"cold": cold, "warm": time.perf_counter() - started, "files": len(done.files)}}))
"""


def watched(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak PSS in MB of the process tree, stdout) of one command."""
    peak = 0.0
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while process.poll() is None:
        peak = max(peak, tree_mb(process.pid)[1])
        time.sleep(0.02)
    wall = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err.decode('utf-8', 'replace')[-2000:]}")
    return wall, peak, out.decode("utf-8")


def per_chart(rounds: int) -> dict[str, float]:
    """Milliseconds per chart of the Lizhou report, each way (fonts and imports warmed up first)."""
    from generator.pipeline import evaluate
    from generator.render.chart_parts import _chart_part    # not the per-process memo: each chart drawn anew
    from generator.render.charts import render_chart, svg_chart
    from generator.render.context import chart_specs

    evaluation = evaluate(LIZHOU)
    pack = evaluation.pack
    specs = chart_specs(evaluation.results, pack.charts, {k: c.title for k, c in pack.charts.items()}, pack.chart_font)
    result = {}
    for mode, draw in (("picture", render_chart), ("native", _chart_part), ("svg", svg_chart)):
        draw(specs[0])
        started = time.perf_counter()
        for _ in range(rounds):
            for spec in specs:
                draw(spec)
        result[mode] = (time.perf_counter() - started) / (rounds * len(specs)) * 1000
    return result


def lizhou(work: Path, mode: str, attempt: int) -> dict:
    out_dir = work / f"li-{mode}-{attempt}"
    wall, pss, out = watched([sys.executable, "-c", _ONE.format(lizhou=str(LIZHOU)), str(out_dir), mode])
    return {**json.loads(out), "pss": pss}


def best(runs: list[dict]) -> dict:
    """The fastest of a few runs per figure: other work on the machine only ever adds time."""
    return {key: min(r[key] for r in runs) for key in runs[0]}


def batch(inputs: Path, work: Path, mode: str, jobs: int) -> dict:
    out = work / f"batch-{mode}"
    wall, pss, _ = watched([sys.executable, "-m", "generator.cli", "generate", str(inputs), "-o", str(out),
                            "--format", "docx", "--charts", mode, "--jobs", str(jobs)])
    return {"wall": wall, "pss": pss, "docx": sum(1 for _ in out.rglob("*.docx")),
            "png": sum(1 for _ in out.rglob("*.png"))}


def row(label: str, before: float, after: float, unit: str, better_low: bool = True) -> str:
    ratio = before / after if better_low else after / before
    return f"  {label:<26}{before:>10.2f} {unit:<4}{after:>10.2f} {unit:<4}{ratio:>8.1f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="只测单张图表和利州示例，不跑批量")
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--rounds", type=int, default=20, help="单张图表计时的轮数")
    parser.add_argument("--repeat", type=int, default=3, help="利州示例每种方式生成的次数（取最好）")
    args = parser.parse_args()
    print(f"机器：{platform.processor() or platform.machine()}，{os.cpu_count()} 核，Python {platform.python_version()}")
    print(f"开始时负载（1 分钟平均）：{os.getloadavg()[0]:.1f}：数字受同机其他任务影响，比较同一次运行中的两列")
    header = f"  {'':<26}{'图片（before）':>14}{'原生（after）':>14}{'倍数':>8}"
    charts = per_chart(args.rounds)
    print("\n[单张图表，利州的 4 张图，平均]")
    print(header)
    print(row("每张图表", charts["picture"], charts["native"], "ms"))
    print(f"  文本版的 SVG 图：每张 {charts['svg']:.2f} ms（图片的 {charts['svg'] / charts['picture']:.2%}）")
    with tempfile.TemporaryDirectory(prefix="jxzp-bench-charts-") as tmp:
        work = Path(tmp)
        attempts = [{mode: lizhou(work, mode, i) for mode in MODES} for i in range(args.repeat)]  # interleaved
        li = {mode: best([a[mode] for a in attempts]) for mode in MODES}
        print(f"\n[利州示例，只生成 docx（{li['native']['files']} 个文件），各自一个进程，{args.repeat} 次取最好]")
        print(header)
        print(row("首次生成（含导入、字体）", li["picture"]["cold"], li["native"]["cold"], "s"))
        print(row("再次生成（进程已热）", li["picture"]["warm"], li["native"]["warm"], "s"))
        print(row("峰值内存 PSS", li["picture"]["pss"], li["native"]["pss"], "MB"))
        if not args.quick:
            inputs = synthetic_inputs(work / "batch-in", args.units)
            runs = {mode: batch(inputs[0].parent, work, mode, args.jobs) for mode in MODES}
            print(f"\n[批量：{args.units} 个单位 × 15 个项目，--format docx，--jobs {args.jobs}]")
            print(header)
            print(row("用时", runs["picture"]["wall"], runs["native"]["wall"], "s"))
            print(row("进程树峰值内存 PSS", runs["picture"]["pss"], runs["native"]["pss"], "MB"))
            print(f"  .docx：图片 {runs['picture']['docx']} 个（另有 {runs['picture']['png']} 张 PNG），"
                  f"原生 {runs['native']['docx']} 个（{runs['native']['png']} 张 PNG）")
            print(f"  结束时负载（1 分钟平均）：{os.getloadavg()[0]:.1f}")
            print(f"  目标：批量至少快 2×（实测 {runs['picture']['wall'] / runs['native']['wall']:.1f}×），"
                  f"PSS 低于 300 MB（实测 {runs['native']['pss']:.0f} MB）")


if __name__ == "__main__":
    main()
