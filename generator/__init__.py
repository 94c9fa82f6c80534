"""jxzp: from one filled workbook to a unit's complete budget-performance self-evaluation package."""
from __future__ import annotations

__version__ = "0.1.0"
