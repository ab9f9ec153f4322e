"""The command line: click only; flags -> one library call -> echo."""

from rumcfn.cli.app import entry, main, run

__all__ = ["entry", "main", "run"]
