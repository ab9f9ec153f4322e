"""Every security-scanner finding rumcfn accepts, with the reason, in one table per scanner.

Findings that were cheap to fix are fixed in the builders (encrypted, SSL-only, versioned buckets
with public access blocked; log retention; KMS key rotation; least-privilege roles). What remains is
written into each resource's ``Metadata``: in the form checkov reads
(``{"checkov": {"skip": [{"id": ..., "comment": ...}]}}``), and for cfn-guard in the form the AWS Guard
Rules Registry reads (``{"guard": {"SuppressedRules": [...]}}``, each rule's reason once in the template's
``Metadata.guard.Reasons``), so a scan of the template shows each accepted finding with its reason.
``tests/integration/test_checkov.py`` and ``tests/integration/test_cfn_guard.py`` (AWS Control Tower's Guard
rules) fail on any finding not listed here, and on any explanation without a finding.

Resources checkov has no rules for are reviewed too: the Cognito identity pool allows unauthenticated
identities because that is how browsers get credentials for CloudWatch RUM (its guest role may only
``rum:PutRumEvents`` to this monitor); the canary, alarms and dashboard carry no data of their own.
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
#: Written once, in the template's ``Metadata.guard.Reasons``; each resource lists the rules it is excused from
#: in its own ``Metadata.guard.SuppressedRules`` (a reason per resource would not fit the inline limit).
GUARD_REASONS: dict[str, str] = {
    "cloudwatch_alarm_action_check": "It notifies through the composite alarm watching it (alarms.composite).",
    "cloudwatch_log_group_encrypted_check": "As checkov's CKV_AWS_158 in the log group's Metadata.",
    "cloudwatch_log_group_retention_period_check": "Operational lines; script.log_retention_days sets it (365 meets "
    "this).",
    "lambda_inside_vpc_check": "As checkov's CKV_AWS_117 in the function's Metadata.",
    "s3_bucket_default_encryption_kms_check": "SSE-S3 encrypts it; a KMS key would have to grant RUM, the canary "
    "and the site's readers.",
    "s3_bucket_logging_enabled_check": "As checkov's CKV_AWS_18 in the bucket's Metadata.",
    "s3_bucket_object_lock_enabled_check": "rum.js, maps and artifacts are replaced or expire; replaced versions "
    "are kept for set days.",
    "s3_bucket_policy_ssl_requests_only_check": "DenyInsecureTransport does it; the rule reads the object ARN only "
    "as Fn::Join, not Fn::Sub.",
    "s3_event_notifications_enabled_check": "Nothing reacts to changes in the bucket; CloudTrail data events "
    "record them if needed.",
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
    """Write the accepted findings into each resource's Metadata (checkov's skip format, and cfn-guard's
    ``SuppressedRules``), and cfn-guard's reasons into the template's ``Metadata.guard.Reasons``.

    Skips a builder already wrote are kept unless this table explains the same check, which wins."""
    used: set[str] = set()
    for logical_id, resource in template.resources.items():
        resource_type = getattr(resource, "resource_type", None)
        if not resource_type:
            continue
        reasons = reasons_for(logical_id, resource_type, resource.properties)
        rules = guard_rules_for(resource_type, resource.properties)
        if not reasons and not rules:
            continue
        metadata = dict(getattr(resource, "Metadata", None) or {})
        if reasons:
            checkov = dict(metadata.get("checkov", {}))
            skips = {skip["id"]: skip for skip in checkov.get("skip", [])}
            skips.update({check: {"id": check, "comment": reason} for check, reason in reasons.items()})
            checkov["skip"] = [skips[check] for check in sorted(skips)]
            metadata["checkov"] = checkov
        if rules:
            metadata["guard"] = {"SuppressedRules": rules}
            used.update(rules)
        resource.Metadata = metadata
    if used:
        template.set_metadata({**template.metadata, "guard": {"Reasons": {rule: GUARD_REASONS[rule]
                                                                           for rule in sorted(used)}}})


__all__ = ["GUARD_REASONS", "GUARD_SUPPRESSIONS", "SUPPRESSIONS", "explain_scanner_findings", "guard_rules_for",
           "reasons_for"]
