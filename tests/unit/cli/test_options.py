"""Shared flags: KEY=VALUE parsing; the commands that must not load boto3."""

from __future__ import annotations

import pytest

from rumcfn.cli.options import parse_pairs
from rumcfn.config import SettingsError


def test_parse_pairs():
    assert parse_pairs("--tags", ("a=1", "b='x y' c="), several_per_value=True) == {"a": "1", "b": "x y", "c": ""}
    with pytest.raises(SettingsError, match="must be KEY=VALUE"):
        parse_pairs("--tags", ("novalue",), several_per_value=True)
    # One pair per flag (--tag, --budget): a value keeps its spaces.
    assert parse_pairs("--monitor.tags", ("team=web ops", "env=prod")) == {"team": "web ops", "env": "prod"}
