"""Whole-process costs: ``rumcfn synth``, ``rumcfn lint`` and the import of the package."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import Stats, process

BIN = Path(sys.executable).parent


def rumcfn_argv(*args: str) -> list[str]:
    script = BIN / "rumcfn"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "rumcfn", *args]


def compiled() -> None:
    """Byte-compile rumcfn as ``pip install`` does for an installed package (an editable install, or
    ``PYTHONDONTWRITEBYTECODE``, leaves the sources uncompiled, and every process would compile them again)."""
    import compileall

    import rumcfn

    compileall.compile_dir(Path(rumcfn.__file__).parent, quiet=1)


def synth(runs: int) -> dict[str, Stats]:
    """``rumcfn synth -o FILE`` from an empty directory (the built-in example), and ``--version``."""
    with tempfile.TemporaryDirectory() as tmp:
        return {
            "python -c pass": process([sys.executable, "-c", "pass"], runs, cwd=tmp),
            "rumcfn --version": process(rumcfn_argv("--version"), runs, cwd=tmp),
            "rumcfn synth -o template.json": process(rumcfn_argv("synth", "-o", "template.json"), runs, cwd=tmp),
            "rumcfn synth --format yaml -o template.yaml": process(
                rumcfn_argv("synth", "--format", "yaml", "-o", "template.yaml"), runs, cwd=tmp
            ),
        }


#: Each command and the floor it is held to: the imports it cannot do without, in a bare interpreter.
SYNTH_FLOOR = "troposphere, awacs, click, jinja2"
FLOORS = {
    "rumcfn synth -o template.json": f"python -c 'import {SYNTH_FLOOR}'",
    "rumcfn --version": "python -c 'import click'",
}
#: What the floor leaves ``synth`` (measured in the same loop, held to the same floor): the floor with the
#: troposphere and awacs modules of the resources the stack makes, and ``synth`` with the methods ``dataclasses``
#: writes compiled once and kept (``bench/precompiled.py``, an experiment).
STACK_MODULES = "the floor and the stack's troposphere/awacs modules"
PRECOMPILED = "rumcfn synth -o template.json, dataclass methods kept compiled (bench/precompiled.py)"


def stack_modules(tmp: str) -> list[str]:
    """The troposphere and awacs modules a ``synth`` of the built-in example has imported when it ends."""
    code = ("import sys; from rumcfn.cli import run; run(['synth', '-o', 'template.json']); "
            "print(*sorted(m for m in sys.modules if m.startswith(('troposphere.', 'awacs.'))))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp, capture_output=True, text=True, check=True)
    return done.stdout.split()


def against_floors(runs: int) -> tuple[dict[str, Stats], dict[str, Stats], int]:
    """Each command of :data:`FLOORS` and its floor, and the two of :data:`STACK_MODULES` and
    :data:`PRECOMPILED`, run by turns (command, floor, command, floor ...) so that all see the same machine:
    wall-clock times, the CPU time (user + system) each process used, which other work on a busy machine
    inflates far less, and how many troposphere/awacs modules the stack's floor imports."""
    import resource
    import time

    with tempfile.TemporaryDirectory() as tmp:
        modules = stack_modules(tmp)
        argv: dict[str, list[str]] = {}
        for command, floor in FLOORS.items():  # each command, then its floor
            argv[command] = rumcfn_argv(*shlex.split(command)[1:])
            argv[floor] = [sys.executable, *shlex.split(floor)[1:]]
        argv[STACK_MODULES] = [sys.executable, "-c", f"import {SYNTH_FLOOR}, {', '.join(modules)}"]
        argv[PRECOMPILED] = [sys.executable, str(Path(__file__).with_name("precompiled.py")), f"{tmp}/codes", "synth",
                             "-o", "template.json"]
        wall: dict[str, list[float]] = {name: [] for name in argv}
        cpu: dict[str, list[float]] = {name: [] for name in argv}
        for name in argv:  # warm the file cache (and fill the experiment's)
            subprocess.run(argv[name], cwd=tmp, capture_output=True, check=True)
        for _ in range(runs):
            for name in argv:
                before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
                subprocess.run(argv[name], cwd=tmp, capture_output=True, check=True)
                wall[name].append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return ({name: Stats(tuple(v)) for name, v in wall.items()}, {name: Stats(tuple(v)) for name, v in cpu.items()},
            len(modules))


def synth_parts(runs: int) -> tuple[dict[str, Stats], int]:
    """``bench/synth_parts.py`` in ``runs`` fresh interpreters: CPU seconds per part of a ``synth`` (medians), and
    how many dataclasses rumcfn's imports create."""
    import json

    from rumcfn.cli.app import YOUNG_GC_THRESHOLD

    samples: dict[str, list[float]] = {}
    classes = 0
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            done = subprocess.run([sys.executable, str(Path(__file__).with_name("synth_parts.py")), tmp,
                                   str(YOUNG_GC_THRESHOLD)],
                                  capture_output=True, text=True, check=True, cwd=tmp)
            result = json.loads(done.stdout.splitlines()[-1])
            classes = result["classes"]
            for part, seconds in result["parts"].items():
                samples.setdefault(part, []).append(seconds)
    return {part: Stats(tuple(v)) for part, v in samples.items()}, classes


def lint(runs: int) -> dict[str, Stats]:
    """``rumcfn lint template.json`` as a whole process (cfn-lint loads its rules every time)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(rumcfn_argv("synth", "-o", "template.json"), cwd=tmp, check=True, capture_output=True)
        return {"rumcfn lint template.json": process(rumcfn_argv("lint", "template.json"), runs, cwd=tmp)}


def import_time(runs: int) -> dict[str, Stats]:
    """Interpreter start alone, and with ``import rumcfn.cli`` / ``import rumcfn`` (the API)."""
    return {
        "python -c pass": process([sys.executable, "-c", "pass"], runs),
        "python -c 'import rumcfn.cli'": process([sys.executable, "-c", "import rumcfn.cli"], runs),
        "python -c 'import rumcfn.stack.assemble'": process(
            [sys.executable, "-c", "import rumcfn.stack.assemble"], runs
        ),
    }


LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def import_breakdown(module: str = "rumcfn.cli", top: int = 12, runs: int = 5) -> list[tuple[str, float, float]]:
    """``python -X importtime``: the heaviest top-level packages and rumcfn modules,
    (name, self ms, cumulative ms), median over ``runs`` processes. Cumulative times nest."""
    from statistics import median

    seen: dict[str, list[tuple[int, int]]] = {}
    for _ in range(runs):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True
        ).stderr
        for match in LINE.finditer(err):
            self_us, cumulative_us, name = int(match[1]), int(match[2]), match[4]
            if "." not in name or name.startswith("rumcfn."):
                seen.setdefault(name, []).append((self_us, cumulative_us))
    rows = [(name, median(s for s, _ in v) / 1e3, median(c for _, c in v) / 1e3) for name, v in seen.items()]
    return sorted(rows, key=lambda row: -row[2])[:top]
