"""Problems found in an input: where, what, what to do — collected, then reported together."""
from __future__ import annotations

import errno
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    """How serious a problem is: an error stops generation, a warning and a hint do not."""

    ERROR = "错误"
    WARNING = "警告"
    HINT = "提示"


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.HINT: 2}


@dataclass(frozen=True)
class Problem:
    """One finding about an input, worded for the preparer."""

    severity: Severity
    place: str
    message: str
    code: str = ""
    details: tuple[str, ...] = ()
    """The breakdown behind the one-line message (the parts of a sum and their cells), shown folded under it."""
    path: str = ""
    """The model path of the figure the finding is about (projects.1.funds.actual.carryover); empty when unknown."""
    cause: str = ""
    """The place of the finding this one follows from (a 元 amount breaks the sums it is part of); empty for a root."""
    root: bool = False
    """True for a finding other findings follow from: it is listed, and fixed, first."""

    def __str__(self) -> str:
        return f"{self.place}：{self.message}" if self.place else self.message

    def as_dict(self) -> dict[str, object]:
        return {"级别": self.severity.value, "位置": self.place, "说明": self.message, "代码": self.code,
                "详情": list(self.details), "起因": self.cause}


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """The one to fix first comes first: each root cause, directly followed by what follows from it; then errors,
    warnings and hints, the reader's order within each."""
    by_severity = sorted(problems, key=lambda p: _ORDER[p.severity])
    roots = [p for p in by_severity if p.root]
    out: list[Problem] = []
    for root in roots:
        out.append(root)
        out += [p for p in by_severity if p.cause and p.cause == root.place and not p.root]
    placed = {id(p) for p in out}
    return out + [p for p in by_severity if id(p) not in placed]


@dataclass
class Problems:
    """A collector readers and checks append to, so that all problems of a file are reported at once."""

    items: list[Problem] = field(default_factory=list)

    def error(self, place: str, message: str, code: str = "", path: str = "") -> None:
        self.items.append(Problem(Severity.ERROR, place, message, code, path=path))

    def warning(self, place: str, message: str, code: str = "", path: str = "") -> None:
        self.items.append(Problem(Severity.WARNING, place, message, code, path=path))

    def hint(self, place: str, message: str, code: str = "") -> None:
        self.items.append(Problem(Severity.HINT, place, message, code))

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.items)


class InputError(Exception):
    """The input cannot be turned into a model; carries every problem found (not just the first)."""

    def __init__(self, source: str, problems: list[Problem], unreadable: bool = False, report=None) -> None:
        self.source = source
        self.problems = problems
        self.unreadable = unreadable
        self.report = report
        """The model built from everything readable, when the problems leave one (a blank 分值 does not stop the
        other checks); None when nothing could be built."""
        super().__init__("\n".join(str(p) for p in problems))


_OS_REASONS = {
    errno.ENOENT: "路径不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.ENOSPC: "磁盘已满",
    errno.EROFS: "磁盘是只读的", errno.ENOTDIR: "路径中有一段是文件而不是文件夹", errno.EISDIR: "这是一个文件夹",
    errno.ENAMETOOLONG: "文件名太长", errno.EEXIST: "已有同名文件", errno.EBUSY: "文件正被占用",
    errno.EDQUOT: "超出磁盘配额",
}


def os_reason(exc: OSError) -> str:
    """Why the system refused a file operation, in Chinese (the system's own words are English)."""
    return _OS_REASONS.get(exc.errno, f"系统错误 {exc.errno}" if exc.errno else "系统错误")
