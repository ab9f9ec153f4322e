"""``rumcfn sourcemaps upload``: a build's ``*.map`` files into S3 where CloudWatch RUM reads them.

AWS's guide ("Enabling unminification of JavaScript error stack traces") sets the rules checked here:
Source Map V3 JSON with ``version``, ``file``, ``sources``, ``names`` and ``mappings``; at most 50 MB
each; a release id of 1-200 letters, digits and ``_ - : / .`` that the web client sends as
``releaseId``; a bucket in the monitor's region. Maps go under ``<S3 URI>/<release id>/``, keeping
their paths inside the build directory. Each object carries its SHA-256, so an unchanged map is
skipped on the next run.

Source Map V3 itself makes ``file`` optional ("an optional name of the generated code"), and esbuild and
Terser leave it out; RUM requires it, so a map without it is uploaded with ``file`` set to the map's name less
``.map`` (``main.js.map`` -> ``main.js``), the script it belongs to. Nothing else in the map changes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from rumcfn.aws.errors import translated
from rumcfn.aws.session import Aws
from rumcfn.aws.stacks import get_outputs
from rumcfn.config import SettingsError
from rumcfn.config.delivery import RELEASE_ID
from rumcfn.config.formats import S3_URI
from rumcfn.contract import Outputs
from rumcfn.errors import UsageError
from rumcfn.text import printable

#: "Make sure the size of each source map does not exceed the limit of 50 MB" (AWS's guide).
MAX_BYTES = 50 * 1024 * 1024
#: Source Map V3's fields AWS requires, and the JSON type each must have.
REQUIRED = {"version": int, "file": str, "sources": list, "names": list, "mappings": str}
#: Required by RUM but optional in Source Map V3: filled in from the map's name when missing.
FILLED = "file"
OUTPUT = Outputs.SOURCE_MAPS_S3_URI
#: Above this many maps, each line carries a counter.
PROGRESS_FROM = 20

Echo = Callable[[str], None]


@dataclass(frozen=True)
class SourceMap:
    """A checked map; ``size`` and ``sha256`` are those of what is uploaded (:func:`body`)."""

    path: Path
    relative: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Summary:
    uri: str
    uploaded: int
    unchanged: int
    dry_run: bool

    def line(self) -> str:
        verb = "would upload" if self.dry_run else "uploaded"
        return f"{verb} {self.uploaded}, unchanged {self.unchanged} source map(s) in {self.uri}"


def body(path: Path) -> bytes:
    """What is uploaded for the map at ``path``: its bytes, checked, with ``file`` filled in when it is missing."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise UsageError(f"{path}: {size} bytes; CloudWatch RUM reads source maps of at most 50 MB")
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not a JSON source map ({error})") from None
    except RecursionError:
        raise UsageError(f"{path}: not a JSON source map (nested too deeply to read)") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: not a Source Map V3 file (a JSON object is required)")
    if FILLED not in data:
        name = path.name.removesuffix(".map")
        data[FILLED] = name
        head = raw.index(b"{") + 1  # the field goes first in the object; the rest stays byte for byte
        field = json.dumps({FILLED: name})[1:-1].encode() + (b"," if len(data) > 1 else b"")
        raw = raw[:head] + field + raw[head:]
    check_map(path, data)
    if len(raw) > MAX_BYTES:
        raise UsageError(f"{path}: {len(raw)} bytes with 'file'; CloudWatch RUM reads source maps of at most 50 MB")
    return raw


def check_map(path: Path, data: dict) -> None:
    """One line naming the file and the rule it breaks."""
    for field, kind in REQUIRED.items():
        if not isinstance(data.get(field), kind) or isinstance(data.get(field), bool):
            raise UsageError(f"{path}: not a Source Map V3 file ({field!r} must be a {kind.__name__}, "
                             f"as version, file, sources, names and mappings are required)")
    if data["version"] != 3:
        raise UsageError(f"{path}: Source Map version {data['version']}; CloudWatch RUM reads version 3")


def shown(path: Path) -> str:
    """A path as text that prints: bytes that are not UTF-8 as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def find_maps(directory: Path, skipped: list[str] | None = None) -> list[SourceMap]:
    """Every ``*.map`` under ``directory``, checked, in a stable order. Symbolic links are not followed, to
    files as to directories (``rglob`` does not enter linked directories): a link can lead out of the build;
    ``skipped`` collects the links left out."""
    if not directory.is_dir():
        raise SettingsError("DIRECTORY", "must be a directory holding the build's *.map files", str(directory))
    maps = []
    for path in sorted(p for p in directory.rglob("*.map") if p.is_file()):
        if path.is_symlink():
            (skipped if skipped is not None else []).append(path.relative_to(directory).as_posix())
            continue
        try:
            path.relative_to(directory).as_posix().encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"{shown(path)}: the file name is not UTF-8, and S3 object keys are (rename it)") from None
        content = body(path)
        maps.append(SourceMap(path, path.relative_to(directory).as_posix(), len(content),
                              hashlib.sha256(content).hexdigest()))
    if not maps:
        raise UsageError(f"{directory}: no *.map files (build with source maps on, e.g. esbuild --sourcemap)")
    return maps


def check_segments(name: str, value: str) -> None:
    """Each ``/``-separated part of what becomes a key prefix is a name: not empty, ``.`` or ``..`` (a key is
    not a path, but a tool that treats it as one would put the maps elsewhere, or nowhere)."""
    if any(segment in ("", ".", "..") for segment in value.split("/")):
        raise SettingsError(name, "must not have empty, . or .. segments between its / (it becomes part of each "
                            "map's S3 key)", value)


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> ``("bucket", "prefix/")`` (prefix "" at the bucket's root)."""
    S3_URI.check("--s3-uri", uri)
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if prefix:
        check_segments("--s3-uri", prefix.removesuffix("/"))
    return bucket, (prefix.rstrip("/") + "/") if prefix.strip("/") else ""


def stack_uri(aws: Aws, stack_name: str) -> str:
    """Where the stack's monitor reads source maps (its ``SourceMapsS3Uri`` output)."""
    for output in get_outputs(aws, stack_name):
        if output.get("OutputKey") == OUTPUT:
            return output["OutputValue"]
    raise UsageError(f"stack {stack_name} has no {OUTPUT} output: set monitor.source_maps_bucket (or "
                              "monitor.source_maps_s3_uri) and deploy, or pass --s3-uri")


def check_region(s3: Any, bucket: str, region: str) -> None:
    """RUM reads source maps only from a bucket in the monitor's region (AWS's guide)."""
    location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
    location = "eu-west-1" if location == "EU" else location
    if location != region:
        raise UsageError(f"bucket {bucket} is in {location}, but the monitor's region is {region}: CloudWatch RUM "
                          "reads source maps only from a bucket in its own region")


def existing(s3: Any, bucket: str, prefix: str) -> dict[str, int]:
    """Keys under ``prefix`` and their sizes."""
    found: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found.update({item["Key"]: item["Size"] for item in page.get("Contents", [])})
    return found


def unchanged(s3: Any, bucket: str, key: str, source_map: SourceMap, sizes: dict[str, int]) -> bool:
    if sizes.get(key) != source_map.size:
        return False
    return s3.head_object(Bucket=bucket, Key=key).get("Metadata", {}).get("sha256") == source_map.sha256


def upload(aws: Aws, directory: Path, release_id: str, *, s3_uri: str | None = None, stack_name: str | None = None,
           dry_run: bool = False, echo: Echo = print) -> Summary:
    """Check every map, then put the new and changed ones under ``<uri>/<release_id>/``."""
    RELEASE_ID.check("--release-id", release_id)
    if not release_id:
        raise SettingsError("--release-id", "must be 1-200 of letters, digits and _ - : / .", release_id)
    check_segments("--release-id", release_id)
    if bool(s3_uri) == bool(stack_name):
        raise SettingsError("--s3-uri", "give exactly one of --stack-name and --s3-uri", s3_uri)
    if s3_uri:
        split_uri(s3_uri)  # before reading a single map
    links: list[str] = []
    maps = find_maps(directory, links)
    for link in links:
        echo(printable(f"skipped {link}: a symbolic link (only files inside the directory are uploaded)"))
    with translated():
        uri = s3_uri or stack_uri(aws, stack_name or "")
        bucket, prefix = split_uri(uri)
        prefix = f"{prefix}{release_id}/"
        s3 = aws.client("s3")
        check_region(s3, bucket, aws.region_name)
        sizes = existing(s3, bucket, prefix)
        uploaded = skipped = 0
        for index, source_map in enumerate(maps, 1):
            key = prefix + source_map.relative
            counter = f"[{index}/{len(maps)}] " if len(maps) > PROGRESS_FROM else ""
            if unchanged(s3, bucket, key, source_map, sizes):
                skipped += 1
                echo(printable(f"{counter}unchanged s3://{bucket}/{key}"))
                continue
            uploaded += 1  # names are printed escaped: a line break in one cannot start a line of its own
            echo(printable(f"{counter}{'would upload' if dry_run else 'upload'} {source_map.relative} -> "
                           f"s3://{bucket}/{key} ({source_map.size} bytes)"))
            if not dry_run:
                s3.put_object(Bucket=bucket, Key=key, Body=body(source_map.path), ContentType="application/json",
                              Metadata={"sha256": source_map.sha256})
    return Summary(f"s3://{bucket}/{prefix}", uploaded, skipped, dry_run)
