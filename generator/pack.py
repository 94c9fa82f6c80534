"""Province packs: one folder holds everything that shapes a province's package (templates, sentences, names,
scoring); a pack may be based on another and then holds only the files it changes."""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError



def _bundled_dir() -> Path:
    """The bundled packs: `generator/templates` in an installed wheel, the checkout's top-level `templates/` else."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    return installed if (installed / "全国" / "pack.yaml").is_file() else here.parent / "templates"


PACKS_DIR = _bundled_dir()
DEFAULT_PACK = "全国"
PACK_FILE = "pack.yaml"
PROFILE_FILE = "评分规则.yaml"

DEPARTMENT_REPORT = "部门整体报告"
PROJECT_REPORT = "项目报告"
ALL_TABLES = "全部项目自评表"
CHECK_REPORT = "校验报告"          # the findings of validation, for the preparer; not a published document
DOCUMENT_KINDS = (DEPARTMENT_REPORT, PROJECT_REPORT, ALL_TABLES, CHECK_REPORT)
MAX_DEPTH = 8          # a chain of packs based on packs; deeper is a loop or a mistake


class PackError(Exception):
    """A pack cannot be used; the message (Chinese) names the pack and the file and says what to do."""


class _Spec(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class DocumentSpec(_Spec):
    """One kind of document a pack produces: its template (stem of .docx and .md.j2) and its file name."""

    template: str = Field(alias="模板")
    file: str = Field(alias="文件", description="输出文件的路径（不含扩展名），可用模板变量，如 项目支出绩效自评报告/{{ '%02d'|format(item.number) }}-{{ item.project.name }}")
    title: str = Field("", alias="标题", description="Word 文档属性中的标题，可用模板变量")
    produce: bool = Field(True, alias="生成")

    @field_validator("produce", mode="before")
    @classmethod
    def _yes_no(cls, value: object) -> object:
        """是/否 as a preparer writes it, besides YAML's own true/false."""
        return {"是": True, "否": False}.get(value, value) if isinstance(value, str) else value


CHART_KINDS = {"饼图": "pie", "条形图": "bar", "对比柱形图": "pair"}
# The figures behind each chart a pack may declare, and the kinds that can show them (the first is the default).
CHART_DATA = {"收支变动": ("对比柱形图", "条形图"), "收入结构": ("饼图", "条形图"), "支出结构": ("饼图", "条形图"),
              "项目执行率": ("条形图",)}
DEFAULT_CHART_COLORS = ("#c0392b", "#2e86c1", "#f39c12", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d", "#d35400",
                        "#2c3e50")
DEFAULT_CHART_FONT = "宋体"


class ChartText(_Spec):
    """One chart: its kind and colours, its title (drawn in the chart, may use template variables) and its caption
    under it. A pack based on another overrides single fields of a chart and keeps the rest."""

    kind: str | None = Field(None, alias="种类", description="饼图、条形图或对比柱形图；不填时用该图表数据的默认种类")
    colors: list[str] | None = Field(None, alias="颜色", description="#RRGGBB，依次用于饼图各块；条形图的条和 100% 线；"
                                                                   "对比柱形图的上年和本年")
    title: str = Field("", alias="标题")
    caption: str = Field("", alias="图题")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in CHART_KINDS:
            raise ValueError(f"图表种类只能是 {'、'.join(CHART_KINDS)}")
        return value

    @field_validator("colors")
    @classmethod
    def _hex_colors(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            wrong = [c for c in value if not re.fullmatch(r"#[0-9A-Fa-f]{6}", str(c))]
            if wrong or not value:
                raise ValueError(f"颜色要写成 #RRGGBB（如 #c0392b），至少一种；“{'、'.join(map(str, wrong))}”不是")
        return value


class PackSpec(_Spec):
    """pack.yaml: what a pack is, what it produces and the words it uses outside the templates."""

    name: str = Field(alias="名称")
    description: str = Field("", alias="说明")
    base: str | None = Field(None, alias="基于", description="所基于的内置模板包；本包没有的文件从那里取")
    folder: str | None = Field(None, alias="文件夹", description="每个单位的材料文件夹名，可用模板变量")
    documents: dict[str, DocumentSpec | None] = Field(default_factory=dict, alias="文档")
    attachments: list[str] | None = Field(None, alias="附件", description="部门整体报告后附的表，按顺序")
    charts_folder: str | None = Field(None, alias="图表文件夹")
    charts: dict[str, ChartText] = Field(default_factory=dict, alias="图表")
    chart_font: str | None = Field(None, alias="图表字体", description="图表中文字的中文字体（Word 原生图表和文本版的 SVG 图）")
    texts: dict[str, str] = Field(default_factory=dict, alias="文字")

    @field_validator("chart_font")
    @classmethod
    def _font_name(cls, value: str | None) -> str | None:
        # The name lands in SVG and DrawingML attributes: a plain family name, nothing that could close them.
        if value is not None and not re.fullmatch(r"[^\x00-\x1f'\"<>&;{}\\]{1,64}", value):
            raise ValueError("图表字体要写一个字体名称（如 宋体、黑体），不超过 64 个字，不含引号、尖括号等符号")
        return value


@dataclass(frozen=True)
class Pack:
    """A loaded pack: its folders from most to least specific (the pack, then the packs it is based on) and its
    merged pack.yaml."""

    name: str
    description: str
    dirs: tuple[Path, ...]
    folder: str
    documents: dict[str, DocumentSpec]
    attachments: tuple[str, ...]
    charts_folder: str
    charts: dict[str, ChartText]
    texts: dict[str, str]
    chart_font: str = DEFAULT_CHART_FONT

    @property
    def root(self) -> Path:
        return self.dirs[0]

    def find(self, filename: str) -> Path | None:
        """The pack's own file, else the one of the pack it is based on; None when no pack of the chain has it."""
        for folder in self.dirs:
            path = folder / filename
            if path.is_file():
                return path
        return None

    def produces(self, skip: Iterable[str] = ()) -> frozenset[str]:
        """The kinds of document this pack writes for a unit that turned off `skip` (its 不生成: kinds or
        template names)."""
        off = {name.strip() for name in skip}
        return frozenset(kind for kind, spec in self.documents.items() if kind not in off and spec.template not in off)

    def need(self, filename: str) -> Path:
        path = self.find(filename)
        if path is None:
            raise PackError(f"模板包“{self.name}”缺少文件“{filename}”：请从 jxzp pack export 导出的模板包中复制这个文件")
        return path


def bundled_packs() -> list[str]:
    """The names of the packs that ship with jxzp, 全国 first."""
    names = sorted(p.name for p in PACKS_DIR.iterdir() if (p / PACK_FILE).is_file())
    return sorted(names, key=lambda n: n != DEFAULT_PACK)


def _refuse_links(folder: Path, name: str) -> None:
    """A pack passes from unit to unit: a symbolic link in it could make a template read any file of the machine."""
    if folder.is_symlink():
        raise PackError(f"模板包“{name}”的文件夹是符号链接：为安全起见不接受符号链接，请使用文件夹本身")
    for path in folder.rglob("*"):
        if path.is_symlink():
            raise PackError(f"模板包“{name}”中的“{path.relative_to(folder).as_posix()}”是符号链接："
                            "为安全起见模板包中不接受符号链接，请放入文件本身")


def _read_spec(folder: Path, name: str) -> PackSpec:
    path = folder / PACK_FILE
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = YAML(typ="safe").load(handle)
    except FileNotFoundError:
        if any(p.suffix in (".docx", ".j2") for p in folder.iterdir()):
            # A folder of a few changed templates (the old --templates): they change the 全国 pack file by file.
            return PackSpec(名称=name, 基于=DEFAULT_PACK)
        raise PackError(f"“{folder}”不是模板包：其中没有 {PACK_FILE}。请用 jxzp pack export 导出一个模板包再修改") from None
    except (YAMLError, OSError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"第{line + 1}行" if line is not None else ""
        raise PackError(f"模板包“{name}”的 {PACK_FILE}{where}无法读取（{type(exc).__name__}）：请检查 YAML 格式和 UTF-8 编码") from None
    try:
        return PackSpec.model_validate(data if data is not None else {})
    except ValidationError as exc:
        wrong = "；".join(f"“{'.'.join(str(p) for p in e['loc'])}”{e['msg']}" for e in exc.errors())
        raise PackError(f"模板包“{name}”的 {PACK_FILE} 有误：{wrong}。请对照内置模板包的 {PACK_FILE} 修改") from None


def load_pack(name_or_dir: str | Path | None, allow_dir: bool = True) -> Pack:
    """A bundled pack by name, or (from the command line only) a pack folder; PackError otherwise."""
    key = str(name_or_dir or DEFAULT_PACK).strip()
    bundled = bundled_packs()
    if key in bundled:
        return _load(str(PACKS_DIR / key), key)
    if allow_dir and Path(key).is_dir():
        return _load(str(Path(key).resolve()), Path(key).name)
    hint = "；自己改过的模板包请在命令行用 --pack 文件夹 指定" if not allow_dir else "，或一个模板包文件夹"
    raise PackError(f"没有名为“{key}”的模板包：请填写 {'、'.join(bundled)} 之一{hint}")


@lru_cache(maxsize=32)
def _load(folder_text: str, name: str) -> Pack:
    folder = Path(folder_text)
    chain: list[tuple[Path, PackSpec]] = []
    seen: set[str] = set()
    current, current_name = folder, name
    while True:
        _refuse_links(current, current_name)
        spec = _read_spec(current, current_name)
        chain.append((current, spec))
        seen.add(str(current))
        if not spec.base:
            break
        if spec.base not in bundled_packs():
            raise PackError(f"模板包“{current_name}”的 {PACK_FILE} 中“基于: {spec.base}”不是内置模板包："
                            f"请填写 {'、'.join(bundled_packs())} 之一")
        current, current_name = PACKS_DIR / spec.base, spec.base
        if str(current) in seen or len(chain) > MAX_DEPTH:
            raise PackError(f"模板包“{name}”的“基于”形成了循环：请检查各 {PACK_FILE} 的“基于”")
    documents: dict[str, DocumentSpec | None] = {}
    charts: dict[str, ChartText] = {}
    texts: dict[str, str] = {}
    folder_pattern = attachments = charts_folder = chart_font = None
    for _, spec in reversed(chain):          # the most specific pack's word wins
        documents.update(spec.documents)
        for key, chart in spec.charts.items():    # field by field: a province may retitle a chart and keep its colours
            base = charts.get(key)
            charts[key] = base.model_copy(update={f: getattr(chart, f) for f in chart.model_fields_set}) if base else chart
        chart_font = spec.chart_font or chart_font
        texts.update(spec.texts)
        folder_pattern = spec.folder or folder_pattern
        attachments = spec.attachments if spec.attachments is not None else attachments
        charts_folder = spec.charts_folder or charts_folder
    unknown = [k for k in documents if k not in DOCUMENT_KINDS]
    if unknown:
        raise PackError(f"模板包“{name}”的 {PACK_FILE} 中“文档”下的“{'、'.join(unknown)}”不认识："
                        f"文档只能是 {'、'.join(DOCUMENT_KINDS)}")
    for key, chart in charts.items():
        if key not in CHART_DATA:
            raise PackError(f"模板包“{name}”的 {PACK_FILE} 中“图表”下的“{key}”不认识：图表只能是 {'、'.join(CHART_DATA)}")
        if chart.kind is not None and chart.kind not in CHART_DATA[key]:
            raise PackError(f"模板包“{name}”的 {PACK_FILE} 中“图表.{key}.种类”不能是{chart.kind}：{key}只能画成"
                            f"{'或'.join(CHART_DATA[key])}")
    own = chain[0][1]
    return Pack(
        name=own.name or name, description=own.description, dirs=tuple(d for d, _ in chain),
        folder=folder_pattern or "{{ unit.year }}年{{ unit.short_name or unit.name }}绩效自评",
        documents={k: v for k, v in documents.items() if v is not None and v.produce},
        attachments=tuple(attachments or ()), charts_folder=charts_folder or "图表",
        charts=charts, texts=texts, chart_font=chart_font or DEFAULT_CHART_FONT,
    )


def export_pack(name: str, target: Path) -> list[Path]:
    """Copy every file a bundled pack uses (its own and those it takes from its base) into `target`, with a
    pack.yaml based on it, so a maintainer can edit any of them; returns the files written."""
    pack = load_pack(name, allow_dir=False)
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise PackError(f"文件夹“{target}”已存在且不是空的：请指定一个新的文件夹，以免覆盖已有的文件")
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    names: set[str] = set()
    for folder in pack.dirs:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if not path.is_file() or relative in names or relative == PACK_FILE or "__pycache__" in relative:
                continue
            names.add(relative)
            out = target / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out)
            written.append(out)
    own = (pack.root / PACK_FILE).read_text(encoding="utf-8")
    lines = [line for line in own.splitlines() if not line.startswith("基于:")]
    head = [f"# 由 jxzp pack export 从内置模板包“{pack.name}”导出；本文件夹缺少的文件从“{pack.name}”取。", f"基于: {pack.name}"]
    (target / PACK_FILE).write_text("\n".join(head + lines) + "\n", encoding="utf-8")
    written.append(target / PACK_FILE)
    return sorted(written)
