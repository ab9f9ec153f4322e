"""Every failure rumcfn raises says its exit code through its base (:mod:`rumcfn.errors`): usage errors are
``UsageError`` (2), failed operations ``OperationFailed`` (1), the gate's "cannot decide" ``NotEnoughData`` (3),
an interrupt ``Interrupted`` (130); no class sets a code of its own."""

from __future__ import annotations

import ast
import importlib
import pkgutil

import pytest

import rumcfn
from rumcfn import errors
from tests.support import ROOT

BASES = {errors.UsageError: 2, errors.OperationFailed: 1, errors.NotEnoughData: 3, errors.Interrupted: 130}


def every_error_class() -> list[type]:
    for module in pkgutil.walk_packages(rumcfn.__path__, "rumcfn."):
        if not module.name.endswith("__main__"):  # runs the CLI
            importlib.import_module(module.name)
    found, todo = [], [errors.RumcfnError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("rumcfn.") and sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


@pytest.mark.parametrize("cls", every_error_class(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_every_error_has_one_base_and_its_exit_code(cls):
    bases = [base for base in BASES if issubclass(cls, base)]
    assert len(bases) == 1, f"{cls.__qualname__} derives from {bases or 'none'} of {list(BASES)}"
    assert cls.exit_code == BASES[bases[0]]


@pytest.mark.parametrize("path", sorted((ROOT / "rumcfn").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_errors_module_sets_exit_codes(path):
    if path == ROOT / "rumcfn" / "errors.py":
        return
    targets = [target for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
               for target in (node.targets if isinstance(node, ast.Assign) else [node.target])]
    names = [t.id if isinstance(t, ast.Name) else t.attr for t in targets if isinstance(t, (ast.Name, ast.Attribute))]
    assert "exit_code" not in names
