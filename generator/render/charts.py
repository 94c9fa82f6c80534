"""Charts of the department report drawn from their specs: SVG for the Markdown files (text written here, about a
millisecond a chart), PNG pictures for Word's picture mode (matplotlib, Agg, with a CJK font).

matplotlib is imported on the first picture only: a run that writes native Word charts and Markdown never pays
its import time (about a second) and memory (about 40 MB in every batch worker)."""
from __future__ import annotations

import io
import logging
import math
import unicodedata
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from xml.sax.saxutils import escape

from ..filters import amount, percent
from .context import ChartSpec

logger = logging.getLogger(__name__)

DPI = 150
PNG_COMPRESSION = 1    # zlib level: level 6 (the default) took a third of a chart's time for a file 8% smaller
SIZE = (6.4, 3.2)  # inches; shown 140 mm wide in the report
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC")
CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)
INSTALL_HINT = ("找不到可显示中文的字体，图表中的中文会显示为方框：请安装 Noto CJK 字体"
                "（Debian/Ubuntu：sudo apt-get install -y fonts-noto-cjk；其他系统安装任一中文字体，如黑体、微软雅黑），然后重试")


class ChartFontError(RuntimeError):
    """No font on this machine can draw Chinese labels."""


@lru_cache(maxsize=1)
def _matplotlib() -> tuple[ModuleType, ModuleType]:
    """(font_manager, pyplot), with the Agg backend: no display is needed."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot

    return font_manager, pyplot


def _image() -> ModuleType:
    from PIL import Image

    return Image


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The file of a CJK font: a known family through matplotlib's font manager, else a known path."""
    font_manager, _ = _matplotlib()
    for family in CJK_FAMILIES:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        if path:
            return path
    for candidate in CJK_FILES:
        if Path(candidate).is_file():
            return candidate
    for entry in font_manager.fontManager.ttflist:
        if "CJK" in entry.name or entry.name.endswith((" SC", " CN")):
            return entry.fname
    raise ChartFontError(INSTALL_HINT)


@lru_cache(maxsize=1)
def _font():
    font_manager, _ = _matplotlib()
    path = cjk_font()
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path)


def render_chart(spec: ChartSpec) -> bytes:
    """One chart as PNG bytes (Word's picture mode); the same spec gives the same bytes."""
    _, plt = _matplotlib()
    font = _font()
    name = font.get_name()
    with plt.rc_context({"font.family": [name, "DejaVu Sans"], "axes.unicode_minus": False,
                         "svg.hashsalt": "jxzp", "path.simplify": True}):
        height = SIZE[1] if spec.kind != "bar" else max(SIZE[1], 0.32 * len(spec.values) + 1.2)
        fig, ax = plt.subplots(figsize=(SIZE[0], height), dpi=DPI)
        try:
            if spec.kind == "pie":
                _pie(ax, spec)
            elif spec.kind == "pair":
                _pair(ax, spec)
            else:
                _bar(ax, spec)
            ax.set_title(spec.title, fontsize=12)
            if spec.kind == "pie":
                fig.subplots_adjust(left=0.02, right=0.48, top=0.88, bottom=0.04)  # legend on the right half
            elif spec.kind == "bar":
                _fit_bar(fig, ax, height)
            else:
                fig.tight_layout()
            buffer = io.BytesIO()
            if spec.kind == "pie":
                # bbox "tight" keeps a legend placed beside a pie inside the picture (it costs a second drawing)
                fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight",
                            pad_inches=0.15, pil_kwargs={"compress_level": PNG_COMPRESSION})
            else:
                # bars are already fitted by tight_layout: one drawing of the canvas, encoded here (savefig
                # drew the figure twice), with the same pixels
                fig.canvas.draw()
                size = fig.canvas.get_width_height(physical=True)
                _image().frombuffer("RGBA", size, fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
                    buffer, "PNG", dpi=(DPI, DPI), compress_level=PNG_COMPRESSION)
        finally:
            plt.close(fig)
    return buffer.getvalue()


def _pie(ax, spec: ChartSpec) -> None:
    values = [float(v) for v in spec.values]
    labels = [f"{label} {amount(v)}万元（{percent(share)}）"
              for label, v, share in zip(spec.labels, spec.values, spec.shares)]
    colors = [spec.colors[i % len(spec.colors)] for i in range(len(values))]
    wedges, _ = ax.pie(values, colors=colors, startangle=90, counterclock=False,
                       wedgeprops={"linewidth": 1, "edgecolor": "white"})
    ax.axis("equal")
    ax.legend(wedges, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=10, frameon=False)


def _bar(ax, spec: ChartSpec) -> None:
    """Horizontal bars, one per project, names in full on the left, top to bottom in input order."""
    labels = [_short(label, 18) for label in spec.labels]
    values = [float(v) for v in spec.values]
    ys = list(range(len(values)))[::-1]
    bars = ax.barh(ys, values, color=spec.colors[0], height=0.6)
    ax.set_yticks(ys, labels, fontsize=BAR_LABEL_PT)
    for bar, value in zip(bars, spec.values):
        text = percent(value) if spec.unit == "%" else amount(value)
        ax.annotate(text, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=7)
    top = max(values + [100.0 if spec.unit == "%" else 0.0])
    ax.set_xlim(0, top * 1.18)
    if spec.unit == "%":
        ax.axvline(100, color=spec.colors[1 % len(spec.colors)], linewidth=0.8, linestyle="--")
    ax.spines[["top", "right"]].set_visible(False)


BAR_LABEL_PT = 8


def _text_width_pt(text: str, size: float) -> float:
    """The width of a label in points: CJK characters are one em wide, others about half (a little generous)."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def _fit_bar(fig, ax, height: float) -> None:
    """Margins of a bar chart from its labels' widths: tight_layout measured every text by drawing the figure,
    which took half the chart's time, for the same picture."""
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    left_pt = max((_text_width_pt(label, BAR_LABEL_PT) for label in labels), default=0) + 14   # tick and pad
    fig.subplots_adjust(left=left_pt / 72 / SIZE[0], right=1 - 0.12 / SIZE[0],
                        bottom=0.36 / height, top=1 - 0.42 / height)


def _pair(ax, spec: ChartSpec) -> None:
    width = 0.38
    xs = list(range(len(spec.labels)))
    last = [float(v or 0) for v in spec.last_values]
    this = [float(v) for v in spec.values]
    b1 = ax.bar([x - width / 2 for x in xs], last, width, label="上年", color=spec.colors[0])
    b2 = ax.bar([x + width / 2 for x in xs], this, width, label="本年", color=spec.colors[1 % len(spec.colors)])
    for bars, values in ((b1, spec.last_values), (b2, spec.values)):
        for bar, value in zip(bars, values):
            ax.annotate(amount(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                        va="bottom", fontsize=8)
    ax.set_xticks(xs, spec.labels, fontsize=9)
    ax.set_ylim(0, max(last + this) * 1.3 or 1)
    ax.legend(fontsize=9, frameon=False, loc="upper center", ncol=2)
    ax.spines[["top", "right"]].set_visible(False)


def _short(label: str, limit: int = 10) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


# ---------------------------------------------------------------- SVG (the Markdown files' charts)

SVG_WIDTH = 640                      # px; the viewBox scales to the reader's width
# The pack's chart font first (pack.yaml 图表字体, as in the Word charts), then CJK families that Windows, macOS, Linux and
# phones have: any viewer finds one and shows the Chinese labels.
SVG_FALLBACK_FONTS = ("SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC",
                      "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "SimHei")
_CONTROL = dict.fromkeys(range(32), " ")


def _num(x: float) -> str:
    """A coordinate with two decimals at most: the same spec gives the same bytes."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _esc(text: str) -> str:
    """Text from the input (project names) as XML character data or attribute value; control characters, which
    XML cannot hold, become spaces."""
    return escape(str(text).translate(_CONTROL), {'"': "&quot;"})


def _fonts_attr(font: str) -> str:
    families = dict.fromkeys([font, *SVG_FALLBACK_FONTS])
    return ", ".join(f"'{_esc(f)}'" for f in families if f) + ", sans-serif"


class _Svg:
    """An SVG document built as text: a few shapes and labels, no measuring (widths are estimated)."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def text(self, x: float, y: float, text: str, size: float, anchor: str = "start", cls: str = "") -> None:
        extra = ("" if anchor == "start" else f' text-anchor="{anchor}"') + (f' class="{cls}"' if cls else "")
        self.items.append(f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}"{extra}>{_esc(text)}</text>')

    def rect(self, x: float, y: float, w: float, h: float, color: str, cls: str = "", value: str = "") -> None:
        data = f' class="{cls}" data-value="{_esc(value)}"' if cls else ""
        self.items.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(max(h, 0))}" '
                          f'fill="{color}"{data}/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, color: str, dash: bool = False) -> None:
        extra = ' stroke-dasharray="4 3"' if dash else ""
        self.items.append(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" stroke="{color}" '
                          f'stroke-width="1"{extra}/>')

    def document(self, width: float, height: float, title: str, font: str) -> bytes:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
                f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="{_fonts_attr(font)}" fill="#333333">\n'
                f"<title>{_esc(title)}</title>\n"
                f'<rect width="100%" height="100%" fill="#ffffff"/>\n')
        heading = (f'<text x="{_num(width / 2)}" y="26" font-size="15" text-anchor="middle" class="title">'
                   f"{_esc(title)}</text>\n")
        return (head + heading + "\n".join(self.items) + "\n</svg>\n").encode("utf-8")


def svg_chart(spec: ChartSpec) -> bytes:
    """One chart as SVG text: the same figures as the tables (two decimals), Chinese labels in the pack's font."""
    svg = _Svg()
    if spec.kind == "pie":
        width, height = _svg_pie(svg, spec)
    elif spec.kind == "pair":
        width, height = _svg_pair(svg, spec)
    else:
        width, height = _svg_bar(svg, spec)
    return svg.document(width, height, spec.title, spec.font)


def _label(value: Decimal | None, unit: str) -> str:
    return percent(value) if unit == "%" else amount(value)


def _nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10ⁿ) giving about `ticks` intervals up to `top`."""
    raw = top / ticks if top > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _tick_text(value: float, unit: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else text


def _svg_pie(svg: _Svg, spec: ChartSpec) -> tuple[float, float]:
    """Slices clockwise from twelve o'clock in input order, a legend with amount and share on the right."""
    values = [max(float(v), 0.0) for v in spec.values]
    total = sum(values) or 1.0
    cx, cy, r = 160.0, 175.0, 125.0
    start = 0.0
    for index, value in enumerate(values):
        color = spec.colors[index % len(spec.colors)]
        sweep = value / total * 2 * math.pi
        share = _esc(percent(spec.shares[index]) if index < len(spec.shares) else "")
        if sweep >= 2 * math.pi - 1e-9:
            svg.items.append(f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" fill="{color}" '
                             f'stroke="#ffffff" class="slice" data-share="{share}"/>')
        elif sweep > 0:
            end = start + sweep
            x0, y0 = cx + r * math.sin(start), cy - r * math.cos(start)
            x1, y1 = cx + r * math.sin(end), cy - r * math.cos(end)
            large = 1 if sweep > math.pi else 0
            svg.items.append(f'<path d="M{_num(cx)} {_num(cy)} L{_num(x0)} {_num(y0)} A{_num(r)} {_num(r)} 0 {large} 1 '
                             f'{_num(x1)} {_num(y1)} Z" fill="{color}" stroke="#ffffff" stroke-width="1" '
                             f'class="slice" data-share="{share}"/>')
        start += sweep
    rows = [f"{label} {amount(value)}万元（{percent(share)}）"
            for label, value, share in zip(spec.labels, spec.values, spec.shares or [None] * len(spec.values))]
    left, size, step = 320.0, 12.0, 24.0
    top = cy - step * (len(rows) - 1) / 2
    for index, row in enumerate(rows):
        y = top + index * step
        svg.rect(left, y - 10, 14, 14, spec.colors[index % len(spec.colors)])
        svg.text(left + 22, y + 2, row, size, cls="legend")
    width = max(SVG_WIDTH, left + 22 + max((_text_width_pt(r, size) for r in rows), default=0) + 16)
    return width, max(320.0, top + step * len(rows) + 20)


def _svg_bar(svg: _Svg, spec: ChartSpec) -> tuple[float, float]:
    """Horizontal bars, one per row, top to bottom in input order, the value at each bar's end; rates get a dashed
    line at 100%."""
    size, row = 11.0, 24.0
    labels = [_short(label, 18) for label in spec.labels]
    left = max((_text_width_pt(label, size) for label in labels), default=0) + 20
    top, plot_width = 48.0, SVG_WIDTH - left - 70
    height = top + row * len(labels) + 40
    values = [float(v) for v in spec.values]
    scale_top = max(values + [100.0 if spec.unit == "%" else 0.0]) or 1.0
    step = _nice_step(scale_top)
    scale_top = math.ceil(scale_top / step - 1e-9) * step
    bottom = top + row * len(labels)
    for k in range(int(round(scale_top / step)) + 1):
        x = left + plot_width * k * step / scale_top
        svg.line(x, top, x, bottom, "#d9d9d9")
        svg.text(x, bottom + 16, _tick_text(k * step, spec.unit), 10, "middle", cls="tick")
    color = spec.colors[0]
    for index, (label, value, shown) in enumerate(zip(labels, values, spec.values)):
        y = top + index * row
        length = plot_width * max(value, 0.0) / scale_top
        svg.text(left - 8, y + row / 2 + 4, label, size, "end", cls="category")
        svg.rect(left, y + 4, length, row - 8, color, cls="bar", value=_label(shown, spec.unit))
        svg.text(left + length + 4, y + row / 2 + 4, _label(shown, spec.unit), 10, cls="value")
    if spec.unit == "%":
        x = left + plot_width * 100 / scale_top
        svg.line(x, top, x, bottom, spec.colors[1 % len(spec.colors)], dash=True)
    svg.line(left, top, left, bottom, "#7f7f7f")
    svg.line(left, bottom, left + plot_width, bottom, "#7f7f7f")
    return SVG_WIDTH, max(320.0, height)


def _svg_pair(svg: _Svg, spec: ChartSpec) -> tuple[float, float]:
    """Columns of last year and this year side by side for each figure, the value above each column."""
    height, left, right, top, bottom = 320.0, 60.0, SVG_WIDTH - 20.0, 66.0, 280.0
    last = [None if v is None else float(v) for v in spec.last_values]
    this = [float(v) for v in spec.values]
    scale_top = max([v for v in last + this if v is not None] + [0.0]) * 1.1 or 1.0
    step = _nice_step(scale_top)
    scale_top = math.ceil(scale_top / step - 1e-9) * step
    for k in range(int(round(scale_top / step)) + 1):
        y = bottom - (bottom - top) * k * step / scale_top
        svg.line(left, y, right, y, "#d9d9d9")
        svg.text(left - 6, y + 4, _tick_text(k * step, spec.unit), 10, "end", cls="tick")
    names, colors = ("上年", "本年"), (spec.colors[0], spec.colors[1 % len(spec.colors)])
    legend_x = SVG_WIDTH / 2 - 60
    for index, (name, color) in enumerate(zip(names, colors)):
        svg.rect(legend_x + index * 70, 38, 12, 12, color)
        svg.text(legend_x + index * 70 + 17, 49, name, 12, cls="legend")
    slot = (right - left) / max(len(this), 1)
    width = min(slot * 0.3, 60.0)
    for index, label in enumerate(spec.labels):
        middle = left + slot * (index + 0.5)
        for series, (values, shown, color) in enumerate(((last, spec.last_values, colors[0]),
                                                         (this, spec.values, colors[1]))):
            value = values[index] if index < len(values) else None
            if value is None:
                continue
            x = middle - width if series == 0 else middle
            length = (bottom - top) * max(value, 0.0) / scale_top
            svg.rect(x + 2, bottom - length, width - 4, length, color, cls=f"bar {names[series]}",
                     value=amount(shown[index]))
            svg.text(x + width / 2, bottom - length - 4, amount(shown[index]), 10, "middle", cls="value")
        svg.text(middle, bottom + 18, label, 12, "middle", cls="category")
    svg.line(left, bottom, right, bottom, "#7f7f7f")
    return SVG_WIDTH, height
