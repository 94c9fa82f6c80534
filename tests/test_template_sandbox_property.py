"""The sandbox's promise as a property (issue 18): whatever the data and whatever attribute names a template asks for,
rendering never reaches a callable outside the allow list, and every value a template gets hold of is plain data.
Every bundled template of every pack is rendered with the example inputs' data randomly changed, and random templates
with random attribute names over random nested data (dicts, lists, models, dataclasses)."""
from __future__ import annotations

import dataclasses
import random
import types
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import Undefined
from jinja2.environment import TemplateModule
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.utils import Namespace
from pydantic import create_model

from generator.generate import checks_context
from generator.pack import bundled_packs, load_pack
from generator.pipeline import evaluate
from generator.render.context import chart_specs, package_context
from generator.render.documents import DocInfo, renderer_for
from generator.render.environment import Counter, Sandbox, TemplateProblem, make_environment, render_checked
from generator.render.views import Helper, Items, View, plain

INPUTS = Path(__file__).resolve().parent.parent / "inputs"
EXAMPLES = [INPUTS / "lizhou-2021-corrected.yaml", Path(__file__).parent / "fixtures" / "small.yaml"]

# The policy stated independently of the sandbox's own tables: the methods a template may call, by owner type.
SAFE_METHODS = {
    str: {"strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit", "splitlines", "partition",
          "rpartition", "upper", "lower", "title", "capitalize", "count", "find", "rfind", "isdigit", "isdecimal",
          "isnumeric", "isalpha", "isalnum", "isspace", "removeprefix", "removesuffix"},
    Decimal: {"is_zero", "is_signed", "is_finite"},
    date: {"isoformat", "weekday", "isoweekday"},
    View: {"items", "keys", "values", "get"},
    dict: {"items", "keys", "values", "get"},
    LoopContext: {"cycle", "changed"},
    Counter: {"next"},
}
PLAIN_VALUES = (View, Items, tuple, list, dict, str, int, float, bool, Decimal, date, type(None), Undefined, Macro,
                TemplateModule, LoopContext, Namespace, Helper, BlockReference, range, Counter)


def _allowed_callable(obj, env) -> bool:
    if isinstance(obj, (Macro, Helper, LoopContext, BlockReference)):
        return True
    if any(obj is g for g in env.globals.values()):
        return True
    if isinstance(obj, (types.MethodType, types.BuiltinMethodType)):
        owner = getattr(obj, "__self__", None)
        return any(isinstance(owner, kind) and obj.__name__ in names for kind, names in SAFE_METHODS.items())
    return False


class Recorder:
    """Every callable a template calls and every value it reads through the sandbox, checked as it happens."""

    def __init__(self, monkeypatch) -> None:
        self.calls = 0
        self.reads = 0
        self.bad: list[str] = []
        recorder = self
        getattr_, getitem_, call_ = Sandbox.getattr, Sandbox.getitem, Sandbox.call

        def check_value(env, value, how):
            recorder.reads += 1
            if callable(value) and not isinstance(value, (Undefined, Macro, Helper, LoopContext, Counter)) \
                    and not _allowed_callable(value, env):
                recorder.bad.append(f"{how} gave callable {value!r}")
            elif not isinstance(value, PLAIN_VALUES) and not callable(value):
                recorder.bad.append(f"{how} gave {type(value).__name__}")
            return value

        def getattr(env, obj, attribute):
            return check_value(env, getattr_(env, obj, attribute), f".{attribute}")

        def getitem(env, obj, argument):
            return check_value(env, getitem_(env, obj, argument), f"[{argument!r}]")

        def call(__self, __context, __obj, *args, **kwargs):
            recorder.calls += 1
            result = call_(__self, __context, __obj, *args, **kwargs)     # refused (raises) when not allowed
            if not _allowed_callable(__obj, __self):
                recorder.bad.append(f"called {__obj!r}")
            return result

        monkeypatch.setattr(Sandbox, "getattr", getattr)
        monkeypatch.setattr(Sandbox, "getitem", getitem)
        monkeypatch.setattr(Sandbox, "call", call)


# ---------------------------------------------------------------- random data

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
decimals = st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), decimals, text, st.dates())
DANGEROUS = ["__class__", "__mro__", "__subclasses__", "__globals__", "__init__", "__dict__", "__reduce__",
             "parse_raw", "parse_file", "parse_obj", "model_dump", "model_validate", "model_fields", "copy", "json",
             "dict", "schema", "construct", "_items", "_function", "_hash", "format", "format_map", "mro", "fields",
             "__getattr__", "__call__", "gi_frame", "f_globals", "tb_frame", "func_globals", "append", "update",
             "pop", "clear", "setdefault", "items", "keys", "values", "get", "strip", "next", "cycle", "replace",
             "encode", "translate", "expandtabs", "zfill", "ljust", "center", "quantize", "strftime", "fromisoformat",
             "name", "project", "card", "indicator", "target", "rows", "number", "value", "year"]
names = st.one_of(st.sampled_from(DANGEROUS), st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True))


@st.composite
def records(draw, children):
    fields = draw(st.dictionaries(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True), children, max_size=4))
    kind = draw(st.sampled_from(["dict", "model", "dataclass"]))
    try:
        if kind == "model" and fields:    # what a later model might hand to templates: a pydantic model …
            return create_model("Random", **{k: (object, None) for k in fields})(**fields)
        if kind == "dataclass" and fields:                                   # … or a dataclass
            return dataclasses.make_dataclass("Random", list(fields), frozen=True)(**fields)
    except (TypeError, NameError, ValueError):     # a field name the class cannot have (a keyword, BaseModel's own)
        pass
    return fields


nested = st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=4), records(children)),
                      max_leaves=25)


@st.composite
def paths(draw):
    steps = draw(st.lists(names, min_size=1, max_size=4))
    return "data" + "".join(f".{s}" if draw(st.booleans()) else f"[{s!r}]" for s in steps)


@st.composite
def random_templates(draw):
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        p, n = draw(paths()), draw(names)
        pieces.append(draw(st.sampled_from([
            f"{{{{ {p} }}}}", f"{{{{ {p}() }}}}", f"{{{{ {p}('x', 1) }}}}", f"{{{{ {p}.{n}() }}}}",
            f"{{% for x in {p} %}}{{{{ x.{n} }}}}{{{{ x.{n}() }}}}{{% endfor %}}",
            f"{{{{ {p}|attr('{n}') }}}}", f"{{{{ ({p}|attr('{n}'))() }}}}",
            f"{{{{ {p}|map(attribute='{n}')|list }}}}", f"{{{{ {p}|selectattr('{n}')|list }}}}",
            f"{{{{ ({p}|string).{n}() }}}}", f"{{{{ {p}|sort(attribute='{n}')|first }}}}",
            f"{{% set ns = namespace(v={p}) %}}{{{{ ns.v.{n} }}}}",
            f"{{% for k, v in {p}.items() %}}{{{{ v.{n}() }}}}{{% endfor %}}",
            f"{{{{ total([{p}]) }}}}{{{{ ratio({p}, 1) }}}}",
        ])))
    return "".join(pieces)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=nested, source=random_templates(), target=st.sampled_from(["md", "docx"]))
def test_random_templates_over_random_data_reach_no_callable_off_the_allow_list(monkeypatch, data, source, target):
    recorder = Recorder(monkeypatch)
    env = make_environment([], target)
    context = {"data": data, "total": lambda values: None, "ratio": lambda a, b: None}
    try:
        render_checked(env.from_string(source), context, "随机.md.j2")
    except TemplateProblem as problem:
        assert "Traceback" not in str(problem)
    assert not recorder.bad, recorder.bad


def test_the_conversion_keeps_what_templates_read_and_nothing_else():
    """A view answers fields and properties, by attribute and key; the model's methods are gone."""
    ev = evaluate(EXAMPLES[1])
    context = package_context(ev.results)
    unit = context["unit"]
    assert isinstance(unit, View) and unit.name == ev.results.report.unit.name == unit["name"]
    assert not hasattr(unit, "parse_raw") and not hasattr(unit, "model_dump") and "copy" not in unit
    item = context["projects"][0]
    assert item.card.execution_rate == ev.results.evaluated_projects[0].card.execution_rate
    assert item.rows[0].target == item.rows[0].indicator.target         # a property of the row, computed
    assert context["finance"]["本年支出合计"].actual == ev.results.finance["本年支出合计"].actual   # Line.__getattr__
    with pytest.raises(TypeError):
        unit.name = "x"
    assert plain(ev.results.report) is not plain(ev.results.report)     # a memo lives one package, not forever


# ---------------------------------------------------------------- every bundled template, randomly changed data

ODD_TEXTS = ["", " ", "—", "<w:p>&amp;", "{{ x }}", "{% if %}", "*_|#[]", "\n\n", "项目", "0", "-1", "\u202e", "x" * 300]


def _perturb(value, rng, depth: int = 0):
    """The same shape with random leaves: texts, amounts and dates a preparer might type (or leave empty)."""
    if isinstance(value, View) and depth < 6:
        return View({k: _perturb(v, rng, depth + 1) for k, v in value.items()})
    if isinstance(value, Items) and depth < 6:
        return Items(_perturb(v, rng, depth + 1) for v in value)
    if isinstance(value, str) and rng.random() < 0.25:
        return rng.choice(ODD_TEXTS) + "".join(chr(rng.randint(32, 0x9fff)) for _ in range(rng.randint(0, 5)))
    if isinstance(value, Decimal) and rng.random() < 0.25:
        return rng.choice([None, Decimal(0), Decimal("-0.01"), Decimal(rng.randint(-10**9, 10**9)) / 100])
    return value


def _contexts():
    """Per example and pack: the renderer, the context as generate builds it, and the templates to render."""
    found = []
    for example in EXAMPLES:
        for name in bundled_packs():
            ev = evaluate(example, pack=name)
            pack = load_pack(name)
            renderer = renderer_for(pack)
            context = package_context(ev.results, pack, set())
            context.update(failed_check=0, texts=pack.texts, captions={k: c.caption for k, c in pack.charts.items()})
            context["charts"] = {s.key: s for s in chart_specs(ev.results, pack.charts, {k: k for k in pack.charts},
                                                               pack.chart_font)}
            context.update(checks_context(ev, False))
            md = sorted({p.name[:-6] for d in pack.dirs for p in d.glob("*.md.j2")})
            docx = sorted({p.stem for d in pack.dirs for p in d.glob("*.docx")})
            found.append((renderer, context, md, docx))
    return found


_CONTEXTS: list = []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                HealthCheck.function_scoped_fixture])
@given(st.data())
def test_every_bundled_template_with_random_data_reaches_no_callable_off_the_allow_list(monkeypatch, data):
    if not _CONTEXTS:
        _CONTEXTS.extend(_contexts())
    renderer, context, md, docx = data.draw(st.sampled_from(_CONTEXTS))
    rng = random.Random(data.draw(st.integers(0, 2**32)))      # one draw: the data is large, its changes many
    changed = {k: _perturb(v, rng) for k, v in context.items()}
    if changed["projects"]:
        changed["item"] = changed["projects"][0]
    recorder = Recorder(monkeypatch)
    images = dict(changed["charts"])
    info = DocInfo("t", "a", __import__("datetime").datetime(2024, 1, 1))
    rendered = 0
    for stem in md:
        try:
            renderer.md(stem, changed, "图表")
            rendered += 1
        except TemplateProblem as problem:
            assert "Traceback" not in str(problem)
    for stem in docx:
        try:
            renderer.docx(stem, changed, images, info)
            rendered += 1
        except TemplateProblem as problem:
            assert "Traceback" not in str(problem)
    assert not recorder.bad, recorder.bad
    assert recorder.reads > 100 and rendered                 # the templates really ran over the data
