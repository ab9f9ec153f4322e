"""``rumcfn restore-snippet``: write rum.js again exactly as the deployed stack wrote it."""

from __future__ import annotations

import click

from rumcfn.cli.options import aws_options, checked, examples
from rumcfn.config.formats import STACK_NAME_OR_ID


@click.command("restore-snippet", epilog=examples(
    "rumcfn restore-snippet --stack-name shop-rum",
    "rumcfn restore-snippet --stack-name shop-rum --check",
))
@click.option("--stack-name", required=True, callback=checked(STACK_NAME_OR_ID), help="The deployed rumcfn stack.")
@aws_options
@click.option("--check", is_flag=True, help="Only compare: exit 1 when rum.js is missing or differs.")
def restore_snippet(stack_name: str, aws, check: bool) -> None:
    """Write rum.js again exactly as the stack wrote it (e.g. after `aws s3 sync --delete`)."""
    from rumcfn.aws.restore import current_content, read_script, write_script
    from rumcfn.errors import CheckFailed

    script = read_script(aws, stack_name)
    if check:
        now = current_content(aws, script)
        if now != script.content.encode("utf-8"):
            state = "missing" if now is None else "different from the stack's snippet"
            raise CheckFailed(f"{script.uri} is {state}; run rumcfn restore-snippet --stack-name {stack_name}")
        click.echo(f"{script.uri} matches stack {stack_name}")
        return
    etag = write_script(aws, script)
    click.echo(f"restored {script.uri} from stack {stack_name} ({len(script.content.encode())} bytes, ETag {etag})")


COMMANDS = (restore_snippet,)
