"""User-facing failures: each becomes one line on stderr and an exit code, never a traceback.

The convention: 2 is a usage error (bad input; nothing was written or changed), 1 a failed
operation, 3 "cannot decide" (the budget gate without enough data), 130 an interrupt.
"""

from __future__ import annotations

from typing import Any


class RumcfnError(Exception):
    """A failure the user can act on. ``exit_code`` 2 is a usage error, 1 a failed operation."""

    exit_code = 1


class UsageError(RumcfnError):
    """Bad input: nothing was written or changed."""

    exit_code = 2


class OperationFailed(RumcfnError):
    """An operation on AWS, a site or a template failed, or found what the user asked it to look for."""

    exit_code = 1


class SettingsError(UsageError, ValueError):
    """A setting broke a rule. ``str()`` is the one line the user sees: the setting, the rule, the value."""

    def __init__(self, setting: str, rule: str, value: Any):
        self.setting, self.rule, self.value = setting, rule, value
        super().__init__(f"setting {setting!s}: {rule}, but got {value!r}")


class Interrupted(RumcfnError):
    """Ctrl-C during a long AWS operation: the message says what carries on and how to follow it."""

    exit_code = 130


class LintFailed(RumcfnError):
    exit_code = 1

