"""This checkout against an earlier commit, side by side in one run, each figure the fastest of several turns taken
in alternation (never asserted by a unit test):

    python bench/versus.py                      # against 4d05042, every measure
    python bench/versus.py COMMIT --turns 3 --only batch,cold

Measures (Lizhou = inputs/lizhou-2021-corrected.yaml):
  full    Lizhou full generation in a warm process (CPU time; fastest of --runs per process);
  regen   regeneration of Lizhou after one changed text, in a warm process, as the web does (CPU time);
  same    regeneration with nothing changed (CPU time);
  cold    `jxzp generate` of Lizhou as a new process (wall time; the installation has run once before, so its
          cache of compiled templates is warm);
  batch   `jxzp generate DIR --jobs 2` of 20 Lizhou-sized units (Word + Markdown) as a new process (wall time).

A shared machine's CPU speed drifts, so the two versions run in turns and the fastest turn of each is compared;
the load average is printed before and after. The earlier commit is checked out into a temporary git worktree
and removed afterwards.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIZHOU = ROOT / "inputs" / "lizhou-2021-corrected.yaml"
CHANGED_TEXT = ("一是网评文章和正能量作品", "一是网评的文章和正能量作品")   # a project's 存在问题, one word more
BATCH_UNITS = 20
MEASURES = ("full", "regen", "same", "cold", "batch")
TARGETS = {"regen": 0.5, "cold": 0.6, "batch": 0.5}

# Runs inside a process whose sys.path starts with one checkout: warm up, then time generations (CPU).
WARM = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from generator.generate import generate
measure, runs, source = sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
old, new = sys.argv[5], sys.argv[6]
out = Path(tempfile.mkdtemp())
text = source.read_text(encoding="utf-8")
unit = out / source.name
unit.write_text(text, encoding="utf-8")
generate(unit, out / "warm")
generate(unit, out / "warm")
times = []
for i in range(runs):
    if measure == "regen":
        unit.write_text(text.replace(old, new, 1) if i % 2 == 0 else text, encoding="utf-8")
    target = out / (f"run{i}" if measure == "full" else "warm")
    started = time.process_time()
    generate(unit, target)
    times.append(time.process_time() - started)
print(min(times))
"""


def _env(checkout: Path, cache: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(checkout), "XDG_CACHE_HOME": str(cache)}


def warm(checkout: Path, measure: str, runs: int) -> float:
    done = subprocess.run([sys.executable, "-c", WARM, str(checkout), measure, str(runs), str(LIZHOU), *CHANGED_TEXT],
                          capture_output=True, text=True, check=True, cwd=checkout)
    return float(done.stdout.strip().splitlines()[-1])


def command(checkout: Path, cache: Path, args: list[str], out: Path) -> float:
    """Wall time of one `jxzp …` run as a new process of `checkout` (its outputs in a fresh folder)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator.cli", *args, "-o", str(out)], capture_output=True, check=True,
                   cwd=checkout, env=_env(checkout, cache))
    return time.perf_counter() - started


def batch_inputs(folder: Path) -> Path:
    """20 Lizhou-sized units, each its own unit (a batch refuses two inputs of the same unit and year)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = LIZHOU.read_text(encoding="utf-8")
    for n in range(1, BATCH_UNITS + 1):
        unit = re.sub(r"^(  单位名称: .*)$", rf"\g<1>{n:02d}", text, count=1, flags=re.M)
        unit = re.sub(r"^(  单位简称: .*)$", rf"\g<1>{n:02d}", unit, count=1, flags=re.M)
        (folder / f"unit{n:02d}.yaml").write_text(unit, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", nargs="?", default="4d05042")
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--runs", type=int, default=8, help="generations per warm process")
    parser.add_argument("--only", default=",".join(MEASURES), help="measures, comma-separated: " + ",".join(MEASURES))
    args = parser.parse_args()
    chosen = [m for m in MEASURES if m in args.only.split(",")]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    best: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        earlier = tmp_path / "earlier"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(earlier), args.commit],
                       check=True)
        sides = {args.commit: earlier, "this checkout": ROOT}
        units = batch_inputs(tmp_path / "units")
        try:
            for side, checkout in sides.items():     # the installation has run once: its template cache is warm
                command(checkout, tmp_path / f"cache-{checkout.name}", ["generate", str(LIZHOU)], tmp_path / f"first-{checkout.name}")
            for turn in range(args.turns):
                for measure in chosen:
                    for side, checkout in sides.items():
                        cache = tmp_path / f"cache-{checkout.name}"
                        out = tmp_path / f"out-{turn}-{measure}-{checkout.name}"
                        if measure == "cold":
                            figure = command(checkout, cache, ["generate", str(LIZHOU)], out)
                        elif measure == "batch":
                            figure = command(checkout, cache, ["generate", str(units), "--jobs", "2"], out)
                        else:
                            figure = warm(checkout, measure, args.runs)
                        key = (measure, side)
                        best[key] = min(best.get(key, figure), figure)
                        print(f"turn {turn + 1} {measure:5} {side}: {figure:.3f} s", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(earlier)], check=False)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\n| measure (fastest of {args.turns} turns) | {args.commit} | this checkout | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    for measure in chosen:
        theirs, mine = best[(measure, args.commit)], best[(measure, "this checkout")]
        target = f"≤ {TARGETS[measure]:.0%}" if measure in TARGETS else ""
        print(f"| {measure} | {theirs:.3f} s | {mine:.3f} s | {mine / theirs:.0%} | {target} |")


if __name__ == "__main__":
    main()
