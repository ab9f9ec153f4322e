"""User-facing failures: each becomes one line on stderr and an exit code, never a traceback.

Every failure derives from one of four bases, and its base alone says the exit code: :class:`UsageError`
2 (bad input; nothing was written or changed), :class:`OperationFailed` 1 (an operation on AWS, a site or a
template failed, or a check found a problem), :class:`NotEnoughData` 3 (the budget gate cannot decide),
:class:`Interrupted` 130. No other class sets a code (a test holds every class to this).
"""

from __future__ import annotations

from typing import Any


class RumcfnError(Exception):
    """A failure the user can act on: ``str()`` is the one line they see, ``exit_code`` the code of its base."""

    exit_code = 1


class UsageError(RumcfnError):
    """Bad input: a flag, a setting, a file or a place to write; nothing was written or changed."""

    exit_code = 2


class SettingsError(UsageError, ValueError):
    """A setting broke a rule. ``str()`` is the one line the user sees: the setting, the rule, the value."""

    def __init__(self, setting: str, rule: str, value: Any):
        self.setting, self.rule, self.value = setting, rule, value
        super().__init__(f"setting {setting!s}: {rule}, but got {value!r}")


class OperationFailed(RumcfnError):
    """An operation on AWS, a site or a template failed (AWS's own errors: :class:`rumcfn.aws.errors.AwsError`)."""

    exit_code = 1


class CheckFailed(OperationFailed):
    """A check the user asked for found a problem: cfn-lint findings, a broken budget, a failed doctor check,
    rum.js missing or changed (``restore-snippet --check``)."""


class NotEnoughData(RumcfnError):
    """The budget gate cannot decide: too few samples, or no budgets at all."""

    exit_code = 3


class Interrupted(RumcfnError):
    """Ctrl-C during a long AWS operation: the message says what carries on and how to follow it."""

    exit_code = 130
