"""Same input → the same Word bytes as the list made with commit 4d05042 (before the speed work of issue 21):
faster charts, imports, template caches and fingerprints must not change a .docx. After a deliberate change of the
Word output, rewrite the list with --update-golden and say why in the commit (as for the golden dumps)."""
from __future__ import annotations

import hashlib
import json

from generator.generate import generate
from golden_dump import GOLDEN
from packages import INPUTS, work_dir

HASHES = GOLDEN / "docx-sha256.json"
PACKS = ["全国", "湖南", "四川", "广东", "安徽"]
LIZHOU = "lizhou-2021-corrected"
CASES = sorted({*((pack, LIZHOU, mode) for pack in PACKS for mode in ("native", "picture")),
                *(("全国", p.stem, "native") for p in INPUTS.glob("*.yaml"))})


def hashes_of(pack: str, example: str, mode: str) -> dict[str, str]:
    out = work_dir(f"bytes-{pack}-{example}-{mode}")
    made = generate(INPUTS / f"{example}.yaml", out, ("docx",), pack=pack, force=True, charts=mode)
    return {f"{pack}-{example}-{mode}/{p.relative_to(made.folder).as_posix()}": hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(made.folder.rglob("*.docx"))}


def test_every_word_file_has_the_bytes_of_the_list(request):
    made: dict[str, str] = {}
    for case in CASES:
        made.update(hashes_of(*case))
    if request.config.getoption("--update-golden"):
        HASHES.write_text(json.dumps(made, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    expected = json.loads(HASHES.read_text(encoding="utf-8"))
    assert sorted(made) == sorted(expected), "the Word files made differ from the list"
    differ = [name for name in made if made[name] != expected[name]]
    assert differ == [], f"{len(differ)} Word files changed bytes, e.g. {differ[:3]}"
