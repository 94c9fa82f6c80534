"""Renderers: computed results → document views → .docx (docxtpl), .md (Jinja2) and chart images."""
from __future__ import annotations
