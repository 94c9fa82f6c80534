"""Read a YAML input (Chinese keys, comments allowed) into the raw tree, remembering the line of every value."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml as yaml_c
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from ..problems import InputError, Problem, Severity

# What the parser says → what the preparer reads; the parser's own words only when none of these fits.
_SYNTAX_HINTS = (
    ("'\\t'", "这一行有制表符（Tab），请改用空格缩进"),
    ("could not find expected ':'", "缺少冒号，请写成“名称: 值”（英文冒号后留一个空格）"),
    ("mapping values are not allowed here", "这一行多了冒号或缩进不对，文字中含有冒号时请给整段文字加引号"),
    ("found unexpected end of stream", "引号没有成对，请补上另一半引号"),
    ("expected <block end>", "缩进不一致，同一层的栏目请用空格对齐"),
    ("did not find expected key", "缩进不一致，同一层的栏目请用空格对齐"),
)
# Contexts whose mark, not the problem's, is the line the preparer got wrong (the key without its colon,
# the opening quote).
_CONTEXT_FIRST = ("while scanning a simple key", "while scanning a quoted scalar")


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps dates as text: 2024-02-30 then reads as a date problem with its line,
    not as an exception inside the parser; the builder parses dates of every reader the same way."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def read_yaml(path: Path, careful: bool = False) -> tuple[Any, dict[tuple, str], list[Problem]]:
    """The plain tree, its places (file:line) and the problems found while reading.

    libyaml reads well-formed files; the round-trip reader (`careful`, and whenever libyaml cannot) explains
    what is wrong with the others.
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(name, [Problem(Severity.ERROR, name, "文件不是 UTF-8 编码：请用记事本或编辑器另存为 UTF-8 后重试", "encoding")],
                         unreadable=True) from None
    fast = None if careful else _read_fast(text, name)
    if fast is not None:
        return fast[0], fast[1], []
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        data = yaml.load(text)
    except RecursionError:
        raise _too_deep(name, 0) from None
    except ReaderError as exc:
        line = text.count("\n", 0, max(0, exc.position)) + 1
        raise InputError(name, [Problem(Severity.ERROR, f"{name}:{line}",
                                        f"这一行有不可见的控制字符 U+{exc.character:04X}，YAML 文件不能含有：请删除这个字符"
                                        "（常见于从其他软件粘贴的文字）", "yaml-control-char")],
                         unreadable=True) from None
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        found = re.search(r'duplicate key "(.*?)"', str(exc.problem))
        key = f"“{found.group(1)}”" if found else ""
        raise InputError(name, [Problem(Severity.ERROR, f"{name}:{line}",
                                        f"栏目{key}在同一层级写了两次，请删除或合并其中一处", "yaml-duplicate")],
                         unreadable=True) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context in _CONTEXT_FIRST and exc.context_mark is not None:
            mark = exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = _first_line(exc.problem or exc.context or "")
        hint = next((h for marker, h in _SYNTAX_HINTS if marker in problem), None)
        message = (f"YAML 格式错误：{hint}" if hint
                   else f"YAML 格式错误（{problem}），请检查这一行及上一行的缩进、冒号和引号")
        raise InputError(name, [Problem(Severity.ERROR, f"{name}:{line}", message, "yaml-syntax")],
                         unreadable=True) from None
    except YAMLError as exc:
        raise InputError(name, [Problem(Severity.ERROR, name, f"YAML 无法读取：{_first_line(str(exc))}", "yaml-syntax")],
                         unreadable=True) from None
    places: dict[tuple, str] = {}
    try:
        plain = _walk(data, (), places, name, set())
    except RecursionError:
        raise _too_deep(name, 0) from None
    return plain, places, []


_SAFE = yaml_c.constructor.SafeConstructor()
MAX_DEPTH = 40    # the input's own structure is at most 6 levels deep


def _too_deep(name: str, line: int) -> InputError:
    return InputError(name, [Problem(Severity.ERROR, f"{name}:{line}" if line else name,
                                     f"填报文件的层级超过 {MAX_DEPTH} 层，不是填报表的结构：请按示例文件的格式填写", "yaml-depth")],
                      unreadable=True)
# YAML 1.1 sexagesimal, octal, hex and binary integers: kept as text ("0x1F" is no amount a preparer means),
# so the builder says the value is not a number.
_NUMBER_LIKE_TEXT = re.compile(r"[:]|^[+-]?0(?:\d|[xXbBoO])")


def _read_fast(text: str, name: str) -> tuple[Any, dict[tuple, str]] | None:
    """libyaml's parser, about ten times faster than the round-trip one; None when the file needs the careful
    reader (any syntax problem, a duplicate key, an unusual tag), which then says what is wrong in Chinese."""
    try:
        return _from_events(text, name)
    except (_Unusual, yaml_c.YAMLError, RecursionError):
        pass    # anything but plain keys, texts, numbers, lists and mappings: the node tree below says what
    try:
        root = yaml_c.compose(text, Loader=_FastLoader)
    except yaml_c.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):
            # libyaml stops at 1000 levels; the round-trip reader would take minutes to say the same
            raise _too_deep(name, exc.problem_mark.line + 1 if exc.problem_mark else 0) from None
        return None
    except yaml_c.YAMLError:
        return None
    except RecursionError:
        raise _too_deep(name, 0) from None
    places: dict[tuple, str] = {}
    try:
        return _node(root, (), places, name, set()), places
    except _Unusual:
        return None


class _Unusual(Exception):
    """A construct the fast path leaves to the round-trip reader."""


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _from_events(text: str, name: str) -> tuple[Any, dict[tuple, str]]:
    """The plain tree and its places straight from libyaml's events, for a file of plain keys, scalars, lists and
    mappings: the same tree and places as composing the node tree and walking it (_node), without holding a node
    and two marks for every value of the file (a 20,000-project file's node tree alone took most of a gigabyte).
    _Unusual for anything else — an anchor, an alias, an explicit tag, a duplicate or non-text key, a second
    document, nesting deeper than MAX_DEPTH — which the node tree then handles."""
    loader = _FastLoader(text)
    try:
        get = loader.get_event
        get()                                           # stream start
        event = get()
        if isinstance(event, yaml_c.StreamEndEvent):
            return None, {}
        places: dict[tuple, str] = {}
        # Open collections: [container, its path, the key awaiting its value (mappings)]
        stack: list[list[Any]] = []
        root: Any = None
        while True:
            event = get()
            kind = event.__class__
            if kind is yaml_c.MappingEndEvent or kind is yaml_c.SequenceEndEvent:
                stack.pop()
                if stack:
                    continue
                break
            if kind not in _NODE_EVENTS or event.anchor is not None or event.tag is not None:
                raise _Unusual
            if stack:
                top = stack[-1]
                container = top[0]
                if container.__class__ is dict:
                    if top[2] is None:                  # this scalar is a key
                        if kind is not yaml_c.ScalarEvent or \
                                loader.resolve(_Scalar, event.value, event.implicit) == _MERGE_TAG:
                            raise _Unusual
                        key = str(event.value).strip()
                        if key in container:
                            raise _Unusual
                        top[2] = key
                        continue
                    path = (*top[1], top[2])
                else:
                    path = (*top[1], len(container))
                places[path] = f"{name}:{event.start_mark.line + 1}"
                if len(path) > MAX_DEPTH:
                    raise _Unusual
            else:
                path = ()
            if kind is yaml_c.ScalarEvent:
                value = _scalar(loader.resolve(_Scalar, event.value, event.implicit), event.value)
            else:
                value = {} if kind is yaml_c.MappingStartEvent else []
            if stack:
                top = stack[-1]
                if top[0].__class__ is dict:
                    top[0][top[2]] = value
                    top[2] = None
                else:
                    top[0].append(value)
            else:
                root = value
            if kind is not yaml_c.ScalarEvent:
                stack.append([value, path, None])
            elif not stack:
                break
        if not isinstance(get(), yaml_c.DocumentEndEvent) or not isinstance(get(), yaml_c.StreamEndEvent):
            raise _Unusual                              # a second document
        return root, places
    finally:
        loader.dispose()


def _aliased(name: str, line: int) -> InputError:
    return InputError(name, [Problem(Severity.ERROR, f"{name}:{line}",
                                     "填报文件中使用了 YAML 锚点或别名（& 或 *）：请把引用的内容直接写出来", "yaml-alias")],
                      unreadable=True)


_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "null", "bool", "int", "float", "timestamp", "map", "seq")}


def _tagged(name: str, line: int, tag: str) -> InputError:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return InputError(name, [Problem(Severity.ERROR, f"{name}:{line}",
                                     f"填报文件中使用了 YAML 标记“{shown}”，已拒绝：填报文件只需要文字、数字、列表和栏目，请删除这个标记",
                                     "yaml-tag")],
                      unreadable=True)


def _node(node, path: tuple, places: dict[tuple, str], name: str, seen: set[int]) -> Any:
    if node is None:
        return None
    if node.tag not in _PLAIN_TAGS:
        # An explicit tag (!!python/object/apply, !!set, !!binary, !custom) asks a loader to build objects;
        # an input has no use for them and they are refused, not guessed at.
        raise _tagged(name, node.start_mark.line + 1, node.tag)
    if len(path) > MAX_DEPTH:
        raise _too_deep(name, node.start_mark.line + 1)
    if isinstance(node, (yaml_c.MappingNode, yaml_c.SequenceNode)):
        # An alias is the same node met twice; expanding aliases of aliases (a "billion laughs" file) would
        # never end, and a preparer's file has no use for them.
        if id(node) in seen:
            raise _aliased(name, node.start_mark.line + 1)
        seen.add(id(node))
    # A text or an empty value one level down is taken as it stands, without a call per cell: most of a large file.
    shallow = len(path) < MAX_DEPTH
    if isinstance(node, yaml_c.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml_c.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise _Unusual
            key = str(key_node.value).strip()
            if key in out:
                raise _Unusual              # duplicate key: the careful reader names it
            sub = (*path, key)
            places[sub] = f"{name}:{value_node.start_mark.line + 1}"
            if shallow and value_node.__class__ is _Scalar and value_node.tag in _AS_IS:
                out[key] = _AS_IS[value_node.tag](value_node.value)
            else:
                out[key] = _node(value_node, sub, places, name, seen)
        return out
    if isinstance(node, yaml_c.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            sub = (*path, i)
            places[sub] = f"{name}:{item.start_mark.line + 1}"
            if shallow and item.__class__ is _Scalar and item.tag in _AS_IS:
                items.append(_AS_IS[item.tag](item.value))
            else:
                items.append(_node(item, sub, places, name, seen))
        return items
    return _scalar(node.tag, node.value)


def _scalar(tag: str, value: str) -> Any:
    """A plain scalar's value by its resolved tag: dates and YAML 1.1 number forms stay text."""
    if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
        return str(value)
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _SAFE.construct_yaml_bool(_Scalar(tag, value)) if value.lower() in ("true", "false") else str(value)
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        if _NUMBER_LIKE_TEXT.search(value):
            return str(value)
        node = _Scalar(tag, value)
        return _SAFE.construct_yaml_int(node) if tag.endswith("int") else _SAFE.construct_yaml_float(node)
    raise _Unusual


_Scalar = yaml_c.ScalarNode
_NODE_EVENTS = frozenset({yaml_c.ScalarEvent, yaml_c.MappingStartEvent, yaml_c.SequenceStartEvent})
_AS_IS: dict[str, Any] = {"tag:yaml.org,2002:str": str, "tag:yaml.org,2002:timestamp": str,
                          "tag:yaml.org,2002:null": lambda _value: None}
"""Scalars _node returns without looking further: texts (dates stay text) and empty values."""


class _FastLoader(getattr(yaml_c, "CSafeLoader", yaml_c.SafeLoader)):   # type: ignore[misc]
    """libyaml's safe loader resolving plain scalars with one table lookup: a text whose first character no implicit
    type can start with (any Chinese text) is a string without trying the patterns; the same tags as the stock
    resolver, which took a third of the parse."""

    def resolve(self, kind, value, implicit):
        if kind is _Scalar and implicit[0] and not self.yaml_path_resolvers:
            patterns = _PATTERNS.get(value[0] if value else "", _WILDCARD)
            for tag, regexp in patterns:
                if regexp.match(value):
                    return tag
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


_WILDCARD = list(_FastLoader.yaml_implicit_resolvers.get(None, []))
_PATTERNS = {first: list(patterns) + _WILDCARD for first, patterns in _FastLoader.yaml_implicit_resolvers.items()
             if first is not None}


def _first_line(text: str) -> str:
    return str(text).strip().splitlines()[0] if str(text).strip() else ""


def _line_of(places: dict[tuple, str], path: tuple) -> int:
    where = places.get(path, "").rpartition(":")[2]
    return int(where) if where.isdigit() else 0


def _walk(node: Any, path: tuple, places: dict[tuple, str], name: str, seen: set[int]) -> Any:
    tag = getattr(getattr(node, "tag", None), "value", None)
    if tag is not None and tag not in _PLAIN_TAGS:
        raise _tagged(name, _line_of(places, path), tag)
    if isinstance(node, TaggedScalar):
        return str(node.value)
    if isinstance(node, (CommentedMap, CommentedSeq)):
        line = getattr(getattr(node, "lc", None), "line", 0) or 0
        if id(node) in seen:
            raise _aliased(name, line + 1)
        if len(path) > MAX_DEPTH:
            raise _too_deep(name, line + 1)
        seen.add(id(node))
    if isinstance(node, CommentedMap):
        if getattr(node, "merge", None):     # "<<: *name" copies an anchored mapping: an alias by another name
            raise _aliased(name, line + 1)
        out = {}
        for key, value in node.items():
            key_s = str(key).strip()
            try:
                # An empty value has no token of its own: the round-trip reader gives the next token's line,
                # libyaml the key's; the key's line is where the value is to be filled.
                line, _col = node.lc.key(key) if value is None else node.lc.value(key)
            except (KeyError, TypeError, AttributeError):
                line, _col = node.lc.key(key)
            places[(*path, key_s)] = f"{name}:{line + 1}"
            out[key_s] = _walk(value, (*path, key_s), places, name, seen)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, value in enumerate(node):
            line, _col = node.lc.item(i)
            places[(*path, i)] = f"{name}:{line + 1}"
            out_list.append(_walk(value, (*path, i), places, name, seen))
        return out_list
    if isinstance(node, str):
        return str(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if node is None:
        return None
    raise _tagged(name, _line_of(places, path), "!!" + {"CommentedSet": "set", "bytes": "binary"}.get(
        type(node).__name__, type(node).__name__))
