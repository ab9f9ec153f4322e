"""Retention for CloudWatch RUM's own log group (``monitor.log_retention_days`` with ``cw_log_enabled``).

Why a custom resource: with ``CwLogEnabled`` RUM creates the group itself when the monitor is created,
as ``/aws/vendedlogs/RUMService_<monitor name><first 8 characters of its id>``, and never expires it.
An ``AWS::Logs::LogGroup`` of that name would fail ("already exists"), and one created before the
monitor cannot know the id. So the rum.js function (a third custom resource type,
``Custom::RumLogRetention``, rather than a second copy of inline code) reads the group's name from
``rum:GetAppMonitor`` and calls ``logs:PutRetentionPolicy`` on it; only with this duty does its role get to.
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
from rumcfn.stack.snippet_writer import SERVICE_PROPS, Duty, ScriptResources

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


#: The group RUM makes for a monitor: the name, then the first 8 characters of the monitor's id (a UUID), each
#: ``?`` matching exactly one character in IAM, so a monitor whose name merely starts the same (``shop-v2`` for
#: ``shop``) is not covered. The same name with ``:*`` is the ARN form CloudWatch Logs authorizes these actions
#: on (CloudWatch Logs User Guide, "CloudWatch Logs resources and operations"); both are granted.
RUM_GROUP = "/aws/vendedlogs/RUMService_${MonitorName}????????"


def retention_policy(settings: Settings) -> PolicyDocument:
    """Read this monitor; set retention on (or create) only RUM's group for it."""
    group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:" + RUM_GROUP
    groups = [Sub(group + tail, MonitorName=settings.monitor.name) for tail in ("", ":*")]
    return PolicyDocument(Version="2012-10-17", Statement=[
        Statement(Sid="ReadMonitor", Effect=Allow, Action=[awacs.rum.GetAppMonitor], Resource=[monitor_arn(settings)]),
        Statement(Sid="SetRetention", Effect=Allow, Action=[awacs.logs.PutRetentionPolicy, awacs.logs.CreateLogGroup],
                  Resource=groups),
    ])


def retention_duty(settings: Settings) -> Duty | None:
    """What the rum.js function needs to serve the resource, when the settings ask for it."""
    if not (settings.monitor.cw_log_enabled and settings.monitor.log_retention_days):
        return None
    policy = iam.Policy(PolicyName="SetRumLogRetention", PolicyDocument=retention_policy(settings))
    return Duty(RumLogRetention.resource_type, policy, "sets the retention of RUM's log group")


def add_log_retention(
    template: Template, settings: Settings, *, writer: ScriptResources, monitor: Any
) -> LogRetention | None:
    """The custom resource, served by the rum.js function (after the monitor, through its name); the function
    must have been created with :func:`retention_duty`."""
    days = settings.monitor.log_retention_days
    if not (settings.monitor.cw_log_enabled and days):
        return None
    served = writer.served(RumLogRetention.resource_type)
    duty = next(d for d in writer.duties if d.resource_type == RumLogRetention.resource_type)
    resource = template.add_resource(
        RumLogRetention(LOGICAL_ID, **served, MonitorName=Ref(monitor), RetentionInDays=days)
    )
    return LogRetention(resource, duty.policy)


__all__ = ["add_log_retention", "retention_duty", "LogRetention", "RumLogRetention"]
