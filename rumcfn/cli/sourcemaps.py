"""``rumcfn sourcemaps upload``: put a build's source maps where CloudWatch RUM reads them."""

from __future__ import annotations

from pathlib import Path

import click

from rumcfn.cli.options import aws_options, examples
from rumcfn.contract import Outputs


@click.group(epilog=examples("rumcfn sourcemaps upload dist --release-id 2026.12.02-1 --stack-name shop-rum"))
def sourcemaps() -> None:
    """JavaScript source maps for unminified error stack traces."""


@sourcemaps.command(epilog=examples(
    "rumcfn sourcemaps upload dist --release-id 2026.12.02-1 --stack-name shop-rum",
    "rumcfn sourcemaps upload dist --release-id r42 --s3-uri s3://shop-maps/app --region eu-west-1 --dry-run",
))
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--release-id", required=True, help="The release the maps belong to (snippet.release_id of that build).")
@click.option("--stack-name", help=f"The deployed rumcfn stack (its {Outputs.SOURCE_MAPS_S3_URI} output says where).")
@click.option("--s3-uri", help="Where the monitor reads source maps (s3://bucket/prefix), instead of --stack-name.")
@click.option("--dry-run", is_flag=True, help="Check the maps and show what would be uploaded; change nothing.")
@aws_options
def upload(directory: Path, release_id: str, stack_name: str | None, s3_uri: str | None, dry_run: bool, aws) -> None:
    """Upload DIRECTORY's *.map files for the release --release-id names (unchanged ones are skipped)."""
    from rumcfn.aws.sourcemaps import upload as upload_maps

    summary = upload_maps(aws, directory, release_id, s3_uri=s3_uri, stack_name=stack_name, dry_run=dry_run,
                          echo=click.echo)
    click.echo(summary.line())


COMMANDS = (sourcemaps,)
