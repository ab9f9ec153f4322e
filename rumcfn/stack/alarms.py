"""Performance budgets as CloudWatch alarms, the canary's alarm, a composite "site health" alarm and
the SNS topic they notify.

Who notifies: with the composite alarm on (the default) only the composite sends notifications, so
one incident is one e-mail; the individual alarms stay visible in the console and on the dashboard.
With the composite off, every alarm notifies by itself.

A composite's rule names each child by its full ARN, and PutCompositeAlarm takes at most 100 children and
10,240 characters. Where one rule over every alarm could outgrow that in some stack (the longest stack name,
partition and Region), the alarms are split into part composites and the site-health alarm watches those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import awacs.kms
from awacs.aws import Allow, BoolIfExists, Condition, Deny, PolicyDocument, Principal, Statement, StringEquals
from troposphere import Ref, Sub, Template, cloudwatch, kms, sns

from rumcfn.config import Level, Segment, Settings, is_literal, schedule_interval
from rumcfn.config.formats import STACK_NAME
from rumcfn.config.segments import logical_id
from rumcfn.facts import (
    ACCOUNT_ID_LENGTH,
    ALARM_DESCRIPTION_MAX,
    BUDGET_METRICS,
    CANARY_NAMESPACE,
    LAB_METRICS,
    LONGEST_PARTITION,
    LONGEST_REGION,
    MAX_ALARM_RULE,
    MAX_COMPOSITE_CHILDREN,
    RUM_DIMENSION,
    RUM_NAMESPACE,
    cloudwatch_statistic,
    service_principal,
)
from rumcfn.stack.canary import lab_namespace
from rumcfn.stack.limits import check_resources
from rumcfn.stack.naming import stack_unique
from rumcfn.stack.parameters import HAS_ALERT_EMAIL


@dataclass(frozen=True)
class BudgetAlarm:
    """The alarm of one budget level (warning at the budget, critical at the 'poor' threshold)."""

    level: Level
    alarm: cloudwatch.Alarm


@dataclass(frozen=True)
class SegmentAlarm:
    """The alarm of one vital of one segment (``[[budgets.segments]]``)."""

    segment: Segment
    key: str
    alarm: cloudwatch.Alarm


@dataclass(frozen=True)
class LabAlarm:
    """The alarm of one budget level on the canary's lab vital (``canary.lab_vitals``)."""

    level: Level
    alarm: cloudwatch.Alarm


@dataclass(frozen=True)
class Alarms:
    budgets: tuple[BudgetAlarm, ...]
    canary_alarm: cloudwatch.Alarm | None
    composite: cloudwatch.CompositeAlarm | None
    topic: sns.Topic | None
    topic_arn: Any  # where notifications go: the created topic, settings.alarms.topic_arn, or None
    alarms: tuple[Any, ...] = field(default=())  # every metric alarm, in template order
    segments: tuple[SegmentAlarm, ...] = field(default=())
    parts: tuple[cloudwatch.CompositeAlarm, ...] = field(default=())  # composites between the alarms and `composite`
    lab: tuple[LabAlarm, ...] = field(default=())  # in `alarms` too when canary.lab_level is "fail"


def statistic(name: str) -> dict[str, str]:
    """``p75`` -> ExtendedStatistic; ``avg``/``max``/``min`` -> Statistic."""
    stat = cloudwatch_statistic(name)
    return {"ExtendedStatistic": stat} if stat.startswith("p") else {"Statistic": stat}


def _logical(key: str, level: str) -> str:
    return "".join(part.capitalize() for part in key.split("_")) + ("Critical" if level == "critical" else "") + "Alarm"


def _alarm_suffix(key: str, level: str) -> str:
    return key.replace("_", "-") + ("-critical" if level == "critical" else "")


def add_topic(template: Template, settings: Settings) -> tuple[sns.Topic, kms.Key]:
    """An SNS topic encrypted with its own KMS key.

    CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key (alias/aws/sns):
    its key policy cannot grant cloudwatch.amazonaws.com, so notifications would be dropped silently.
    A customer managed key whose policy lets CloudWatch use it, for alarms of this account only, fixes that."""
    key = template.add_resource(
        kms.Key(
            "AlarmTopicKey",
            Description=Sub("${AWS::StackName}: encrypts the alarm notification topic"),
            EnableKeyRotation=True,
            PendingWindowInDays=7,  # it only protects notifications in flight; nothing to recover later
            DeletionPolicy="Delete",
            UpdateReplacePolicy="Delete",
            KeyPolicy=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    Statement(
                        Sid="Account",
                        Effect=Allow,
                        Principal=Principal("AWS", Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
                        Action=[awacs.kms.Action("*")],
                        Resource=["*"],
                    ),
                    Statement(
                        Sid="CloudWatchAlarms",
                        Effect=Allow,
                        Principal=Principal("Service", service_principal("cloudwatch")),
                        Action=[awacs.kms.Decrypt, awacs.kms.Action("GenerateDataKey*")],
                        Resource=["*"],
                        Condition=Condition(StringEquals("aws:SourceAccount", Ref("AWS::AccountId"))),
                    ),
                    # Nothing needs a grant on this key: only AWS services acting for an AWS resource may
                    # create one (AWS Control Tower CT.KMS.PR.3, "limits creation of AWS KMS grants to AWS
                    # services", whose statement this is).
                    Statement(
                        Sid="GrantsOnlyForAwsServices",
                        Effect=Deny,
                        Principal=Principal("AWS", "*"),
                        Action=[awacs.kms.CreateGrant],
                        Resource=["*"],
                        Condition=Condition(BoolIfExists({"kms:GrantIsForAWSResource": "false",
                                                          "aws:PrincipalIsAWSService": "false"})),
                    ),
                ],
            ),
        )
    )
    topic = template.add_resource(sns.Topic("AlarmTopic", KmsMasterKeyId=Ref(key)))
    return topic, key


def add_email(template: Template, settings: Settings, topic_arn: Any) -> sns.SubscriptionResource | None:
    """Subscribe ``alarms.email`` to the topic that gets the notifications, the created one or the given one."""
    email = settings.alarms.email
    if not email:
        return None
    subscription = sns.SubscriptionResource("AlarmEmail", Protocol="email", TopicArn=topic_arn, Endpoint=email)
    if not is_literal(email):
        subscription.Condition = HAS_ALERT_EMAIL
    return template.add_resource(subscription)


def _vital_alarm(
    template: Template,
    settings: Settings,
    *,
    key: str,
    threshold: float,
    logical: str,
    suffix: str,
    description: str,
    dimensions: list,
    actions: dict[str, Any],
) -> cloudwatch.Alarm:
    """An alarm on one budgeted RUM metric: above ``threshold`` at the budget's statistic, missing data OK."""
    b = settings.budgets
    return template.add_resource(
        cloudwatch.Alarm(
            logical,
            AlarmName=stack_unique(suffix),
            AlarmDescription=description,
            Namespace=RUM_NAMESPACE,
            MetricName=BUDGET_METRICS[key].metric,
            Dimensions=dimensions,
            **statistic(b.statistic_of(key)),
            Threshold=threshold,
            ComparisonOperator="GreaterThanThreshold",
            Period=b.period,
            EvaluationPeriods=b.evaluation_periods,
            DatapointsToAlarm=b.datapoints_to_alarm,
            TreatMissingData="notBreaching",
            **actions,
        )
    )


def _what(settings: Settings, key: str, threshold: float) -> str:
    metric = BUDGET_METRICS[key]
    unit = f" {metric.unit}" if metric.unit else ""
    return f"{metric.metric} {settings.budgets.statistic_of(key)} above {threshold:g}{unit}"


def add_budget_alarm(
    template: Template, settings: Settings, level: Level, monitor_name: Any, actions: dict[str, Any]
) -> cloudwatch.Alarm:
    what = _what(settings, level.key, level.threshold)
    return _vital_alarm(
        template,
        settings,
        key=level.key,
        threshold=level.threshold,
        logical=_logical(level.key, level.level),
        suffix=_alarm_suffix(level.key, level.level),
        description=f"Warning: {what} ({level.key} budget)"
        if level.level == "warning"
        else f"Critical: {what} (Core Web Vitals 'poor')",
        dimensions=[cloudwatch.MetricDimension(Name=RUM_DIMENSION, Value=monitor_name)],
        actions=actions,
    )


def within_description(head: str, detail: str, tail: str, most: int = ALARM_DESCRIPTION_MAX) -> str:
    """``head + detail + tail``, with ``detail`` cut short ("...") so that the whole fits ``most`` characters: a
    segment's two dimension values may each be 1,024 characters, an alarm's description no more than that."""
    room = most - len(head) - len(tail)
    return head + (detail if len(detail) <= room else detail[: max(room - 3, 0)] + "...") + tail


def add_segment_alarm(
    template: Template, settings: Settings, segment: Segment, key: str, monitor_name: Any, actions: dict[str, Any]
) -> cloudwatch.Alarm:
    """A segment's vital: the extended metric with the monitor's and the segment's dimensions."""
    label = segment.label()
    where = ", ".join(f"{name} {value}" for name, value in segment.dimensions())
    dimensions = [cloudwatch.MetricDimension(Name=RUM_DIMENSION, Value=monitor_name)] + [
        cloudwatch.MetricDimension(Name=name, Value=value) for name, value in segment.dimensions()
    ]
    threshold = float(segment.active()[key])
    return _vital_alarm(
        template,
        settings,
        key=key,
        threshold=threshold,
        logical=f"Segment{logical_id(label)}{_logical(key, 'warning')}",
        suffix=f"{label}-{_alarm_suffix(key, 'warning')}",
        description=within_description(f"Warning: {_what(settings, key, threshold)} ({key} budget of segment {label}: ",
                                       where, ")"),
        dimensions=dimensions,
        actions=actions,
    )


def lab_levels(settings: Settings) -> list[Level]:
    """The budget levels whose vital the canary measures in the lab (LCP, CLS, navigation), with lab vitals on."""
    if not (settings.canary.enabled and settings.canary.lab_vitals):
        return []
    measured = {metric.budget for metric in LAB_METRICS.values() if metric.budget}
    return [level for level in settings.budgets.levels() if level.key in measured]


def add_lab_alarm(template: Template, settings: Settings, level: Level, actions: dict[str, Any]) -> cloudwatch.Alarm:
    """A budget level on the canary's lab vital: the same threshold, statistic, period and evaluation as the field
    alarm, over the canary's runs (one value each) in its own namespace; no runs in a period is no breach."""
    b = settings.budgets
    what = _what(settings, level.key, level.threshold)
    kind = "Warning" if level.level == "warning" else "Critical"
    return template.add_resource(
        cloudwatch.Alarm(
            "Lab" + _logical(level.key, level.level),
            AlarmName=stack_unique("lab-" + _alarm_suffix(level.key, level.level)),
            AlarmDescription=f"{kind} (lab): the canary's {what} ({level.key} budget, measured in the lab)",
            Namespace=lab_namespace(settings),
            MetricName=BUDGET_METRICS[level.key].metric,
            **statistic(b.statistic_of(level.key)),
            Threshold=level.threshold,
            ComparisonOperator="GreaterThanThreshold",
            Period=b.period,
            EvaluationPeriods=b.evaluation_periods,
            DatapointsToAlarm=b.datapoints_to_alarm,
            TreatMissingData="notBreaching",
            **actions,
        )
    )


def canary_period(schedule: str) -> int:
    """One canary run per alarm period: the schedule's rate, 60 s to 1 h (cron and run-once: 5 min)."""
    seconds = schedule_interval(schedule)
    return 300 if seconds is None else min(max(seconds, 60), 3600)


CANARY_FAILURE = "error status, timeout, no RUM snippet, or no batch from the web client"


def add_canary_alarm(
    template: Template, settings: Settings, canary_name: Any, actions: dict[str, Any], location: str | None = None
) -> cloudwatch.Alarm:
    """Two failed runs in a row (an error status, a timeout, no RUM snippet or no batch) raise the alarm.

    With a ``location`` (a replica Region) the alarm watches that location's runs: multilocation canaries
    publish SuccessPercent in the primary Region with a ``Location`` dimension per Region (CloudWatch
    Synthetics guide, "Monitoring and troubleshooting multilocation canaries")."""
    dimensions = [cloudwatch.MetricDimension(Name="CanaryName", Value=canary_name)]
    if location:
        dimensions.append(cloudwatch.MetricDimension(Name="Location", Value=location))
    where = f" in {location}" if location else ""
    return template.add_resource(
        cloudwatch.Alarm(
            "CanaryAlarm" + "".join(part.capitalize() for part in (location or "").split("-")),
            AlarmName=stack_unique("canary" + (f"-{location}" if location else "")),
            AlarmDescription=f"The synthetic canary failed{where}: {CANARY_FAILURE}",
            Namespace=CANARY_NAMESPACE,
            MetricName="SuccessPercent",
            Dimensions=dimensions,
            Statistic="Average",
            Threshold=100,
            ComparisonOperator="LessThanThreshold",
            Period=canary_period(settings.canary.schedule),
            EvaluationPeriods=2,
            DatapointsToAlarm=2,
            TreatMissingData="notBreaching",
            **actions,
        )
    )


def _actions(topic_arn: Any, notify_ok: bool) -> dict[str, Any]:
    if topic_arn is None:
        return {}
    actions = {"AlarmActions": [topic_arn]}
    if notify_ok:
        actions["OKActions"] = [topic_arn]
    return actions


#: How a composite's rule names a child, joins children, and how the ARN the child's name resolves to is framed.
TERM, OR = 'ALARM("${%s.Arn}")', " OR "
ARN = "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}"
STACK = "${AWS::StackName}"


def longest_term(alarm: Any) -> int:
    """The most characters ``alarm``'s term in a rule can resolve to: ``ALARM("<ARN>")`` with the longest
    partition, Region and stack name (its name is ``${AWS::StackName}-<suffix>``, :func:`stack_unique`)."""
    name = alarm.AlarmName.to_dict()["Fn::Sub"]
    arn = ARN.format(partition="p" * LONGEST_PARTITION, region="r" * LONGEST_REGION, account="1" * ACCOUNT_ID_LENGTH,
                     name=name.replace(STACK, "s" * STACK_NAME.max_length))
    return len(TERM.replace("${%s.Arn}", arn))


def rule_groups(lengths: list[int]) -> list[range]:
    """Consecutive runs of children (their term lengths) each of whose rule fits PutCompositeAlarm: at most
    :data:`MAX_COMPOSITE_CHILDREN` children and :data:`MAX_ALARM_RULE` characters."""
    groups, start, size = [], 0, 0
    for index, length in enumerate(lengths):
        if index > start and (size + len(OR) + length > MAX_ALARM_RULE or index - start == MAX_COMPOSITE_CHILDREN):
            groups.append(range(start, index))
            start, size = index, 0
        size += (len(OR) if index > start else 0) + length
    return groups + [range(start, len(lengths))]


def _rule(children: tuple[Any, ...]) -> Sub:
    return Sub(OR.join(TERM % child.title for child in children))


def add_composites(
    template: Template, alarms: tuple[Any, ...], actions: dict[str, Any], room: Any
) -> tuple[cloudwatch.CompositeAlarm, tuple[cloudwatch.CompositeAlarm, ...]]:
    """The site-health alarm over ``alarms``: over them directly when one rule fits, else over part composites
    (each over a run of alarms, or of parts, whose rule fits), which do not notify. ``room(n)`` refuses ``n``
    more resources than the stack can take, before they are added."""
    parts: list[cloudwatch.CompositeAlarm] = []
    level = alarms
    while len(groups := rule_groups([longest_term(child) for child in level])) > 1:
        room(len(groups))
        made = []
        for group in groups:
            number = len(parts) + len(made) + 1
            part = cloudwatch.CompositeAlarm(
                f"SiteHealthAlarm{number}",
                AlarmName=stack_unique(f"site-health-{number}"),
                AlarmDescription=f"Part {number} of site health: any of its {len(group)} alarms is in ALARM "
                "(the site-health alarm notifies)",
                AlarmRule=_rule(level[group.start:group.stop]),
            )
            made.append(template.add_resource(part))
        parts += made
        level = tuple(made)
    composite = template.add_resource(
        cloudwatch.CompositeAlarm(
            "SiteHealthAlarm",
            AlarmName=stack_unique("site-health"),
            AlarmDescription="Site health: any performance budget or the synthetic canary is in ALARM",
            AlarmRule=_rule(level),
            **actions,
        )
    )
    return composite, tuple(parts)


def add_alarms(template: Template, settings: Settings, *, monitor_name: Any, canary_name: Any = None) -> Alarms | None:
    """Budget alarms, the canary alarm, the composite and the topic; ``None`` when nothing is monitored."""
    planned = settings.budgets.levels()
    if not settings.has_alarms():
        return None
    a = settings.alarms
    lab_planned = lab_levels(settings) if canary_name is not None else []
    segment_vitals = [(segment, key) for segment in settings.budgets.segments for key in segment.active()]
    locations = settings.canary.locations if canary_name is not None else ()
    adding = (
        len(planned)
        + len(segment_vitals)
        + (1 + len(locations) if canary_name is not None else 0)
        + len(lab_planned)
        + (0 if a.topic_arn else 2 + bool(a.email))
        + a.composite
        + settings.dashboard
    )
    check_resources(len(template.resources) + adding, bool(segment_vitals))
    topic = None
    if a.topic_arn:
        topic_arn: Any = a.topic_arn
    else:
        topic, _key = add_topic(template, settings)
        topic_arn = Ref(topic)
    add_email(template, settings, topic_arn)
    composite_on = a.composite
    each = {} if composite_on else _actions(topic_arn, a.notify_ok)
    budgets = tuple(
        BudgetAlarm(level, add_budget_alarm(template, settings, level, monitor_name, each)) for level in planned
    )
    segments = tuple(
        SegmentAlarm(segment, key, add_segment_alarm(template, settings, segment, key, monitor_name, each))
        for segment, key in segment_vitals
    )
    canary_alarm = add_canary_alarm(template, settings, canary_name, each) if canary_name is not None else None
    located = tuple(add_canary_alarm(template, settings, canary_name, each, location) for location in locations)
    # warn-level lab alarms never notify: outside the composite, and without actions of their own.
    notifying = settings.canary.lab_level == "fail"
    lab = tuple(LabAlarm(level, add_lab_alarm(template, settings, level, each if notifying else {}))
                for level in lab_planned)
    alarms = (
        tuple(b.alarm for b in budgets)
        + tuple(s.alarm for s in segments)
        + ((canary_alarm,) if canary_alarm is not None else ())
        + located
        + (tuple(alarm.alarm for alarm in lab) if notifying else ())
    )
    composite, parts = None, ()
    if composite_on:
        def room(count: int) -> None:  # the part composites, then the site-health alarm and the dashboard
            check_resources(len(template.resources) + count + 1 + settings.dashboard, bool(segment_vitals))

        composite, parts = add_composites(template, alarms, _actions(topic_arn, a.notify_ok), room)
    return Alarms(
        budgets=budgets,
        canary_alarm=canary_alarm,
        composite=composite,
        topic=topic,
        topic_arn=topic_arn,
        alarms=alarms,
        segments=segments,
        parts=parts,
        lab=lab,
    )


__all__ = ["Alarms", "BudgetAlarm", "LabAlarm", "SegmentAlarm", "add_alarms", "add_composites", "add_topic",
           "canary_period", "lab_levels", "rule_groups", "statistic"]
