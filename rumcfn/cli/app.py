"""The ``rumcfn`` command group, its registration of every command module, and the entry point.

boto3 and cfn-lint take seconds to import, so only the commands that need them import them.
"""

from __future__ import annotations

import sys

import click

from rumcfn.cli import budgets, deploy, doctor, init, restore, sourcemaps, template
from rumcfn.cli.options import examples
from rumcfn.errors import RumcfnError
from rumcfn.text import printable
from rumcfn.version import __version__


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=examples("rumcfn init --monitor.domains shop.example.com --script.bucket shop-site",
                    "rumcfn synth -o template.json", "rumcfn lint template.json"),
)
@click.version_option(__version__, prog_name="rumcfn")
def main() -> None:
    """Emit one CloudFormation template for CloudWatch RUM monitoring of a website."""


for module in (init, template, deploy, budgets, restore, doctor, sourcemaps):  # each command module lists its COMMANDS
    for command in module.COMMANDS:
        main.add_command(command)


def run(argv: list[str] | None = None) -> int:
    """Entry point: every failure is one line on stderr; usage errors exit 2, others 1."""
    try:
        main.main(args=argv, prog_name="rumcfn", standalone_mode=False)
    except RumcfnError as error:
        click.echo(f"rumcfn: error: {printable(str(error))}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("rumcfn: aborted", err=True)
        return 130
    except click.ClickException as error:
        click.echo(f"rumcfn: error: {error.format_message()}", err=True)
        return error.exit_code
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    return 0


def entry() -> None:
    sys.exit(run())
