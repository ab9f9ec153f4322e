"""``[budgets]`` (Web Vitals performance budgets) and ``[alarms]`` (where their notifications go)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from rumcfn.config import formats
from rumcfn.config.rules import Budget as BudgetRule
from rumcfn.config.rules import Custom, Flag, Number, Text, Value, fail, is_literal
from rumcfn.config.section import Section, setting
from rumcfn.facts import BUDGET_METRICS

STATISTIC = Text(r"p(\d{1,2}(\.\d{1,2})?|100)|avg|max|min|Average|Maximum|Minimum", "must be pNN (e.g. p75), avg, max or min")
PERIOD = Custom(lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= 60 and value % 60 == 0,
                "must be 60 or a multiple of 60 seconds")
CLS = BudgetRule(most=1, most_rule="must be at most 1: CLS is unitless, not milliseconds")


@dataclass(frozen=True)
class Budget:
    """One budget as the stack records it (template Metadata) and the budget gate judges it."""

    key: str  # lcp, cls, ...
    metric: str  # WebVitalsLargestContentfulPaint, ...
    budget: float
    statistic: str  # as configured: p75, avg, ...

    def as_metadata(self) -> dict[str, str]:
        return {"metric": self.metric, "budget": f"{self.budget:g}", "statistic": self.statistic}

    @classmethod
    def from_metadata(cls, key: str, entry: Mapping[str, Any]) -> "Budget":
        """Raises KeyError, TypeError or ValueError when ``entry`` is not what :meth:`as_metadata` writes."""
        return cls(key, str(entry["metric"]), float(entry["budget"]), str(entry.get("statistic") or "p75"))


@dataclass(frozen=True)
class Level:
    """One alarm a budget asks for: ``level`` is "warning" (the budget) or "critical" (the 'poor' threshold)."""

    key: str
    level: str
    threshold: float


@dataclass(frozen=True)
class BudgetSettings(Section):
    """Web Vitals performance budgets: one alarm each (``[budgets]``; `--budget KEY=VALUE`, `KEY=off`)."""

    section = "budgets"

    lcp: Value = setting(2500, "Largest Contentful Paint budget, ms (off: no alarm).", BudgetRule())
    cls: Value = setting(0.1, "Cumulative Layout Shift budget, unitless 0-1.", CLS)
    inp: Value = setting(200, "Interaction to Next Paint budget, ms.", BudgetRule())
    fid: Value = setting(None, "First Input Delay budget, ms (retired vital; off by default).", BudgetRule())
    navigation: Value = setting(None, "Page navigation duration budget, ms (off by default).", BudgetRule())
    js_errors: Value = setting(None, "JavaScript errors per page view (off by default).", BudgetRule())
    http_5xx: Value = setting(None, "HTTP 5xx responses per page view (off by default).", BudgetRule())
    statistic: str = setting("p75", "Statistic compared with the vital budgets (lcp, cls, inp, fid, navigation): pNN, avg, max or min. "
                             "js_errors and http_5xx are counts per page view and always use the average.", STATISTIC)
    period: int = setting(300, "Alarm period, seconds (60 or a multiple of 60).", PERIOD)
    evaluation_periods: int = setting(3, "Periods evaluated per alarm.", Number(1, 100, integer=True))
    datapoints_to_alarm: int = setting(2, "Breaching periods out of evaluation_periods that raise the alarm.",
                                       Number(1, 100, integer=True))
    two_levels: bool = setting(False, "Two alarms per vital: warning at the budget, critical at the 'poor' threshold.", Flag())

    def check(self) -> None:
        fail("budgets.datapoints_to_alarm", self.datapoints_to_alarm <= self.evaluation_periods,
             f"must be between 1 and {self.evaluation_periods:g}", self.datapoints_to_alarm)

    def active(self) -> dict[str, Any]:
        """The budgets that are on, in a stable order."""
        return {key: getattr(self, key) for key in BUDGET_METRICS if getattr(self, key) is not None}

    def statistic_of(self, key: str) -> str:
        """The statistic a budget is judged on: the setting for vitals, the average for counts."""
        return BUDGET_METRICS[key].statistic or self.statistic

    def levels(self) -> list[Level]:
        """Every alarm the budgets ask for: the budget, and with ``two_levels`` the 'poor' threshold above it."""
        result = []
        for key, budget in self.active().items():
            result.append(Level(key, "warning", float(budget)))
            poor = BUDGET_METRICS[key].poor
            if self.two_levels and poor is not None and poor > budget:
                result.append(Level(key, "critical", float(poor)))
        return result

    def budgets(self) -> list[Budget]:
        """The budgets whose values are literals (a parameter's value is unknown until deploy)."""
        return [Budget(key, BUDGET_METRICS[key].metric, float(value), self.statistic_of(key))
                for key, value in self.active().items() if is_literal(value)]


@dataclass(frozen=True)
class AlarmSettings(Section):
    """Where alarm notifications go (``[alarms]``)."""

    section = "alarms"

    email: Value = setting("", "E-mail address subscribed to the alarm topic (empty: none).", formats.EMAIL)
    topic_arn: Value = setting("", "Existing SNS topic for notifications (empty: rumcfn creates an encrypted one).", formats.TOPIC_ARN)
    composite: bool = setting(True, "Add a composite 'site health' alarm over all alarms.", Flag())
    notify_ok: bool = setting(True, "Also notify when an alarm returns to OK.", Flag())
