"""User-facing failures: each becomes one line on stderr and an exit code, never a traceback."""

from __future__ import annotations


class RumcfnError(Exception):
    """A failure the user can act on. ``exit_code`` 2 is a usage error, 1 a failed operation."""

    exit_code = 1


class UsageError(RumcfnError):
    exit_code = 2


class LintFailed(RumcfnError):
    exit_code = 1
