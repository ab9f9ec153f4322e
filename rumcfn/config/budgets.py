"""``[budgets]`` (Web Vitals performance budgets) and ``[alarms]`` (where their notifications go)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rumcfn.config import formats
from rumcfn.config.rules import Budget as BudgetRule
from rumcfn.config.rules import Custom, Each, Flag, Number, OneOf, Text, Value, fail, is_literal
from rumcfn.config.section import Section, setting
from rumcfn.config.segments import CLS, Segment, Segments
from rumcfn.contract import Budget, Releases, SegmentBudgets, StackMetadata
from rumcfn.facts import BUDGET_METRICS, CUSTOM_METRICS_PREFIX, RELEASE_FIELDS

STATISTIC = Text(
    r"p(\d{1,2}(\.\d{1,2})?|100)|avg|max|min|Average|Maximum|Minimum", "must be pNN (e.g. p75), avg, max or min"
)


def summarize(values: list[float], statistic: str) -> float | None:
    """``statistic`` (as :data:`STATISTIC` spells it) over ``values`` measured in the lab; ``None`` without values.

    A percentile is the nearest rank (the smallest value at least ``N`` percent of the values are at most),
    which is always one of the values measured: p75 of five runs is the fourth fastest."""
    if not values:
        return None
    ordered = sorted(values)
    name = statistic.lower()
    if name in ("avg", "average"):
        return sum(ordered) / len(ordered)
    if name in ("max", "maximum"):
        return ordered[-1]
    if name in ("min", "minimum"):
        return ordered[0]
    rank = math.ceil(float(name[1:]) / 100 * len(ordered))
    return ordered[min(max(rank, 1), len(ordered)) - 1]


PERIOD = Custom(
    lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= 60 and value % 60 == 0,
    "must be 60 or a multiple of 60 seconds",
)
#: A custom-metric namespace of the user's (RUM API reference, MetricDefinitionRequest.Namespace: not AWS/...;
#: botocore rum model: 1-237 of [a-zA-Z0-9-._/#:]).
RELEASE_NAMESPACE = Text(
    r"(?!AWS/)[a-zA-Z0-9\-._/#:]+",
    "must be 1-237 of a-z A-Z 0-9 - . _ / # : and not start with AWS/",
    max_length=237,
    optional=True,
)
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

    # The vitals' defaults are web.dev's "good" thresholds (facts.BUDGET_METRICS).
    lcp: Value = setting(BUDGET_METRICS["lcp"].good, "Largest Contentful Paint budget, ms (off: no alarm).",
                         BudgetRule())
    cls: Value = setting(BUDGET_METRICS["cls"].good, "Cumulative Layout Shift budget, unitless 0-1.", CLS)
    inp: Value = setting(BUDGET_METRICS["inp"].good, "Interaction to Next Paint budget, ms.", BudgetRule())
    fid: Value = setting(None, "First Input Delay budget, ms (retired vital; off by default).", BudgetRule())
    navigation: Value = setting(None, "Page navigation duration budget, ms (off by default).", BudgetRule())
    js_errors: Value = setting(None, "JavaScript errors per page view (off by default).", BudgetRule())
    http_5xx: Value = setting(None, "HTTP 5xx responses per page view (off by default).", BudgetRule())
    statistic: str = setting(
        "p75",
        "Statistic compared with the vital budgets (lcp, cls, inp, fid, navigation): pNN, avg, max or min. "
        "js_errors and http_5xx are counts per page view and always use the average.",
        STATISTIC,
    )
    period: int = setting(300, "Alarm period, seconds (60 or a multiple of 60).", PERIOD)
    evaluation_periods: int = setting(3, "Periods evaluated per alarm.", Number(1, 100, integer=True))
    datapoints_to_alarm: int = setting(
        2, "Breaching periods out of evaluation_periods that raise the alarm.", Number(1, 100, integer=True)
    )
    two_levels: bool = setting(
        False, "Two alarms per vital: warning at the budget, critical at the 'poor' threshold.", Flag()
    )
    warn: tuple = setting(
        (),
        "Budgets the gate only warns about (shown, exit code unchanged), e.g. [\"inp\"]; the rest fail it.",
        Each(OneOf(tuple(BUDGET_METRICS)), unique=True),
    )
    segments: tuple = setting(
        (),
        "Budgets of one page, device type, browser, OS or country, or two of them: "
        "`[[budgets.segments]]` tables (see Segment budgets).",
        Segments(),
    )
    release_namespace: str = setting(
        "",
        "Publish the vitals per release as custom metrics in RUM/CustomMetrics/NAMESPACE "
        "for `budgets check --release-id` (empty: off).",
        RELEASE_NAMESPACE,
    )
    release_source: str = setting(
        "release_id",
        "Where a release comes from: release_id (the client's releaseId, event "
        "metadata aws:releaseId) or app_version (snippet.app_version).",
        OneOf(tuple(RELEASE_FIELDS)),
    )

    def check(self) -> None:
        fail(
            "budgets.datapoints_to_alarm",
            self.datapoints_to_alarm <= self.evaluation_periods,
            f"must be between 1 and {self.evaluation_periods:g}",
            self.datapoints_to_alarm,
        )
        # PutMetricAlarm: "The product of the number of evaluation periods and the period must not exceed
        # 86,400 seconds"
        window = self.period * self.evaluation_periods
        fail(
            "budgets.evaluation_periods",
            window <= 86_400,
            f"times budgets.period ({self.period} s) must be at most 86,400 s (one day), is {window:,} s",
            self.evaluation_periods,
        )
        off = [key for key in self.warn if key not in self.active()]
        fail("budgets.warn", not off, "names a budget that is off", off)

    def level_of(self, key: str) -> str:
        return "warn" if key in self.warn else "fail"

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
        return [
            Budget(key, BUDGET_METRICS[key].metric, float(value), self.statistic_of(key), self.level_of(key))
            for key, value in self.active().items()
            if is_literal(value)
        ]

    def segment_budgets(self, segment: Segment) -> list[Budget]:
        return [
            Budget(
                key,
                BUDGET_METRICS[key].metric,
                float(value),
                self.statistic_of(key),
                segment.level(key),
                segment.label(),
                segment.dimensions(),
            )
            for key, value in segment.active().items()
        ]

    def release_namespace_in_cloudwatch(self) -> str:
        return CUSTOM_METRICS_PREFIX + self.release_namespace if self.release_namespace else ""

    def recorded(self) -> StackMetadata:
        """The budgets as a stack built from these settings records them (``Metadata.rumcfn``), and as the
        budget gate judges them: the literal site budgets, each segment's, and the per-release metrics."""
        return StackMetadata(
            tuple(self.budgets()),
            tuple(SegmentBudgets(segment.label(), segment.dimensions(), tuple(self.segment_budgets(segment)))
                  for segment in self.segments),
            Releases(self.release_namespace_in_cloudwatch()) if self.release_namespace else None,
        )


@dataclass(frozen=True)
class AlarmSettings(Section):
    """Where alarm notifications go (``[alarms]``)."""

    section = "alarms"

    email: Value = setting("", "E-mail address subscribed to the alarm topic (empty: none).", formats.EMAIL)
    topic_arn: Value = setting(
        "", "Existing SNS topic for notifications (empty: rumcfn creates an encrypted one).", formats.TOPIC_ARN
    )
    composite: bool = setting(True, "Add a composite 'site health' alarm over all alarms.", Flag())
    notify_ok: bool = setting(True, "Also notify when an alarm returns to OK.", Flag())
