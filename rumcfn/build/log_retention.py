"""Retention for CloudWatch RUM's own log group (``monitor.log_retention_days`` with ``cw_log_enabled``).

Why a custom resource: with ``CwLogEnabled`` RUM creates the group itself when the monitor is created,
as ``/aws/vendedlogs/RUMService_<monitor name><first 8 characters of its id>``, and never expires it.
An ``AWS::Logs::LogGroup`` of that name would fail ("already exists"), and one created before the
monitor cannot know the id. So a small inline Lambda reads the group's name from ``rum:GetAppMonitor``
and calls ``logs:PutRetentionPolicy`` on it; it may do nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import awacs.logs
import awacs.rum
from awacs.aws import Allow, PolicyDocument, Statement
from troposphere import AWSObject, GetAtt, Ref, Sub, Template
from troposphere import awslambda, iam, logs
from troposphere.validators import integer

from rumcfn.build.naming import monitor_arn
from rumcfn.build.roles import lambda_trust
from rumcfn.build.snippet_writer import RUNTIME, inline_handler
from rumcfn.config import Settings

HANDLER_FILE = "rum_log_retention.py"
LAMBDA_TIMEOUT = 60
SERVICE_TIMEOUT = 120


class RumLogRetention(AWSObject):
    resource_type = "Custom::RumLogRetention"
    props = {
        "ServiceToken": (str, True),
        "ServiceTimeout": (integer, False),
        "MonitorName": (str, True),
        "RetentionInDays": (integer, True),
    }


@dataclass(frozen=True)
class LogRetention:
    resource: RumLogRetention
    function: awslambda.Function
    role: iam.Role
    log_group: logs.LogGroup


def retention_policy(settings: Settings, own_logs: logs.LogGroup) -> PolicyDocument:
    """Read this monitor; set retention on (or create) only RUM's group for it; write its own logs."""
    name = {"MonitorName": settings.monitor.name}
    groups = [Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:" + prefix + "${MonitorName}*",
                  **name) for prefix in ("/aws/vendedlogs/RUMService_", "RUMService_")]
    return PolicyDocument(Version="2012-10-17", Statement=[
        Statement(Sid="ReadMonitor", Effect=Allow, Action=[awacs.rum.GetAppMonitor], Resource=[monitor_arn(settings)]),
        Statement(Sid="SetRetention", Effect=Allow, Action=[awacs.logs.PutRetentionPolicy, awacs.logs.CreateLogGroup],
                  Resource=groups),
        Statement(Sid="WriteOwnLogs", Effect=Allow, Action=[awacs.logs.CreateLogStream, awacs.logs.PutLogEvents],
                  Resource=[GetAtt(own_logs, "Arn")]),
    ])


def add_log_retention(template: Template, settings: Settings, *, monitor: Any) -> LogRetention | None:
    """The function, its role and log group, and the custom resource (after the monitor, through its name)."""
    days = settings.monitor.log_retention_days
    if not (settings.monitor.cw_log_enabled and days):
        return None
    own_logs = template.add_resource(logs.LogGroup(
        "RumLogRetentionLogs", RetentionInDays=settings.script.log_retention_days,
        DeletionPolicy="Delete", UpdateReplacePolicy="Delete",
    ))
    role = template.add_resource(iam.Role(
        "RumLogRetentionRole", AssumeRolePolicyDocument=lambda_trust(),
        Policies=[iam.Policy(PolicyName="SetRumLogRetention", PolicyDocument=retention_policy(settings, own_logs))],
    ))
    function = template.add_resource(awslambda.Function(
        "RumLogRetentionFunction",
        Description="Sets the retention of CloudWatch RUM's log group for CloudFormation (rumcfn)",
        Runtime=RUNTIME, Architectures=["arm64"], MemorySize=128, Timeout=LAMBDA_TIMEOUT,
        Handler="index.handler", Role=GetAtt(role, "Arn"),
        Code=awslambda.Code(ZipFile=inline_handler(HANDLER_FILE)),
        LoggingConfig=awslambda.LoggingConfig(LogGroup=Ref(own_logs)),
    ))
    resource = template.add_resource(RumLogRetention(
        "RumLogRetention", ServiceToken=GetAtt(function, "Arn"), ServiceTimeout=SERVICE_TIMEOUT,
        MonitorName=Ref(monitor), RetentionInDays=days,
    ))
    return LogRetention(resource, function, role, own_logs)
