"""The Word templates of the bundled packs are exactly what the builder makes from their text outlines and table
definitions, so a bundled pack's .docx and .md.j2 cannot drift apart unnoticed."""
from __future__ import annotations

import pytest

from generator.pack import PACKS_DIR, bundled_packs
from generator.packs.build import PACK_TABLES, build


@pytest.mark.parametrize("name", bundled_packs())
def test_every_word_template_of_a_bundled_pack_is_what_the_builder_makes(name, tmp_path):
    source = PACKS_DIR / name
    for path in source.glob("*.md.j2"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    built = build(tmp_path, PACK_TABLES.get(name, {}))
    assert built, f"{name} has no Word template of its own"
    for path in built:
        assert (source / path.name).is_file(), f"{name}/{path.name} is made by the builder but not in the pack"
        assert path.read_bytes() == (source / path.name).read_bytes(), f"{name}/{path.name} differs from its build"
