"""How validation time grows with the size of one input, printed as figures (issue 10's target: 20,000 projects
validate in under 20 s; never asserted by a unit test).

    python bench/validate_size.py                 # 5,000, 10,000 and 20,000 projects
    python bench/validate_size.py 20000           # one size

Each input is the small unit of tests/bad_inputs/base.yaml with its projects repeated (renamed, each with its three
indicators) until it holds the given number, written as YAML (20,000 projects: about 19 MB). Two figures: reading
alone (`read_input`: parse, build the model) and `evaluate`, what `jxzp validate` runs (read, compute, check).
"""
from __future__ import annotations

import argparse
import copy
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.pipeline import evaluate  # noqa: E402
from generator.readers import read_input  # noqa: E402

BASE = ROOT / "tests" / "bad_inputs" / "base.yaml"


def big_input(projects: int, folder: Path) -> Path:
    """The base unit with `projects` projects (copies renamed 高标准农田建设00001 …), as a YAML file."""
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    originals = data["项目"]
    copies = []
    for i in range(projects):
        project = copy.deepcopy(originals[i % len(originals)])   # shared objects would be written as aliases
        project["项目名称"] = f"{project['项目名称']}{i:05d}"
        copies.append(project)
    data["项目"] = copies
    path = folder / f"projects-{projects}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def measure(projects: int, runs: int) -> tuple[float, float, float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = big_input(projects, Path(tmp))
        size = path.stat().st_size
        read = whole = cpu = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            report, _ = read_input(path)
            read = min(read, time.perf_counter() - start)
            start, start_cpu = time.perf_counter(), time.process_time()
            evaluation = evaluate(path)
            whole = min(whole, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
        assert len(report.projects) == projects
        assert evaluation.results is not None and len(evaluation.results.projects) == projects
    return read, whole, cpu, size / 1024 / 1024, len(evaluation.problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[5_000, 10_000, 20_000])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(f"{platform.machine()}, Python {platform.python_version()}, {platform.system()}, {os.cpu_count()} CPU")
    # CPU seconds beside wall seconds: on a shared machine the wall clock also counts other people's work.
    print(f"{'项目数':>8} {'文件 MB':>8} {'读取 s':>8} {'validate s':>11} {'validate CPU s':>15} {'每千项目 s':>10}"
          f" {'问题数':>7} {'平均负载':>9}")
    for projects in args.sizes:
        read, whole, cpu, mb, problems = measure(projects, args.runs)
        # The one-minute load average when the size is done: other work on the machine during the measurement.
        load = f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "—"
        print(f"{projects:>8} {mb:>8.1f} {read:>8.1f} {whole:>11.1f} {cpu:>15.1f} {whole / projects * 1000:>10.2f}"
              f" {problems:>7} {load:>9}", flush=True)


if __name__ == "__main__":
    main()
