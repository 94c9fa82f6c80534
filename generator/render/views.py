"""What a pack's template may hold: plain, read-only views of the package's data (mappings with attribute access,
tuples, Decimal, dates, strings), made from models and dataclasses by one generic conversion, never the objects."""
from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Callable, Mapping
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
    frozen, comparing and hashing by content; no method of the object it was made from."""

    __slots__ = ("_items", "_hash")

    def __init__(self, items: dict[Any, Any]) -> None:
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_hash", None)

    def __getattr__(self, name: str) -> Any:
        try:
            return object.__getattribute__(self, "_items")[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError("模板数据是只读的")

    def __delattr__(self, name: str) -> None:
        raise TypeError("模板数据是只读的")

    def __getitem__(self, key: Any) -> Any:
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __eq__(self, other: object) -> bool:
        if isinstance(other, View):
            return self._items == other._items
        return isinstance(other, Mapping) and self._items == dict(other.items())

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(tuple(self._items.items())))
        return self._hash

    def __repr__(self) -> str:
        return f"View({self._items!r})"

    def __reduce__(self):
        return (View, (self._items,))


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
def _record_fields(cls: type) -> tuple[str, ...]:
    if issubclass(cls, BaseModel):
        fields = [*cls.model_fields, *cls.model_computed_fields]
    else:
        fields = [f.name for f in dataclasses.fields(cls)]
    return tuple(dict.fromkeys([n for n in fields if not n.startswith("_")] + list(_properties(cls))))


def plain(value: Any, memo: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """`value` as template data: models and dataclasses become Views of their fields and properties, mappings
    Views, sequences tuples, enums their value, anything unknown its text; each object converted once per memo
    (the objects are kept in the memo, so an id is never reused while it lives)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    return _convert(value, {} if memo is None else memo)


def _convert(value: Any, memo: dict[int, tuple[Any, Any]]) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, enum.Enum):
        return _convert(value.value, memo)
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
        items: dict[Any, Any] = {}
        for name in _record_fields(kind):
            try:
                items[name] = getattr(value, name)
            except Exception:      # a property that cannot be computed for this value: the template sees none
                continue
        for klass, extra in EXTRA.items():
            if isinstance(value, klass):
                for name, item in extra(value).items():
                    items.setdefault(name, item)
        result: Any = View({k: _convert(v, memo) for k, v in items.items()})
    elif isinstance(value, Mapping):
        result = View({_key(k): _convert(v, memo) for k, v in value.items()})
    elif isinstance(value, (list, tuple, range)):
        result = Items(_convert(v, memo) for v in value)
    elif isinstance(value, (set, frozenset)):
        converted = [_convert(v, memo) for v in value]
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


_PLAIN = frozenset(SCALARS | {View, Items, Helper})


def _key(key: Any) -> Any:
    if isinstance(key, enum.Enum):
        key = key.value
    return key if type(key) in SCALARS else str(key)


def template_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A render's variables made plain: values already plain (most of a package's) pass untouched."""
    memo: dict[int, tuple[Any, Any]] = {}
    return {name: plain(value, memo) for name, value in context.items()}
