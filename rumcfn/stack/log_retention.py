"""Retention for CloudWatch RUM's own log group (``monitor.log_retention_days`` with ``cw_log_enabled``).

Why a custom resource: with ``CwLogEnabled`` RUM creates the group itself when the monitor is created,
as ``/aws/vendedlogs/RUMService_<monitor name><first 8 characters of its id>``, and never expires it.
An ``AWS::Logs::LogGroup`` of that name would fail ("already exists"), and one created before the
monitor cannot know the id. So the rum.js function (a third custom resource type,
``Custom::RumLogRetention``, rather than a second copy of inline code) reads the group's name from
``rum:GetAppMonitor`` and calls ``logs:PutRetentionPolicy`` on it; only here does its role get to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import awacs.logs
import awacs.rum
from awacs.aws import Allow, PolicyDocument, Statement
from troposphere import AWSObject, Ref, Sub, Template, iam
from troposphere.validators import integer

from rumcfn.config import Settings
from rumcfn.contract import CustomResources
from rumcfn.stack.naming import monitor_arn
from rumcfn.stack.snippet_writer import SERVICE_PROPS, ScriptResources, serve

#: Not ``RumLogRetention``: under that id the resource had a function of its own, and CloudFormation cannot
#: change a custom resource's ServiceToken ("Updates aren't supported", AWS::CloudFormation::CustomResource),
#: so a stack made with it gets this resource new (its Create sets the retention again) and deletes that one.
LOGICAL_ID = "RumLogGroupRetention"


class RumLogRetention(AWSObject):
    """``Custom::RumLogRetention``: Create and Update set the retention; Delete leaves the group."""

    resource_type = CustomResources.LOG_RETENTION
    props = {**SERVICE_PROPS, "MonitorName": (str, True), "RetentionInDays": (integer, True)}


@dataclass(frozen=True)
class LogRetention:
    resource: RumLogRetention
    policy: iam.Policy


def retention_policy(settings: Settings) -> PolicyDocument:
    """Read this monitor; set retention on (or create) only RUM's group for it."""
    name = {"MonitorName": settings.monitor.name}
    groups = [Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:" + prefix + "${MonitorName}*",
                  **name) for prefix in ("/aws/vendedlogs/RUMService_", "RUMService_")]
    return PolicyDocument(Version="2012-10-17", Statement=[
        Statement(Sid="ReadMonitor", Effect=Allow, Action=[awacs.rum.GetAppMonitor], Resource=[monitor_arn(settings)]),
        Statement(Sid="SetRetention", Effect=Allow, Action=[awacs.logs.PutRetentionPolicy, awacs.logs.CreateLogGroup],
                  Resource=groups),
    ])


def add_log_retention(
    template: Template, settings: Settings, *, writer: ScriptResources, monitor: Any
) -> LogRetention | None:
    """The custom resource, served by the rum.js function (after the monitor, through its name)."""
    days = settings.monitor.log_retention_days
    if not (settings.monitor.cw_log_enabled and days):
        return None
    policy = iam.Policy(PolicyName="SetRumLogRetention", PolicyDocument=retention_policy(settings))
    served = serve(writer, policy, "sets the retention of RUM's log group", settings.script.service_timeout)
    resource = template.add_resource(
        RumLogRetention(LOGICAL_ID, **served, MonitorName=Ref(monitor), RetentionInDays=days)
    )
    return LogRetention(resource, policy)


__all__ = ["add_log_retention", "LogRetention", "RumLogRetention"]
