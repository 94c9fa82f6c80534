"""The local web page for preparers: upload a filled workbook, read the findings, generate, download."""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
