"""The CloudWatch Synthetics canary: a browser opens the site on a schedule and fails when the page
answers with an error status, times out, does not load the RUM snippet (``window.cwr``), or its web
client sends no batch to the stack's app monitor. The script answers the client's data-plane requests
itself, so the canary's visits never reach RUM's data (see ``templates/canary.js.j2``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import awacs.cloudwatch
import awacs.logs
import awacs.s3
import awacs.xray
from awacs.aws import Allow, Condition, PolicyDocument, Statement, StringEquals
from troposphere import GetAtt, Join, Ref, Split, Sub, Tags, Template, iam, synthetics

from rumcfn.config import Settings, is_literal
from rumcfn.facts import LAB_METRICS, LAB_NAMESPACE_PREFIX, SYNTHETICS_PUPPETEER_RUNTIMES
from rumcfn.resources import render
from rumcfn.stack.buckets import add_secure_bucket
from rumcfn.stack.roles import lambda_trust
from rumcfn.stack.snippet import stack_endpoint

#: The newest Node.js + Puppeteer runtime AWS lists (facts.SYNTHETICS_PUPPETEER_RUNTIMES, with its source). The
#: script needs what every runtime from 13.1 on gives: @aws/synthetics-puppeteer and @aws/synthetics-logger, the
#: inline handler index.handler, and Node.js's global URL and async functions (Node.js 10 and later). cfn-lint
#: keeps no list of Synthetics runtimes (its schema takes any 1-1024 character RuntimeVersion):
#: tests/unit/stack/test_canary.py checks the schema accepts this one and, should cfn-lint's data ever name
#: Puppeteer runtimes, that this is the newest.
RUNTIME = SYNTHETICS_PUPPETEER_RUNTIMES[0]
HANDLER = "index.handler"  # an inline Script is saved as index.js
ARTIFACT_PREFIX = "synthetics"
#: Synthetics names the canary's Lambda function and log group after the first 21 characters of its name
#: (DeleteCanary API reference: "/aws/lambda/cwsyn-First-21-Characters-of-CanaryName"), then "-<id>".
LAMBDA_NAME_CHARS = 21
MAX_RETENTION_DAYS = 455  # Synthetics' limit for Success/FailureRetentionPeriod


@dataclass(frozen=True)
class Canary:
    canary: synthetics.Canary
    role: iam.Role
    name: Any  # the canary name: a literal or Ref("CanaryName")
    bucket: Any  # the artifacts bucket resource, or None when an existing bucket is used


def script(settings: Settings) -> str:
    """The canary's Node.js source, rendered from ``templates/canary.js.j2`` (with ``canary.lab_vitals``, the
    vitals of ``templates/vitals.js.j2`` and what each is published as)."""
    timeout_ms = settings.canary.timeout_seconds * 1000
    lab = {m.key: [m.metric, m.unit] for m in LAB_METRICS.values()} if settings.canary.lab_vitals else None
    return render("canary.js.j2", namespace="cwr", load_timeout_ms=max(1000, timeout_ms * 6 // 10),
                  rum_timeout_ms=max(1000, timeout_ms * 2 // 10), settle_ms=max(500, timeout_ms // 10),
                  lab=json.dumps(lab, separators=(",", ":")) if lab else "",
                  vitals=json.dumps(render("vitals.js.j2")) if lab else "")


def lab_namespace(settings: Settings) -> Any:
    """Where the canary publishes its lab vitals: ``rumcfn/lab/<monitor name>`` (an ``Fn::Sub`` for a parameter)."""
    name = settings.monitor.name
    return LAB_NAMESPACE_PREFIX + name if is_literal(name) else Sub(LAB_NAMESPACE_PREFIX + "${Name}", Name=name)


def _sub(text: str, **variables: Any) -> Sub:
    """``Sub`` with only the variables the text uses (cfn-lint flags unused ones)."""
    return Sub(text, **{k: v for k, v in variables.items() if "${%s}" % k in text}) if variables else Sub(text)


def log_group_arn(name: Any, region: str = "${AWS::Region}") -> Sub:
    """The canary's own log group in ``region``, ``/aws/lambda/cwsyn-<first 21 characters of the name>-<id>``.

    A name given as a parameter cannot be truncated in CloudFormation, so it gets every canary's
    prefix (``cwsyn-*``) rather than a pattern that would miss names longer than 21 characters."""
    arn = "arn:${AWS::Partition}:logs:%s:${AWS::AccountId}:log-group:/aws/lambda/cwsyn-" % region
    if not is_literal(name):
        return Sub(arn + "*")
    return Sub(arn + name[:LAMBDA_NAME_CHARS] + "-*")


def execution_policy(settings: Settings, bucket: Any, prefix: Any, name: Any) -> PolicyDocument:
    """What the canary's Lambda needs and no more: the permissions CreateCanary documents for the execution
    role (s3:PutObject, s3:GetBucketLocation, s3:ListAllMyBuckets, cloudwatch:PutMetricData, logs:*), each
    scoped as far as its action allows, plus xray:PutTraceSegments only with active tracing."""
    object_arn = _sub("arn:${AWS::Partition}:s3:::${Bucket}/${Prefix}/*", Bucket=bucket, Prefix=prefix)
    statements = [
        Statement(Sid="Artifacts", Effect=Allow, Action=[awacs.s3.PutObject], Resource=[object_arn]),
        Statement(
            Sid="ArtifactsBucket",
            Effect=Allow,
            Action=[awacs.s3.GetBucketLocation],
            Resource=[_sub("arn:${AWS::Partition}:s3:::${Bucket}", Bucket=bucket)],
        ),
        # CreateCanary's ExecutionRoleArn documentation lists s3:ListAllMyBuckets among the permissions
        # the role must have (the runtime checks the artifact bucket); the action takes no resource.
        Statement(Sid="ListBuckets", Effect=Allow, Action=[awacs.s3.ListAllMyBuckets], Resource=["*"]),
        Statement(
            Sid="Logs",
            Effect=Allow,
            Action=[awacs.logs.CreateLogGroup, awacs.logs.CreateLogStream, awacs.logs.PutLogEvents],
            # Replicas run with this role in their own Regions and log there (same function name).
            Resource=[log_group_arn(name)] + [log_group_arn(name, region) for region in settings.canary.locations],
        ),
        Statement(
            Sid="Metrics",
            Effect=Allow,
            Action=[awacs.cloudwatch.PutMetricData],
            Resource=["*"],
            Condition=Condition(StringEquals("cloudwatch:namespace", "CloudWatchSynthetics")),
        ),
    ]
    if settings.canary.lab_vitals:
        # Its own namespace only: the condition key cloudwatch:namespace (Service Authorization Reference,
        # Amazon CloudWatch: PutMetricData takes it) keeps the role from writing any other metrics.
        statements.append(Statement(
            Sid="LabVitals",
            Effect=Allow,
            Action=[awacs.cloudwatch.PutMetricData],
            Resource=["*"],
            Condition=Condition(StringEquals("cloudwatch:namespace", lab_namespace(settings))),
        ))
    if settings.monitor.enable_xray:
        statements.append(Statement(Sid="Tracing", Effect=Allow, Action=[awacs.xray.PutTraceSegments], Resource=["*"]))
    return PolicyDocument(Version="2012-10-17", Statement=statements)


def link_tag(settings: Settings) -> dict[str, Any]:
    """The tag linking the canary to its monitor (key: the monitor name unless set; '#' is no tag character)."""
    key = settings.canary_tag_key()
    if not is_literal(key):  # a parameter: CloudFormation replaces the '#' when it has the value
        key = Join("-", Split("#", key))
    return {"Key": key, "Value": settings.canary.tag_value}


def link_tags(settings: Settings) -> Tags:
    tags = Tags()
    tags.tags = [link_tag(settings)]  # the key may be an intrinsic function, which Tags(**kwargs) cannot take
    return tags


def environment(settings: Settings, monitor_id: Any) -> dict[str, Any]:
    """What the script reads: the page, and the data plane and app monitor its snippet sends to."""
    variables = {
        "SITE_URL": settings.site_url(),
        "RUM_ENDPOINT": stack_endpoint(settings),
        "APP_MONITOR_ID": monitor_id,
    }
    if settings.canary.lab_vitals:
        variables["LAB_NAMESPACE"] = lab_namespace(settings)
    return variables


def add_location_rule(template: Template, settings: Settings) -> None:
    """Refuse, before anything is created, a stack in a Region the canary also lists as a replica location
    (multilocation guide: "The primary Region cannot be selected as a replica location")."""
    locations = list(settings.canary.locations)
    template.add_rule(
        "CanaryLocations",
        {
            "Assertions": [
                {
                    "Assert": {"Fn::Not": [{"Fn::Contains": [locations, Ref("AWS::Region")]}]},
                    "AssertDescription": (
                        "canary.locations must not include the stack's own Region (the canary's primary location)"
                    ),
                }
            ]
        },
    )


def add_canary(template: Template, settings: Settings, *, monitor_id: Any) -> Canary:
    """Add the canary, its execution role and (unless an existing one is named) its artifacts bucket;
    ``monitor_id`` is the app monitor whose batches the canary expects (and answers itself)."""
    c = settings.canary
    name = settings.canary_name()
    bucket_resource = None
    if c.artifacts_bucket:
        bucket: Any = c.artifacts_bucket
    else:
        # S3 cannot delete a bucket holding objects, and the canary writes some on its first run: the
        # bucket is retained, unless the stack empties it first (canary.empty_artifacts_on_delete).
        bucket_resource, _ = add_secure_bucket(
            template, "CanaryArtifacts", expiry_days=c.artifacts_expiry_days, retain=True
        )
        if c.empty_artifacts_on_delete:
            bucket_resource.DeletionPolicy = "Delete"  # emptied by Custom::EmptyBucket; replaced: retained
        bucket = Ref(bucket_resource)
    prefix = _sub("%s/${Name}" % ARTIFACT_PREFIX, Name=name) if not is_literal(name) else f"{ARTIFACT_PREFIX}/{name}"
    role = template.add_resource(
        iam.Role(
            "CanaryRole",
            AssumeRolePolicyDocument=lambda_trust(),
            Policies=[iam.Policy(PolicyName="Canary", PolicyDocument=execution_policy(settings, bucket, prefix, name))],
        )
    )
    run_config: dict[str, Any] = {
        "TimeoutInSeconds": c.timeout_seconds,
        "EnvironmentVariables": environment(settings, monitor_id),
    }
    if settings.monitor.enable_xray:
        run_config["ActiveTracing"] = True
    retention = min(c.artifacts_expiry_days, MAX_RETENTION_DAYS)
    retry = {"RetryConfig": synthetics.RetryConfig(MaxRetries=c.retries)} if c.retries else {}
    extra: dict[str, Any] = {"DryRunAndUpdate": True} if c.safe_updates else {}
    if c.locations:
        extra["Replicas"] = [synthetics.Replica(Location=location) for location in c.locations]
        add_location_rule(template, settings)
    canary = template.add_resource(
        synthetics.Canary(
            "Canary",
            Name=name,
            RuntimeVersion="syn-nodejs-puppeteer-9.1",  # replaced below
            Code=synthetics.Code(Handler=HANDLER, Script=script(settings)),
            ExecutionRoleArn=GetAtt(role, "Arn"),
            ArtifactS3Location=_sub("s3://${Bucket}/${Prefix}", Bucket=bucket, Prefix=prefix),
            Schedule=synthetics.Schedule(Expression=c.schedule, **retry),
            RunConfig=synthetics.RunConfig(**run_config),
            StartCanaryAfterCreation=True,
            ProvisionedResourceCleanup="AUTOMATIC",
            SuccessRetentionPeriod=retention,
            FailureRetentionPeriod=retention,
            Tags=link_tags(settings),
            **extra,
        )
    )
    # troposphere 4.11's runtime list stops at syn-nodejs-puppeteer-9.1; CloudFormation's schema (and
    # cfn-lint) take any runtime string, so set the current one past troposphere's stale validator.
    canary.properties["RuntimeVersion"] = RUNTIME
    return Canary(canary=canary, role=role, name=name, bucket=bucket_resource)
