"""S3 buckets rumcfn creates: encrypted, public access blocked, owner-enforced, SSL-only policy."""

from __future__ import annotations

from typing import Any

import awacs.s3
from awacs.aws import Bool, Condition, Deny, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Ref, Sub, Template, s3


def ssl_only_policy(bucket: s3.Bucket, statements: tuple[Statement, ...] = ()) -> PolicyDocument:
    """Deny every request that does not use TLS (and grant what ``statements`` grant)."""
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[*statements, Statement(
            Sid="DenyInsecureTransport",
            Effect=Deny,
            Principal=Principal("*"),
            Action=[awacs.s3.Action("*")],
            Resource=[GetAtt(bucket, "Arn"), Sub("${%s.Arn}/*" % bucket.title)],
            # The string "false", as AWS's own examples write it (S3 User Guide, "Enforce encryption of data in
            # transit").
            Condition=Condition(Bool("aws:SecureTransport", "false")),
        )],
    )


def add_secure_bucket(
    template: Template,
    logical_id: str,
    *,
    expiry_days: int | None = None,
    noncurrent_days: int | None = None,
    bucket_name: Any = None,
    retain: bool = False,
    statements: tuple[Statement, ...] = (),
    **properties: Any,
) -> tuple[s3.Bucket, s3.BucketPolicy]:
    """Add a private, encrypted, versioned bucket and its SSL-only policy (plus ``statements``); return both.

    ``expiry_days`` expires every object (and replaced versions) after that many days; ``noncurrent_days``
    only replaced versions, so that versioning does not keep every old copy forever."""
    props: dict[str, Any] = {
        "BucketEncryption": s3.BucketEncryption(
            ServerSideEncryptionConfiguration=[
                s3.ServerSideEncryptionRule(
                    ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(SSEAlgorithm="AES256"),
                    BucketKeyEnabled=True,
                )
            ]
        ),
        "PublicAccessBlockConfiguration": s3.PublicAccessBlockConfiguration(
            BlockPublicAcls=True,
            BlockPublicPolicy=True,
            IgnorePublicAcls=True,
            RestrictPublicBuckets=True,
        ),
        "OwnershipControls": s3.OwnershipControls(
            Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
        ),
        "VersioningConfiguration": s3.VersioningConfiguration(Status="Enabled"),
    }
    if bucket_name is not None:
        props["BucketName"] = bucket_name
    abort = s3.AbortIncompleteMultipartUpload(DaysAfterInitiation=1)
    if expiry_days:
        props["LifecycleConfiguration"] = s3.LifecycleConfiguration(
            Rules=[
                s3.LifecycleRule(
                    Id="Expire",
                    Status="Enabled",
                    ExpirationInDays=expiry_days,
                    NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=expiry_days),
                    AbortIncompleteMultipartUpload=abort,
                ),
            ]
        )
    elif noncurrent_days:
        props["LifecycleConfiguration"] = s3.LifecycleConfiguration(
            Rules=[
                s3.LifecycleRule(
                    Id="ExpireReplacedVersions",
                    Status="Enabled",
                    AbortIncompleteMultipartUpload=abort,
                    NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=noncurrent_days),
                ),
            ]
        )
    props.update(properties)
    bucket = s3.Bucket(logical_id, **props)
    if retain:
        bucket.DeletionPolicy = "Retain"
        bucket.UpdateReplacePolicy = "Retain"
    template.add_resource(bucket)
    policy = template.add_resource(
        s3.BucketPolicy(
            f"{logical_id}Policy",
            Bucket=Ref(bucket),
            PolicyDocument=ssl_only_policy(bucket, statements),
        )
    )
    return bucket, policy
