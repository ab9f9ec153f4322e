"""troposphere's own checks, as one line: a value one of its validators refuses while the stack is built names
the setting it came from.

rumcfn's rules (``rumcfn.config``) come first and should refuse everything AWS would; troposphere checks some
properties again as they are set, and raises a bare ``ValueError``/``TypeError`` after writing a line of its own
to stderr. :func:`troposphere_checks` turns that into a :class:`SettingsError` for the setting holding the value
(exit 2), or, when no setting does (a value rumcfn itself chose), a one-line :class:`BuildFailed` (exit 1).
Failures that do not come out of a troposphere property check are not touched.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import sys
from typing import Any, Iterator, NamedTuple

from rumcfn.config import Settings
from rumcfn.errors import OperationFailed, SettingsError


class BuildFailed(OperationFailed):
    """troposphere refused a value that no setting holds: rumcfn built something troposphere does not accept."""


class Refusal(NamedTuple):
    where: str  # <logical id or class>.<property>
    value: Any
    message: str


def refusal(error: BaseException) -> Refusal | None:
    """Where troposphere refused a value, from the innermost property check in the traceback; None when the
    error did not come from one."""
    found = None
    trace = error.__traceback__
    while trace is not None:
        frame = trace.tb_frame
        module, function = frame.f_globals.get("__name__", ""), frame.f_code.co_name
        owner = frame.f_locals.get("self")
        if module.startswith("troposphere") and function in ("__setattr__", "_raise_type") and "name" in frame.f_locals:
            title = getattr(owner, "title", None) or type(owner).__name__
            found = Refusal(f"{title}.{frame.f_locals['name']}", frame.f_locals.get("value"), _one_line(error))
        elif module.startswith("troposphere") and function == "validate_title":
            found = Refusal(
                f"the logical id of a {type(owner).__name__}", getattr(owner, "title", None), _one_line(error)
            )
        trace = trace.tb_next
    return found


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def setting_values(settings: Settings) -> Iterator[tuple[str, Any]]:
    """Every setting as (``section.field``, value)."""
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if dataclasses.is_dataclass(value):
            for inner in dataclasses.fields(value):
                yield f"{field.name}.{inner.name}", getattr(value, inner.name)
        else:
            yield field.name, value


def _holds(setting: Any, value: Any) -> bool:
    if setting == value:
        return True
    if isinstance(setting, tuple):
        return any(_holds(item, value) for item in setting)
    return False


def setting_for(settings: Settings, value: Any) -> str | None:
    """The setting ``value`` came from: one holding it, else the longest one whose text it contains."""
    values = list(setting_values(settings))
    for name, setting in values:
        if _holds(setting, value):
            return name
    text = str(value)
    contained = [
        (len(setting), name)
        for name, setting in values
        if isinstance(setting, str) and len(setting) > 1 and setting in text
    ]
    return max(contained)[1] if contained else None


@contextlib.contextmanager
def troposphere_checks(settings: Settings) -> Iterator[None]:
    """Build inside this block: a troposphere validator's refusal becomes one line (see the module docstring)."""
    chatter = io.StringIO()
    try:
        with contextlib.redirect_stderr(chatter):
            yield
    except (ValueError, TypeError) as error:
        found = None if isinstance(error, SettingsError) else refusal(error)
        if found is None:
            sys.stderr.write(chatter.getvalue())
            raise
        name = setting_for(settings, found.value)
        if name is None:
            raise BuildFailed(
                f"troposphere refused {found.where} ({found.message}); rumcfn built a value "
                "troposphere does not accept, please report it"
            ) from None
        raise SettingsError(
            name, f"is refused by troposphere's check of {found.where} ({found.message})", found.value
        ) from None
    sys.stderr.write(chatter.getvalue())
