"""Names and ARNs shared by the builders: partition-aware, unique per stack."""

from __future__ import annotations

from typing import Any

from troposphere import Sub

from rumcfn.config import Settings


def monitor_arn(settings: Settings) -> Sub:
    """This stack's app monitor ARN, built from its name (no GetAtt, so policies can't form a cycle)."""
    return Sub(
        "arn:${AWS::Partition}:rum:${AWS::Region}:${AWS::AccountId}:appmonitor/${MonitorName}",
        MonitorName=settings.monitor.name,
    )


def stack_unique(suffix: str) -> Sub:
    """A physical name unique per stack (and so per account and region): ``<stack>-<suffix>``."""
    return Sub("${AWS::StackName}-" + suffix)


def tags_of(pairs: tuple[tuple[str, Any], ...]):
    from troposphere import Tags

    return Tags(**dict(pairs)) if pairs else None
