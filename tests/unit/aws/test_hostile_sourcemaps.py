"""``rumcfn sourcemaps upload`` with a build directory, a release id or an S3 URI built to hurt: each is one
line before anything is uploaded, and nothing a file is named can reach the CI log as a command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rumcfn.aws.session import Aws
from rumcfn.aws.sourcemaps import upload
from rumcfn.config import SettingsError
from rumcfn.errors import UsageError
from tests.support.source_maps import BUCKET, REGION, keys

MAP = json.dumps({"version": 3, "file": "a.js", "sources": ["a.ts"], "names": [], "mappings": "AAAA"})


def run(directory: Path, release: str = "r1", uri: str = f"s3://{BUCKET}/maps", **kwargs) -> list[str]:
    lines: list[str] = []
    upload(Aws(region=REGION), directory, release, s3_uri=uri, echo=lines.append, **kwargs)
    return lines


def test_json_nested_too_deeply_to_read_is_one_line(tmp_path, s3):
    (tmp_path / "deep.js.map").write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(UsageError) as caught:
        run(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'deep.js.map'}: not a JSON source map (nested too deeply to read)"
    assert keys(s3) == []


def test_a_file_name_that_is_not_utf8_is_one_line(tmp_path, s3):
    (tmp_path / "good.js.map").write_text(MAP)
    fd = os.open(os.fsencode(tmp_path) + b"/caf\xe9.js.map", os.O_WRONLY | os.O_CREAT)
    os.write(fd, MAP.encode())
    os.close(fd)
    with pytest.raises(UsageError) as caught:
        run(tmp_path)
    message = str(caught.value)
    assert message == (f"{tmp_path}/caf\\xe9.js.map: the file name is not UTF-8, and S3 object keys are "
                       "(rename it)")
    message.encode("utf-8")  # printable as it is
    assert keys(s3) == []


def test_a_file_name_cannot_write_a_workflow_command_into_the_progress_lines(tmp_path, s3):
    name = "x\n::error file=app.js,line=1::pwned\r\n::add-mask::secret.js.map"
    (tmp_path / name).write_text(MAP)
    lines = run(tmp_path, dry_run=True)  # S3 keys may hold any UTF-8: the map would still be uploaded
    assert lines and all("\n" not in line and "\r" not in line for line in lines), lines
    shown = "x\\x0a::error file=app.js,line=1::pwned\\x0d\\x0a::add-mask::secret.js.map"
    assert lines[0].startswith(f"would upload {shown} -> ")


def test_the_cli_prints_such_a_name_on_one_line(tmp_path, s3, run_cli, aws_env):
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "a\n::error::b.js.map").write_text(MAP)
    done = run_cli("sourcemaps", "upload", str(tmp_path / "dist"), "--release-id", "r1", "--s3-uri",
                   f"s3://{BUCKET}", "--region", REGION, "--dry-run",
                   env={k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    assert done.returncode == 0, done.stderr
    assert not any(line.startswith("::") for line in done.stdout.splitlines()), done.stdout


@pytest.mark.parametrize("release", ["///", "../../other", "a//b", "/a", "a/", "./a", "a/.", "a/../b"])
def test_a_release_id_with_empty_or_climbing_segments_is_refused(tmp_path, release, s3):
    (tmp_path / "a.js.map").write_text(MAP)
    with pytest.raises(SettingsError) as caught:  # the release-id rule, or (for "." segments) the key rule
        run(tmp_path, release)
    message = str(caught.value)
    assert message.startswith("setting --release-id: must ") and message.endswith(f", but got {release!r}")
    assert "segments" in message


@pytest.mark.parametrize("uri", ["s3://maps/../x", "s3://maps/a//b", "s3://maps/./x", "s3://maps//x", "s3://maps/.."])
def test_an_s3_uri_with_empty_or_climbing_segments_is_refused(tmp_path, uri, s3):
    (tmp_path / "a.js.map").write_text(MAP)
    with pytest.raises(SettingsError) as caught:  # RUM's S3Uri pattern, or (for . and .. segments) the key rule
        run(tmp_path, uri=uri)
    assert str(caught.value).startswith("setting --s3-uri: must ") and "segments" in str(caught.value)


@pytest.mark.parametrize("uri", ["s3://maps", "s3://maps/", "s3://maps/site", "s3://maps/site/"])
def test_plain_s3_uris_still_pass(tmp_path, uri):
    from rumcfn.aws.sourcemaps import split_uri

    assert split_uri(uri)[0] == "maps"


def test_symlinks_out_of_the_directory_are_not_uploaded(tmp_path, s3):
    build, outside = tmp_path / "dist", tmp_path / "secrets"
    build.mkdir()
    outside.mkdir()
    (outside / "private.js.map").write_text(MAP)
    (build / "app.js.map").write_text(MAP)
    (build / "leak.js.map").symlink_to(outside / "private.js.map")
    (build / "linked").symlink_to(outside, target_is_directory=True)
    lines = run(build)
    assert keys(s3) == ["maps/r1/app.js.map"]
    assert "skipped leak.js.map: a symbolic link (only files inside the directory are uploaded)" in lines
