"""Limits of what one template may hold, checked at synth time.

Segment budgets add extended-metric definitions, alarms and dashboard widgets (the inline size warning is
:func:`rumcfn.template.reader.inline_warning`, given by synth and lint). The counts of metric
definitions and composite-alarm children are checked where they are built (:mod:`rumcfn.stack.metrics`,
:mod:`rumcfn.stack.alarms`); the number of resources here, before the alarms are added.
"""

from __future__ import annotations

from rumcfn.errors import SettingsError
from rumcfn.facts import MAX_RESOURCES


def check_resources(count: int, has_segments: bool) -> None:
    """A stack declares at most 500 resources; segment alarms are what can get there. ``count`` is the
    number the finished stack would have (checked before troposphere refuses the 501st)."""
    if count > MAX_RESOURCES:
        setting = "budgets.segments" if has_segments else "settings"
        raise SettingsError(setting, f"must leave the stack at most {MAX_RESOURCES} resources (a CloudFormation quota)",
                            f"{count} resources")
