"""User-facing failures: each becomes one line on stderr and an exit code, never a traceback.

The convention: 2 is a usage error (bad input; nothing was written or changed), 1 a failed
operation, 3 "cannot decide" (the budget gate without enough data), 130 an interrupt (Ctrl-C), 143 SIGTERM.
"""

from __future__ import annotations

from typing import Any


class RumcfnError(Exception):
    """A failure the user can act on. ``exit_code`` 2 is a usage error, 1 a failed operation."""

    exit_code = 1


class UsageError(RumcfnError):
    exit_code = 2


class SettingsError(UsageError, ValueError):
    """A setting broke a rule. ``str()`` is the one line the user sees: the setting, the rule, the value."""

    def __init__(self, setting: str, rule: str, value: Any):
        self.setting, self.rule, self.value = setting, rule, value
        super().__init__(f"setting {setting!s}: {rule}, but got {value!r}")


class Interrupted(RumcfnError):
    """Ctrl-C during a long AWS operation: the message says what carries on and how to follow it."""

    exit_code = 130


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled), raised where the program is by the command line's handler: every
    ``except KeyboardInterrupt`` treats it as Ctrl-C, so the same clean-up runs."""


class LintFailed(RumcfnError):
    exit_code = 1


class StackNotFound(RumcfnError):
    """No stack of that name in the account and region."""

    def __init__(self, name: str) -> None:
        super().__init__(f"stack {name} does not exist in this account and region")
