"""The import contracts in setup.cfg cover the whole package: a new folder or top-level module must be given a
layer (and, below the layers allowed them, a place in the click and boto3 contracts) before lint-imports can
pass, so nothing escapes the rule by being new."""

from __future__ import annotations

import configparser
import re

import pytest

from tests.support import ROOT

CONFIG = configparser.ConfigParser()
CONFIG.read(ROOT / "setup.cfg")


def listed(contract: str, key: str) -> list[str]:
    return CONFIG[f"importlinter:contract:{contract}"][key].split()


def layers() -> list[list[str]]:
    """The layers, top first; each a list of its sibling modules."""
    lines = CONFIG["importlinter:contract:layers"]["layers"].strip().splitlines()
    return [[name.strip() for name in re.split(r"[|:]", line)] for line in lines if line.strip()]


def package_parts() -> set[str]:
    """Every subpackage and top-level module of rumcfn (not __init__ or __main__)."""
    package = ROOT / "rumcfn"
    folders = {p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    modules = {p.stem for p in package.glob("*.py") if not p.stem.startswith("__")}
    return folders | modules


def below(layer: str) -> set[str]:
    names = layers()
    index = next(i for i, siblings in enumerate(names) if layer in siblings)
    return {name for siblings in names[index + 1 :] for name in siblings}


def test_every_package_and_module_has_a_layer():
    named = [name for siblings in layers() for name in siblings]
    assert len(named) == len(set(named)), "a name is in two layers"
    assert set(named) == package_parts()


@pytest.mark.parametrize("contract,allowed_from", [("click", "cli"), ("boto3", "aws")])
def test_the_forbidden_contracts_list_every_package_below_the_layer_allowed_the_library(contract, allowed_from):
    """click is for cli only; boto3 for aws and what sits on it (the doctor, the commands)."""
    sources = {name.removeprefix("rumcfn.") for name in listed(contract, "source_modules")}
    assert sources == below(allowed_from)


def test_the_independence_contracts_name_modules_that_exist():
    for section in CONFIG.sections():
        if section.startswith("importlinter:contract:") and CONFIG[section]["type"] == "independence":
            for name in CONFIG[section]["modules"].split():
                path = ROOT / name.replace(".", "/")
                assert path.with_suffix(".py").is_file() or (path / "__init__.py").is_file(), name
