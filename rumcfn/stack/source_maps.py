"""Source maps for stack-trace deobfuscation: the bucket RUM reads them from, and the policy RUM needs.

AWS's guide ("Enabling unminification of JavaScript error stack traces", CloudWatch user guide) asks for
a bucket in the monitor's region whose policy lets ``rum.amazonaws.com`` call ``s3:GetObject`` and
``s3:ListBucket``, conditioned on ``aws:SourceAccount`` and ``aws:SourceArn`` (the monitor's ARN).
With ``monitor.source_maps_bucket`` the stack creates that bucket (so it is in the stack's region);
with ``monitor.source_maps_s3_uri`` the bucket is yours, and :func:`policy_note` is what to add to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import awacs.s3
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import AccountId, GetAtt, Sub, Template, s3

from rumcfn.config import Settings, is_literal
from rumcfn.facts import service_principal
from rumcfn.stack.buckets import add_secure_bucket
from rumcfn.stack.naming import monitor_arn

LOGICAL_ID = "SourceMaps"
RUM_SERVICE = service_principal("rum")


@dataclass(frozen=True)
class SourceMaps:
    """Where the monitor reads source maps (``s3_uri``), and the bucket and policy when the stack made them."""

    s3_uri: Any
    bucket: s3.Bucket | None = None
    policy: s3.BucketPolicy | None = None


def rum_read_statement(bucket_arn: Any, objects_arn: Any, account: Any, source_arn: Any) -> Statement:
    """AWS's statement letting RUM read source maps, scoped to one monitor against the confused deputy."""
    return Statement(
        Sid="RumReadsSourceMaps",
        Effect=Allow,
        Principal=Principal("Service", RUM_SERVICE),
        Action=[awacs.s3.GetObject, awacs.s3.ListBucket],
        Resource=[bucket_arn, objects_arn],
        Condition=Condition(StringEquals({"aws:SourceAccount": account, "aws:SourceArn": source_arn})),
    )


def add_source_maps(template: Template, settings: Settings) -> SourceMaps | None:
    """The bucket (with RUM's read statement beside the SSL-only deny) when the settings ask for one;
    the named URI otherwise; None when deobfuscation is off."""
    monitor = settings.monitor
    if monitor.source_maps_s3_uri:
        return SourceMaps(s3_uri=monitor.source_maps_s3_uri)
    if not monitor.source_maps_bucket:
        return None
    statement = rum_read_statement(GetAtt(LOGICAL_ID, "Arn"), Sub("${%s.Arn}/*" % LOGICAL_ID), AccountId,
                                   monitor_arn(settings))
    # Retained: S3 cannot delete a bucket that still holds objects, and the maps are release artifacts.
    bucket, policy = add_secure_bucket(template, LOGICAL_ID, retain=True, statements=(statement,),
                                       noncurrent_days=monitor.source_maps_noncurrent_version_days)
    return SourceMaps(s3_uri=Sub("s3://${%s}/" % LOGICAL_ID), bucket=bucket, policy=policy)


def policy_note(settings: Settings) -> str | None:
    """For a bucket the stack does not own: the policy statement to add to it, as a note for stderr."""
    uri = settings.monitor.source_maps_s3_uri
    if not uri or not is_literal(uri):
        return None
    bucket = uri.removeprefix("s3://").split("/", 1)[0]
    name = settings.monitor.name if is_literal(settings.monitor.name) else "APP_MONITOR_NAME"
    statement = rum_read_statement(f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*", "ACCOUNT_ID",
                                   f"arn:aws:rum:REGION:ACCOUNT_ID:appmonitor/{name}")
    document = json.loads(PolicyDocument(Version="2012-10-17", Statement=[statement]).to_json())
    return (f"note: CloudWatch RUM reads source maps from {uri} only if bucket {bucket} is in the monitor's region "
            f"and its policy has this statement (replace ACCOUNT_ID and REGION; aws partition shown):\n"
            + json.dumps(document, indent=2, sort_keys=True))


def notes(settings: Settings) -> list[str]:
    """What ``synth`` tells the user on stderr so that deobfuscation can work."""
    result = []
    monitor = settings.monitor
    if (monitor.source_maps_s3_uri or monitor.source_maps_bucket) and not settings.snippet.release_id:
        result.append("note: source maps are on, but snippet.release_id is empty: RUM finds a release's maps by the "
                      "releaseId the client sends (set it, or pass --release-id to `rumcfn snippet`)")
    note = policy_note(settings)
    if note:
        result.append(note)
    return result
