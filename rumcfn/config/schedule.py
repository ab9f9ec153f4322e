"""Canary schedules as Synthetics takes them: ``rate(...)`` within its range, or a six-field ``cron(...)``.

Synthetics' ScheduleInput: "rate(number unit) ... unit can be minute, minutes, or hour ... between
rate(1 minute) and rate(1 hour). rate(0 minute) or rate(0 hour) ... run only once"; anything longer
needs cron. The cron syntax is the one in "Scheduling canary runs using cron" (CloudWatch Synthetics
user guide): Minutes Hours Day-of-month Month Day-of-week Year; one of the two day fields is ``?``.
"""

from __future__ import annotations

import functools
import re

from rumcfn.config.rules import Custom

RATE = re.compile(r"rate\((0 (minute|minutes|hour)|1 (minute|hour)|([2-9]|[1-5][0-9]|60) minutes)\)")
MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"


def _field(low: int, high: int, names: str = "", extra: str = "") -> re.Pattern:
    """One cron field: ``*``, or a list of values/ranges with an optional ``/step``; ``extra`` adds the
    field's own symbols (?, L, W, #)."""
    numbers = "|".join(str(n) for n in range(high, low - 1, -1))
    value = f"({numbers}{'|' + names if names else ''})"
    item = rf"(\*|{value}(-{value})?)(/[0-9]{{1,3}})?"
    return re.compile(rf"{extra}{item}(,{item})*", re.IGNORECASE)


@functools.cache
def fields() -> tuple[tuple[str, re.Pattern], ...]:
    """The six fields' patterns, compiled on first use: the year's alone spells out 230 numbers, and most
    settings never name a cron schedule."""
    return (
        ("minutes", _field(0, 59)),
        ("hours", _field(0, 23)),
        ("day-of-month", _field(1, 31, extra=r"\?$|L$|LW$|([1-9]|[12][0-9]|3[01])W$|")),
        ("month", _field(1, 12, MONTHS)),
        ("day-of-week", _field(1, 7, DAYS, extra=r"\?$|L$|[1-7]L$|[1-7]#[1-5]$|")),
        ("year", _field(1970, 2199)),
    )


def cron_ok(expression: str) -> bool:
    match = re.fullmatch(r"cron\(([^()]*)\)", expression)
    if not match:
        return False
    parts = match.group(1).split()
    if len(parts) != 6 or not all(pattern.fullmatch(part) for (_, pattern), part in zip(fields(), parts, strict=True)):
        return False
    return (parts[2] == "?") != (parts[4] == "?")  # exactly one of the day fields is "?"


def schedule_ok(value) -> bool:
    return isinstance(value, str) and (RATE.fullmatch(value) is not None or cron_ok(value))


SCHEDULE = Custom(schedule_ok, "must be rate(1 minute) to rate(1 hour), rate(0 minutes) to run once, or a six-field "
                               "cron(Minutes Hours Day-of-month Month Day-of-week Year) with one day field ?")


def schedule_interval(schedule: str) -> int | None:
    """Seconds between canary runs for ``rate(N minutes|hours)``; None for ``cron(...)`` and run-once
    ``rate(0 ...)``."""
    match = re.fullmatch(r"rate\((\d+) (minute|hour)s?\)", schedule)
    if not match or match.group(1) == "0":
        return None
    return int(match.group(1)) * (60 if match.group(2) == "minute" else 3600)
