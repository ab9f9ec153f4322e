"""Plain text for terminals and CI logs: aligned tables (change sets, stack instances, the budget report), and
text from outside made printable on one line."""

from __future__ import annotations

import re
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


#: C0, DEL, C1, U+2028/U+2029, and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
#: U+2066-U+2069).
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, unprintable: re.Pattern = UNPRINTABLE) -> str:
    """Text from outside (a page, a file name, an AWS answer) safe on one terminal line: every character that
    could break or disguise a line (a control character, a line separator, a bidirectional override) shown as
    a visible escape (``\\x1b``, ``\\u2028``), so no line can be made to look like rumcfn's or a CI command.
    ``unprintable`` names other characters to escape the same way (those a format cannot hold)."""
    return unprintable.sub(_escape, text)


def clipped(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters; a cut one ends in "..." so a reader knows there was more."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
