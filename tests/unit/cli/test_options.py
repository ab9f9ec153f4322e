"""Shared flags: KEY=VALUE parsing; the commands that must not load boto3."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rumcfn.cli.options import parse_pairs
from rumcfn.config import SettingsError


def test_synth_and_help_do_not_import_boto3(tmp_path):
    code = (f"import sys; from rumcfn.cli import run; assert run(['synth', '-o', {str(tmp_path / 't.json')!r}]) == 0; "
            "assert run(['deploy', '--help']) == 0; "
            "loaded = [m for m in ('boto3', 'botocore', 'moto') if m in sys.modules]; print(loaded)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_parse_pairs():
    assert parse_pairs("--tags", ("a=1", "b='x y' c="), several_per_value=True) == {"a": "1", "b": "x y", "c": ""}
    with pytest.raises(SettingsError, match="must be KEY=VALUE"):
        parse_pairs("--tags", ("novalue",), several_per_value=True)
    # One pair per flag (--tag, --budget): a value keeps its spaces.
    assert parse_pairs("--monitor.tags", ("team=web ops", "env=prod")) == {"team": "web ops", "env": "prod"}
