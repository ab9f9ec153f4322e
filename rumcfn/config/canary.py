"""``[canary]``: the CloudWatch Synthetics canary."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rumcfn import facts
from rumcfn.config import formats
from rumcfn.config.rules import Custom, Each, Flag, Number, OneOf, Text, Value, fail
from rumcfn.config.schedule import SCHEDULE, schedule_interval
from rumcfn.config.section import Section, setting

#: Synthetics canary names (CreateCanary ``Name``: ^[0-9a-z_\-]+$, 1-255).
CANARY_NAME = Text(r"[0-9a-z_\-]+", r"must match ^[0-9a-z_\-]{1,255}$", min_length=1, max_length=255,
                   summary="1-255 of lower-case letters, digits, _ and -")

#: A replica Location. The multilocation guide: "Replica locations must be supported CloudWatch Synthetics
#: commercial Regions": a Region botocore lists in the ``aws`` partition (partitions.json) where CloudFormation
#: offers AWS::Synthetics::Canary (cfn-lint's region data; a Region cfn-lint has no data for is not refused, as
#: rumcfn.template.regions does). Within the Synthetics API's Location (Replica / AddReplicaLocationInput:
#: ^[a-z]{2}-((iso[a-z]{0,1}-)|(gov-)){0,1}[a-z]+-{0,1}[0-9]{0,1}$, 1-20 characters).
COMMERCIAL = "aws"
SYNTHETICS_CANARY = "AWS::Synthetics::Canary"
LOCATION = r"[a-z]{2}-((iso[a-z]{0,1}-)|(gov-)){0,1}[a-z]+-{0,1}[0-9]{0,1}"


def synthetics_region(value) -> bool:
    if not (isinstance(value, str) and len(value) <= 20 and re.fullmatch(LOCATION, value)):
        return False
    return value in facts.regions(COMMERCIAL) and facts.offers(value, SYNTHETICS_CANARY) is not False


REPLICA_REGION = Custom(synthetics_region, "must be commercial AWS Regions such as eu-west-1 where CloudWatch "
                        "Synthetics runs (botocore's partitions, cfn-lint's region data)")


@dataclass(frozen=True)
class CanarySettings(Section):
    """The CloudWatch Synthetics canary (``[canary]``)."""

    section = "canary"

    enabled: bool = setting(True, "Create a canary that loads the site on a schedule.", Flag())
    name: Value = setting("", "Canary name (empty: derived from the monitor name, lower-cased).", Text(
        CANARY_NAME.pattern, CANARY_NAME.rule, min_length=1, max_length=255, optional=True))
    url: Value = setting("", "Page the canary opens (empty: `https://<first domain>/`).", formats.url(optional=True))
    schedule: str = setting(
        "rate(5 minutes)",
        "How often it runs: `rate(1 minute)` to `rate(1 hour)`, or a six-field `cron(...)` for longer intervals.",
        SCHEDULE,
    )
    timeout_seconds: int = setting(60, "Seconds one run may take.", Number(3, 840, integer=True, unit=" seconds"))
    artifacts_bucket: str = setting(
        "",
        "Existing bucket for screenshots and logs, without periods (empty: rumcfn creates one).",
        formats.ARTIFACTS_BUCKET,
    )
    artifacts_expiry_days: int = setting(
        30, "Days artifacts are kept in the bucket rumcfn creates.", Number(1, 3650, integer=True, unit=" days")
    )
    empty_artifacts_on_delete: bool = setting(
        False,
        "Empty the bucket rumcfn creates (every version) when the stack is deleted, and delete it "
        "(default: it is retained).",
        Flag(),
    )
    tag_key: str = setting(
        "",
        "Tag linking the canary to the monitor (empty: the monitor name, '#' as '-').",
        Text(formats.TAG_KEY.pattern, formats.TAG_KEY.rule, max_length=128, optional=True),
    )
    tag_value: str = setting("associated-rum", "Value of that tag.", formats.TAG_VALUE)
    # AWS::Synthetics::Canary schema (cfn-lint): Replicas has 1-50 items (none: no Replicas property).
    locations: tuple = setting(
        (),
        "Other AWS Regions the canary also runs from (multi-location `Replicas`, up to 50; "
        "not the stack's own Region).",
        Each(REPLICA_REGION, count=(0, 50), what="locations", unique=True),
    )
    # Schema: Schedule.RetryConfig.MaxRetries is 0-2.
    retries: int = setting(
        0, "Retries of a failed scheduled run, 0-2 (`Schedule.RetryConfig`).", Number(0, 2, integer=True)
    )
    lab_vitals: bool = setting(
        False,
        "Each run measures the page's LCP, CLS, FCP, TTFB and load time and publishes them in "
        "rumcfn/lab/<monitor name>, with alarms on the budgets and a lab-and-field dashboard row.",
        Flag(),
    )
    lab_level: str = setting(
        "fail",
        "fail: the lab alarms join the site-health alarm; warn: they show on the dashboard and never notify.",
        OneOf(("fail", "warn")),
    )
    safe_updates: bool = setting(
        True, "Dry-run an updated canary and apply the update only if the dry run passes (`DryRunAndUpdate`).", Flag()
    )

    def check(self) -> None:
        """Synthetics rejects a run timeout longer than the interval between runs; say so at synth time."""
        fail(
            "canary.empty_artifacts_on_delete",
            not (self.empty_artifacts_on_delete and self.artifacts_bucket),
            "must be false with canary.artifacts_bucket: rumcfn empties only a bucket rumcfn creates",
            self.empty_artifacts_on_delete,
        )
        # RetryConfigInput API reference: MaxRetries 2 needs a TimeoutInSeconds below 600.
        fail(
            "canary.retries",
            self.retries != 2 or self.timeout_seconds < 600,
            f"2 retries need canary.timeout_seconds below 600 (it is {self.timeout_seconds})",
            self.retries,
        )
        interval = schedule_interval(self.schedule)
        fail(
            "canary.timeout_seconds",
            not self.enabled or interval is None or self.timeout_seconds <= interval,
            f"must not exceed the schedule's interval ({interval} s, {self.schedule})",
            self.timeout_seconds,
        )
