"""The command line's parameter types: each refuses a bad value with one Chinese line naming the option and what to
write (click's own number, range, choice and checked-path types answer in English)."""
from __future__ import annotations

import math
import os
import unicodedata
from pathlib import Path

import click

from .problems import os_reason

# A name the system cannot hold: longer than a file name may be (one part of a path), or than a path may be.
NAME_MAX, PATH_MAX = 255, 4095
KEEP_DAYS = (1 / 24, 36500)     # at least one hour (the cleanup runs every few minutes), at most a century


def _shown(value: object, limit: int = 40) -> str:
    """A value as quoted in a message: a pasted 5 000-character name is cut, not printed whole."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 个字符）"


def path_problem(value: object) -> str | None:
    """Why a path cannot be a file or folder name on this system (too long), or None: said before any file call
    answers in the system's English (“File name too long”)."""
    raw = os.fsencode(str(value))
    longest = max((len(part) for part in raw.split(b"/")), default=0)
    if longest > NAME_MAX:
        return f"名字太长（其中一段有 {longest} 字节，系统最多允许 {NAME_MAX} 字节，约 85 个汉字）"
    if len(raw) > PATH_MAX:
        return f"路径太长（共 {len(raw)} 字节，系统最多允许 {PATH_MAX} 字节）"
    return None


def _plain(value: object) -> str:
    """Typed digits as Python reads them: full-width forms (２、．) made half-width, spaces around removed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


class Count(click.ParamType):
    """A whole number within bounds (how many processes, units at once), refused in Chinese otherwise."""

    name = "整数"

    def __init__(self, what: str, example: str, low: int = 1, high: int = 256) -> None:
        self.what, self.example, self.low, self.high = what, example, low, high

    def convert(self, value, param, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(_plain(value))
            except ValueError:
                self.fail(f"“{_shown(value)}”不是整数：请写{self.what}，如 {self.example}", param, ctx)
        if number < self.low:
            self.fail(f"“{_shown(value)}”小于 {self.low}：{self.what}至少为 {self.low}，如 {self.example}", param, ctx)
        if number > self.high:
            self.fail(f"“{_shown(value)}”大于 {self.high}：{self.what}最多为 {self.high}，如 {self.example}", param, ctx)
        return number


class Days(click.ParamType):
    """A retention time in days: finite, at least an hour; “3天” is read as 3 (the option's own unit, one reading)."""

    name = "天数"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            days = float(value)
        else:
            try:
                days = float(_plain(value).removesuffix("天").strip())
            except ValueError:
                self.fail(f"“{_shown(value)}”不是天数：请写保留的天数，如 --keep-days 30（可带小数，0.5 为半天）", param, ctx)
        if not math.isfinite(days):
            self.fail(f"“{_shown(value)}”不是有限的天数：请写保留的天数，如 --keep-days 30", param, ctx)
        if days < KEEP_DAYS[0]:
            self.fail(f"“{_shown(value)}”太短：至少保留 1 小时（1/24 天，约 0.042 天），如 --keep-days 30", param, ctx)
        if days > KEEP_DAYS[1]:
            self.fail(f"“{_shown(value)}”超过 {KEEP_DAYS[1]:g} 天（100 年）：请写实际要保留的天数，如 --keep-days 365", param, ctx)
        return days


class Folder(click.ParamType):
    """A folder to write into: it may not exist yet, but it must not be a file and its name must fit the system."""

    name = "文件夹"

    def __init__(self, example: str = "-o outputs") -> None:
        self.example = example

    def convert(self, value, param, ctx):
        if not str(value).strip():
            self.fail(f"文件夹名是空的：请给出文件夹，如 {self.example}", param, ctx)
        problem = path_problem(value)
        if problem:
            self.fail(f"文件夹“{_shown(value)}”的{problem}：请用短一些的名字，如 {self.example}", param, ctx)
        path = Path(value)
        try:
            if path.exists() and not path.is_dir():
                self.fail(f"“{_shown(value)}”是一个文件，不是文件夹：请给出文件夹，如 {self.example}", param, ctx)
            for parent in path.parents:
                if parent.exists() and not parent.is_dir():
                    self.fail(f"“{_shown(value)}”的上级“{_shown(parent)}”是一个文件：请给出文件夹，如 {self.example}", param, ctx)
        except OSError as exc:
            self.fail(f"无法使用文件夹“{_shown(value)}”（{os_reason(exc)}）：请换一个文件夹，如 {self.example}", param, ctx)
        return path


class NewFile(click.ParamType):
    """A file to write (a workbook): not a folder, a name the system can hold."""

    name = "文件"

    def __init__(self, example: str) -> None:
        self.example = example

    def convert(self, value, param, ctx):
        if not str(value).strip():
            self.fail(f"文件名是空的：请给出文件名，如 {self.example}", param, ctx)
        problem = path_problem(value)
        if problem:
            self.fail(f"文件“{_shown(value)}”的{problem}：请用短一些的名字，如 {self.example}", param, ctx)
        path = Path(value)
        try:
            if path.is_dir():
                self.fail(f"“{_shown(value)}”是一个文件夹：请给出文件名，如 {self.example}", param, ctx)
        except OSError as exc:
            self.fail(f"无法使用“{_shown(value)}”（{os_reason(exc)}）：请换一个文件名，如 {self.example}", param, ctx)
        return path


class Port(click.ParamType):
    """A TCP port, 1–65535."""

    name = "端口"

    def convert(self, value, param, ctx):
        try:
            number = int(str(value).strip())
        except ValueError:
            self.fail(f"“{value}”不是端口号：请写 1～65535 之间的整数，如 --port 8000", param, ctx)
        if not 1 <= number <= 65535:
            self.fail(f"“{value}”不在 1～65535 之间：请换一个端口，如 --port 8080", param, ctx)
        return number


class InputFile(click.ParamType):
    """An existing input file (.xlsx or .yaml)."""

    name = "文件"

    def convert(self, value, param, ctx):
        problem = path_problem(value)
        if problem:
            self.fail(f"文件“{_shown(value)}”的{problem}：请检查路径和文件名", param, ctx)
        path = Path(value)
        try:
            if not path.exists():
                self.fail(f"找不到文件“{_shown(value)}”：请检查路径和文件名", param, ctx)
            if path.is_dir():
                self.fail(f"“{_shown(value)}”是一个文件夹：请给出填报文件（.xlsx 或 .yaml）", param, ctx)
        except OSError as exc:
            self.fail(f"无法读取“{_shown(value)}”（{os_reason(exc)}）：请检查路径和文件名", param, ctx)
        return path
