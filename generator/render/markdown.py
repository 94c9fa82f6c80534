"""Markdown output: a pack's .md.j2 templates rendered in the sandbox, marked table cells merged, spacing tidied."""
from __future__ import annotations


def tidy(text: str) -> str:
    """At most one blank line in a row, no trailing spaces but Markdown's hard breaks, one newline at the end."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip() and lines and not lines[-1].strip():
            continue
        lines.append(line.rstrip() if not line.endswith("  ") else line)
    return "\n".join(lines).strip() + "\n"
