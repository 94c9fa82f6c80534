"""Zip members with nothing of the moment in them (a fixed time, mode and system), so the same content always gives
the same archive bytes. The Word writer's own fast path (render/docx_fast.py) writes the same fixed date."""
from __future__ import annotations

import io
import zipfile

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def member(name: str, *, stored: bool = False) -> zipfile.ZipInfo:
    """A member named `name`, deflated (or stored, for what is already compressed), dated 1980-01-01, mode 0644."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = 3                    # as on Linux and macOS, whatever system writes it
    info.external_attr = 0o644 << 16
    return info


def restamped(data: bytes, order=None, edit=None) -> bytes:
    """The archive `data` again with every member made by member(): in `order(names)` if given, each member's bytes
    passed through `edit(name, body)` if given."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in (order(names) if order else names):
            body = source.read(name)
            target.writestr(member(name), edit(name, body) if edit else body)
    return out.getvalue()
