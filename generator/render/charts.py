"""Charts of the department report as PNG bytes (matplotlib, Agg), with a CJK font so labels show as Chinese.

matplotlib is imported on the first picture only: a run that writes native Word charts and no Markdown never
pays its import time and memory (about 40 MB in every batch worker)."""
from __future__ import annotations

import io
import logging
import unicodedata
from functools import lru_cache
from pathlib import Path
from types import ModuleType

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
COLORS = ("#c0392b", "#2e86c1", "#f39c12", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d", "#d35400", "#2c3e50")
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
    """One chart as PNG bytes; the same spec gives the same bytes."""
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
    wedges, _ = ax.pie(values, colors=COLORS[: len(values)], startangle=90, counterclock=False,
                       wedgeprops={"linewidth": 1, "edgecolor": "white"})
    ax.axis("equal")
    ax.legend(wedges, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=10, frameon=False)


def _bar(ax, spec: ChartSpec) -> None:
    """Horizontal bars, one per project, names in full on the left, top to bottom in input order."""
    labels = [_short(label, 18) for label in spec.labels]
    values = [float(v) for v in spec.values]
    ys = list(range(len(values)))[::-1]
    bars = ax.barh(ys, values, color=COLORS[1], height=0.6)
    ax.set_yticks(ys, labels, fontsize=BAR_LABEL_PT)
    for bar, value in zip(bars, spec.values):
        text = percent(value) if spec.unit == "%" else amount(value)
        ax.annotate(text, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=7)
    top = max(values + [100.0 if spec.unit == "%" else 0.0])
    ax.set_xlim(0, top * 1.18)
    if spec.unit == "%":
        ax.axvline(100, color=COLORS[6], linewidth=0.8, linestyle="--")
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
    b1 = ax.bar([x - width / 2 for x in xs], last, width, label="上年", color=COLORS[6])
    b2 = ax.bar([x + width / 2 for x in xs], this, width, label="本年", color=COLORS[0])
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
