"""Every security-scanner finding rumcfn accepts, with the reason, in one table.

Findings that were cheap to fix are fixed in the builders (encrypted, SSL-only, versioned buckets
with public access blocked; log retention; KMS key rotation; least-privilege roles). What remains is
written into each resource's ``Metadata`` in the form checkov reads
(``{"checkov": {"skip": [{"id": ..., "comment": ...}]}}``), so a scan of the template shows each
accepted finding next to its reason, and ``tests/integration/test_checkov.py`` fails on any finding not listed here.

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


__all__ = ["SUPPRESSIONS", "explain_scanner_findings", "reasons_for"]
