"""Where one ``rumcfn synth -o FILE`` spends its CPU time beyond the floor's imports; run in a fresh interpreter.

    python bench/synth_parts.py DIR THRESHOLD  # prints one JSON object: part -> seconds of CPU time, the class count

Each part is timed in the order a ``synth`` process meets it: the floor's imports, then rumcfn's own (and the
troposphere and awacs modules the stack needs), then the command itself in process (``rumcfn.cli.run``). While
rumcfn's modules import, ``dataclasses`` is watched to count the classes it creates and the time that takes; the
jinja2 templates the stack renders are compiled ahead of the command and timed on their own. The whole process runs
at the collector's young-generation THRESHOLD, as the console script runs its commands
(``rumcfn.cli.app.YOUNG_GC_THRESHOLD``), and the time the collector takes is a part of its own.
"""

from __future__ import annotations

import gc
import json
import sys
import time

clock = time.process_time
parts: dict[str, float] = {}
gc.set_threshold(int(sys.argv[2]), *gc.get_threshold()[1:])
collecting = {"seconds": 0.0, "since": 0.0}


def collector(phase: str, _info: dict) -> None:
    if phase == "start":
        collecting["since"] = clock()
    else:
        collecting["seconds"] += clock() - collecting["since"]


gc.callbacks.append(collector)

started = clock()
import awacs  # noqa: E402,F401,I001 - the floor, as bench/cli.py names it
import click  # noqa: E402,F401
import jinja2  # noqa: E402,F401
import troposphere  # noqa: E402,F401

parts["floor: import troposphere, awacs, click, jinja2"] = clock() - started

import dataclasses  # noqa: E402

created = {"classes": 0, "seconds": 0.0}
process_class = dataclasses._process_class  # the stdlib's one place every @dataclass goes through


def timed(*args, **kwargs):
    begun = clock()
    try:
        return process_class(*args, **kwargs)
    finally:
        created["classes"] += 1
        created["seconds"] += clock() - begun


dataclasses._process_class = timed
started = clock()
import rumcfn.cli.template  # noqa: E402,F401
import rumcfn.stack.assemble  # noqa: E402,F401
import rumcfn.template.output  # noqa: E402,F401

parts["rumcfn's imports (and the troposphere/awacs modules the stack uses)"] = clock() - started
dataclasses._process_class = process_class
parts["of which: creating the dataclasses"] = created["seconds"]

from rumcfn.resources import jinja_env  # noqa: E402

started = clock()
for name in ("rum.js.j2", "canary.js.j2"):
    jinja_env().get_template(name)
parts["compiling the jinja2 templates (rum.js, canary)"] = clock() - started

from rumcfn.cli import run  # noqa: E402

started = clock()
code = run(["synth", "-o", f"{sys.argv[1]}/template.json"])
parts["the command: settings, build, JSON, write"] = clock() - started
parts["of all these: collecting garbage"] = collecting["seconds"]
print(json.dumps({"parts": parts, "classes": created["classes"], "exit": code}))
