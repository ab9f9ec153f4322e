"""Fixtures shared by the whole suite. Area-specific fixtures live beside their tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def linter():
    """cfn-lint loads its rules once for the whole session."""
    from rumcfn.template.lint import Linter

    return Linter()


@pytest.fixture
def run_cli(tmp_path):
    """Run ``rumcfn`` as a user would (a separate process), from an empty directory."""

    def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        return subprocess.run([sys.executable, "-m", "rumcfn", *args], cwd=cwd or tmp_path, input=stdin,
                              capture_output=True, text=True, env=env, timeout=120)

    return run


def template_dict(settings=None) -> dict:
    from rumcfn.template.output import to_json
    from rumcfn.build.stack import build_template

    return json.loads(to_json(build_template(settings)))
