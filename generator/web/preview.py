"""A package's Markdown document as HTML for the preview page, its images and links pointing at the job's own files."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = ("http", "https", "mailto")
_FIGURE = re.compile(r"^[-+]?[\d,]+(\.\d+)?%?$")


def resolve(document: str, reference: str) -> str | None:
    """A relative reference of `document` ("../图表/x.svg") as a path inside the package, or None when it points
    anywhere else (absolute, another scheme, above the package)."""
    if not reference or "\\" in reference or "\x00" in reference:
        return None
    parts = urlsplit(reference)
    if parts.scheme or parts.netloc or reference.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(document), unquote(parts.path)))
    if joined.startswith("../") or joined in ("..", ".") or joined.startswith("/"):
        return None
    return joined


class _PackageLinks(Treeprocessor):
    """Images → the chart route, links to package files → the download route; nothing else local survives."""

    def __init__(self, md: markdown.Markdown, document: str, files: list[str], chart_url: Callable[[int], str],
                 file_url: Callable[[int], str]) -> None:
        super().__init__(md)
        self.document = document
        self.index = {path: i for i, path in enumerate(files)}
        self.chart_url = chart_url
        self.file_url = file_url

    def run(self, root) -> None:
        for image in root.iter("img"):
            target = resolve(self.document, image.get("src", ""))
            index = self.index.get(target) if target else None
            if index is not None and target.startswith("图表/") and target.endswith((".svg", ".png")):
                image.set("src", self.chart_url(index))
                image.set("loading", "lazy")
            else:
                image.attrib.pop("src", None)
                image.set("alt", f"{image.get('alt', '')}（图片不在材料包中）")
        for link in root.iter("a"):
            href = link.get("href", "")
            scheme = urlsplit(href).scheme.lower() if href else ""
            if scheme in SAFE_SCHEMES or href.startswith("#"):
                continue
            target = resolve(self.document, href)
            index = self.index.get(target) if target else None
            if index is not None:
                link.set("href", self.file_url(index))
            else:
                link.attrib.pop("href", None)
        for cell in root.iter("td"):
            # Figures right-aligned by a class: the page's CSP forbids style attributes.
            if not len(cell) and _FIGURE.match((cell.text or "").strip()):
                cell.set("class", "num")


class _Extension(Extension):
    def __init__(self, **kwargs) -> None:
        self.args = kwargs
        super().__init__()

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (the markdown package's name)
        md.treeprocessors.register(_PackageLinks(md, **self.args), "jxzp-package-links", 0)


def to_html(text: str, document: str, files: list[str], chart_url: Callable[[int], str],
            file_url: Callable[[int], str]) -> str:
    """HTML of one package document (GFM tables), its charts served by the job's chart route."""
    extension = _Extension(document=document, files=files, chart_url=chart_url, file_url=file_url)
    return markdown.markdown(text, extensions=[TableExtension(use_align_attribute=True), extension], output_format="html")
