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


def restamped(data: bytes, edit=None, drop: frozenset[str] = frozenset()) -> bytes:
    """The archive `data` again, every member made by member(), [Content_Types].xml first and the rest by name (as
    Office packages are read), without the members in `drop`, each member's bytes passed through `edit(name, body)`
    if given."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted((n for n in source.namelist() if n not in drop), key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            body = source.read(name)
            target.writestr(member(name), edit(name, body) if edit else body)
    return out.getvalue()
