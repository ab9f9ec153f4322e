"""Opt-in (``canary.empty_artifacts_on_delete``): the stack empties the canary's artifacts bucket before it
deletes it. S3 cannot delete a bucket that holds objects, and the canary fills its (versioned) bucket from
its first run, so without this the bucket is retained instead.

The rum.js function does the work (a second custom resource type, ``Custom::EmptyBucket``, rather than a
second copy of inline code); only with this duty does its role get to list and delete the versions of that
one bucket, and to read the stack's status: it empties the bucket only while the stack is being deleted (or
its creation rolled back), never when this resource alone is replaced or removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import awacs.cloudformation
import awacs.s3
from awacs.aws import Allow, PolicyDocument, Statement
from troposphere import AWSObject, GetAtt, Ref, Sub, Template, iam

from rumcfn.config import Settings
from rumcfn.contract import CustomResources
from rumcfn.facts import LAMBDA_MAX_TIMEOUT
from rumcfn.stack.canary import Canary
from rumcfn.stack.snippet_writer import SERVICE_PROPS, Duty, ScriptResources

#: Function timeout when it also empties the bucket: Lambda's maximum (facts.LAMBDA_MAX_TIMEOUT), within the custom
#: resources' ServiceTimeout, so that a bucket full of a month of canary runs has time to go.
EMPTYING_TIMEOUT = LAMBDA_MAX_TIMEOUT


class EmptyBucket(AWSObject):
    """``Custom::EmptyBucket``: its Delete empties ``Bucket`` when the stack is being deleted."""

    resource_type = CustomResources.EMPTY_BUCKET
    props = {**SERVICE_PROPS, "Bucket": (str, True)}


@dataclass(frozen=True)
class BucketEmptier:
    resource: EmptyBucket
    policy: iam.Policy


def emptier_policy(bucket: AWSObject) -> PolicyDocument:
    """List and delete every version of that one bucket's objects; read the stack's status."""
    return PolicyDocument(Version="2012-10-17", Statement=[
        Statement(Sid="ListVersions", Effect=Allow, Action=[awacs.s3.ListBucketVersions],
                  Resource=[GetAtt(bucket, "Arn")]),
        Statement(Sid="DeleteVersions", Effect=Allow, Action=[awacs.s3.DeleteObjectVersion],
                  Resource=[Sub("${%s.Arn}/*" % bucket.title)]),
        Statement(Sid="StackStatus", Effect=Allow, Action=[awacs.cloudformation.DescribeStacks],
                  Resource=[Ref("AWS::StackId")]),
    ])


def emptying_duty(settings: Settings, canary: Canary | None) -> Duty | None:
    """What the rum.js function needs to empty the canary's bucket (the longest timeout Lambda allows, within
    the service timeout), when the settings ask for it and rumcfn creates that bucket."""
    if not (canary and canary.bucket and settings.canary.empty_artifacts_on_delete):
        return None
    policy = iam.Policy(PolicyName="EmptyCanaryArtifacts", PolicyDocument=emptier_policy(canary.bucket))
    return Duty(EmptyBucket.resource_type, policy, "empties the canary bucket on stack deletion", EMPTYING_TIMEOUT)


def add_bucket_emptier(
    template: Template, settings: Settings, *, writer: ScriptResources, canary: Canary
) -> BucketEmptier:
    """Add ``Custom::EmptyBucket`` for the canary's bucket, served by the rum.js function (created with
    :func:`emptying_duty`).

    Deletion runs in reverse dependency order: the canary (which writes artifacts) goes first, because it
    depends on this resource; then this resource empties the bucket; then the bucket goes."""
    bucket = canary.bucket
    served = writer.served(EmptyBucket.resource_type)
    duty = next(d for d in writer.duties if d.resource_type == EmptyBucket.resource_type)
    resource = template.add_resource(EmptyBucket(f"{bucket.title}Emptier", **served, Bucket=Ref(bucket)))
    canary.canary.DependsOn = [*getattr(canary.canary, "DependsOn", []), resource.title]
    return BucketEmptier(resource, duty.policy)


__all__ = ["add_bucket_emptier", "emptying_duty", "BucketEmptier", "EmptyBucket", "EMPTYING_TIMEOUT"]
