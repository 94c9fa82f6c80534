"""Every Word file of the bundled examples (each pack, both chart modes for Lizhou) made by this checkout and by an
earlier commit, compared byte for byte: speed work must not change a .docx.

    python bench/same_bytes.py              # against 4d05042
    python bench/same_bytes.py COMMIT
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs with sys.path starting at one checkout; prints {relative path: sha256} of every .docx it generates.
HASHES = """
import hashlib, json, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from generator.generate import generate
inputs = Path(sys.argv[1]) / "inputs"
out = Path(tempfile.mkdtemp())
hashes = {}
for pack in ("全国", "湖南", "四川", "广东", "安徽"):
    for source in sorted(inputs.glob("*.yaml")):
        modes = ("native", "picture") if source.stem == "lizhou-2021-corrected" else ("native",)
        for mode in modes:
            target = out / f"{pack}-{source.stem}-{mode}"
            made = generate(source, target, ("docx",), pack=pack, force=True, charts=mode)
            for path in sorted(made.folder.rglob("*.docx")):
                hashes[f"{target.name}/{path.relative_to(made.folder).as_posix()}"] = hashlib.sha256(path.read_bytes()).hexdigest()
print(json.dumps(hashes, ensure_ascii=False))
"""


def hashes_of(checkout: Path) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-c", HASHES, str(checkout)], capture_output=True, text=True, check=True,
                          cwd=checkout)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", nargs="?", default="4d05042")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        earlier = Path(tmp) / "earlier"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(earlier), args.commit],
                       check=True)
        try:
            theirs = hashes_of(earlier)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(earlier)], check=False)
    mine = hashes_of(ROOT)
    differ = sorted(k for k in theirs.keys() & mine.keys() if theirs[k] != mine[k])
    only = sorted(theirs.keys() ^ mine.keys())
    for name in differ:
        print(f"differs: {name}")
    for name in only:
        print(f"only in {'this checkout' if name in mine else args.commit}: {name}")
    print(f"{len(mine)} Word files; {len(differ)} differ, {len(only)} made by one side only (against {args.commit})")
    return 1 if differ or only else 0


if __name__ == "__main__":
    sys.exit(main())
