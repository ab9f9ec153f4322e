"""Plain-text tables: aligned columns for terminals and CI logs (change sets, stack instances, the budget report)."""

from __future__ import annotations

from typing import Any, Iterable, Sequence


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None, rules: bool = True) -> str:
    """Left-aligned columns two spaces apart; empty cells as "-"; ``rules`` frames the header with dashes."""
    rows = [["-" if cell in (None, "") else str(cell) for cell in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    if not rules:
        return "\n".join(([title] if title else []) + [line(headers)] + [line(r) for r in rows])
    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    out = ([title] if title else []) + [rule, line(headers), rule] + [line(r) for r in rows] + [rule]
    return "\n".join(out)
