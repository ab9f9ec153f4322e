"""``[canary]``: the CloudWatch Synthetics canary."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rumcfn.config import formats
from rumcfn.config.rules import Flag, Number, Text, Value, fail
from rumcfn.config.section import Section, setting

SCHEDULE = Text(r"rate\(0 minutes?\)|rate\(1 (minute|hour)\)|rate\(([2-9]|[1-5][0-9]|60) minutes\)"
                r"|rate\(([2-9]|1[0-9]|2[0-4]) hours\)|cron\([^()]+\)", "must be rate(N minutes|hours) or cron(...)")
#: Synthetics canary names (CreateCanary ``Name``).
CANARY_NAME = Text(r"[0-9a-z_\-]+", r"must match ^[0-9a-z_\-]{1,255}$", min_length=1, max_length=255,
                   summary="1-255 of lower-case letters, digits, _ and -")


def schedule_interval(schedule: str) -> int | None:
    """Seconds between canary runs for ``rate(N minutes|hours)``; None for ``cron(...)`` and run-once ``rate(0 ...)``."""
    match = re.fullmatch(r"rate\((\d+) (minute|hour)s?\)", schedule)
    if not match or match.group(1) == "0":
        return None
    return int(match.group(1)) * (60 if match.group(2) == "minute" else 3600)


@dataclass(frozen=True)
class CanarySettings(Section):
    """The CloudWatch Synthetics canary (``[canary]``)."""

    section = "canary"

    enabled: bool = setting(True, "Create a canary that loads the site on a schedule.", Flag())
    name: Value = setting("", "Canary name (empty: derived from the monitor name, lower-cased).", Text(
        CANARY_NAME.pattern, CANARY_NAME.rule, min_length=1, max_length=255, optional=True))
    url: Value = setting("", "Page the canary opens (empty: `https://<first domain>/`).", formats.url(optional=True))
    schedule: str = setting("rate(5 minutes)", "How often it runs: `rate(N minutes)` or `cron(...)`.", SCHEDULE)
    timeout_seconds: int = setting(60, "Seconds one run may take.", Number(3, 840, integer=True, unit=" seconds"))
    artifacts_bucket: str = setting("", "Existing bucket for screenshots and logs (empty: rumcfn creates one).", Text(
        formats.BUCKET.pattern, "must be an S3 bucket name", optional=True, refine=formats.BUCKET.refine))
    artifacts_expiry_days: int = setting(30, "Days artifacts are kept in the bucket rumcfn creates.",
                                         Number(1, 3650, integer=True, unit=" days"))
    tag_key: str = setting("", "Tag linking the canary to the monitor (empty: the monitor name).")
    tag_value: str = setting("associated-rum", "Value of that tag.")

    def check(self) -> None:
        """Synthetics rejects a run timeout longer than the interval between runs; say so at synth time."""
        interval = schedule_interval(self.schedule)
        fail("canary.timeout_seconds", not self.enabled or interval is None or self.timeout_seconds <= interval,
             f"must not exceed the schedule's interval ({interval} s, {self.schedule})", self.timeout_seconds)
