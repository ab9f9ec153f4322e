"""No command that calls AWS hangs or crawls: against an endpoint that accepts connections and never answers it
ends within 30 s, against one that refuses within 10 s, each with one line and no traceback; a malformed
``--endpoint-url`` is refused before any call.

The limits are the issue's behaviour limits, asserted generously (a whole CLI process, startup included),
not speed benchmarks.
"""

from __future__ import annotations

import concurrent.futures
import time

import pytest

from tests.support.aws import FAKE_CREDENTIALS, small_template

TEMPLATE = "t.json"
#: Every command that calls AWS, as a user runs it (``--region`` and ``--endpoint-url`` are added).
COMMANDS = {
    "outputs": ("outputs", "--stack-name", "site"),
    "deploy": ("deploy", "--stack-name", "site", "--template-file", TEMPLATE, "--yes"),
    "deploy-built": ("deploy", "--stack-name", "site", "--yes", "--monitor.name", "shop", "--monitor.domains",
                     "shop.example.com", "--script.bucket", "shop-site"),
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
}
#: What the issue found hanging (still running after 150 s) and the other kinds of call: describe, change set,
#: S3 read, CloudWatch, Service Catalog. The refused case runs every command.
SILENT = ("outputs", "restore-snippet-check", "deploy", "budgets-monitor", "publish")


def with_value(name: str, flag: str, value: str) -> tuple[str, ...]:
    """The command ``name`` with ``flag`` set to ``value``."""
    args = list(COMMANDS[name])
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    return tuple(args)


def timed_run(run_cli, tmp_path, args: tuple[str, ...], url: str):
    (tmp_path / TEMPLATE).write_text(small_template("Topic"))
    env = FAKE_CREDENTIALS | {"AWS_CONFIG_FILE": str(tmp_path / "none"),
                              "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    started = time.monotonic()
    result = run_cli(*args, "--region", "us-east-1", "--endpoint-url", url, env=env, cwd=tmp_path)
    return result, time.monotonic() - started


def assert_one_line(result, *words: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rumcfn: error: ")
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_refused_endpoint_ends_within_10_s_with_one_line(run_cli, tmp_path, refused_endpoint, name):
    result, elapsed = timed_run(run_cli, tmp_path, COMMANDS[name], refused_endpoint)
    assert result.returncode == 1
    assert_one_line(result, "cannot reach the AWS endpoint", refused_endpoint)
    assert elapsed < 10, f"{name} took {elapsed:.1f} s"


@pytest.mark.slow
def test_an_endpoint_that_never_answers_ends_within_30_s_with_one_line(run_cli, tmp_path_factory, silent_endpoint):
    """The commands run two at a time (each waits on its own, the machine has two cores)."""

    def one(name: str):
        return name, *timed_run(run_cli, tmp_path_factory.mktemp(name), COMMANDS[name], silent_endpoint.url)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, SILENT))
    for name, result, elapsed in results:
        assert result.returncode == 1, (name, result.stderr)
        assert_one_line(result, "no answer from the AWS endpoint", silent_endpoint.url)
        assert elapsed < 30, f"{name} took {elapsed:.1f} s"
    assert silent_endpoint.connections >= len(SILENT)


BAD_URLS = ["not a url", "localhost:4566", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:99999"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_endpoint_url_is_one_line_before_any_call(run_cli, tmp_path, silent_endpoint, url):
    before = silent_endpoint.connections
    result, _ = timed_run(run_cli, tmp_path, COMMANDS["outputs"], url)
    assert result.returncode == 2
    assert_one_line(result, "--endpoint-url", repr(url))
    assert silent_endpoint.connections == before


def test_a_malformed_aws_endpoint_url_variable_is_one_line(run_cli, tmp_path):
    env = FAKE_CREDENTIALS | {"AWS_ENDPOINT_URL": "not a url", "AWS_CONFIG_FILE": str(tmp_path / "none")}
    result = run_cli("outputs", "--stack-name", "site", "--region", "us-east-1", env=env)
    assert result.returncode == 2
    assert_one_line(result, "AWS_ENDPOINT_URL", "'not a url'")


BAD_NAMES = [
    ("--stack-name", "outputs", "bad name!"),
    ("--stack-name", "outputs", "s" * 129),
    ("--stack-name", "deploy", "9lives"),
    ("--stack-name", "deploy", "arn:aws:cloudformation:us-east-1:123456789012:stack/site/1"),
    ("--stack-name", "diff", "under_score"),
    ("--stack-name", "destroy", "bad name!"),
    ("--stack-name", "restore-snippet", "x" * 300),
    ("--stack-name", "budgets-stack", "bad name!"),
    ("--stack-set", "deploy-stack-set", "rum set"),
    ("--stack-set", "deploy-stack-set", "r" * 129),
    ("--s3-bucket", "publish", "Not_A_Bucket"),
    ("--role-arn", "destroy", "not-an-arn"),
]


@pytest.mark.parametrize("flag,command,value", BAD_NAMES, ids=[f"{c}-{v[:12]}-{len(v)}" for _, c, v in BAD_NAMES])
def test_a_name_aws_would_refuse_is_one_line_before_any_call(run_cli, tmp_path, silent_endpoint, flag, command, value):
    before = silent_endpoint.connections
    result, _ = timed_run(run_cli, tmp_path, with_value(command, flag, value), silent_endpoint.url)
    assert result.returncode == 2
    assert_one_line(result, f"setting {flag}:", repr(value))
    assert silent_endpoint.connections == before


def test_stack_names_aws_accepts_pass_the_check(run_cli, tmp_path, refused_endpoint):
    """128 characters, hyphens, and (for commands that only read or delete) a stack id."""
    stack_id = "arn:aws:cloudformation:us-east-1:123456789012:stack/site/0f1e2d3c-aaaa-bbbb-cccc-000000000001"
    for command, value in (("outputs", "a" + "-9" * 63 + "z"), ("outputs", stack_id), ("destroy", stack_id),
                           ("deploy", "Site-2")):
        result, _ = timed_run(run_cli, tmp_path, with_value(command, "--stack-name", value), refused_endpoint)
        assert_one_line(result, "cannot reach the AWS endpoint")
