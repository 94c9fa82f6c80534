"""Native Word charts: a ChartSpec as a DrawingML chart part (c:chartSpace) with its embedded workbook."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

from functools import lru_cache
from types import SimpleNamespace

from lxml import etree

from ..numbers import round2
from .context import ChartSpec

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
PACKAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"

LATIN_FONT = "Times New Roman"          # the East Asian font and the colours are the pack's (ChartSpec)
AMOUNT_FORMAT, RATE_FORMAT = "0.00", '0.00"%"'      # 万元 with two decimals as in the tables; rates are in %
AXIS_FORMATS = {AMOUNT_FORMAT: "0", RATE_FORMAT: '0"%"'}     # the scale needs no cents
# python-pptx writes negative axis ids; the schema's c:axId is an unsignedInt.
AXIS_IDS = {"-2068027336": "510001", "-2113994440": "510002"}
# The embedded workbook's creation date is fixed: the same input gives the same bytes.
WORKBOOK_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
_WIDTH_IN = 6.4                                     # the picture's width in inches (charts.SIZE), for its aspect


@dataclass(frozen=True)
class ChartPart:
    """One chart ready for a package: the chart part's XML, its embedded workbook, its height over its width."""

    xml: bytes
    xlsx: bytes
    aspect: float


@lru_cache(maxsize=1)
def _pptx() -> SimpleNamespace:
    """python-pptx's chart writer, imported when the first chart is drawn (about 0.3 s; a run without Word charts
    never pays it)."""
    from pptx.chart.data import CategoryChartData
    from pptx.chart.xlsx import CategoryWorkbookWriter
    from pptx.chart.xmlwriter import ChartXmlWriter
    from pptx.enum.chart import XL_CHART_TYPE
    from xlsxwriter import Workbook

    class StableWorkbookWriter(CategoryWorkbookWriter):
        """python-pptx's category workbook layout, with a fixed creation date instead of the clock's."""

        @contextmanager
        def _open_worksheet(self, xlsx_file):
            workbook = Workbook(xlsx_file, {"in_memory": True})
            workbook.set_properties({"created": WORKBOOK_DATE})
            worksheet = workbook.add_worksheet()
            yield workbook, worksheet
            workbook.close()

    class ChartData(CategoryChartData):
        @property
        def _workbook_writer(self):
            writer = self.__dict__.get("_stable_writer")
            if writer is None:
                writer = self.__dict__["_stable_writer"] = StableWorkbookWriter(self)
            return writer

    return SimpleNamespace(ChartData=ChartData, ChartXmlWriter=ChartXmlWriter, XL_CHART_TYPE=XL_CHART_TYPE)


_PARSER = etree.XMLParser(remove_blank_text=True)


def _shown(values: list) -> list:
    """Figures as the tables show them (half up, two decimals): the chart, its cache and its workbook agree with
    the report to the cent. A missing figure stays empty: a gap, not an invented 0."""
    return [None if v is None else round2(v) for v in values]


_MADE: dict[str, ChartPart] = {}
_MADE_LIMIT = 64


def chart_part(spec: ChartSpec) -> ChartPart:
    """The chart part of one spec, made once per process for the same spec: a regeneration that re-renders the
    report but not its figures (a changed text) reuses its charts (about 1.5 ms each)."""
    key = repr(spec)
    found = _MADE.get(key)
    if found is None:
        if len(_MADE) >= _MADE_LIMIT:      # a batch worker sees a new unit's charts each time: keep it small
            _MADE.clear()
        found = _MADE[key] = _chart_part(spec)
    return found


def _chart_part(spec: ChartSpec) -> ChartPart:
    """The chart part of one spec; its cached values are the embedded workbook's cells."""
    pptx = _pptx()
    _ChartData, XL_CHART_TYPE = pptx.ChartData, pptx.XL_CHART_TYPE
    if spec.kind == "pair":
        data = _ChartData(number_format=AMOUNT_FORMAT)
        data.categories = spec.labels
        data.add_series("上年", _shown(spec.last_values))
        data.add_series("本年", _shown(spec.values))
        chart_type, aspect = XL_CHART_TYPE.COLUMN_CLUSTERED, 0.5
    elif spec.kind == "pie":
        data = _ChartData(number_format=AMOUNT_FORMAT)
        data.categories = spec.labels
        data.add_series("金额（万元）", _shown(spec.values))
        chart_type, aspect = XL_CHART_TYPE.PIE, 0.5
    else:
        data = _ChartData(number_format=RATE_FORMAT if spec.unit == "%" else AMOUNT_FORMAT)
        data.categories = spec.labels
        data.add_series("执行率（%）" if spec.unit == "%" else f"金额（{spec.unit}）", _shown(spec.values))
        chart_type = XL_CHART_TYPE.BAR_CLUSTERED
        aspect = max(3.2, 0.32 * len(spec.values) + 1.2) / _WIDTH_IN     # as tall as the picture was
    root = etree.fromstring(pptx.ChartXmlWriter(chart_type, data).xml.encode("utf-8"), _PARSER)
    _finish(root, spec)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return ChartPart(xml, data.xlsx_blob, aspect)


# ---------------------------------------------------------------- post-processing of python-pptx's XML

def _el(tag: str, attrs: dict[str, str] | None = None, *children: etree._Element) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.Element(f"{{{C if prefix == 'c' else A}}}{name}", nsmap=None)
    for key, value in (attrs or {}).items():
        element.set(key, value)
    element.extend(children)
    return element


def _val(tag: str, value: str) -> etree._Element:
    return _el(tag, {"val": value})


def _find(parent: etree._Element, path: str) -> etree._Element | None:
    return parent.find(path, {"c": C, "a": A})


def _insert_after(parent: etree._Element, new: etree._Element, *before: str) -> None:
    """Put `new` right after the last child named in `before` (schema order), else first."""
    position = 0
    for index, child in enumerate(parent):
        if etree.QName(child).localname in before:
            position = index + 1
    parent.insert(position, new)


def _fill(color: str) -> etree._Element:
    return _el("a:solidFill", None, _val("a:srgbClr", color))


def _sp_pr(color: str | None, line: str | None = None) -> etree._Element:
    sp_pr = _el("c:spPr")
    sp_pr.append(_fill(color) if color else _el("a:noFill"))
    sp_pr.append(_el("a:ln", {"w": "9525"} if line else None, _fill(line) if line else _el("a:noFill")))
    return sp_pr


def _color(spec: ChartSpec, index: int) -> str:
    """The pack's colour number `index` of this chart (cycled), as DrawingML writes it: RRGGBB."""
    return spec.colors[index % len(spec.colors)].lstrip("#").upper()


def _fonts(rpr: etree._Element, east_asian: str) -> etree._Element:
    # Word and WPS take East Asian text from a:ea only; python-pptx's font setting writes a:latin alone.
    rpr.append(_el("a:latin", {"typeface": LATIN_FONT}))
    rpr.append(_el("a:ea", {"typeface": east_asian}))
    return rpr


def _tx_pr(size: int, font: str) -> etree._Element:
    """Text properties: size in hundredths of a point, Chinese fonts."""
    default = _fonts(_el("a:defRPr", {"sz": str(size), "b": "0", "lang": "zh-CN", "altLang": "en-US"}), font)
    return _el("c:txPr", None, _el("a:bodyPr"), _el("a:lstStyle"),
               _el("a:p", None, _el("a:pPr", None, default), _el("a:endParaRPr", {"lang": "zh-CN"})))


def _title(text: str, font: str) -> etree._Element:
    run_pr = _fonts(_el("a:rPr", {"lang": "zh-CN", "altLang": "en-US", "sz": "1200", "b": "0"}), font)
    run = _el("a:r", None, run_pr, _el("a:t"))
    run[-1].text = text
    paragraph = _el("a:p", None, _el("a:pPr", None, _fonts(_el("a:defRPr", {"sz": "1200", "b": "0"}), font)), run)
    rich = _el("c:rich", None, _el("a:bodyPr"), _el("a:lstStyle"), paragraph)
    return _el("c:title", None, _el("c:tx", None, rich), _val("c:overlay", "0"))


def _labels(number_format: str, position: str | None, value: bool, percent: bool, font: str) -> etree._Element:
    d_lbls = _el("c:dLbls", None, _el("c:numFmt", {"formatCode": number_format, "sourceLinked": "0"}),
                 _sp_pr(None), _tx_pr(800, font))
    if position:
        d_lbls.append(_val("c:dLblPos", position))
    for tag, on in (("showLegendKey", False), ("showVal", value), ("showCatName", False), ("showSerName", False),
                    ("showPercent", percent), ("showBubbleSize", False)):
        d_lbls.append(_val(f"c:{tag}", "1" if on else "0"))
    if percent:
        d_lbls.append(_val("c:showLeaderLines", "1"))
    return d_lbls


def _finish(root: etree._Element, spec: ChartSpec) -> None:
    """The traps of python-pptx's XML in Word, WPS and LibreOffice, and today's look."""
    for element in root.iter(f"{{{C}}}axId", f"{{{C}}}crossAx"):
        element.set("val", AXIS_IDS.get(element.get("val"), element.get("val")))
    # Chinese first: the chart's language, square corners (Word rounds them when the element is absent).
    _insert_after(root, _val("c:lang", "zh-CN"), "date1904")
    _insert_after(root, _val("c:roundedCorners", "0"), "date1904", "lang")
    chart = _find(root, "c:chart")
    chart.insert(0, _title(spec.title, spec.font))
    old_tx_pr = _find(root, "c:txPr")
    root.replace(old_tx_pr, _tx_pr(900, spec.font))
    _insert_after(root, _sp_pr("FFFFFF"), "chart")          # white, no frame, as the picture; then txPr
    root.append(_el("c:externalData", {f"{{{R}}}id": "rId1"}, _val("c:autoUpdate", "0")))
    plot = _find(chart, "c:plotArea")
    if spec.kind == "pie":
        _pie(plot, spec)
        legend = _el("c:legend", None, _val("c:legendPos", "r"), _val("c:overlay", "0"), _tx_pr(900, spec.font))
    else:
        _bars(plot, spec)
        legend = (_el("c:legend", None, _val("c:legendPos", "t"), _val("c:overlay", "0"), _tx_pr(900, spec.font))
                  if spec.kind == "pair" else None)
    if legend is not None:
        _insert_after(chart, legend, "plotArea")
    _insert_after(chart, _val("c:plotVisOnly", "1"), "plotArea", "legend")


def _pie(plot: etree._Element, spec: ChartSpec) -> None:
    ser = _find(plot, "c:pieChart/c:ser")
    points = []
    for index in range(len(spec.values)):
        sp_pr = _sp_pr(_color(spec, index), "FFFFFF")
        points.append(_el("c:dPt", None, _val("c:idx", str(index)), _val("c:bubble3D", "0"), sp_pr))
    for point in reversed(points):
        _insert_after(ser, point, "idx", "order", "tx", "spPr", "explosion")
    # The share of each part, as the table states it (two decimals).
    _insert_after(ser, _labels("0.00%", "bestFit", value=False, percent=True, font=spec.font), "dPt")
    _insert_after(_find(plot, "c:pieChart"), _val("c:firstSliceAng", "0"), "ser", "dLbls")


def _bars(plot: etree._Element, spec: ChartSpec) -> None:
    bar_chart = _find(plot, "c:barChart")
    _insert_after(bar_chart, _val("c:varyColors", "0"), "barDir", "grouping")   # one colour per series
    series = bar_chart.findall(f"{{{C}}}ser")
    colors = (_color(spec, 0), _color(spec, 1)) if spec.kind == "pair" else (_color(spec, 0),)
    number_format = RATE_FORMAT if spec.unit == "%" else AMOUNT_FORMAT
    for ser, color in zip(series, colors):
        _insert_after(ser, _sp_pr(color), "idx", "order", "tx")
        _insert_after(ser, _val("c:invertIfNegative", "0"), "spPr")
        _insert_after(ser, _labels(number_format, "outEnd", value=True, percent=False, font=spec.font), "invertIfNegative")
    _insert_after(bar_chart, _val("c:gapWidth", "60"), "ser", "dLbls")
    cat_ax, val_ax = _find(plot, "c:catAx"), _find(plot, "c:valAx")
    # LibreOffice shows every other category name unless told to skip none.
    _insert_after(cat_ax, _val("c:tickLblSkip", "1"), "lblOffset")
    _insert_after(cat_ax, _tx_pr(800 if spec.kind == "bar" else 900, spec.font), "tickLblPos", "spPr")
    _insert_after(cat_ax, _sp_pr(None, "7F7F7F"), "tickLblPos")
    # Word and LibreOffice pick their own minimum otherwise; bars are read from zero.
    scaling = _find(val_ax, "c:scaling")
    scaling.clear()
    scaling.append(_val("c:orientation", "minMax"))
    scaling.append(_val("c:min", "0"))
    _insert_after(val_ax, _el("c:numFmt", {"formatCode": AXIS_FORMATS[number_format], "sourceLinked": "0"}),
                  "axPos", "majorGridlines")
    gridlines = _find(val_ax, "c:majorGridlines")
    if gridlines is not None:
        gridlines.append(_sp_pr(None, "D9D9D9"))
    _insert_after(val_ax, _sp_pr(None, "7F7F7F"), "tickLblPos")
    _insert_after(val_ax, _tx_pr(800, spec.font), "spPr")
    _insert_after(val_ax, _val("c:crossBetween", "between"), "crosses")
    if spec.kind == "bar":
        # Horizontal bars are drawn bottom-up; reversing the category axis lists projects in input order from
        # the top, and the value axis then crosses at the last category to stay at the bottom.
        _find(cat_ax, "c:scaling/c:orientation").set("val", "maxMin")
        _find(val_ax, "c:crosses").set("val", "max")
