"""The rum.js writer: a custom resource whose inline Lambda puts the snippet into the website bucket.

The snippet is a property of the custom resource, so CloudFormation re-runs it exactly when the
snippet changes (and only after the app monitor exists, through ``GetAtt AppMonitor.Id``). The
Lambda may write and delete that one object (and, until the next update of rum.js, the one it was
moved from) and write its own logs; nothing else, unless it is given more duties (:class:`Duty`): each
duty's policy, description and timeout are declared here, where the function is created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

import awacs.logs
import awacs.s3
from awacs.aws import Allow, PolicyDocument, Statement
from troposphere import AWSObject, GetAtt, Ref, Sub, Template, awslambda, iam, logs, s3
from troposphere.validators import integer

from rumcfn.config import Settings, is_literal
from rumcfn.contract import CustomResources
from rumcfn.stack.buckets import add_secure_bucket
from rumcfn.stack.inline import inline_handler
from rumcfn.stack.roles import lambda_trust

HANDLER_FILE = "rum_script.py"
#: Newest Python runtime cfn-lint 1.58 knows, with no deprecation date in sight.
RUNTIME = "python3.14"
CONTENT_TYPE = "application/javascript; charset=utf-8"
#: The Lambda's own timeout; its timer answers FAILED about a third (at most 20 s) before it.
LAMBDA_TIMEOUT = 60
#: AWS::Lambda::EventInvokeConfig's MaximumEventAgeInSeconds range (cfn-lint's schema; Lambda API reference).
EVENT_AGE = (60, 21600)


#: What every custom resource served by the rum.js function takes: the function, and how long to wait for it.
SERVICE_PROPS = {"ServiceToken": (str, True), "ServiceTimeout": (integer, False)}
#: How the function's Description ends; each further duty goes before it.
BRAND = " (rumcfn)"


class RumScript(AWSObject):
    """``Custom::RumScript``: typed properties, so a typo fails at synth time, not at deploy time."""

    resource_type = CustomResources.RUM_SCRIPT
    props = {
        **SERVICE_PROPS,
        "Bucket": (str, True),
        "Key": (str, True),
        "Content": (Sub, True),
        "ContentType": (str, True),
        "CacheControl": (str, True),
        "RetainOnDelete": (str, False),
        "UrlSuffix": (str, True),  # the partition's, for the object's URL (AWS::URLSuffix)
    }


#: The attribute naming the object of rum.js's previous properties (handlers/rum_script.py, put_script).
PREVIOUS_OBJECT = "PreviousObjectArn"


@dataclass(frozen=True)
class Duty:
    """One more custom resource type the rum.js function serves (one copy of inline code, not two): what its
    role may do for it, the phrase its description gets, and the timeout it needs (at most the service timeout)."""

    resource_type: str
    policy: iam.Policy
    summary: str
    timeout: int = LAMBDA_TIMEOUT


@dataclass(frozen=True)
class ScriptResources:
    """What :func:`add_snippet_writer` created (``bucket`` only with ``script.create_bucket``)."""

    resource: RumScript
    function: awslambda.Function
    role: iam.Role
    log_group: logs.LogGroup
    invoke_config: awslambda.EventInvokeConfig
    previous_object: iam.PolicyType
    duties: tuple[Duty, ...] = ()
    bucket: s3.Bucket | None = None
    bucket_policy: s3.BucketPolicy | None = None
    service_timeout: Any = None

    def served(self, resource_type: str) -> dict[str, Any]:
        """The properties and ``DependsOn`` a resource of a declared duty starts with (it runs only once
        Lambda's retries are off); ValueError for a type the function was not created to serve."""
        if resource_type not in {duty.resource_type for duty in self.duties}:
            raise ValueError(f"the rum.js function was created without the duty to serve {resource_type}")
        return {
            "ServiceToken": GetAtt(self.function, "Arn"),
            "ServiceTimeout": self.service_timeout,
            "DependsOn": [self.invoke_config.title],
        }


def handler_source() -> str:
    return inline_handler(HANDLER_FILE)


def writer_policy(bucket: Any, key: str, log_group: logs.LogGroup) -> PolicyDocument:
    """Put/delete of exactly one object; log events into the function's own log group."""
    return PolicyDocument(Version="2012-10-17", Statement=[
        Statement(Sid="WriteSnippet", Effect=Allow, Action=[awacs.s3.PutObject, awacs.s3.DeleteObject],
                  Resource=[Sub("arn:${AWS::Partition}:s3:::${Bucket}/" + key, Bucket=bucket)]),
        Statement(Sid="WriteOwnLogs", Effect=Allow, Action=[awacs.logs.CreateLogStream, awacs.logs.PutLogEvents],
                  Resource=[GetAtt(log_group, "Arn")]),
    ])


def lambda_timeout(settings: Settings, cap: int = LAMBDA_TIMEOUT) -> int:
    """Never longer than CloudFormation waits, so the timer's answer arrives while it still listens."""
    service = settings.script.service_timeout
    return max(3, min(cap, service)) if is_literal(service) else LAMBDA_TIMEOUT


def previous_object_policy(role: iam.Role, resource: RumScript) -> iam.PolicyType:
    """Write and delete the object of rum.js's previous properties.

    An update that moves rum.js (``script.bucket`` or ``script.key``) gets it a new physical id, and
    CloudFormation then sends a Delete for the old one, after the update, under the role as updated, whose
    ``WriteSnippet`` names only the new object (AWS::CloudFormation::CustomResource, replacing a custom
    resource). This policy names the object the last Create or Update moved from (the resource's own
    ``PreviousObjectArn``, which is the current object once nothing moved): CloudFormation updates it after
    the resource, so the cleanup Delete may remove the old rum.js, and a rollback may write it back."""
    return iam.PolicyType(
        "RumScriptPreviousObject",
        PolicyName="WritePreviousRumScript",
        Roles=[Ref(role)],
        PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=[
            Statement(Sid="WritePreviousSnippet", Effect=Allow, Action=[awacs.s3.PutObject, awacs.s3.DeleteObject],
                      Resource=[GetAtt(resource, PREVIOUS_OBJECT)]),
        ]),
    )


def add_snippet_writer(template: Template, settings: Settings, *, snippet: Sub, monitor: Any,
                       duties: Sequence[Duty] = ()) -> ScriptResources:
    """Add the bucket (optional), log group, role, function and the custom resource writing rum.js.

    ``monitor`` is the app monitor: the snippet references it (``GetAtt Id``), which orders the write
    after it; should a snippet ever not, an explicit ``DependsOn`` keeps that order. ``duties``: the other
    custom resource types the function serves; their policies, description phrases and timeouts are
    declared here, with the function, and :meth:`ScriptResources.served` refuses any other type.
    """
    script = settings.script
    bucket_name: Any = script.bucket
    bucket = policy = None
    if script.create_bucket:
        bucket, policy = add_secure_bucket(template, "SiteBucket", bucket_name=script.bucket, retain=True,
                                           noncurrent_days=script.noncurrent_version_days)
        bucket_name = Ref(bucket)
    log_group = template.add_resource(logs.LogGroup(
        "RumScriptLogs", RetentionInDays=script.log_retention_days,
        DeletionPolicy="Delete", UpdateReplacePolicy="Delete",  # the helper's own logs go with the stack
    ))
    role = template.add_resource(
        iam.Role(
            "RumScriptRole",
            AssumeRolePolicyDocument=lambda_trust(),
            Policies=[
                iam.Policy(
                    PolicyName="WriteRumScript", PolicyDocument=writer_policy(bucket_name, script.key, log_group)
                ),
                *(duty.policy for duty in duties),
            ],
        )
    )
    description = "; ".join(["Writes rum.js into the website bucket for CloudFormation",
                             *(duty.summary for duty in duties)])
    function = template.add_resource(
        awslambda.Function(
            "RumScriptFunction",
            Description=description + BRAND,
            Runtime=RUNTIME,
            Architectures=["arm64"],
            MemorySize=128,
            Timeout=lambda_timeout(settings, cap=max([LAMBDA_TIMEOUT, *(duty.timeout for duty in duties)])),
            Handler="index.handler",
            Role=GetAtt(role, "Arn"),
            Code=awslambda.Code(ZipFile=handler_source()),
            LoggingConfig=awslambda.LoggingConfig(LogGroup=Ref(log_group)),
        )
    )
    invoke_config = add_invoke_config(template, function, script.service_timeout)
    properties: dict[str, Any] = {
        "ServiceToken": GetAtt(function, "Arn"),
        "ServiceTimeout": script.service_timeout,
        "Bucket": bucket_name,
        "Key": script.key,
        "Content": snippet,
        "ContentType": CONTENT_TYPE,
        "CacheControl": script.cache_control,
    }
    if script.retain_on_delete:
        properties["RetainOnDelete"] = "true"
    properties["UrlSuffix"] = Ref("AWS::URLSuffix")
    resource = RumScript("RumScript", **properties)
    resource.DependsOn = [invoke_config.title]
    if f'"{monitor.title}"' not in json.dumps(snippet.to_dict()):  # the write must follow the monitor
        resource.DependsOn.insert(0, monitor.title)
    template.add_resource(resource)
    previous = template.add_resource(previous_object_policy(role, resource))
    return ScriptResources(resource, function, role, log_group, invoke_config, previous, tuple(duties), bucket,
                           policy, script.service_timeout)


def add_invoke_config(
    template: Template, function: awslambda.Function, service_timeout: Any
) -> awslambda.EventInvokeConfig:
    """No Lambda retries: CloudFormation invokes custom-resource functions asynchronously, so Lambda would
    otherwise run a failed request up to twice more, writing after CloudFormation had its answer; and
    an event queued longer than CloudFormation waits (``ServiceTimeout``) is dropped, not run late."""
    age = min(max(service_timeout, EVENT_AGE[0]), EVENT_AGE[1]) if is_literal(service_timeout) else EVENT_AGE[1]
    return template.add_resource(
        awslambda.EventInvokeConfig(
            f"{function.title}InvokeConfig",
            FunctionName=Ref(function),
            Qualifier="$LATEST",
            MaximumRetryAttempts=0,
            MaximumEventAgeInSeconds=age,
        )
    )


__all__ = ["add_snippet_writer", "Duty", "ScriptResources", "RumScript", "handler_source", "RUNTIME", "CONTENT_TYPE",
           "PREVIOUS_OBJECT"]
