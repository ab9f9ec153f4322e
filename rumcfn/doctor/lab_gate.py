"""``rumcfn budgets check --lab``: the budget gate on lab runs instead of CloudWatch.

The same budgets, levels and segment filters as the field gate (:mod:`rumcfn.gate.judge`), judged on
values the lab measured (:mod:`rumcfn.doctor.lab`), in the same report and so the same formats and exit codes.
Which budget applies to which page, and how:

- a page's id is its URL's path, or its route when ``snippet.routes`` has one (what the web client records);
- the site's budgets apply to every page, on the ``mobile`` profile (Lighthouse's default form factor);
- a segment applies to a page when its ``page`` (if any) is the page's id, on its ``device`` (if any: ``mobile``
  or ``desktop``; the lab emulates no ``tablet`` or ``embedded``);
- what the lab cannot be or do is shown, never judged: INP and FID need a person's input, and a segment of a
  browser, OS or country is one the lab's Chromium is not. Such rows are "no data" with the reason and do not
  decide the exit code; a gate with nothing measurable at all cannot decide (exit 3).

Each value is the budget's statistic over the runs (:func:`rumcfn.config.budgets.summarize`: p75 of five runs is
the fourth fastest), and the samples are the runs that measured it. No AWS call is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlsplit

from rumcfn.config import Budget
from rumcfn.config.budgets import summarize
from rumcfn.config.routes import route_of
from rumcfn.doctor.lab import MEASURED, PROFILES, Run, measure
from rumcfn.gate.judge import Gate, Report, Result, judge

#: The profile of the site's budgets (and of a segment that names no device).
SITE_DEVICE = "mobile"
#: Budgets the lab cannot measure, and why.
NOT_IN_THE_LAB = {
    "inp": "INP needs a person's input, and the lab has none",
    "fid": "FID needs a person's input, and the lab has none",
}
OTHER_DIMENSIONS = {"BrowserName": "browser", "OSName": "OS", "CountryCode": "country"}


@dataclass(frozen=True)
class Row:
    """One budget on one page: where and how it is measured, or why it cannot be (``unmeasurable``)."""

    url: str
    page: str
    device: str
    budget: Budget
    unmeasurable: str = ""


def page_id(url: str, routes: tuple[str, ...] = ()) -> str:
    """The page id the web client records for ``url``: its path (``/`` at least), or its route."""
    return route_of(urlsplit(url).path or "/", routes)


def plan(budgets: list[Budget], urls: list[str], routes: tuple[str, ...] = ()) -> list[Row]:
    """Every (page, budget) row the lab reports, in the order of the URLs, then of the budgets."""
    rows = []
    for url in urls:
        page = page_id(url, routes)
        for budget in budgets:
            dimensions = dict(budget.dimensions)
            if dimensions.get("PageId", page) != page:
                continue  # a segment of another page
            device = dimensions.get("DeviceType", SITE_DEVICE)
            why = NOT_IN_THE_LAB.get(budget.key, "")
            for dimension, what in OTHER_DIMENSIONS.items():
                if dimension in dimensions and not why:
                    why = f"the lab's Chromium is no {what} {dimensions[dimension]} of the field"
            if device not in PROFILES and not why:
                why = f"the lab emulates {' and '.join(PROFILES)} devices, not {device}"
            rows.append(Row(url, page, device, budget, why))
    return rows


def loads(rows: list[Row]) -> list[tuple[str, str]]:
    """The (url, device) pairs to load: each once, in the order the rows need them."""
    return list(dict.fromkeys((row.url, row.device) for row in rows if not row.unmeasurable))


def report(app_monitor: str, rows: list[Row], runs: list[Run], count: int, *, min_samples: int = 1,
           started: datetime | None = None, ended: datetime | None = None, statistic: str = "p75") -> Report:
    """Judge each row on the runs of its page and device."""
    now = datetime.now(timezone.utc)
    by_load: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        by_load.setdefault((run.url, run.device), []).append(run)
    profiles = {device: PROFILES[device].describe() for _, device in loads(rows)}
    scope = (f"the lab: {count} run(s) of each page in headless Chromium, each value the budget's statistic over "
             f"the runs (" + "; ".join(profiles.values()) + ")")
    result_report = Report(app_monitor, 0, (started or now).isoformat(), (ended or now).isoformat(), lab={
        "runs": count, "statistic": statistic, "profiles": profiles, "scope": scope,
        "pages": [measured(url, device, by_load.get((url, device), []), statistic) for url, device in loads(rows)],
    })
    gate = Gate(min_samples=min_samples)
    for row in rows:
        budget = row.budget
        result = Result(budget.key, budget.metric, budget.statistic, budget.budget, budget.level, budget.segment,
                        {"PageId": row.page, "DeviceType": row.device}, page=row.url, decides=not row.unmeasurable)
        if row.unmeasurable:
            result.reason = f"not measured in the lab: {row.unmeasurable}"
        else:
            done = by_load.get((row.url, row.device), [])
            values = [run.values[budget.key] for run in done if run.values.get(budget.key) is not None]
            result.value, result.samples = summarize(values, budget.statistic), len(values)
            judge(result, gate, "")
            problems = sorted({run.problem for run in done if run.problem})
            if result.value is None and problems:
                result.reason = f"{result.reason}: " + "; ".join(problems)
        result_report.results.append(result)
    return result_report


def measured(url: str, device: str, runs: list[Run], statistic: str) -> dict:
    """What the runs of one page measured, each vital at ``statistic`` (FCP and TTFB have no budget to show them)."""
    ok = [run for run in runs if not run.problem]
    return {
        "url": url,
        "device": device,
        "runs": len(runs),
        "seconds_per_run": sum(run.seconds for run in runs) / len(runs) if runs else 0.0,
        "values": {key: summarize([run.values[key] for run in ok if run.values.get(key) is not None], statistic)
                   for key in MEASURED},
    }


def check(app_monitor: str, budgets: list[Budget], urls: list[str], count: int, *, routes: tuple[str, ...] = (),
          min_samples: int = 1, statistic: str = "p75", echo: Callable[[str], None] | None = None,
          flags: tuple[str, ...] = ()) -> Report:
    """Load each page ``count`` times under the profiles its budgets need, and judge them."""
    rows = plan(budgets, urls, routes)
    started = datetime.now(timezone.utc)
    runs = measure(loads(rows), count, echo=echo, flags=flags) if loads(rows) else []
    return report(app_monitor, rows, runs, count, min_samples=min_samples, started=started,
                  ended=datetime.now(timezone.utc), statistic=statistic)
