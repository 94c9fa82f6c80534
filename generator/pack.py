"""Province packs: one folder holds everything that shapes a province's package (templates, sentences, names,
scoring); a pack may be based on another and then holds only the files it changes."""
from __future__ import annotations

import difflib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .packfiles import MAX_SPEC_BYTES, PackError, name_problem, read_file, scan, spec_nesting_problem



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
MAX_DEPTH = 8          # a chain of packs based on packs; deeper is a loop or a mistake

UNIT, EACH_PROJECT, ALL_PROJECTS = "单位", "每个项目", "全部项目"
SCOPES = (UNIT, EACH_PROJECT, ALL_PROJECTS)
"""A document is written once per unit, once per evaluated project (with `item` in its context), or once for all
evaluated projects together (only when there is one)."""
LEGACY_SCOPES = {DEPARTMENT_REPORT: UNIT, PROJECT_REPORT: EACH_PROJECT, ALL_TABLES: ALL_PROJECTS, CHECK_REPORT: UNIT}
"""The document names of packs written before 文档 took 范围: their scope when 范围 is not given."""
LEGACY_ATTACHMENTS = {"部门整体支出绩效自评表": "facts.has_department_table", "基础数据表": "facts.has_basic_data"}
"""When the attached tables of packs written before 附件 took 条件 are attached: only with data to show."""

DEPARTMENT_INDICATORS = "部门整体绩效指标"
THREE_PUBLIC = "三公经费"
UNIT_TABLES = (DEPARTMENT_INDICATORS, THREE_PUBLIC)
"""Tables of the unit a document may declare in its 内容 besides the unit's text fields."""


class _Spec(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


def _yes_no(value: object) -> object:
    """是/否 as a maintainer writes it, besides YAML's own true/false."""
    return {"是": True, "否": False}.get(value.strip(), value) if isinstance(value, str) else value


class SectionSpec(_Spec):
    """One text section or table a document prints: whether the unit must fill it, and what is printed when it is
    empty (nothing, and the heading left out, unless the pack gives a fallback such as “无。”)."""

    required: bool = Field(False, alias="必填")
    fallback: str = Field("", alias="空时", description="内容为空时印的文字；空：整节不印")

    @model_validator(mode="before")
    @classmethod
    def _short(cls, value: object) -> object:
        """`必填` or `选填` alone, for a section with no fallback."""
        if isinstance(value, str) and value.strip() in ("必填", "选填"):
            return {"必填": value.strip() == "必填"}
        return value

    @field_validator("required", mode="before")
    @classmethod
    def _flag(cls, value: object) -> object:
        return _yes_no(value)


class DocumentSpec(_Spec):
    """One document a pack produces: its template (stem of .docx and .md.j2), scope, file name, title, when it is
    produced and what it prints."""

    template: str = Field("", alias="模板")
    file: str = Field("", alias="文件", description="输出文件的路径（不含扩展名），可用模板变量，如 项目支出绩效自评报告/{{ '%02d'|format(item.number) }}-{{ item.project.name }}")
    title: str = Field("", alias="标题", description="Word 文档属性中的标题，可用模板变量")
    scope: Literal["单位", "每个项目", "全部项目"] | None = Field(None, alias="范围")
    condition: str = Field("", alias="条件", description="生成的条件：一个模板表达式，如 facts.has_basic_data；空：总是生成")
    check_report: bool = Field(False, alias="校验报告", description="是：这是校验报告（文本版总是生成）")
    produce: bool = Field(True, alias="生成")
    content: dict[str, SectionSpec] = Field(default_factory=dict, alias="内容",
                                            description="文档印出的文字部分和表：名称 → 必填/选填，或 {必填, 空时}")

    @field_validator("produce", "check_report", mode="before")
    @classmethod
    def _flags(cls, value: object) -> object:
        return _yes_no(value)

    @property
    def per_project(self) -> bool:
        return self.scope in (EACH_PROJECT, ALL_PROJECTS)


class AttachmentSpec(_Spec):
    """A table attached to the unit's report (placed where its template loops over `attachments`): its template,
    when it is attached and what it prints."""

    template: str = Field(alias="模板")
    condition: str = Field("", alias="条件")
    content: dict[str, SectionSpec] = Field(default_factory=dict, alias="内容")

    @model_validator(mode="before")
    @classmethod
    def _name_only(cls, value: object) -> object:
        """A bare template name, as packs wrote their 附件 before it took 条件."""
        if isinstance(value, str):
            return {"模板": value, "条件": LEGACY_ATTACHMENTS.get(value.strip(), "")}
        return value


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


# ---------------------------------------------------------------- a pack's own text fields (文字栏目)

class TextFieldSpec(_Spec):
    """A text the pack's documents print that the built-in fields lack (e.g. 自评材料报送及公开情况): the preparer
    fills it in 单位信息 under its label; templates read it as unit.sections["名称"]."""

    label: str = Field("", alias="标签", description="填报表、YAML 中的名称；空时同栏目名称")
    help: str = Field("", alias="说明", description="填报说明，写在填报表单元格的批注里")
    required: bool = Field(False, alias="必填", description="是：空着时校验提示")

    @field_validator("required", mode="before")
    @classmethod
    def _yes_no(cls, value: object) -> object:
        return {"是": True, "否": False}.get(value, value) if isinstance(value, str) else value

    @field_validator("label", "help")
    @classmethod
    def _plain(cls, value: str, info) -> str:
        """Written into a workbook cell and its comment: printable text of a sane length only."""
        limit = 40 if info.field_name == "label" else 500
        if len(value) > limit or any(ord(c) < 32 and c not in "\n" or 0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff"
                                     for c in value):
            raise ValueError(f"应为不超过{limit}字的文字，不能有控制字符")
        return value

    def shown(self, name: str) -> str:
        return self.label.strip() or name


# ---------------------------------------------------------------- a pack's number formats (数字格式)

class NumberFormatSpec(_Spec):
    """How one kind of figure prints: 小数位 (0–6) and whether trailing zeros are 保留 (8.00) or 去掉 (8)."""

    decimals: int = Field(2, alias="小数位", ge=0, le=6)
    zeros: str = Field("保留", alias="末尾的零", pattern="^(保留|去掉)$")


SYNONYMS_FILE = "同义词.yaml"
"""A pack's own wording for the text checks, in the format of checks/synonyms.yaml, added to the bundled table."""


class PackSpec(_Spec):
    """pack.yaml: what a pack is, what it produces and the words it uses outside the templates."""

    name: str = Field(alias="名称")
    description: str = Field("", alias="说明")
    base: str | None = Field(None, alias="基于", description="所基于的内置模板包；本包没有的文件从那里取")
    folder: str | None = Field(None, alias="文件夹", description="每个单位的材料文件夹名，可用模板变量")
    documents: dict[str, DocumentSpec | None] = Field(default_factory=dict, alias="文档")
    attachments: list[AttachmentSpec] | None = Field(None, alias="附件", description="部门整体报告后附的表，按顺序")
    charts_folder: str | None = Field(None, alias="图表文件夹")
    charts: dict[str, ChartText] = Field(default_factory=dict, alias="图表")
    chart_font: str | None = Field(None, alias="图表字体", description="图表中文字的中文字体（Word 原生图表和文本版的 SVG 图）")
    texts: dict[str, str] = Field(default_factory=dict, alias="文字")
    text_fields: dict[str, TextFieldSpec | None] = Field(default_factory=dict, alias="文字栏目",
                                                         description="本包的文字栏目：名称 → 标签、说明、必填")
    number_formats: dict[str, NumberFormatSpec] = Field(default_factory=dict, alias="数字格式",
                                                        description="金额、正文金额、百分比、得分、分值 → 小数位、末尾的零")

    @field_validator("number_formats")
    @classmethod
    def _known_kinds(cls, value: dict) -> dict:
        from .filters import FORMAT_KINDS
        unknown = [k for k in value if k not in FORMAT_KINDS]
        if unknown:
            raise ValueError(f"“{'、'.join(unknown)}”不认识，只能是 {'、'.join(FORMAT_KINDS)}")
        return value

    @field_validator("chart_font")
    @classmethod
    def _font_name(cls, value: str | None) -> str | None:
        # The name lands in SVG and DrawingML attributes: a plain family name, nothing that could close them.
        if value is not None and not re.fullmatch(r"[^\x00-\x1f'\"<>&;{}\\]{1,64}", value):
            raise ValueError("图表字体要写一个字体名称（如 宋体、黑体），不超过 64 个字，不含引号、尖括号等符号")
        return value


_NESTED: dict[tuple[type, str], tuple[str, type]] = {
    (PackSpec, "文档"): ("dict", DocumentSpec), (PackSpec, "附件"): ("list", AttachmentSpec),
    (PackSpec, "图表"): ("dict", ChartText), (DocumentSpec, "内容"): ("dict", SectionSpec),
    (AttachmentSpec, "内容"): ("dict", SectionSpec)}
"""(model, key) → (container, model of its entries): where pack.yaml's keys nest, for naming the keys allowed."""


@dataclass(frozen=True)
class Section:
    """What the package's documents print of one field or table: required by any of them, the fallback text one
    of them prints when it is empty ("" when none), and which documents print it."""

    required: bool
    fallback: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Printed:
    """What a unit's package prints, for the checks: the unit's fields (model.Unit names) and tables
    (UNIT_TABLES), and each evaluated project's fields (model.Project names) by its number in the package."""

    unit: dict[str, Section] = field(default_factory=dict)
    projects: dict[int, dict[str, Section]] = field(default_factory=dict)


def _merge(into: dict[str, Section], content: Mapping[str, SectionSpec], labels: Mapping[str, str], doc: str) -> None:
    for label, spec in content.items():
        key = labels[label]
        had = into.get(key)
        if had is None:
            into[key] = Section(spec.required, spec.fallback, (doc,))
        else:
            into[key] = Section(had.required or spec.required, had.fallback or spec.fallback, (*had.documents, doc))


@dataclass(frozen=True)
class Pack:
    """A loaded pack: its folders from most to least specific (the pack, then the packs it is based on) and its
    merged pack.yaml."""

    name: str
    description: str
    dirs: tuple[Path, ...]
    folder: str
    documents: dict[str, DocumentSpec]
    attachments: tuple[AttachmentSpec, ...]
    charts_folder: str
    charts: dict[str, ChartText]
    texts: dict[str, str]
    text_fields: dict[str, TextFieldSpec] = field(default_factory=dict)
    """The pack's own text fields by name (文字栏目), in pack.yaml order, the base pack's first."""
    formats: dict[str, object] = field(default_factory=dict)
    """The number filters' formats (filter name → filters.NumberFormat) the pack's 数字格式 sets."""
    chart_font: str = DEFAULT_CHART_FONT

    @property
    def root(self) -> Path:
        return self.dirs[0]

    def find(self, filename: str) -> Path | None:
        """The pack's own file, else the one of the pack it is based on; None when no pack of the chain has it.
        A name that could leave the pack (.., absolute, drive letter) is refused, whoever asks."""
        problem = name_problem(filename)
        if problem:
            raise PackError(f"模板包“{self.name}”引用了“{str(filename)[:120]}”：{problem}")
        for folder in self.dirs:
            path = folder / filename
            if path.is_file():
                return path
        return None

    @cached_property
    def condition_names(self) -> frozenset[str]:
        """The package variables the pack's 条件 name (a condition that cannot be read names none: it fails when it
        is computed, with its place); with `projects`, which per-project documents are written for."""
        names = {"projects"}
        for condition in [*(d.condition for d in self.documents.values()), *(a.condition for a in self.attachments)]:
            if condition.strip():
                names.update(_condition_names(condition))
        return frozenset(names)

    def holds(self, condition: str, context: Mapping[str, Any], where: str) -> bool:
        """Whether a pack.yaml 条件 is true for this data (an empty condition always is)."""
        return not condition.strip() or _condition(condition, context, f"模板包“{self.name}”的 {PACK_FILE} 中“{where}”")

    def produces(self, skip: Iterable[str] = (), context: Mapping[str, Any] | None = None) -> dict[str, DocumentSpec]:
        """The documents this pack writes for a unit that turned off `skip` (its 不生成: document or template
        names), in pack order; with the package context, only those whose 条件 holds (a per-project document when
        it holds for one project at least). The one place that says what a package holds."""
        off = {name.strip() for name in skip}
        chosen = {}
        for name, spec in self.documents.items():
            if name in off or spec.template in off:
                continue
            if context is not None and not self.items_for(name, spec, context, unit_only=True):
                continue
            chosen[name] = spec
        return chosen

    def items_for(self, name: str, spec: DocumentSpec, context: Mapping[str, Any],
                  unit_only: bool = False) -> list[Mapping[str, Any] | None]:
        """The contexts a document is written in: [None] once for the unit or for all projects, one item per
        evaluated project for a per-project document; [] when its 条件 does not hold (or there is no project)."""
        where = f"文档.{name}.条件"
        if spec.scope == EACH_PROJECT:
            items = [item for item in context["projects"] if self.holds(spec.condition, {**context, "item": item}, where)]
            return items[:1] if unit_only else items
        if spec.scope == ALL_PROJECTS and not context["projects"]:
            return []
        return [None] if self.holds(spec.condition, context, where) else []

    def attached(self, skip: Iterable[str], context: Mapping[str, Any] | None) -> list[AttachmentSpec]:
        """The tables attached to the unit's report: not turned off by the unit, and their 条件 holds."""
        off = {name.strip() for name in skip}
        return [a for a in self.attachments if a.template not in off
                and (context is None or self.holds(a.condition, context, f"附件.{a.template}.条件"))]

    def printed(self, skip: Iterable[str] = (), context: Mapping[str, Any] | None = None) -> Printed:
        """What the documents this package holds print (the 内容 of each), for the checks; without a context every
        document is counted and each of its projects (numbers unknown: key 0)."""
        unit_labels, project_labels = content_labels()
        out = Printed()
        documents = self.produces(skip, context)
        for name, spec in documents.items():
            if spec.check_report:
                continue
            if not spec.per_project:
                _merge(out.unit, spec.content, unit_labels, spec.template)
                continue
            if context is None:
                _merge(out.projects.setdefault(0, {}), spec.content, project_labels, spec.template)
                continue
            items = context["projects"] if spec.scope == ALL_PROJECTS else self.items_for(name, spec, context)
            for item in items:
                _merge(out.projects.setdefault(item.number, {}), spec.content, project_labels, spec.template)
        if any(not s.check_report and s.scope == UNIT for s in documents.values()):
            for attachment in self.attached(skip, context):
                _merge(out.unit, attachment.content, unit_labels, attachment.template)
        return out

    def need(self, filename: str) -> Path:
        path = self.find(filename)
        if path is None:
            raise PackError(f"模板包“{self.name}”缺少文件“{filename}”：请从 jxzp pack export 导出的模板包中复制这个文件")
        return path


@lru_cache(maxsize=1)
def content_labels() -> tuple[dict[str, str], dict[str, str]]:
    """The names a document's 内容 may use → the model's field names: the unit's text fields and tables for a
    unit's document, a project's text fields for a per-project one."""
    from .checks.texts import PROJECT_TEXTS, UNIT_TEXTS      # the checks import this module
    from .model import Project, Unit

    unit = {Unit.model_fields[n].alias or n: n for n in UNIT_TEXTS}
    unit.update({name: name for name in UNIT_TABLES})
    project = {Project.model_fields[n].alias or n: n for n in PROJECT_TEXTS}
    return unit, project


_CONDITIONS: dict[str, Any] = {}


def _compiled(expression: str, where: str) -> Any:
    """A pack.yaml condition compiled in the templates' sandbox; PackError naming its key when it is not one
    expression."""
    from .render.environment import make_environment

    template = _CONDITIONS.get(expression)
    if template is None:
        env = _CONDITIONS.get("") or _CONDITIONS.setdefault("", make_environment((), "text"))
        try:
            env.compile_expression(expression)          # one expression, nothing else
            template = env.from_string("{% if " + expression + " %}1{% endif %}")
        except Exception as exc:                          # noqa: BLE001 — any parse failure is the pack's mistake
            raise PackError(f"{where}（{expression}）不是有效的条件（{type(exc).__name__}）："
                            "请写一个模板表达式，如 facts.has_basic_data") from None
        if len(_CONDITIONS) < 1000:
            _CONDITIONS[expression] = template
    return template


@lru_cache(maxsize=1000)
def _condition_names(expression: str) -> frozenset[str]:
    from jinja2 import meta

    try:
        return frozenset(meta.find_undeclared_variables(_compiled(expression, "").environment.parse(
            "{% if " + expression + " %}1{% endif %}")))
    except Exception:                                     # noqa: BLE001 — said where the condition is computed
        return frozenset()


def _condition(expression: str, context: Mapping[str, Any], where: str) -> bool:
    """A pack.yaml condition, evaluated in the templates' sandbox and within its budget."""
    from .render.environment import TemplateProblem, render_checked

    template = _compiled(expression, where)
    try:
        return render_checked(template, dict(context), "条件") == "1"
    except TemplateProblem as exc:
        raise PackError(f"{where}（{expression}）无法计算：{str(exc).replace('模板“条件”', '条件')}") from None


def bundled_packs() -> list[str]:
    """The names of the packs that ship with jxzp, 全国 first."""
    names = sorted(p.name for p in PACKS_DIR.iterdir() if (p / PACK_FILE).is_file())
    return sorted(names, key=lambda n: n != DEFAULT_PACK)


SERVED_ENV = "JXZP_PACKS"
"""Folders of packs a bureau serves (`jxzp serve --packs DIR` sets it; worker processes inherit it), separated as
PATH is; each holds one pack per subfolder."""

BUNDLED, INSTALLED, SERVED = "内置", "已安装", "服务器提供"


def installed_dir() -> Path:
    """This user's installed packs: jxzp's per-user data folder (`$XDG_DATA_HOME/jxzp/packs` on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("jxzp", appauthor=False)) / "packs"


def _packs_in(folder: Path) -> list[tuple[str, Path]]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [(p.name, p) for p in entries
            if not p.name.startswith(".") and p.is_dir() and not p.is_symlink() and (p / PACK_FILE).is_file()]


def available_packs() -> dict[str, tuple[str, Path]]:
    """Every pack a unit may name, by name: the bundled ones, then this user's installed ones, then the folders a
    bureau serves; a name already taken keeps its first place (a bundled pack cannot be replaced)."""
    found: dict[str, tuple[str, Path]] = {name: (BUNDLED, PACKS_DIR / name) for name in bundled_packs()}
    served = [Path(f) for f in os.environ.get(SERVED_ENV, "").split(os.pathsep) if f.strip()]
    for source, folders in ((INSTALLED, [installed_dir()]), (SERVED, served)):
        for folder in folders:
            for name, path in _packs_in(folder):
                found.setdefault(name, (source, path))
    return found


def pack_names() -> list[str]:
    """The names a workbook's 模板, the web chooser and --pack accept, bundled first."""
    return list(available_packs())


def _read_spec(folder: Path, name: str) -> PackSpec:
    path = folder / PACK_FILE
    if not os.path.lexists(path):
        if any(p.suffix in (".docx", ".j2") for p in folder.iterdir()):
            # A folder of a few changed templates (the old --templates): they change the 全国 pack file by file.
            return PackSpec(名称=name, 基于=DEFAULT_PACK)
        raise PackError(f"“{folder}”不是模板包：其中没有 {PACK_FILE}。请用 jxzp pack export 导出一个模板包再修改") from None
    try:
        text = read_file(path, PACK_FILE, MAX_SPEC_BYTES).decode("utf-8-sig")
        nesting = spec_nesting_problem(text)
        if nesting:
            raise PackError(f"模板包“{name}”的 {PACK_FILE} {nesting}：请对照内置模板包的 {PACK_FILE} 修改")
        data = YAML(typ="safe").load(text)
    except PackError as exc:
        raise PackError(f"模板包“{name}”的{exc}" if str(exc).startswith("“") else str(exc)) from None
    except RecursionError:
        raise PackError(f"模板包“{name}”的 {PACK_FILE} 嵌套层次过深：请对照内置模板包的 {PACK_FILE} 修改") from None
    except (YAMLError, OSError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"第{line + 1}行" if line is not None else ""
        raise PackError(f"模板包“{name}”的 {PACK_FILE}{where}无法读取（{type(exc).__name__}）：请检查 YAML 格式和 UTF-8 编码") from None
    try:
        return PackSpec.model_validate(data if data is not None else {})
    except ValidationError as exc:
        lines = _key_lines(text)
        wrong = "；".join(dict.fromkeys(_spec_error(e, lines) for e in exc.errors()[:20]))
        raise PackError(f"模板包“{name}”的 {PACK_FILE} 有误：{wrong}。请对照内置模板包的 {PACK_FILE} 修改") from None


def _keys_at(loc: tuple) -> list[str]:
    """The keys pack.yaml allows at a place (the loc of a pydantic error without its last part)."""
    model: Any = PackSpec
    parts = list(loc)
    while parts:
        key = parts.pop(0)
        nested = _NESTED.get((model, key))
        if nested is None:
            return []
        container, model = nested
        if parts:                      # the entry's name (文档, 图表, 内容) or index (附件)
            parts.pop(0)
        else:
            return []
    return [f.alias for f in model.model_fields.values() if f.alias]


_TYPE_WORDS = {"string_type": "应为文字", "bool_parsing": "应为 是 或 否", "bool_type": "应为 是 或 否",
               "dict_type": "应为“名称: 内容”的映射", "list_type": "应为列表（每行以 - 开头）",
               "model_type": "应为“名称: 内容”的映射", "model_attributes_type": "应为“名称: 内容”的映射"}


def _key_lines(text: str) -> Callable[[tuple], int | None]:
    """The line of pack.yaml where the key at a path (a pydantic loc) was written, or the nearest enclosing key's
    (a missing key: where it belongs); read again with line marks only when pack.yaml has a mistake."""
    try:
        root = YAML(typ="rt").load(text)
    except Exception:                                     # noqa: BLE001 — it was read once already; no line then
        root = None

    def line_of(loc: tuple) -> int | None:
        node, line = root, None
        for part in loc:
            try:
                if isinstance(node, dict) and part in node:
                    line, node = node.lc.key(part)[0] + 1, node[part]
                elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                    line, node = node.lc.item(part)[0] + 1, node[part]
                else:
                    break
            except (AttributeError, KeyError, IndexError, TypeError):
                break
        return line

    return line_of


def _spec_error(error: dict, line_of: Callable[[tuple], int | None] = lambda loc: None) -> str:
    """One pydantic error of pack.yaml in Chinese, at its key and line: a misspelled key named with the closest
    known one."""
    loc = tuple(error["loc"])
    # A validator's own name (function-after[...]) or a union member's type is not a key a maintainer wrote.
    loc = tuple(p for p in loc if isinstance(p, int) or not any(c in str(p) for c in "[]") and str(p) not in ("str", "AttachmentSpec"))
    line = line_of(loc)
    where = ("“" + ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in loc) + "”" if loc else "文件") + \
        (f"（第{line}行）" if line else "")
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _keys_at(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.3)
        hint = f"，是不是“{close[0]}”？" if close else ""
        allowed = f"这里可以写：{'、'.join(known)}" if known else ""
        return f"{where}不认识{hint}{allowed}"
    if kind == "missing":
        return f"缺少{where}"
    if kind == "literal_error":
        return f"{where}只能是 {'、'.join(SCOPES)} 之一"
    if kind == "value_error":          # our own validators speak Chinese already: keep their words
        said = str((error.get("ctx") or {}).get("error") or error.get("msg", "")).removeprefix("Value error, ")
        if re.search(r"[\u4e00-\u9fff]", said):
            return f"{where}：{said}"
    return f"{where}{_TYPE_WORDS.get(kind, '的值不对')}"


def load_pack(name_or_dir: str | Path | None, allow_dir: bool = True) -> Pack:
    """A pack by name (bundled, installed or served), or (from the command line only) a pack folder; PackError
    otherwise, listing the packs there are."""
    key = str(name_or_dir or DEFAULT_PACK).strip()
    available = available_packs()
    if key in available:
        return _load(str(available[key][1]), key)
    if allow_dir and Path(key).is_dir():
        return _load(str(Path(key).resolve()), Path(key).name)
    hint = "；自己改过的模板包请用 jxzp pack install 安装，或在命令行用 --pack 文件夹 指定" if not allow_dir else "，或一个模板包文件夹"
    raise PackError(f"没有名为“{key}”的模板包：请填写 {'、'.join(available)} 之一{hint}")


@lru_cache(maxsize=32)
def _load(folder_text: str, name: str) -> Pack:
    folder = Path(folder_text)
    chain: list[tuple[Path, PackSpec]] = []
    seen: set[str] = set()
    current, current_name = folder, name
    while True:
        spec = _read_spec(current, current_name)      # first: a folder that is no pack (say /) is told so, not scanned
        # A pack passes from unit to unit: a link, pipe or device in it could make a template read any file of
        # the machine or wait forever; scan() refuses them, and a folder too deep or too large, before anything opens.
        scan(current, current_name)
        chain.append((current, spec))
        seen.add(str(current))
        if not spec.base:
            break
        available = available_packs()
        if spec.base not in available:
            raise PackError(f"模板包“{current_name}”的 {PACK_FILE} 中“基于: {spec.base}”没有这个模板包："
                            f"请填写 {'、'.join(available)} 之一")
        current, current_name = available[spec.base][1], spec.base
        if str(current) in seen or len(chain) > MAX_DEPTH:
            raise PackError(f"模板包“{name}”的“基于”形成了循环：请检查各 {PACK_FILE} 的“基于”")
    documents: dict[str, DocumentSpec | None] = {}
    charts: dict[str, ChartText] = {}
    texts: dict[str, str] = {}
    text_fields: dict[str, TextFieldSpec | None] = {}
    formats: dict[str, NumberFormatSpec] = {}
    folder_pattern = attachments = charts_folder = chart_font = None
    for _, spec in reversed(chain):          # the most specific pack's word wins
        text_fields.update(spec.text_fields)    # None (an empty entry) drops a field of the base pack
        formats.update(spec.number_formats)
        for key, doc in spec.documents.items():
            base = documents.get(key)
            if doc is not None and base is not None:
                # An entry of a derived pack changes the base pack's same-named document: what it leaves out is kept,
                # except 生成 — an entry is written to be produced unless it says 否 itself.
                doc = base.model_copy(update={f: getattr(doc, f) for f in {*doc.model_fields_set, "produce"}})
            documents[key] = doc
        for key, chart in spec.charts.items():    # field by field: a province may retitle a chart and keep its colours
            base = charts.get(key)
            charts[key] = base.model_copy(update={f: getattr(chart, f) for f in chart.model_fields_set}) if base else chart
        chart_font = spec.chart_font or chart_font
        texts.update(spec.texts)
        folder_pattern = spec.folder or folder_pattern
        attachments = spec.attachments if spec.attachments is not None else attachments
        charts_folder = spec.charts_folder or charts_folder
    for kind, doc in documents.items():
        problem = name_problem(doc.template) if doc is not None else None
        if problem:
            raise PackError(f"模板包“{name}”的 {PACK_FILE} 中“文档.{kind}.模板: {doc.template[:120]}”：{problem}")
    for key, chart in charts.items():
        if key not in CHART_DATA:
            raise PackError(f"模板包“{name}”的 {PACK_FILE} 中“图表”下的“{key}”不认识：图表只能是 {'、'.join(CHART_DATA)}")
        if chart.kind is not None and chart.kind not in CHART_DATA[key]:
            raise PackError(f"模板包“{name}”的 {PACK_FILE} 中“图表.{key}.种类”不能是{chart.kind}：{key}只能画成"
                            f"{'或'.join(CHART_DATA[key])}")
    own = chain[0][1]
    chosen = {key: _settled(key, doc, own.name or name) for key, doc in documents.items() if doc is not None and doc.produce}
    for attachment in attachments or ():
        _known_content(attachment.content, UNIT, f"附件.{attachment.template}", own.name or name)
        if attachment.condition.strip():
            _compiled(attachment.condition, f"模板包“{own.name or name}”的 {PACK_FILE} 中“附件.{attachment.template}.条件”")
    return Pack(
        name=own.name or name, description=own.description, dirs=tuple(d for d, _ in chain),
        folder=folder_pattern or "{{ unit.year }}年{{ unit.short_name or unit.name }}绩效自评",
        documents=chosen, attachments=tuple(attachments or ()), charts_folder=charts_folder or "图表",
        charts=charts, texts=texts, chart_font=chart_font or DEFAULT_CHART_FONT,
        text_fields=_text_fields(name, {k: v for k, v in text_fields.items() if v is not None}),
        formats=_formats(formats),
    )


def _formats(specs: dict[str, NumberFormatSpec]) -> dict[str, object]:
    from .filters import FORMAT_KINDS, NumberFormat
    return {FORMAT_KINDS[kind]: NumberFormat(spec.decimals, spec.zeros == "去掉") for kind, spec in specs.items()}


def _text_fields(pack: str, declared: dict[str, TextFieldSpec]) -> dict[str, TextFieldSpec]:
    """The declared text fields, refused when one takes a built-in field's name or two share a label."""
    from .model import Unit
    builtin = {info.alias for info in Unit.model_fields.values()} | {"人员情况", "楼堂馆所"}
    seen: dict[str, str] = {}
    for name, spec in declared.items():
        if len(name) > 40 or any(ord(c) < 32 or c == "." for c in name):
            raise PackError(f"模板包“{pack}”的 {PACK_FILE} 中“文字栏目”的名称“{name[:40]}”不能用：名称应为不超过40字的文字，"
                            "不能有句点或控制字符")
        for word in dict.fromkeys((name.strip(), spec.shown(name))):
            if not word:
                raise PackError(f"模板包“{pack}”的 {PACK_FILE} 中“文字栏目”有一项没有名称：请填写栏目名称")
            if word in builtin:
                raise PackError(f"模板包“{pack}”的 {PACK_FILE} 中“文字栏目”的“{word}”与内置的填报项目同名："
                                "内置项目不必声明，请换一个名称")
            if word in seen and seen[word] != name:
                raise PackError(f"模板包“{pack}”的 {PACK_FILE} 中“文字栏目”的“{seen[word]}”和“{name}”同名：请改用不同的名称")
            seen[word] = name
    return declared


def _settled(key: str, doc: DocumentSpec, pack: str) -> DocumentSpec:
    """A document with the defaults of today's names filled in, checked for what can be known before any data."""
    update: dict[str, Any] = {}
    if doc.scope is None:
        update["scope"] = LEGACY_SCOPES.get(key, UNIT)
    if key == CHECK_REPORT and "check_report" not in doc.model_fields_set:
        update["check_report"] = True
    doc = doc.model_copy(update=update) if update else doc
    for field_name, label in (("template", "模板"), ("file", "文件")):
        if not getattr(doc, field_name).strip():
            raise PackError(f"模板包“{pack}”的 {PACK_FILE} 中“文档.{key}”缺少“{label}”：请写明，或写 生成: 否 不生成这份文档")
    if doc.scope == EACH_PROJECT and "item" not in doc.file:
        raise PackError(f"模板包“{pack}”的 {PACK_FILE} 中“文档.{key}.文件”（{doc.file}）不随项目变化："
                        "每个项目一份的文档会写进同一个文件而互相覆盖，请在文件名中用 {{ item.project.name }} 或 {{ item.number }}")
    _known_content(doc.content, UNIT if not doc.per_project else EACH_PROJECT, f"文档.{key}", pack)
    if doc.condition.strip():
        _compiled(doc.condition, f"模板包“{pack}”的 {PACK_FILE} 中“文档.{key}.条件”")
    return doc


def _known_content(content: Mapping[str, SectionSpec], scope: str, where: str, pack: str) -> None:
    unit, project = content_labels()
    known = unit if scope == UNIT else project
    for label in content:
        if label not in known:
            close = difflib.get_close_matches(label, list(known), n=1, cutoff=0.3)
            hint = f"是不是“{close[0]}”？" if close else ""
            whose = "单位的文字部分和表" if scope == UNIT else "项目的文字部分"
            raise PackError(f"模板包“{pack}”的 {PACK_FILE} 中“{where}.内容.{label}”不认识：{hint}"
                            f"这里可以写{whose}：{'、'.join(known)}")


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


_NAME = re.compile(r"^[^\\/:*?\"<>|\x00-\x1f.][^\\/:*?\"<>|\x00-\x1f]{0,39}$")


def install_pack(folder: Path, name: str | None = None) -> tuple[str, Path, bool]:
    """Copy a pack folder into this user's installed packs under `name` (else its pack.yaml 名称), replacing an
    installed pack of that name; (name, where, replaced). The caller checks the pack first (jxzp pack check)."""
    source = Path(folder)
    spec = _read_spec(source, source.name)
    name = (name or spec.name or source.name).strip()
    if not _NAME.match(name) or name.endswith((" ", ".")):
        raise PackError(f"模板包名称“{name}”不能用作文件夹名：请用 --name 指定一个不含 \\ / : * ? \" < > | 、不以点开头、"
                        "不超过 40 个字的名称")
    if name in bundled_packs():
        raise PackError(f"“{name}”是内置模板包的名称，不能被替换：请用 --name 另起一个名称，如 {name}-本市")
    root = installed_dir()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".安装中-", dir=root))
    try:
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if path.is_symlink() or any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                continue
            if path.is_dir():
                (staging / relative).mkdir(parents=True, exist_ok=True)
            elif path.is_file():
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, staging / relative)
        if spec.name != name:
            _rename_spec(staging / PACK_FILE, name)
        target = root / name
        replaced = target.exists()
        if replaced:
            old = Path(tempfile.mkdtemp(prefix=".旧-", dir=root))
            os.replace(target, old / name)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _load.cache_clear()
    return name, target, replaced


def _rename_spec(path: Path, name: str) -> None:
    """pack.yaml with its 名称 changed, its comments and order kept."""
    yaml = YAML()
    yaml.preserve_quotes = True
    with open(path, encoding="utf-8-sig") as handle:
        data = yaml.load(handle)
    data["名称"] = name
    with open(path, "w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def remove_pack(name: str) -> Path:
    """Delete an installed pack of this user; PackError for a bundled, served or unknown name."""
    source, path = available_packs().get(name, (None, None))
    if source == BUNDLED:
        raise PackError(f"“{name}”是内置模板包，不能删除")
    installed = {n for n, _ in _packs_in(installed_dir())}
    if name not in installed:
        raise PackError(f"没有安装名为“{name}”的模板包：已安装的有 {'、'.join(sorted(installed)) or '（无）'}")
    target = installed_dir() / name
    shutil.rmtree(target)
    _load.cache_clear()
    return target
