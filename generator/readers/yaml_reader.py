"""Read a YAML input (Chinese keys, comments allowed) into the raw tree, remembering the line of every value."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..problems import InputError, Problem, Severity


def read_yaml(path: Path) -> tuple[Any, dict[tuple, str], list[Problem]]:
    """The plain tree, its places (file:line) and the problems found while reading."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(name, [Problem(Severity.ERROR, name, "文件不是 UTF-8 编码：请用记事本或编辑器另存为 UTF-8 后重试", "encoding")],
                         unreadable=True) from None
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise InputError(name, [Problem(Severity.ERROR, f"{name}:{line}",
                                        f"栏目名重复：{_first_line(exc.problem)}。同一层级每个栏目只能写一次，请删除或合并", "yaml-duplicate")],
                         unreadable=True) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise InputError(name, [Problem(Severity.ERROR, f"{name}:{line}",
                                        f"YAML 格式错误（{_first_line(exc.problem or exc.context or '')}）：请检查这一行及上一行的缩进、冒号和引号", "yaml-syntax")],
                         unreadable=True) from None
    except YAMLError as exc:
        raise InputError(name, [Problem(Severity.ERROR, name, f"YAML 无法读取：{_first_line(str(exc))}", "yaml-syntax")],
                         unreadable=True) from None
    places: dict[tuple, str] = {}
    plain = _walk(data, (), places, name)
    return plain, places, []


def _first_line(text: str) -> str:
    return str(text).strip().splitlines()[0] if str(text).strip() else ""


def _walk(node: Any, path: tuple, places: dict[tuple, str], name: str) -> Any:
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            key_s = str(key).strip()
            try:
                line, _col = node.lc.value(key)
            except (KeyError, TypeError, AttributeError):
                line, _col = node.lc.key(key)
            places[(*path, key_s)] = f"{name}:{line + 1}"
            out[key_s] = _walk(value, (*path, key_s), places, name)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, value in enumerate(node):
            line, _col = node.lc.item(i)
            places[(*path, i)] = f"{name}:{line + 1}"
            out_list.append(_walk(value, (*path, i), places, name))
        return out_list
    if isinstance(node, str):
        return str(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    return node
