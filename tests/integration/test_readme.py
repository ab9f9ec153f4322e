"""The README stays true: its quick start, its settings reference and its Python examples."""

from __future__ import annotations

import re

import pytest

from rumcfn.config import reference

from tests.support import ROOT  # noqa: E402

README = (ROOT / "README.md").read_text()


def test_quick_start_is_exactly_make_demo_and_make_test():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.S)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_settings_reference_matches_the_code():
    table = README.split("<!-- settings-reference:start -->\n", 1)[1].split("<!-- settings-reference:end -->", 1)[0]
    assert table == reference()


PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_python_examples_run(index):
    exec(compile(PYTHON_BLOCKS[index], f"README.md[python {index}]", "exec"), {})


def test_toml_example_is_valid_settings(tmp_path):
    from rumcfn.config import load

    (block,) = re.findall(r"```toml\n(.*?)```", README, re.S)
    path = tmp_path / "rumcfn.toml"
    path.write_text(block)
    settings = load(path)
    assert settings.monitor.name == "shop" and settings.budgets.fid is None


def test_limits_table_matches_the_code():
    from tests.support.sizes import limits_table

    table = README.split("<!-- limits:start -->\n", 1)[1].split("<!-- limits:end -->", 1)[0]
    assert table == limits_table()


def test_every_number_of_bytes_in_the_readme_comes_from_the_code():
    """Byte counts outside the generated tables go stale: the only ones left are AWS's limits."""
    from rumcfn.facts import INLINE_LIMIT

    prose = re.sub(r"<!-- (\S+):start -->.*?<!-- \1:end -->", "", README, flags=re.S)
    numbers = {int(n.replace(",", "")) for n in re.findall(r"\b(\d{1,3}(?:,\d{3})+|\d{4,})[- ]?(?:bytes|B)\b", prose)}
    assert numbers <= {INLINE_LIMIT}, numbers
