"""Checks: findings about a computed report, each naming the place in the input and what to do."""
from __future__ import annotations

from ..compute import Results
from ..problems import Problem
from .scoring import scoring_findings


def run_checks(results: Results) -> list[Problem]:
    """Every finding of every rule, in input order within each rule."""
    return [*scoring_findings(results)]
