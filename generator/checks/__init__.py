"""Checks: the rule engine and its rules — findings about a computed report, each naming the place in the input and what to do.

Rules are pure: they read `Results` (and the model it carries) and return `Problem`s; nothing here does I/O.
Importing the rule modules registers their rules in `RULES`, in the order their findings are listed.
"""
from __future__ import annotations

from . import sums, projects, stated, scoring, plausibility, narrative, wording  # noqa: F401  (registers the rules)
from .engine import RULES, Rule, rule_by_code, run_checks

__all__ = ["RULES", "Rule", "rule_by_code", "run_checks"]
