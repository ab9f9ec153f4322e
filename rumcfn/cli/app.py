"""The ``rumcfn`` command group, where each command lives, and the entry point.

A command's module is imported only when that command runs (or ``--help`` lists them all): ``rumcfn
--version`` loads click alone, ``rumcfn synth`` what builds a template and nothing of boto3 or cfn-lint.

Ctrl-C exits 130 and SIGTERM (a CI job cancelled) 143, 128 plus the signal's number as a shell reports it;
SIGTERM unwinds like Ctrl-C, so a command stopped before it changed anything undoes what it started (a
change set) and says so in its one line.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import signal
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import click

from rumcfn.errors import Interrupted, RumcfnError, Terminated
from rumcfn.text import printable
from rumcfn.version import __version__

#: Which module of :mod:`rumcfn.cli` holds each command (its ``COMMANDS`` tuple has the command itself).
COMMANDS = {
    "init": "init",
    "synth": "template",
    "lint": "template",
    "snippet": "template",
    "diagram": "template",
    "deploy": "deploy",
    "diff": "deploy",
    "outputs": "deploy",
    "destroy": "deploy",
    "servicecatalog": "deploy",
    "import": "deploy",
    "budgets": "budgets",
    "restore-snippet": "restore",
    "doctor": "doctor",
    "csp": "doctor",
    "sourcemaps": "sourcemaps",
}
#: The collector's young-generation threshold while the console command runs (CPython's default: 700 objects). What
#: a run allocates mostly lives until it exits (modules, classes, a template, cfn-lint's schemas), so collecting
#: every 700 allocations freed little and took about 6 % of a ``synth``'s CPU time (``python bench/synth_parts.py
#: DIR 700`` shows it) and about a tenth of a ``lint``'s. The collector stays on: a long ``deploy`` or ``doctor``
#: still frees its cycles.
YOUNG_GC_THRESHOLD = 50_000
#: What a shell reports for a process a signal ended: 128 + the signal's number.
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM


@dataclass(frozen=True)
class Wiring:
    """What :func:`run` hands every command (click's context object): ``aws`` makes the
    ``rumcfn.aws.session.Aws`` from ``region=``, ``profile=`` and ``endpoint_url=`` (None: ``Aws`` itself; tests
    pass a factory of stubbed or moto clients, small timeouts and a clock that never sleeps)."""

    aws: Callable[..., Any] | None = None


class Commands(click.Group):
    """Commands imported on first use; a Ctrl-C nothing below handled is still one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"rumcfn.cli.{COMMANDS[name]}")
        return next(command for command in module.COMMANDS if command.name == name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None


def examples(*lines: str) -> str:
    """The end of a command's ``--help``: a few command lines (click keeps them as written after ``\\b``)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(
    cls=Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=examples("rumcfn init --monitor.domains shop.example.com --script.bucket shop-site",
                    "rumcfn synth -o template.json", "rumcfn lint template.json"),
)
@click.version_option(__version__, prog_name="rumcfn")
def main() -> None:
    """Emit one CloudFormation template for CloudWatch RUM monitoring of a website."""


@contextlib.contextmanager
def sigterm_unwinds() -> Iterator[list[int]]:
    """While the block runs, SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``) where the program is;
    the list it yields records that it came. Outside the main thread signals are left alone."""
    received: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        received.append(signum)
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield received
        return
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(argv: list[str] | None = None, *, aws: Callable[..., Any] | None = None) -> int:
    """Entry point: every failure is one line on stderr; usage errors exit 2, others 1, Ctrl-C 130, SIGTERM 143.

    ``aws`` makes the ``rumcfn.aws.session.Aws`` of AWS commands from their ``--region``, ``--profile`` and
    ``--endpoint-url`` (default: ``Aws``); tests pass stubbed or moto clients this way."""
    with sigterm_unwinds() as terminated:
        code, message = _run(argv, aws)
    if terminated:  # whatever the command made of it (an interrupt, a "no" to its question), SIGTERM ended it
        code, message = EXIT_TERMINATED, f"SIGTERM: {message or 'interrupted'}"
    if message:
        click.echo(f"rumcfn: error: {message}", err=True)
    return code


def _run(argv: list[str] | None, aws: Callable[..., Any] | None) -> tuple[int, str]:
    """The exit code, and the one line to print (without its ``rumcfn: error:``), "" for none."""
    try:
        main.main(args=argv, prog_name="rumcfn", standalone_mode=False, obj=Wiring(aws=aws))
    except RumcfnError as error:
        return error.exit_code, printable(str(error))
    except click.exceptions.Abort:
        return EXIT_INTERRUPTED, "interrupted"
    except click.ClickException as error:
        return error.exit_code, error.format_message()
    except click.exceptions.Exit as exit_:
        return exit_.exit_code, ""
    return 0, ""


def collect_seldom() -> tuple[int, ...]:
    """Raise the young-generation threshold to :data:`YOUNG_GC_THRESHOLD`; the thresholds it replaced."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *before[1:])
    return before


def entry() -> None:
    """The console script (``rumcfn``, ``python -m rumcfn``): :func:`run`, collecting seldom. Then everything the
    run made is frozen (``gc.freeze``): the interpreter's exit collects every generation once more, and scanning
    what the process is about to drop anyway took about a fifth of a ``synth``'s or a ``lint``'s time."""
    before = collect_seldom()
    try:
        code = run()
    finally:
        gc.set_threshold(*before)
    gc.freeze()
    sys.exit(code)
