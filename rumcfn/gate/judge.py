"""The budget gate's judgement: a deployed monitor's Web Vitals against its budgets, and optionally a baseline.

Pure: the values come from :mod:`rumcfn.aws.budget_data` (CloudWatch ``GetMetricData``: one datapoint per
budget, the budget's statistic over the whole window). A budget passes when the value is at most the budget
and, when a baseline is given (``--against`` another release, or ``--baseline previous`` window), when it got
worse by at most ``max_regression``; both sides need ``min_samples``. Budgets of level ``warn`` are judged and
shown but never decide the exit code: 0 all met, 1 a budget broken, 3 not enough data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from rumcfn.config import Budget
from rumcfn.errors import CheckFailed, NotEnoughData, UsageError
from rumcfn.facts import BUDGET_METRICS, VITAL_KEYS
from rumcfn.gate.target import Target

PASS, FAIL, WARN, NO_DATA = "pass", "FAIL", "warn", "no data"
WORDS = {PASS: "pass", FAIL: "fail", WARN: "warn", NO_DATA: "no-data"}


@dataclass(frozen=True)
class Gate:
    """How to judge: the window, the samples each side needs, and what to compare with.

    ``release`` judges one release's metrics; ``against`` compares it with another release; ``baseline``
    "previous" compares the window with the one before it. ``max_regression`` is a fraction (0.1: 10%)."""

    days: int = 7
    min_samples: int = 1
    release: str | None = None
    against: str | None = None
    baseline: str | None = None
    max_regression: float = 0.10

    @property
    def compares(self) -> bool:
        return bool(self.against or self.baseline)


@dataclass
class Result:
    key: str
    metric: str
    statistic: str
    budget: float
    level: str = "fail"
    segment: str = ""
    dimensions: dict[str, str] = field(default_factory=dict)
    value: float | None = None
    samples: float | None = None
    baseline: float | None = None
    baseline_samples: float | None = None
    change: float | None = None  # (value - baseline) / baseline
    status: str = NO_DATA
    reason: str = ""
    page: str = ""  # the lab's rows: the URL measured
    decides: bool = True  # False: a row the lab cannot measure (INP without input, ...), shown, never a verdict

    @property
    def unit(self) -> str:
        known = BUDGET_METRICS.get(self.key)
        return known.unit if known else ""


@dataclass
class Report:
    app_monitor: str
    days: int
    start: str
    end: str
    results: list[Result] = field(default_factory=list)
    release: str | None = None
    against: str | None = None
    baseline: str | None = None
    max_regression: float | None = None
    lab: dict[str, Any] | None = None  # ``budgets check --lab``: runs, profiles, statistic, what each page measured

    @property
    def status(self) -> str:
        """Over the ``fail``-level budgets: ``FAIL`` if any is broken, else ``no data`` if any lacks data (or
        there are no budgets at all, or none the lab can measure), else ``pass``."""
        if not [r for r in self.results if r.decides]:
            return NO_DATA
        statuses = {r.status for r in self.results if r.level == "fail" and r.decides}
        if FAIL in statuses:
            return FAIL
        return NO_DATA if NO_DATA in statuses else PASS

    def broken(self) -> list[Result]:
        return [r for r in self.results if r.status == FAIL]

    def missing(self) -> list[Result]:
        return [r for r in self.results if r.status == NO_DATA and r.level == "fail" and r.decides]

    def as_dict(self) -> dict[str, Any]:
        data = {"app_monitor": self.app_monitor, "days": self.days, "start": self.start, "end": self.end,
                "status": WORDS[self.status]}
        for name in ("release", "against", "baseline", "max_regression", "lab"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        data["budgets"] = [asdict(r) | {"status": WORDS[r.status]} for r in self.results]
        return data


# --- the judgement ---------------------------------------------------------------------------------


def window(days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``days`` ending at the current minute (CloudWatch aligns periods on whole minutes)."""
    end = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(second=0, microsecond=0)
    return end - timedelta(days=days), end


#: One measurement of a budget's metric over a window: (the statistic, or None without data; the samples).
Measure = tuple[float | None, float]


def budgets_to_judge(target: Target, gate: Gate) -> list[Budget]:
    """The target's budgets; for one release, the site's vitals (the stack publishes no per-release counts or
    segments)."""
    if gate.release is None:
        return target.budgets
    if target.releases is None:
        raise UsageError(
            f"{target.app_monitor}: the stack publishes no per-release metrics (set budgets.release_namespace)"
        )
    return [b for b in target.budgets if not b.segment and b.key in VITAL_KEYS]


def report_of(target: Target, gate: Gate, start: datetime, end: datetime, budgets: Sequence[Budget],
              measured: Sequence[Measure], baselines: Sequence[Measure] = ()) -> Report:
    """Judge each budget on its measure (and, when the gate compares, its baseline's), in order."""
    report = Report(
        target.app_monitor,
        gate.days,
        start.isoformat(),
        end.isoformat(),
        release=gate.release,
        against=gate.against,
        baseline=gate.baseline,
        max_regression=gate.max_regression if gate.compares else None,
    )
    against = gate.against or f"the {gate.days} day(s) before"
    for index, budget in enumerate(budgets):
        result = Result(
            budget.key,
            budget.metric,
            budget.statistic,
            budget.budget,
            budget.level,
            budget.segment,
            dict(budget.dimensions),
        )
        result.value, result.samples = measured[index]
        if gate.compares:
            result.baseline, result.baseline_samples = baselines[index]
        judge(result, gate, against)
        report.results.append(result)
    return report


def judge(result: Result, gate: Gate, against: str) -> None:
    """Set the result's status and reason from its value, samples and baseline."""
    enough = result.value is not None and (result.samples or 0) >= gate.min_samples
    if not enough:
        result.status, result.reason = NO_DATA, f"{_samples(result.samples)} sample(s), {gate.min_samples} needed"
        return
    broken = []
    if result.value > result.budget:
        broken.append("over budget")
    if gate.compares:
        if result.baseline is None or (result.baseline_samples or 0) < gate.min_samples:
            if not broken:
                result.status = NO_DATA
                result.reason = f"{against}: {_samples(result.baseline_samples)} sample(s), {gate.min_samples} needed"
                return
        elif result.baseline > 0:
            result.change = (result.value - result.baseline) / result.baseline
            if result.change > gate.max_regression:
                broken.append(f"{result.change:+.1%} against {against} (more than {gate.max_regression:.0%})")
        else:  # a baseline of 0: any rise is more than any allowed share of it
            result.change = 0.0 if result.value <= 0 else None
            if result.value > 0:
                broken.append(f"up from 0 against {against} (more than {gate.max_regression:.0%})")
    result.status = (FAIL if result.level == "fail" else WARN) if broken else PASS
    result.reason = "; ".join(broken)


def _samples(count: float | None) -> str:
    return f"{count:g}" if count else "0"


def verdict(report: Report) -> None:
    """Raise the error whose exit code matches the report (1 broken, 3 not enough data)."""
    if report.status == FAIL:
        names = ", ".join(describe(r) for r in report.broken())
        raise CheckFailed(
            f"{report.app_monitor}: {len(report.broken())} of {len(report.results)} budget(s) broken ({names})"
        )
    if not report.results:
        raise NotEnoughData(f"{report.app_monitor}: no budgets to check (all budgets are off)")
    if report.status == NO_DATA:
        names = ", ".join(name(r) for r in report.missing()) or "any budget (none is measurable in the lab)"
        where = "in the lab" if report.lab is not None else f"in the last {report.days} day(s)"
        raise NotEnoughData(f"{report.app_monitor}: not enough data {where} for {names}")


def name(result: Result) -> str:
    what = f"{result.segment} {result.key}" if result.segment else result.key
    return f"{result.page} {what}" if result.page else what


def describe(result: Result) -> str:
    """``lcp 3,200 > 2,500`` or ``checkout-mobile inp +12.0% against r41 (more than 10%)``."""
    parts = []
    if result.value is not None and result.value > result.budget:
        parts.append(f"{num(result.value)} > {num(result.budget)}")
    parts += [reason for reason in result.reason.split("; ") if reason and reason != "over budget"]
    return f"{name(result)} {', '.join(parts)}"


def num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if abs(value) < 10 else f"{value:,.0f}"


