"""What the budget gate judges: the monitor, its budgets and its per-release metrics, from settings or from a
deployed stack's ``Metadata.rumcfn`` (:class:`rumcfn.contract.StackMetadata`: what a stack built from the same
settings records, so a stack can be judged without its settings file)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rumcfn.config.budgets import STATISTIC
from rumcfn.config.monitor import NAME as MONITOR_NAME
from rumcfn.config.segments import NAME as SEGMENT_NAME
from rumcfn.config.segments import VALUE as DIMENSION_VALUE
from rumcfn.contract import Budget, MalformedMetadata, Releases, StackMetadata
from rumcfn.errors import SettingsError
from rumcfn.facts import BUDGET_METRICS, SEGMENT_DIMENSIONS


@dataclass(frozen=True)
class Target:
    """What the gate judges: the monitor, its budgets (the site's, then each segment's), its release metrics."""

    app_monitor: str
    budgets: list[Budget] = field(default_factory=list)
    releases: Releases | None = None

    @classmethod
    def of(cls, app_monitor: str, recorded: StackMetadata) -> Target:
        return cls(app_monitor, recorded.all_budgets(), recorded.releases)

    @classmethod
    def checked(cls, app_monitor: str, recorded: StackMetadata, origin: str) -> Target:
        """:meth:`of`, for names read from a deployed stack: the monitor name, each segment's name and dimensions,
        each budget's vital, metric and statistic are held to the rules their settings have. They become rows,
        alarms and lines of output (GitHub workflow commands among them), so a template cannot carry in what a
        settings file could not; anything else is :class:`MalformedMetadata`, one line."""
        try:
            MONITOR_NAME.check("AppMonitorName", app_monitor)
            for segment in recorded.segments:
                SEGMENT_NAME.check("segment name", segment.name)
                for dimension, value in segment.dimensions:
                    if dimension not in SEGMENT_DIMENSIONS.values():
                        raise SettingsError("segment dimension", f"must be one of "
                                            f"{', '.join(SEGMENT_DIMENSIONS.values())}", dimension)
                    DIMENSION_VALUE.check(f"segment {dimension}", value)
            for budget in recorded.all_budgets():
                if budget.key not in BUDGET_METRICS or budget.metric != BUDGET_METRICS[budget.key].metric:
                    raise SettingsError("budget", f"must be one of {', '.join(BUDGET_METRICS)} with its own metric",
                                        f"{budget.key}: {budget.metric}")
                STATISTIC.check(f"{budget.key} statistic", budget.statistic)
        except SettingsError as error:
            raise MalformedMetadata(f"{origin}: {error.setting} {error.rule}, but got {error.value!r}") from None
        return cls.of(app_monitor, recorded)


def from_settings(settings) -> Target:
    """The monitor of ``settings`` and its budgets exactly as a stack built from them records them."""
    return Target.of(settings.monitor.name, settings.budgets.recorded())
