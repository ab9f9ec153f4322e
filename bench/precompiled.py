"""``rumcfn`` with the methods ``dataclasses`` writes for each class compiled once and kept in a file: an experiment
the bench runs, never shipped. It shows what ``synth`` would cost if no process compiled those methods again.

    python bench/precompiled.py CACHE ARGS...   # runs ``rumcfn ARGS...``; CACHE: the file that keeps the code

Python 3.11 writes each dataclass's ``__init__``, ``__repr__``, ``__eq__``, ``__setattr__`` ... as source and
compiles each with its own ``exec``, in every process (3.13 combines one class's into one ``exec``: CPython
gh-109870). Here ``exec`` in the ``dataclasses`` module is a function that takes the compiled code from CACHE
(a marshal of source -> code), and every class is still made by ``dataclasses`` itself.
"""

from __future__ import annotations

import marshal
import sys

del sys.path[0]  # bench/ holds modules named like libraries' (cli, timing): rumcfn must not see them
cache = sys.argv[1]
try:
    with open(cache, "rb") as kept:
        codes = marshal.load(kept)
except FileNotFoundError:
    codes = {}
compiled = len(codes)


def cached_exec(source, globals=None, locals=None):  # noqa: A002 - exec's own parameter names
    code = codes.get(source)
    if code is None:
        code = codes[source] = compile(source, "<string>", "exec")
    exec(code, globals, locals)


import dataclasses  # noqa: E402

dataclasses.exec = cached_exec  # the module's own name is found before the builtin

from rumcfn.cli import entry  # noqa: E402

sys.argv = ["rumcfn", *sys.argv[2:]]
try:
    entry()
finally:
    if len(codes) > compiled:
        with open(cache, "wb") as kept:
            marshal.dump(codes, kept)
