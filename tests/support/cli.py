"""rumcfn's command line in this process, with the AWS it talks to passed in: ``rumcfn.cli.run(argv, aws=factory)``.

Nothing is monkeypatched: the factory makes the command's ``Aws`` from its ``--region``, ``--profile`` and
``--endpoint-url``, with the clients (Stubber or moto), timeouts, attempts, page cap and clock the test chose.
The fixture ``invoke`` (``fixtures.py``) runs a command and captures what it printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rumcfn.aws.session import Aws
from tests.support import SITE_FLAGS
from tests.support.aws import instant_poller


@dataclass(frozen=True)
class Ran:
    """A command's exit code and what it printed."""

    code: int
    out: str
    err: str

    @property
    def line(self) -> str:
        """The one line on stderr (fails when there is not exactly one, or a traceback)."""
        assert "Traceback" not in self.err, self.err
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        return lines[0]


def aws_with(clients: dict[str, Any] | None = None, **options: Any) -> Callable[..., Aws]:
    """A factory for ``run(argv, aws=...)``: the command's flags, plus ``clients`` (made on demand when a service
    is missing) and ``options`` (``timeout``, ``max_attempts``, ``max_pages``, ``pollers``). Waits for
    CloudFormation never sleep unless ``pollers`` says otherwise."""
    options.setdefault("pollers", instant_poller)

    def make(**flags: Any) -> Aws:
        return Aws(clients=clients if clients is not None else {}, **options, **flags)

    return make


def subcommands(group: Any) -> dict[str, Any]:
    """A click group's commands by name (the lazy ``rumcfn`` group imports each module as it is asked)."""
    return {name: group.get_command(None, name) for name in group.list_commands(None)}


def invoke_with(capsys: Any) -> Callable[..., Ran]:
    def invoke(*args: str, aws: Callable[..., Aws] | None = None) -> Ran:
        from rumcfn.cli import run

        code = run(list(args), aws=aws)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return invoke


TEMPLATE = "t.json"
#: Every command that calls AWS, as a user runs it (``--region`` and ``--endpoint-url`` are added), from a
#: directory :func:`lay_out` prepared.
AWS_COMMANDS = {
    "outputs": ("outputs", "--stack-name", "site"),
    "deploy": ("deploy", "--stack-name", "site", "--template-file", TEMPLATE, "--yes"),
    "deploy-built": ("deploy", "--stack-name", "site", "--yes", *SITE_FLAGS),
    "deploy-stack-set": ("deploy", "--stack-set", "rum", "--template-file", TEMPLATE, "--accounts", "111111111111",
                         "--regions", "us-east-1"),
    "diff": ("diff", "--stack-name", "site", "--template-file", TEMPLATE),
    "destroy": ("destroy", "--stack-name", "site", "--yes"),
    "restore-snippet": ("restore-snippet", "--stack-name", "site"),
    "restore-snippet-check": ("restore-snippet", "--stack-name", "site", "--check"),
    "budgets-stack": ("budgets", "check", "--stack-name", "site"),
    "budgets-monitor": ("budgets", "check", "--monitor.name", "shop"),
    "publish": ("servicecatalog", "publish", "--product-name", "RUM", "--portfolio-id", "port-abc", "--version", "v1",
                "--s3-bucket", "templates", "--template-file", TEMPLATE),
    "sourcemaps": ("sourcemaps", "upload", "maps", "--release-id", "r1", "--s3-uri", "s3://maps"),
    "sourcemaps-stack": ("sourcemaps", "upload", "maps", "--release-id", "r1", "--stack-name", "site"),
    "doctor": ("doctor", "--stack-name", "site"),
}


def lay_out(directory: Any) -> None:
    """What the commands read: a small template and a build with one source map."""
    import json

    from tests.support.aws import small_template

    (directory / TEMPLATE).write_text(small_template("Topic"))
    (directory / "maps").mkdir(exist_ok=True)
    source_map = {"version": 3, "file": "a.js", "sources": ["a.ts"], "names": [], "mappings": "AAAA"}
    (directory / "maps" / "a.js.map").write_text(json.dumps(source_map))
