"""No command that calls AWS hangs or crawls: against an endpoint that accepts connections and never answers each
ends within the worst case of one call (30 s with the defaults), against one that refuses within the backoff
alone (10 s), each with one line and no traceback; a malformed ``--endpoint-url`` is refused before any call.

The commands run in this process with small injected timeouts and attempts (``rumcfn.cli.run(argv, aws=...)``):
the time each takes must lie between what the injected limits make it wait and
:func:`tests.support.aws.worst_case_seconds` of them, so the bound scales with the limits, and
``tests/unit/aws/test_session.py`` holds the defaults' worst case to the issue's limits. One case per kind
still runs ``rumcfn`` as a separate process, as a user does.
"""

from __future__ import annotations

import time

import pytest

from tests.support.aws import FAKE_CREDENTIALS, worst_case_seconds
from tests.support.cli import AWS_COMMANDS, aws_with, lay_out

#: What the issue found hanging (still running after 150 s) and the other kinds of call: describe, change set,
#: S3 read and write, CloudWatch, Service Catalog, the doctor.
SILENT = ("outputs", "restore-snippet-check", "deploy", "budgets-monitor", "publish", "sourcemaps", "doctor")
#: Small limits: each attempt waits TIMEOUT on a silent endpoint, and there are ATTEMPTS of them.
TIMEOUT, ATTEMPTS = 0.3, 2
#: What a busy machine adds to a command that runs in this process.
SLACK = 1.5


@pytest.fixture
def in_tmp(tmp_path, monkeypatch, aws_credentials):
    monkeypatch.chdir(tmp_path)
    lay_out(tmp_path)
    return tmp_path


def timed(invoke, args: tuple[str, ...], url: str, **limits):
    started = time.monotonic()
    ran = invoke(*args, "--region", "us-east-1", "--endpoint-url", url, aws=aws_with(**limits))
    return ran, time.monotonic() - started


@pytest.mark.parametrize("name", AWS_COMMANDS)
def test_a_refused_endpoint_is_one_line_after_the_backoff_alone(invoke, in_tmp, refused_endpoint, name):
    ran, elapsed = timed(invoke, AWS_COMMANDS[name], refused_endpoint, max_attempts=ATTEMPTS)
    assert ran.code == 1, ran
    assert ran.line.startswith("rumcfn: error: cannot reach the AWS endpoint") and refused_endpoint in ran.line
    assert elapsed <= worst_case_seconds(0, attempts=ATTEMPTS) + SLACK, f"{name} took {elapsed:.1f} s"


@pytest.mark.parametrize("name", SILENT)
def test_an_endpoint_that_never_answers_is_one_line_within_one_calls_worst_case(invoke, in_tmp, silent_endpoint,
                                                                                 name):
    """Every attempt waits the injected timeout, no longer, and the command gives up after its first call."""
    before = silent_endpoint.connections
    ran, elapsed = timed(invoke, AWS_COMMANDS[name], silent_endpoint.url, timeout=TIMEOUT, max_attempts=ATTEMPTS)
    assert ran.code == 1, ran
    assert ran.line.startswith(f"rumcfn: error: no answer from the AWS endpoint {silent_endpoint.url}"), ran.line
    assert silent_endpoint.connections - before == ATTEMPTS
    bound = worst_case_seconds(TIMEOUT, attempts=ATTEMPTS) + SLACK
    assert ATTEMPTS * TIMEOUT <= elapsed <= bound, f"{name}: {elapsed:.1f} s"


def test_the_doctor_with_credentials_asks_a_silent_endpoint_once(invoke, in_tmp, silent_endpoint, refused_endpoint):
    """Settings mode: every AWS check would wait the whole worst case of a call; after the first the doctor stops
    asking AWS (the site checks still run, against a page that refuses)."""
    before = silent_endpoint.connections
    args = ("doctor", "--monitor.name", "shop", "--monitor.domains", "shop.example.com",
            "--app-monitor-id", "a1b2c3d4-0000-4000-8000-000000000000",
            "--url", f"{refused_endpoint}/")
    ran, elapsed = timed(invoke, args, silent_endpoint.url, timeout=TIMEOUT, max_attempts=ATTEMPTS)
    assert ran.code == 1, ran
    assert "no answer from the AWS endpoint" in ran.out
    assert silent_endpoint.connections - before == ATTEMPTS
    assert elapsed <= worst_case_seconds(TIMEOUT, attempts=ATTEMPTS) + SLACK, f"{elapsed:.1f} s"


def run_process(run_cli, tmp_path, args: tuple[str, ...], url: str):
    lay_out(tmp_path)
    env = FAKE_CREDENTIALS | {"AWS_CONFIG_FILE": str(tmp_path / "none"),
                              "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    return run_cli(*args, "--region", "us-east-1", "--endpoint-url", url, env=env, cwd=tmp_path)


def one_line(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rumcfn: error: ")
    return lines[0]


def test_a_refused_endpoint_is_one_line_from_the_real_command(run_cli, tmp_path, refused_endpoint):
    result = run_process(run_cli, tmp_path, AWS_COMMANDS["outputs"], refused_endpoint)
    assert result.returncode == 1
    assert "cannot reach the AWS endpoint" in one_line(result)


BAD_URLS = ["not a url", "localhost:4566", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:99999"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_endpoint_url_is_one_line_before_any_call(invoke, in_tmp, silent_endpoint, url):
    before = silent_endpoint.connections
    ran, _ = timed(invoke, AWS_COMMANDS["outputs"], url)
    assert ran.code == 2
    assert "--endpoint-url" in ran.line and repr(url) in ran.line
    assert silent_endpoint.connections == before


def test_a_malformed_aws_endpoint_url_variable_is_one_line(run_cli, tmp_path):
    env = FAKE_CREDENTIALS | {"AWS_ENDPOINT_URL": "not a url", "AWS_CONFIG_FILE": str(tmp_path / "none")}
    result = run_cli("outputs", "--stack-name", "site", "--region", "us-east-1", env=env)
    assert result.returncode == 2
    line = one_line(result)
    assert "AWS_ENDPOINT_URL" in line and "'not a url'" in line


def with_value(name: str, flag: str, value: str) -> tuple[str, ...]:
    """The command ``name`` with ``flag`` set to ``value``."""
    args = list(AWS_COMMANDS[name])
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    return tuple(args)


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
def test_a_name_aws_would_refuse_is_one_line_before_any_call(invoke, in_tmp, silent_endpoint, flag, command, value):
    before = silent_endpoint.connections
    ran, _ = timed(invoke, with_value(command, flag, value), silent_endpoint.url)
    assert ran.code == 2
    assert f"setting {flag}:" in ran.line and repr(value) in ran.line
    assert silent_endpoint.connections == before


def test_stack_names_aws_accepts_pass_the_check(invoke, in_tmp, refused_endpoint):
    """128 characters, hyphens, and (for commands that only read or delete) a stack id."""
    stack_id = "arn:aws:cloudformation:us-east-1:123456789012:stack/site/0f1e2d3c-aaaa-bbbb-cccc-000000000001"
    for command, value in (("outputs", "a" + "-9" * 63 + "z"), ("outputs", stack_id), ("destroy", stack_id),
                           ("deploy", "Site-2")):
        ran, _ = timed(invoke, with_value(command, "--stack-name", value), refused_endpoint, max_attempts=1)
        assert "cannot reach the AWS endpoint" in ran.line
