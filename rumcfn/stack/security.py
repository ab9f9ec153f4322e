"""Every security-scanner finding rumcfn accepts, with the reason, in one table per scanner.

Findings that were cheap to fix are fixed in the builders (encrypted, SSL-only, versioned buckets
with public access blocked; log retention; KMS key rotation; least-privilege roles). What remains is
written into each resource's ``Metadata`` in the form checkov reads
(``{"checkov": {"skip": [{"id": ..., "comment": ...}]}}``), so a scan of the template shows each accepted
finding next to its reason, and ``tests/integration/test_checkov.py`` fails on any finding not listed here.

cfn-guard's accepted findings (AWS Control Tower's proactive controls) are listed here only: Control Tower's
rules read no suppression from a template, and one entry per resource would push the template with every
option on past CloudFormation's 51,200-byte inline limit (nineteen alarms alone). ``tests/integration/
test_cfn_guard.py`` fails on any finding not listed here, and on any entry without a finding.

Resources checkov has no rules for are reviewed too: the Cognito identity pool allows unauthenticated
identities because that is how browsers get credentials for CloudWatch RUM (its guest role may only
``rum:PutRumEvents`` to this monitor); the canary, alarms and dashboard carry no data of their own. The
first-party CloudFront Function (``snippet.first_party``) passes on only POSTs to this app monitor's
PutRumEvents path and answers everything else at the edge; its origin request policy forwards five headers
and no cookies or query strings, so the site's cookies never reach AWS through it.
"""

from __future__ import annotations

from typing import Any, Mapping

from troposphere import Template

_NO_ACCESS_LOG = ("S3 server access logging needs a second bucket; this one holds {what}. Use CloudTrail "
                  "S3 data events if object-level audit is required.")

#: Resource type or logical id -> {check id: reason}. Logical-id entries add to (and override) type entries.
SUPPRESSIONS: dict[str, dict[str, str]] = {
    "AWS::Lambda::Function": {
        "CKV_AWS_115": "A CloudFormation custom resource: it runs only when CloudFormation creates, updates or "
        "deletes the stack, so reserved concurrency would only take capacity from other functions.",
        "CKV_AWS_116": "Invoked asynchronously by CloudFormation, with Lambda retries off (EventInvokeConfig "
        "MaximumRetryAttempts 0). It answers every request, failed ones too, to CloudFormation, which "
        "records them as stack events (one that dies fails at ServiceTimeout): a DLQ would hold nothing new.",
        "CKV_AWS_117": "Talks only to public AWS endpoints (S3, CloudFormation, RUM, CloudWatch Logs, and "
        "CloudFormation's pre-signed response URL); a VPC would add NAT or endpoints and cost, and "
        "protect nothing.",
        "CKV_AWS_173": "Environment variables hold no secrets (names and settings only); Lambda encrypts them "
        "at rest with an AWS managed key.",
    },
    "AWS::Cognito::IdentityPool": {
        "CKV_AWS_366": "CloudWatch RUM's web client runs in anonymous visitors' browsers, so it gets credentials "
        "as an unauthenticated (guest) identity. The guest role may only rum:PutRumEvents to this "
        "one app monitor (and xray:PutTraceSegments when X-Ray is on); classic flow is off.",
    },
    "AWS::Logs::LogGroup": {
        "CKV_AWS_158": "Holds only the handler's operational log lines (no personal data or secrets); CloudWatch "
        "Logs encrypts it at rest with service-managed keys. Retention is set.",
    },
    "AWS::S3::Bucket": {
        "CKV_AWS_18": _NO_ACCESS_LOG.format(what="only data rumcfn itself writes"),
    },
    "CanaryArtifacts": {
        "CKV_AWS_18": _NO_ACCESS_LOG.format(what="only canary screenshots and logs, expired by a lifecycle rule"),
    },
    "SiteBucket": {
        "CKV_AWS_18": _NO_ACCESS_LOG.format(what="the website's public files"),
    },
}

#: Checks that only apply when the resource has a property (a skip without a finding would mislead).
ONLY_WITH_PROPERTY = {"CKV_AWS_173": "Environment"}

#: cfn-guard: why each rule of AWS Control Tower's proactive controls that finds something here does not fit.
GUARD_REASONS: dict[str, str] = {
    "cloudwatch_alarm_action_check": "The alarm notifies through the composite alarm that watches it "
    "(alarms.composite, on by default: one message per incident, not one per vital); its state shows on the "
    "dashboard and in the console.",
    "cloudwatch_log_group_encrypted_check": SUPPRESSIONS["AWS::Logs::LogGroup"]["CKV_AWS_158"],
    "cloudwatch_log_group_retention_period_check": "The inline function's operational log lines matter while a "
    "deploy is investigated; script.log_retention_days sets their retention (365 or more meets the control).",
    "lambda_inside_vpc_check": SUPPRESSIONS["AWS::Lambda::Function"]["CKV_AWS_117"],
    "s3_bucket_default_encryption_kms_check": "Encrypted at rest with S3 managed keys (SSE-S3, AES-256, bucket "
    "key). A KMS key would need a policy granting each reader and writer (RUM reading source maps, the canary "
    "writing artifacts, the site's readers) and cost per request, for data that rumcfn writes itself and that "
    "holds no secret.",
    "s3_bucket_logging_enabled_check": _NO_ACCESS_LOG.format(what="only rum.js, source maps, canary artifacts or "
                                                              "the site's public files"),
    "s3_bucket_object_lock_enabled_check": "Object Lock forbids replacing or deleting versions while retained, but "
    "rum.js is rewritten by each deploy and restore-snippet, source maps when a release is rebuilt, and canary "
    "artifacts expire; versioning, with replaced versions kept for a set number of days, keeps earlier copies "
    "recoverable instead.",
    "s3_bucket_policy_ssl_requests_only_check": "The DenyInsecureTransport statement denies every request without "
    "TLS on the bucket and its objects; the rule reads the objects' ARN only when written with Fn::Join, and the "
    "template writes it with Fn::Sub (cfn-lint's I1022 asks for Fn::Sub).",
    "s3_event_notifications_enabled_check": "Nothing reacts to changes in these buckets, so a notification would "
    "need a topic, queue or function with no purpose; CloudTrail S3 data events record object-level activity "
    "where that is required.",
}

#: Resource type -> the rules it is excused from (each reason is in :data:`GUARD_REASONS`).
GUARD_SUPPRESSIONS: dict[str, tuple[str, ...]] = {
    "AWS::CloudWatch::Alarm": ("cloudwatch_alarm_action_check",),
    "AWS::Lambda::Function": ("lambda_inside_vpc_check",),
    "AWS::Logs::LogGroup": ("cloudwatch_log_group_encrypted_check", "cloudwatch_log_group_retention_period_check"),
    "AWS::S3::Bucket": ("s3_bucket_default_encryption_kms_check", "s3_bucket_logging_enabled_check",
                        "s3_bucket_object_lock_enabled_check", "s3_event_notifications_enabled_check"),
    "AWS::S3::BucketPolicy": ("s3_bucket_policy_ssl_requests_only_check",),
}


def _retention_under_a_year(properties: Mapping[str, Any]) -> bool:
    days = properties.get("RetentionInDays")
    return "RetentionInDays" in properties and not (isinstance(days, int) and days >= 365)


#: Rules that find something only in some resources of a type: the suppression is written only there.
GUARD_ONLY_WHEN = {
    "cloudwatch_alarm_action_check": lambda properties: not properties.get("AlarmActions"),
    "cloudwatch_log_group_retention_period_check": _retention_under_a_year,
}


def guard_rules_for(resource_type: str, properties: Mapping[str, Any]) -> list[str]:
    """The cfn-guard rules one resource is excused from."""
    return [rule for rule in GUARD_SUPPRESSIONS.get(resource_type, ())
            if rule not in GUARD_ONLY_WHEN or GUARD_ONLY_WHEN[rule](properties)]


def reasons_for(logical_id: str, resource_type: str, properties: Mapping[str, Any]) -> dict[str, str]:
    """The accepted findings of one resource: check id -> reason."""
    reasons = dict(SUPPRESSIONS.get(resource_type, {}))
    reasons.update(SUPPRESSIONS.get(logical_id, {}))
    return {
        check: reason
        for check, reason in reasons.items()
        if ONLY_WITH_PROPERTY.get(check) is None or ONLY_WITH_PROPERTY[check] in properties
    }


def explain_scanner_findings(template: Template) -> None:
    """Write the accepted findings into each resource's Metadata (checkov's skip format).

    Skips a builder already wrote are kept unless this table explains the same check, which wins."""
    for logical_id, resource in template.resources.items():
        resource_type = getattr(resource, "resource_type", None)
        if not resource_type:
            continue
        reasons = reasons_for(logical_id, resource_type, resource.properties)
        if not reasons:
            continue
        metadata = dict(getattr(resource, "Metadata", None) or {})
        checkov = dict(metadata.get("checkov", {}))
        skips = {skip["id"]: skip for skip in checkov.get("skip", [])}
        skips.update({check: {"id": check, "comment": reason} for check, reason in reasons.items()})
        checkov["skip"] = [skips[check] for check in sorted(skips)]
        metadata["checkov"] = checkov
        resource.Metadata = metadata


__all__ = ["GUARD_REASONS", "GUARD_SUPPRESSIONS", "SUPPRESSIONS", "explain_scanner_findings", "guard_rules_for",
           "reasons_for"]
