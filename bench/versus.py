"""Full generation of the Lizhou example by this checkout and by an earlier commit, in turns, printed side by side
(the figure behind "within 10% of before the packs redesign"; never asserted by a unit test).

    python bench/versus.py                 # against a7d9489, the last commit before the packs redesign
    python bench/versus.py COMMIT --turns 4 --runs 8

A shared machine's CPU speed drifts (the same code's full generation took 0.63 s or 1.2 s minutes apart), so one
figure each says little: the two versions run in turns, each in its own warm process, and the fastest run of each is
compared. The earlier commit is checked out into a temporary git worktree and removed afterwards.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIZHOU = ROOT / "inputs" / "lizhou-2021-corrected.yaml"

# Runs inside a process whose sys.path starts with one checkout: warm up once, then time full generations.
MEASURE = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from generator.generate import generate
runs, source = int(sys.argv[2]), Path(sys.argv[3])
out = Path(tempfile.mkdtemp())
generate(source, out / "warm")
times = []
for i in range(runs):
    started = time.process_time()
    generate(source, out / f"run{i}")
    times.append(time.process_time() - started)
print(min(times))
"""


def best_of(checkout: Path, runs: int) -> float:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(checkout), str(runs), str(LIZHOU)],
                          capture_output=True, text=True, check=True, cwd=checkout)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", nargs="?", default="a7d9489")
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--runs", type=int, default=8, help="full generations per process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        earlier = Path(tmp) / "earlier"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(earlier), args.commit],
                       check=True)
        try:
            mine, theirs = [], []
            for turn in range(args.turns):
                theirs.append(best_of(earlier, args.runs))
                mine.append(best_of(ROOT, args.runs))
                print(f"turn {turn + 1}: {args.commit} {theirs[-1]:.3f} s   this checkout {mine[-1]:.3f} s (CPU)")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(earlier)], check=False)
    ratio = min(mine) / min(theirs)
    print(f"Lizhou full generation, fastest of {args.turns * args.runs} each: {args.commit} {min(theirs):.3f} s, "
          f"this checkout {min(mine):.3f} s ({ratio:.0%}; target: within 110%)")


if __name__ == "__main__":
    main()
