"""``rumcfn sourcemaps upload`` against moto S3 (server mode), as a user runs it, and its library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from rumcfn.aws.session import Aws
from rumcfn.aws.sourcemaps import upload
from rumcfn.config import SettingsError
from rumcfn.contract import Outputs
from rumcfn.errors import UsageError
from tests.support.source_maps import BUCKET, REGION, keys


def source_map(file: str, **overrides) -> str:
    data = {"version": 3, "file": file, "sources": [f"src/{file}.ts"], "names": ["main"], "mappings": "AAAA,SAASA"}
    data.update(overrides)
    return json.dumps({k: v for k, v in data.items() if v is not None})


@pytest.fixture
def build(tmp_path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "main.js.map").write_text(source_map("main.js"))
    (root / "assets" / "vendor.js.map").write_text(source_map("vendor.js"))
    (root / "main.js").write_text("console.log(1)\n//# sourceMappingURL=main.js.map\n")
    return root


def rumcfn(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The CLI in its own process, with this test's fake credentials and moto endpoint."""
    return subprocess.run([sys.executable, "-m", "rumcfn", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)


def test_maps_land_under_the_release_and_a_second_run_skips_them(s3, build, tmp_path):
    args = ("sourcemaps", "upload", str(build), "--release-id", "2026.12.02-1", "--s3-uri", f"s3://{BUCKET}/maps",
            "--region", REGION)
    first = rumcfn(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert keys(s3) == ["maps/2026.12.02-1/assets/vendor.js.map", "maps/2026.12.02-1/main.js.map"]
    assert first.stdout.splitlines()[-1] == f"uploaded 2, unchanged 0 source map(s) in s3://{BUCKET}/maps/2026.12.02-1/"
    body = s3.get_object(Bucket=BUCKET, Key="maps/2026.12.02-1/main.js.map")
    assert json.loads(body["Body"].read())["file"] == "main.js" and body["ContentType"] == "application/json"

    (build / "main.js.map").write_text(source_map("main.js", mappings="AAAA,SAASA,CAAC"))
    second = rumcfn(*args, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "unchanged s3://site-source-maps/maps/2026.12.02-1/assets/vendor.js.map" in second.stdout
    assert second.stdout.splitlines()[-1].startswith("uploaded 1, unchanged 1")
    assert "CAAC" in s3.get_object(Bucket=BUCKET, Key="maps/2026.12.02-1/main.js.map")["Body"].read().decode()


def test_dry_run_changes_nothing(s3, build, aws_env):
    lines: list[str] = []
    summary = upload(Aws(region=REGION), build, "r1", s3_uri=f"s3://{BUCKET}", dry_run=True, echo=lines.append)
    assert keys(s3) == []
    assert summary.line() == f"would upload 2, unchanged 0 source map(s) in s3://{BUCKET}/r1/"
    assert lines[0].startswith("would upload assets/vendor.js.map -> s3://site-source-maps/r1/assets/vendor.js.map")


def test_large_builds_show_progress(s3, tmp_path, aws_env):
    for i in range(25):
        (tmp_path / f"chunk{i:02}.js.map").write_text(source_map(f"chunk{i:02}.js"))
    lines: list[str] = []
    upload(Aws(region=REGION), tmp_path, "r2", s3_uri=f"s3://{BUCKET}/", echo=lines.append)
    assert lines[0].startswith("[1/25] upload chunk00.js.map") and lines[-1].startswith("[25/25] upload chunk24.js.map")
    assert len(keys(s3)) == 25


@pytest.mark.parametrize("content,rule", [
    (source_map("a.js", names=None), "'names' must be a list"),
    (source_map("a.js", version=2), "Source Map version 2"),
    (source_map("a.js").replace('"file": "a.js"', '"file": 7'), "'file' must be a str"),
    (source_map("a.js", mappings=7), "'mappings' must be a str"),
    ("not json", "not a JSON source map"),
    ("[]", "a JSON object is required"),
])
def test_a_map_that_is_not_source_map_v3_stops_everything(s3, tmp_path, content, rule, aws_env):
    (tmp_path / "good.js.map").write_text(source_map("good.js"))
    (tmp_path / "bad.js.map").write_text(content)
    with pytest.raises(UsageError) as caught:
        upload(Aws(region=REGION), tmp_path, "r1", s3_uri=f"s3://{BUCKET}", echo=lambda line: None)
    assert str(caught.value).startswith(f"{tmp_path / 'bad.js.map'}: ") and rule in str(caught.value)
    assert "\n" not in str(caught.value)
    assert keys(s3) == []


def test_a_map_without_file_gets_its_name_and_keeps_every_other_byte(s3, tmp_path, aws_env):
    """Source Map V3 makes ``file`` optional (esbuild and Terser leave it out); RUM requires it."""
    written = '\ufeff {"version":3,\n "sources":["src/app.ts"],"names":[],"mappings":"AAAA"}\n'
    (tmp_path / "app.min.js.map").write_text(written)
    upload(Aws(region=REGION), tmp_path, "r1", s3_uri=f"s3://{BUCKET}", echo=lambda line: None)
    body = s3.get_object(Bucket=BUCKET, Key="r1/app.min.js.map")["Body"].read().decode()
    assert body == written.replace("{", '{"file": "app.min.js",', 1)
    assert json.loads(body.removeprefix("\ufeff"))["file"] == "app.min.js"
    again = upload(Aws(region=REGION), tmp_path, "r1", s3_uri=f"s3://{BUCKET}", echo=lambda line: None)
    assert (again.uploaded, again.unchanged) == (0, 1), "the filled-in map is what the checksum is of"


def test_maps_over_50_mb_are_refused(tmp_path, monkeypatch):
    import rumcfn.aws.sourcemaps as module

    (tmp_path / "big.js.map").write_text(source_map("big.js"))
    monkeypatch.setattr(module, "MAX_BYTES", 10)
    with pytest.raises(UsageError, match="at most 50 MB"):
        upload(Aws(region=REGION), tmp_path, "r1", s3_uri=f"s3://{BUCKET}", echo=lambda line: None)


@pytest.mark.parametrize("release", ["", "v 1", "x" * 201, "release#1", "/", "//", "/v1", "v1/", "v1//web", "..",
                                     "v1/../v2", "../maps"])
def test_release_ids_follow_aws_rule(tmp_path, release):
    """AWS's characters, and no empty or .. path segment: the id is a folder of the S3 key (maps//, maps/../)."""
    with pytest.raises(SettingsError) as caught:
        upload(Aws(region=REGION), tmp_path, release, s3_uri=f"s3://{BUCKET}")
    assert str(caught.value).startswith("setting --release-id: must be 1-200 of letters, digits and _ - : / .")


@pytest.mark.parametrize("release", ["/", "v1/"])
def test_the_snippet_refuses_the_release_ids_upload_refuses(release):
    from rumcfn.config import from_mapping

    with pytest.raises(SettingsError, match="setting snippet.release_id: must be 1-200"):
        from_mapping({"snippet": {"release_id": release}})


@pytest.mark.parametrize("release", ["a", "2026.12.02-1", "build:42/web_app", "x" * 200, "v1.0/web", "...", "a..b"])
def test_valid_release_ids_pass_the_rule(tmp_path, release):
    from rumcfn.config.delivery import RELEASE_ID

    RELEASE_ID.check("--release-id", release)  # raises on a rule break


def test_a_bucket_in_another_region_is_refused(aws_env, build):
    boto3.client("s3", region_name="us-west-2").create_bucket(
        Bucket="far-maps", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    with pytest.raises(UsageError, match="far-maps is in us-west-2, but the monitor's region is eu-west-1") as raised:
        upload(Aws(region=REGION), build, "r1", s3_uri="s3://far-maps", echo=lambda line: None)
    assert raised.value.exit_code == 2


def test_the_stack_output_says_where(aws_credentials, build):
    cfn = boto3.client("cloudformation", region_name=REGION)
    stubber = Stubber(cfn)
    stack = {"StackName": "site", "CreationTime": "2026-12-01T00:00:00Z", "StackStatus": "CREATE_COMPLETE"}
    stubber.add_response("describe_stacks", {"Stacks": [dict(stack, Outputs=[])]})
    stubber.activate()
    with pytest.raises(UsageError, match=f"stack site has no {Outputs.SOURCE_MAPS_S3_URI} output") as raised:
        upload(Aws(region=REGION, clients={"cloudformation": cfn}), build, "r1", stack_name="site")
    assert raised.value.exit_code == 2


def test_stack_name_uses_the_output(aws_env, s3, build):
    cfn = boto3.client("cloudformation", region_name=REGION)
    stubber = Stubber(cfn)
    outputs = [{"OutputKey": Outputs.SOURCE_MAPS_S3_URI, "OutputValue": f"s3://{BUCKET}/"}]
    stubber.add_response("describe_stacks", {"Stacks": [{"StackName": "site", "CreationTime": "2026-12-01T00:00:00Z",
                                                         "StackStatus": "CREATE_COMPLETE", "Outputs": outputs}]})
    stubber.activate()
    aws = Aws(region=REGION, clients={"cloudformation": cfn, "s3": s3})
    summary = upload(aws, build, "r9", stack_name="site", echo=lambda line: None)
    assert summary.uri == f"s3://{BUCKET}/r9/" and keys(s3) == ["r9/assets/vendor.js.map", "r9/main.js.map"]


def test_a_missing_directory_is_one_line(tmp_path):
    with pytest.raises(SettingsError, match="setting DIRECTORY: must be a directory holding the build's"):
        upload(Aws(region=REGION), tmp_path / "dist", "r1", s3_uri=f"s3://{BUCKET}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no \\*.map files"):
        upload(Aws(region=REGION), tmp_path / "empty", "r1", s3_uri=f"s3://{BUCKET}")
