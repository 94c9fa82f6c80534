"""Every generated example .docx is a package Word opens: well-formed parts, typed, linked, one final sectPr."""
from __future__ import annotations

import json
import posixpath
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from packages import INPUTS, generated

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
# No DTDs, no entities, no network: a generated part has none, and a checker must not expand what it finds.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _source_dir(rels_name: str) -> str:
    """word/_rels/document.xml.rels → word; _rels/.rels → the package root."""
    folder = posixpath.dirname(posixpath.dirname(rels_name))
    return folder


def package_problems(path: Path) -> list[str]:
    """What makes the .docx at `path` a package Word would repair or refuse; empty when it is sound."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        trees: dict[str, etree._Element] = {}
        for name in names:
            if name.endswith((".xml", ".rels")):
                try:
                    trees[name] = etree.fromstring(archive.read(name), _PARSER)
                except etree.XMLSyntaxError as exc:
                    problems.append(f"{name}: not well-formed XML ({exc})")
                    continue
                if trees[name].getroottree().docinfo.internalDTD is not None:
                    problems.append(f"{name}: carries a DTD")
    types = trees.get("[Content_Types].xml")
    if types is None:
        return [*problems, "[Content_Types].xml missing or unreadable"]
    defaults = {d.get("Extension", "").lower() for d in types.iter(f"{{{CT}}}Default")}
    overrides = {o.get("PartName", "") for o in types.iter(f"{{{CT}}}Override")}
    for name in names:
        if name == "[Content_Types].xml":
            continue
        if f"/{name}" not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
            problems.append(f"{name}: no content type")
    for name in overrides - {f"/{n}" for n in names}:
        problems.append(f"{name}: content type for a part that is not there")
    for rels_name, tree in trees.items():
        if not rels_name.endswith(".rels"):
            continue
        for rel in tree.iter(f"{{{RELS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(_source_dir(rels_name), target))
            if full not in names:
                problems.append(f"{rels_name}: relationship {rel.get('Id')} points at missing {target}")
    ids: dict[str, str] = {}
    for name, tree in trees.items():
        if not name.startswith("word/"):
            continue
        for doc_pr in tree.iter(f"{{{WP}}}docPr"):
            pr_id = doc_pr.get("id", "")
            if pr_id in ids:
                problems.append(f"{name}: wp:docPr id {pr_id} used twice (also in {ids[pr_id]})")
            ids[pr_id] = name
        for cell in tree.iter(f"{{{W}}}tc"):
            last = next((c for c in reversed(cell) if isinstance(c.tag, str)), None)
            if last is None or last.tag != f"{{{W}}}p":
                problems.append(f"{name}: a table cell does not end with a paragraph")
                break
    document = trees.get("word/document.xml")
    if document is None:
        return [*problems, "word/document.xml missing or unreadable"]
    body = document.find(f"{{{W}}}body")
    children = [c for c in body if isinstance(c.tag, str)] if body is not None else []
    final = [c for c in children if c.tag == f"{{{W}}}sectPr"]
    if len(final) != 1 or not children or children[-1].tag != f"{{{W}}}sectPr":
        problems.append(f"word/document.xml: {len(final)} body-level w:sectPr, expected exactly one as the body's last child")
    return problems


def _example_documents() -> list[Path]:
    documents = []
    for source in sorted(INPUTS.glob("*.yaml")):
        package = generated(source, ("docx",), force=True)
        documents += sorted(package.folder.rglob("*.docx"))
    return documents


@pytest.fixture(scope="module")
def documents() -> list[Path]:
    found = _example_documents()
    assert len(found) >= 6, "the examples should give a department report, projects and the all-tables file each"
    return found


def test_every_example_document_is_a_sound_package(documents):
    found = {str(path.name): package_problems(path) for path in documents}
    assert {name: p for name, p in found.items() if p} == {}


def test_the_checker_finds_what_word_would_repair(documents, tmp_path):
    """A control character in a text, a dangling relationship, a second final sectPr: each is named."""
    source = documents[0]
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(broken, "w") as out:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:t>", b"\x1f</w:t>", 1)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b'Target="styles.xml"', b'Target="nowhere.xml"')
            out.writestr(info, data)
    problems = package_problems(broken)
    assert any(p.startswith("word/document.xml: not well-formed") for p in problems)
    assert any("missing nowhere.xml" in p for p in problems)


def _audit_sample(documents: list[Path]) -> list[Path]:
    """Each kind of document of each example once (the auditor takes about a second per file)."""
    seen: set[tuple[str, str]] = set()
    sample = []
    for path in documents:
        if path.stem == "校验报告":         # audited on its own in test_check_report; the reports come first here
            continue
        package = next(p for p in path.parents if (p / "manifest.json").is_file())
        kind = (package.name, path.parent.relative_to(package).as_posix())
        if kind not in seen:
            seen.add(kind)
            sample.append(path)
    return sample


def test_openxml_audit_finds_no_error(documents, tmp_path):
    sample = _audit_sample(documents)
    for i, path in enumerate(sample):
        (tmp_path / f"{i:02d}-{path.name}").write_bytes(path.read_bytes())
    run = subprocess.run([sys.executable, "-m", "openxml_audit", "-r", "-o", "json", "-m", "0", str(tmp_path)],
                         capture_output=True, text=True, timeout=600)
    assert run.stdout.strip(), run.stderr
    results = json.loads(run.stdout)
    results = results if isinstance(results, list) else [results]
    assert len(results) == len(sample)
    assert {r["file"]: r["errors"] for r in results if r["error_count"]} == {}
