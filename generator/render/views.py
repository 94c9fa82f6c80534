"""What a pack's template may hold: plain, read-only views of the package's data (mappings with attribute access,
tuples, Decimal, dates, strings), made from models and dataclasses by one generic conversion, never the objects."""
from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

SCALARS: frozenset[type] = frozenset({str, Markup, int, float, bool, Decimal, date, datetime, type(None)})
"""Values a template receives as they are: their reachable methods are the few the sandbox lists."""

MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
"""The methods of a mapping view a template may call (all read-only)."""


class View(Mapping):
    """A record or a mapping as a template sees it: fields by attribute (`unit.name`) or by key (`finance['收入总计']`),
    frozen, comparing and hashing by content; no method of the object it was made from.

    A record's fields are made plain when first read (a document reads a small part of a package), each once; the
    view is the same whatever is read first, and whole once it is compared, hashed, listed or printed."""

    __slots__ = ("_items", "_hash", "_source")

    def __init__(self, items: dict[Any, Any], source: _Source | None = None) -> None:
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_hash", None)
        object.__setattr__(self, "_source", source)

    def _field(self, key: Any) -> Any:
        items = object.__getattribute__(self, "_items")
        try:
            return items[key]
        except KeyError:
            source = object.__getattribute__(self, "_source")
            if source is None:
                raise
            return source.fill(items, key)

    def _whole(self) -> dict[Any, Any]:
        source = object.__getattribute__(self, "_source")
        if source is not None:
            items = object.__getattribute__(self, "_items")
            for name in source.order:
                if name not in items:
                    try:
                        source.fill(items, name)
                    except KeyError:
                        pass
            object.__setattr__(self, "_items", {name: items[name] for name in source.order if name in items})
            object.__setattr__(self, "_source", None)
        return object.__getattribute__(self, "_items")

    def __getattr__(self, name: str) -> Any:
        try:
            return self._field(name)
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError("模板数据是只读的")

    def __delattr__(self, name: str) -> None:
        raise TypeError("模板数据是只读的")

    def __getitem__(self, key: Any) -> Any:
        return self._field(key)

    def __iter__(self):
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def __contains__(self, key: object) -> bool:
        try:
            self._field(key)
        except KeyError:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if isinstance(other, View):
            return self._whole() == other._whole()
        return isinstance(other, Mapping) and self._whole() == dict(other.items())

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(tuple(self._whole().items())))
        return self._hash

    def __repr__(self) -> str:
        return f"View({self._whole()!r})"

    def __reduce__(self):
        return (View, (dict(self._whole()),))


class _Source:
    """What a record's view is made from: the object, its field names in order, what EXTRA adds for its class, and
    the conversion it belongs to (its memo, so an object reached from two places is one view; the parts it tracks)."""

    __slots__ = ("obj", "order", "names", "fields", "extra", "memo", "parts", "absent")

    def __init__(self, obj: Any, extra: Mapping[str, Any] | None, memo: dict[int, tuple[Any, Any]],
                 parts: Mapping[int, tuple[str, frozenset[str]]]) -> None:
        self.obj, self.extra, self.memo, self.parts, self.absent = obj, extra, memo, parts, None
        self.order, self.fields = _record_names(type(obj))
        self.names = self.fields
        if extra:
            self.order = self.order + tuple(n for n in extra if n not in self.fields)
            self.names = self.fields | frozenset(extra)

    def fill(self, items: dict[Any, Any], key: Any) -> Any:
        """The field `key` made plain into `items`; KeyError when the record has none. A property that cannot be
        computed for this value is none (the template sees none), unless EXTRA gives the name."""
        if key not in self.names or (self.absent is not None and key in self.absent):
            raise KeyError(key)
        try:
            raw = getattr(self.obj, key) if key in self.fields else self.extra[key]
        except Exception:
            if not self.extra or key not in self.extra:
                self.absent = (self.absent or set()) | {key}
                raise KeyError(key) from None
            raw = self.extra[key]
        value = items[key] = _convert(raw, self.memo, self.parts)
        return value


READS: ContextVar[set[str] | None] = ContextVar("jxzp_reads", default=None)
"""While a document is rendered (generate.py), what it read of the package's parts (see Tracked); None otherwise."""


class Tracked(View):
    """A view of one part of a package — a project (its index) or the department — that notes, while a document
    is rendered, what the document reads of it: "3" for project 3's figures and names, "3.problems" for one of its
    free texts (`texts`), "3.*" when the view is used whole (compared, hashed, printed). A document is made again
    only when what it read changed, so editing one project's 存在问题 does not redo a table that never shows it.

    Its keys are fixed by its class (a model's fields), so asking whether a key exists notes nothing."""

    __slots__ = ("_part", "_texts")

    def __init__(self, items: dict[Any, Any], part: str, texts: frozenset[str] = frozenset(),
                 source: _Source | None = None) -> None:
        super().__init__(items, source)
        object.__setattr__(self, "_part", part)
        object.__setattr__(self, "_texts", texts)

    def _note(self, name: Any = None) -> None:
        reads = READS.get()
        if reads is not None:
            texts = object.__getattribute__(self, "_texts")
            part = object.__getattribute__(self, "_part")
            whole = name == "*" or (type(name) is str and name in texts)
            reads.add(f"{part}.{name}" if whole else part)

    def __getattr__(self, name: str) -> Any:
        self._note(name)
        return super().__getattr__(name)

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return self._field(key)

    def __iter__(self):
        self._note()
        return super().__iter__()

    def __len__(self) -> int:
        self._note()
        return super().__len__()

    def __eq__(self, other: object) -> bool:
        self._note("*")
        if isinstance(other, Tracked):
            other._note("*")
        return super().__eq__(other)

    def __hash__(self) -> int:
        self._note("*")          # the hash is kept: the view's contents are not looked at again to make it
        return super().__hash__()

    def __repr__(self) -> str:
        self._note("*")
        return super().__repr__()

    def __reduce__(self):
        self._note("*")
        return (Tracked, (dict(self._whole()), self._part, self._texts))


class Items(tuple):
    """A sequence as a template sees it: a tuple whose items are already plain (so it is not converted again)."""

    __slots__ = ()


class Helper:
    """A function Python hands to templates (total, ratio, table, figure…): callable, nothing else reachable; what
    it returns is made plain too."""

    __slots__ = ("_function",)

    def __init__(self, function: Callable[..., Any]) -> None:
        object.__setattr__(self, "_function", function)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return plain(self._function(*args, **kwargs))

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError("模板数据是只读的")

    def __repr__(self) -> str:
        return f"Helper({getattr(self._function, '__name__', '?')})"


EXTRA: dict[type, Callable[[Any], Mapping[str, Any]]] = {}
"""Attributes a class answers besides its fields and properties (e.g. through __getattr__), by class."""

_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, partial)


@lru_cache(maxsize=None)
def _properties(cls: type) -> tuple[str, ...]:
    """The public properties a class defines itself (not pydantic's or object's): computed values templates use."""
    names: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        if klass in (object, BaseModel) or klass.__module__.startswith("pydantic"):
            continue
        for name, member in vars(klass).items():
            if isinstance(member, property) and not name.startswith("_"):
                names[name] = None
    return tuple(names)


@lru_cache(maxsize=None)
def _record_names(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
    """A record's fields and properties in order, and as a set."""
    if issubclass(cls, BaseModel):      # not the fields a model keeps out of its data (exclude: where values were typed)
        fields = [*(n for n, f in cls.model_fields.items() if not f.exclude), *cls.model_computed_fields]
    else:
        fields = [f.name for f in dataclasses.fields(cls)]
    order = tuple(dict.fromkeys([n for n in fields if not n.startswith("_")] + list(_properties(cls))))
    return order, frozenset(order)


def plain(value: Any, memo: dict[int, tuple[Any, Any]] | None = None,
          parts: Mapping[int, tuple[str, frozenset[str]]] | None = None) -> Any:
    """`value` as template data: models and dataclasses become Views of their fields and properties, mappings
    Views, sequences tuples, enums their value, anything unknown its text; each object converted once per memo
    (the objects are kept in the memo, so an id is never reused while it lives). A record whose id `parts` names
    becomes a Tracked view of that part (name, free-text fields)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    return _convert(value, {} if memo is None else memo, parts or {})


def _convert(value: Any, memo: dict[int, tuple[Any, Any]], parts: Mapping[int, tuple[str, frozenset[str]]]) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, enum.Enum):
        return _convert(value.value, memo, parts)
    if isinstance(value, (str, int, float, Decimal, date)):   # a subclass: its plain value, not its methods
        if isinstance(value, Markup):
            return Markup(str(value))
        if isinstance(value, datetime):
            return datetime(*value.timetuple()[:6], value.microsecond)
        if isinstance(value, date):
            return date(value.year, value.month, value.day)
        return next(t for t in (bool, str, int, float, Decimal) if isinstance(value, t))(value)
    found = memo.get(id(value))
    if found is not None:
        return found[1]
    if isinstance(value, BaseModel) or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        extra: dict[str, Any] | None = None
        for klass, more in EXTRA.items():
            if isinstance(value, klass):
                extra = {**more(value), **(extra or {})}
        source = _Source(value, extra, memo, parts)
        part = parts.get(id(value))
        result: Any = View({}, source) if part is None else Tracked({}, *part, source=source)
    elif isinstance(value, Mapping):
        result = View({_key(k): _convert(v, memo, parts) for k, v in value.items()})
    elif isinstance(value, (list, tuple, range)):
        result = Items(_convert(v, memo, parts) for v in value)
    elif isinstance(value, (set, frozenset)):
        converted = [_convert(v, memo, parts) for v in value]
        try:
            result = Items(sorted(converted))       # the same order in every process: same input, same bytes
        except TypeError:
            result = Items(sorted(converted, key=repr))
    elif hasattr(type(value), "__html__"):
        result = Markup(value.__html__())
    elif isinstance(value, _FUNCTIONS):
        result = Helper(value)
    else:
        result = str(value)
    memo[id(value)] = (value, result)
    return result


_PLAIN = frozenset(SCALARS | {View, Tracked, Items, Helper})


def _key(key: Any) -> Any:
    if isinstance(key, enum.Enum):
        key = key.value
    return key if type(key) in SCALARS else str(key)


def template_context(context: Mapping[str, Any],
                     parts: Mapping[int, tuple[str, frozenset[str]]] | None = None) -> dict[str, Any]:
    """A render's variables made plain: values already plain (most of a package's) pass untouched; the objects
    `parts` names (by id) become Tracked views."""
    memo: dict[int, tuple[Any, Any]] = {}
    return {name: plain(value, memo, parts) for name, value in context.items()}
