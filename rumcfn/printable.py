"""Text from outside (a page, a file name, an AWS answer) made safe to print on one terminal line.

Control characters (C0, DEL, C1), the Unicode line and paragraph separators and the bidirectional
overrides become visible escapes (``\\x1b``, ``\\u2028``): an ESC can no longer drive the terminal, a
line break can no longer start a line that looks like rumcfn's (or a CI runner's command), and
right-to-left overrides can no longer reorder what is shown.
"""

from __future__ import annotations

import re

#: C0, DEL, C1, U+2028/U+2029, and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
#: U+2066-U+2069).
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character that could break or disguise a line shown as an escape."""
    return UNPRINTABLE.sub(_escape, text)
