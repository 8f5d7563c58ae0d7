"""Helpers shared by the benchmark scripts: repeated runs, a table, a ratio."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def summary(values: Sequence[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def table(rows: list[tuple[str, Sequence[float], str]]) -> str:
    """Rows of (name, samples, unit) as a fixed-width table of median, min and max."""
    lines = [f"{'measure':<44} {'median':>10} {'min':>10} {'max':>10}  unit", "-" * 84]
    for name, samples, unit in rows:
        median, low, high = summary(samples)
        lines.append(f"{name:<44} {median:>10.3f} {low:>10.3f} {high:>10.3f}  {unit}")
    return "\n".join(lines)
