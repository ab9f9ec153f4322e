"""Templates built to hurt the reader: nested thousands deep, YAML alias bombs, bytes that are not UTF-8. Every
command that reads a template (lint, diagram, deploy) answers with one line and exit 2, never a traceback or a
crash, and never hangs."""

from __future__ import annotations

import pytest

DEEP = 30_000
RESOURCE = '{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": %s}}}'
HOSTILE = {
    "deep-json-objects.json": RESOURCE % ('{"a": ' * DEEP + "1" + "}" * DEEP),
    "deep-json-arrays.json": RESOURCE % ('{"a": ' + "[" * DEEP + "]" * DEEP + "}"),
    "deep-bare-arrays.json": "[" * DEEP + "]" * DEEP,
    "deep-yaml-flow.yaml": "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: "
    + "{a: " * DEEP
    + "1"
    + "}" * DEEP,
    "deep-yaml-block.yaml": "Resources:\n"
    + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(1000))
    + " " * 1001
    + "v: 1\n",
    "deep-yaml-dashes.yaml": "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      X:\n      "
    + "- " * DEEP
    + "1\n",
    "alias-bomb.yaml": "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Metadata:\n"
    "      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"      l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10)),
}
COMMANDS = {
    "lint": ("lint", "{}"),
    "diagram": ("diagram", "{}"),
    "deploy": ("deploy", "--stack-name", "site", "--template-file", "{}", "--yes", "--region", "us-east-1"),
}


def one_line(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_template_is_one_line(run_cli, tmp_path, refused_endpoint, command, name):
    (tmp_path / name).write_text(HOSTILE[name])
    args = [a.format(name) for a in COMMANDS[command]]
    result = run_cli(*args, *(("--endpoint-url", refused_endpoint) if command == "deploy" else ()))
    assert result.returncode == 2, result.stderr[-2000:]
    line = one_line(result)
    reason = "YAML alias" if name == "alias-bomb.yaml" else "nested more than 100 levels deep"
    assert line.startswith(f"rumcfn: error: {name}: ") and reason in line, line
    assert result.stdout == ""


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
def test_a_template_that_is_not_utf8_is_one_line(run_cli, tmp_path, refused_endpoint, command, stdin):
    (tmp_path / "latin1.json").write_bytes(RESOURCE.encode() % b'{"TopicName": "caf\xe9"}')
    where = "-" if stdin else "latin1.json"
    args = [a.format(where) for a in COMMANDS[command]]
    extra = ("--endpoint-url", refused_endpoint) if command == "deploy" else ()
    result = run_cli(*args, *extra, stdin=(tmp_path / "latin1.json").read_bytes() if stdin else None)
    assert result.returncode == 2, result.stderr
    assert one_line(result).endswith(f"{where}: cannot read it (not UTF-8 text)")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_endless_or_oversized_template_is_one_line(run_cli, tmp_path, refused_endpoint, command):
    """Bytes without end (a zero device, inside tmp_path) or more than CloudFormation takes even through S3."""
    import os
    import stat

    os.mknod(tmp_path / "zero", stat.S_IFCHR | 0o666, os.makedev(1, 5))
    (tmp_path / "big.json").write_text('{"Resources": {}, "Metadata": {"x": "' + "x" * 1_100_000 + '"}}')
    extra = ("--endpoint-url", refused_endpoint) if command == "deploy" else ()
    for name in ("zero", "big.json"):
        result = run_cli(*[a.format(name) for a in COMMANDS[command]], *extra)
        assert result.returncode == 2, result.stderr[-500:]
        assert one_line(result).endswith(
            f"{name}: cannot read it (more than 1,048,576 bytes, the most CloudFormation takes even from S3)"
        )
