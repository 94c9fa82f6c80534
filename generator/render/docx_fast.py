"""Compile-once Word rendering: a docxtpl template is parsed, patched and compiled one time per process, pack and
file version, then every document is the template's zip with a freshly rendered body (about 20× the plain loop)."""
from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, Template, TemplateError

from ..cache import compile_cached, load_data, store_data
from ..packfiles import PackError, docx_bytes, docx_members
from .environment import MERGE_OPEN, TemplateProblem, explain, render_checked
from .merge import merge_cells
from .chart_parts import CHART_REL, CHART_TYPE, PACKAGE_REL, XLSX_TYPE, ChartPart, chart_part
from .context import ChartSpec

EMU_PER_MM = 36000
_BODY_OPEN = re.compile(r"<w:body[^>]*>")
_SECTION = re.compile(r"<w:sectPr[ >].*?</w:sectPr>\s*$", re.S)
_IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
_DRAWING = (
    '</w:t></w:r><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{id}" name="图{id}"/>'
    '<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'noChangeAspect="1"/></wp:cNvGraphicFramePr>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:nvPicPr><pic:cNvPr id="0" name="{name}"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
    '</a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
    '<w:r><w:t xml:space="preserve">'
)
_CHART_DRAWING = (
    '</w:t></w:r><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="{id}" name="图表{id}"/>'
    '<wp:cNvGraphicFramePr/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
    '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="{rid}"/>'
    '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
    '<w:r><w:t xml:space="preserve">'
)
_CHART_RELS = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="{type}" Target="../embeddings/{workbook}"/></Relationships>'
)
_CORE = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>预算绩效自评</dc:subject><dc:creator>{author}</dc:creator>"
    "<cp:keywords></cp:keywords><dc:description></dc:description><cp:lastModifiedBy>jxzp</cp:lastModifiedBy>"
    "<cp:revision>1</cp:revision><cp:lastPrinted>{stamp}</cp:lastPrinted>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
)


_STYLE = re.compile(r'<w:style\b[^>]*\bw:styleId="([^"]+)"[^>]*>.*?</w:style>', re.S)
_STYLE_USE = re.compile(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"')
_BASED_ON = re.compile(r'<w:basedOn w:val="([^"]+)"')
_SPECIAL_TEXT = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")
_DOS_DATE = (0 << 9) | (1 << 5) | 1        # 1980-01-01, 00:00: fixed, so the same content gives the same bytes


def _deflate(data: bytes, level: int = 6) -> tuple[bytes, int]:
    """Raw deflate of a member and its CRC-32."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zlib.crc32(data)


def _zip(members: list[tuple[str, tuple[bytes, int] | None, bytes]]) -> bytes:
    """A zip archive from (name, precompressed or None, data): the format is simple, and reusing the compressed
    static parts is most of the speed of a document."""
    out = io.BytesIO()
    central = []
    for name, packed, data in members:
        # The parts rendered for this document are deflated fast (level 1: 3× quicker, a few KB larger).
        compressed, crc = packed if packed is not None else _deflate(data, 1)
        raw_name = name.encode("utf-8")
        flags = 0x800 if not name.isascii() else 0
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, 0, _DOS_DATE, crc, len(compressed),
                              len(data), len(raw_name), 0))
        out.write(raw_name)
        out.write(compressed)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 8, 0, _DOS_DATE, crc,
                                   len(compressed), len(data), len(raw_name), 0, 0, 0, 0, 0o644 << 16, offset)
                       + raw_name)
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def _drop_stale_styles(members: dict[str, bytes]) -> None:
    """Remove Word 2010's stylesWithEffects.xml, its relationship and content type.

    Templates built from python-docx's default document carry a copy that no longer matches styles.xml, which
    OOXML validators report as a file Word must repair; Word 2013 and later neither write nor read that part.
    """
    name = "word/stylesWithEffects.xml"
    if members.pop(name, None) is None:
        return
    rels = "word/_rels/document.xml.rels"
    members[rels] = re.sub(rb'<Relationship [^>]*Target="stylesWithEffects.xml"[^>]*/>', b"", members[rels])
    types = "[Content_Types].xml"
    members[types] = re.sub(rb'<Override [^>]*PartName="/word/stylesWithEffects.xml"[^>]*/>', b"", members[types])


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


@dataclass
class _Media:
    """Pictures and native charts placed while rendering one document: relationship ids, part names, bytes."""

    items: list[tuple[str, str, bytes]] = field(default_factory=list)
    charts: list[tuple[str, ChartPart]] = field(default_factory=list)

    def _next_id(self) -> int:
        # One sequence for pictures and charts: every wp:docPr id in the body stays unique.
        return 1000 + len(self.items) + len(self.charts) + 1

    def add(self, data: bytes, width_mm: float) -> "_Drawing":
        doc_pr = self._next_id()
        n = len(self.items) + 1
        rid, name = f"rIdJxzp{n}", f"jxzp{n}.png"
        self.items.append((rid, name, data))
        w, h = png_size(data)
        cx = int(width_mm * EMU_PER_MM)
        return _Drawing(_DRAWING.format(cx=cx, cy=int(cx * h / w), id=doc_pr, name=name, rid=rid))

    def add_chart(self, spec: ChartSpec, width_mm: float) -> "_Drawing":
        """A native Word chart of `spec` (editable, its data in an embedded workbook), placed inline."""
        doc_pr = self._next_id()
        rid = f"rIdJxzpChart{len(self.charts) + 1}"
        part = chart_part(spec)
        self.charts.append((rid, part))
        cx = int(width_mm * EMU_PER_MM)
        return _Drawing(_CHART_DRAWING.format(cx=cx, cy=int(cx * part.aspect), id=doc_pr, rid=rid))

    def place(self, figure: bytes | ChartSpec, width_mm: float) -> "_Drawing":
        """A chart given as PNG bytes becomes a picture, one given as its spec a native chart."""
        return self.add_chart(figure, width_mm) if isinstance(figure, ChartSpec) else self.add(figure, width_mm)

    def parts(self, parts: dict[str, bytes]) -> None:
        """Add the placed media to a document's parts: files, relationships, content types."""
        if not (self.items or self.charts):
            return
        rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
        types = parts["[Content_Types].xml"].decode("utf-8")
        added = "".join(f'<Relationship Id="{rid}" Type="{_IMAGE_REL}" Target="media/{name}"/>'
                        for rid, name, _ in self.items)
        if self.items and 'Extension="png"' not in types:
            types = types.replace("<Default ", '<Default Extension="png" ContentType="image/png"/><Default ', 1)
        for _, name, data in self.items:
            parts[f"word/media/{name}"] = data
        # Numbered after any chart or workbook a custom template already holds, so no part is overwritten.
        taken = [int(m) for name in parts
                 for m in re.findall(r"^word/(?:charts/chart|embeddings/Microsoft_Excel_Worksheet)(\d+)\.", name)]
        first = max(taken, default=0) + 1
        overrides = ""
        for k, (rid, part) in enumerate(self.charts, first):
            workbook = f"Microsoft_Excel_Worksheet{k}.xlsx"
            parts[f"word/charts/chart{k}.xml"] = part.xml
            parts[f"word/charts/_rels/chart{k}.xml.rels"] = _CHART_RELS.format(type=PACKAGE_REL, workbook=workbook).encode("utf-8")
            parts[f"word/embeddings/{workbook}"] = part.xlsx
            added += f'<Relationship Id="{rid}" Type="{CHART_REL}" Target="charts/chart{k}.xml"/>'
            overrides += f'<Override PartName="/word/charts/chart{k}.xml" ContentType="{CHART_TYPE}"/>'
        if self.charts and 'Extension="xlsx"' not in types:
            types = types.replace("<Default ", f'<Default Extension="xlsx" ContentType="{XLSX_TYPE}"/><Default ', 1)
        types = types.replace("</Types>", overrides + "</Types>")
        parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", added + "</Relationships>").encode("utf-8")
        parts["[Content_Types].xml"] = types.encode("utf-8")


class _Drawing:
    """An inline picture as docxtpl's InlineImage writes it: closes the text run, draws, reopens."""

    def __init__(self, xml: str) -> None:
        self.xml = xml

    def __html__(self) -> str:
        return self.xml


_MARGIN_PART = re.compile(r"word/(header|footer|footnotes|endnotes)\d*\.xml")
_MARGIN_WORDS = {"header": "页眉", "footer": "页脚", "footnotes": "脚注", "endnotes": "尾注"}


def _prepared(path: Path, name: str, cache: Path | None
              ) -> tuple[str, dict[str, bytes], dict[str, bytes], dict[str, str]]:
    """A Word template's body as docxtpl patches it, its parts, those parts compressed, and its headers, footers
    and notes that hold template tags, patched the same way: from the cache when this very content was prepared
    before, else made here and kept. Names, sizes and parts are checked before any
    library reads the file: only a Word document's own parts go on."""
    try:
        members = docx_members(path, name)
    except PackError:
        raise
    except Exception as exc:  # a damaged or non-docx file in a pack
        raise TemplateProblem(f"模板“{name}”不是有效的 Word 文件（{type(exc).__name__}）：请用 Word 另存为 .docx 后重试") from None
    key = hashlib.sha256()
    for member in sorted(members):
        key.update(member.encode("utf-8") + b"\0" + hashlib.sha256(members[member]).digest())
    stored = cache / f"{key.hexdigest()}.word" if cache is not None else None
    found = load_data(stored) if stored is not None else None
    if (isinstance(found, tuple) and len(found) == 4 and isinstance(found[0], str)
            and all(isinstance(part, dict) for part in found[1:])):
        return found
    from docxtpl import DocxTemplate      # about 0.2 s of imports (python-docx), only when a template is new

    try:
        tpl = DocxTemplate(io.BytesIO(docx_bytes(members)))
        tpl.init_docx()
        body = tpl.patch_xml(tpl.get_xml())      # docxtpl also puts a line break before each paragraph, for
                                                   # its error line numbers; our messages name the file instead
        margins = {member: tpl.patch_xml(data.decode("utf-8")) for member, data in members.items()
                   if _MARGIN_PART.fullmatch(member) and re.search(rb"\{[{%]", data)}
        _drop_stale_styles(members)
    except Exception as exc:  # a damaged Word document in a pack
        raise TemplateProblem(f"模板“{name}”不是有效的 Word 文件（{type(exc).__name__}）：请用 Word 另存为 .docx 后重试") from None
    # The parts no document changes (styles, fonts, settings, headers…) are compressed once, here.
    deflated = {member: _deflate(content) for member, content in members.items()}
    if stored is not None:
        store_data(stored, (body, members, deflated, margins))
    return body, members, deflated, margins


def _unescaped(xml: str) -> str:
    """docxtpl's escaped braces ({_{ … }_}) as the text they stand for."""
    if "{_" in xml or "_}" in xml:
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return xml


class CompiledDocx:
    """A docxtpl template prepared once: the patched body compiled by Jinja2, the other parts kept as bytes."""

    def __init__(self, path: Path, env: Environment, name: str, cache: Path | None = None) -> None:
        """`cache`: the folder where the prepared template is kept between processes (generator.cache), keyed by
        the file's content; None to prepare it in every process."""
        self.name = name
        self.path = path
        body, self.members, self.deflated, margins = _prepared(path, name, cache)
        try:
            self.body: Template = compile_cached(env, body, f"word/{name}")
        except TemplateError as exc:
            raise explain(exc, name) from None
        # Headers, footers and notes with template tags (the unit's name in the header): rendered for each document
        # with the document's variables, without figure() and table(), which place into the body.
        self.margins: dict[str, tuple[str, Template]] = {}
        for member, source in sorted(margins.items()):
            where = f"{name}（{_MARGIN_WORDS[_MARGIN_PART.fullmatch(member).group(1)]}）"
            try:
                self.margins[member] = (where, compile_cached(env, source, f"word/{name}/{member}"))
            except TemplateError as exc:
                raise explain(exc, where) from None
        document = self.members["word/document.xml"].decode("utf-8")
        opened = _BODY_OPEN.search(document)
        closed = document.rindex("</w:body>")
        self.head, self.tail = document[:opened.start()], document[closed + len("</w:body>"):]
        self.order = sorted(self.members, key=lambda n: (n != "[Content_Types].xml", n))
        styles = self.members.get("word/styles.xml", b"").decode("utf-8")
        self.styles = {m.group(1): m.group(0) for m in _STYLE.finditer(styles)}
        self.used_styles = frozenset(_STYLE_USE.findall(body))
        self._with_styles: dict[tuple[str, ...], bytes] = {}

    def styles_for(self, placed: Iterable["CompiledDocx"]) -> bytes | None:
        """styles.xml with the styles the placed table templates use and this document lacks (a maintainer's own
        report template need not define the bundled tables' cell styles); None when nothing is missing."""
        needed: dict[str, str] = {}

        def borrow(style_id: str, source: CompiledDocx) -> None:
            if style_id in self.styles or style_id in needed or style_id not in source.styles:
                return
            needed[style_id] = source.styles[style_id]
            based = _BASED_ON.search(source.styles[style_id])
            if based:
                borrow(based.group(1), source)

        for table in placed:
            for style_id in sorted(table.used_styles):
                borrow(style_id, table)
        if not needed or "word/styles.xml" not in self.members:
            return None
        key = tuple(needed)
        found = self._with_styles.get(key)
        if found is None:
            styles = self.members["word/styles.xml"].decode("utf-8")
            at = styles.rindex("</w:styles>")
            found = self._with_styles[key] = (styles[:at] + "".join(needed.values()) + styles[at:]).encode("utf-8")
        return found

    def body_xml(self, context: dict[str, Any]) -> str:
        """The rendered body without its section properties: a table template placed inside another document."""
        xml = render_checked(self.body, context, self.name).strip()
        xml = _BODY_OPEN.sub("", xml, count=1)
        xml = xml[:xml.rindex("</w:body>")] if xml.endswith("</w:body>") else xml
        return _SECTION.sub("", xml)

    def render(self, context: dict[str, Any], media: "_Media", title: str, author: str, stamp: str,
               placed: Iterable["CompiledDocx"] = ()) -> bytes:
        xml = _unescaped(render_checked(self.body, context, self.name))
        document = self.head + xml + self.tail
        if MERGE_OPEN in xml:
            document = merge_cells(document)
        if _SPECIAL_TEXT.search(document):   # tabs, line and page breaks inside a text run (docxtpl's Listing)
            from docxtpl import DocxTemplate

            document = DocxTemplate(str(self.path)).resolve_listing(document)     # reads only its argument
        parts = dict(self.members)
        parts["word/document.xml"] = document.encode("utf-8")
        if self.margins:
            margin_context = {k: v for k, v in context.items() if k not in ("figure", "figure_no", "table")}
            for member, (where, template) in self.margins.items():
                parts[member] = _unescaped(render_checked(template, margin_context, where)).encode("utf-8")
        styles = self.styles_for(placed)
        if styles is not None:
            parts["word/styles.xml"] = styles
        parts["docProps/core.xml"] = _CORE.format(title=escape(title), author=escape(author), stamp=stamp).encode("utf-8")
        order = self.order
        if media.items or media.charts:
            media.parts(parts)
            order = sorted(parts, key=lambda n: (n != "[Content_Types].xml", n))
        return _zip([(name, self.deflated.get(name) if parts[name] is self.members.get(name) else None, parts[name])
                     for name in order])
