"""A handler of ``handlers/`` as inlined into ``Code.ZipFile``: comments and docstrings stripped.

Every byte counts against the 51,200-byte inline template limit, so the inlined text is the handler
without comments, docstrings and blank lines, indented one space per block. Stripping takes
``tokenize`` two passes over the file, the largest part of ``rumcfn synth``'s own work when it ran on every
run; so the stripped text ships beside the handler (``<file>.inlined``, written by ``make inline``)
with the SHA-256 of the source it was made from, and is used only while that digest matches. An
edited handler without a fresh copy is stripped here, as before: the output never depends on
which path made it, and tests/unit/stack/test_inline.py fails on a stale copy.

    python -m rumcfn.stack.inline     # rewrite every handlers/<file>.inlined
"""

from __future__ import annotations

import functools
import hashlib
import io
import tokenize

from rumcfn.resources import resource_dir

#: The suffix of a handler's stripped copy, beside it in ``handlers/``.
SUFFIX = ".inlined"


def digest_line(source: bytes) -> str:
    """The first line of a stripped copy: the digest of the source it was made from."""
    return f"# sha256 {hashlib.sha256(source).hexdigest()}"


@functools.cache
def inline_handler(filename: str) -> str:
    """``handlers/<filename>`` as inlined: the shipped stripped copy when it was made from this source."""
    source = (resource_dir("handlers") / filename).read_bytes()
    copy = resource_dir("handlers") / (filename + SUFFIX)
    if copy.is_file():
        digest, _, text = copy.read_text(encoding="utf-8").partition("\n")
        if digest == digest_line(source):
            return text
    return strip(filename, source.decode("utf-8"))


def strip(filename: str, source: str) -> str:
    """``source`` as inlined, under a first line that says what it is."""
    return f"# rumcfn {filename}, comments stripped\n" + reindent(compact(source))


def compact(source: str) -> str:
    """``source`` without comments, docstrings (unless one is a block's only statement) and blank lines."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    significant = [t for t in tokens if t.type not in (tokenize.COMMENT, tokenize.NL)]
    spans = [(t.start, t.end) for t in tokens if t.type == tokenize.COMMENT]
    starts = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    for i, tok in enumerate(significant):
        statement_start = i == 0 or significant[i - 1].type in starts
        alone = i + 2 < len(significant) and significant[i + 1].type == tokenize.NEWLINE \
            and significant[i + 2].type in (tokenize.DEDENT, tokenize.ENDMARKER)
        if tok.type == tokenize.STRING and statement_start and not alone:
            spans.append((tok.start, tok.end))
    lines = source.splitlines()
    for (first, col), (last, end_col) in sorted(spans, reverse=True):
        if first == last:
            lines[first - 1] = lines[first - 1][:col] + lines[first - 1][end_col:]
        else:
            lines[first - 1 : last] = [lines[first - 1][:col]] + [""] * (last - first - 1) + [lines[last - 1][end_col:]]
    return "".join(line.rstrip() + "\n" for line in lines if line.strip())


def reindent(source: str) -> str:
    """``source`` indented one space per block (Python wants consistency, not four spaces); a line that
    continues a bracket gets one more; the inside of a multi-line string is left alone."""
    depth, at_start, indents, keep = 0, True, {}, set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.INDENT:
            depth += 1
        elif tok.type == tokenize.DEDENT:
            depth -= 1
        elif tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER):
            at_start = at_start or tok.type == tokenize.NEWLINE
        else:
            indents.setdefault(tok.start[0], depth + (not at_start))
            keep.update(range(tok.start[0] + 1, tok.end[0] + 1))
            at_start = False
    lines = source.splitlines(keepends=True)
    return "".join(line if row in keep or row not in indents else " " * indents[row] + line.lstrip(" ")
                   for row, line in enumerate(lines, 1))


def stripped_copy(filename: str) -> str:
    """The text of ``handlers/<filename>.inlined`` for the handler as it is now."""
    source = (resource_dir("handlers") / filename).read_bytes()
    return f"{digest_line(source)}\n{strip(filename, source.decode('utf-8'))}"


def write_stripped_copies() -> list[str]:
    """Rewrite the stripped copy of every handler; the names of those that changed."""
    changed = []
    for handler in sorted(resource_dir("handlers").glob("*.py")):
        copy = handler.with_name(handler.name + SUFFIX)
        text = stripped_copy(handler.name)
        if not copy.is_file() or copy.read_text(encoding="utf-8") != text:
            copy.write_text(text, encoding="utf-8")
            changed.append(copy.name)
    return changed


if __name__ == "__main__":  # pragma: no cover - `make inline`
    for name in write_stripped_copies():
        print(f"wrote handlers/{name}")
