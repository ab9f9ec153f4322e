"""What the source-map upload tests share: the bucket in moto's S3 and what it holds."""

from __future__ import annotations

import boto3
import pytest

REGION = "eu-west-1"
BUCKET = "site-source-maps"


@pytest.fixture
def s3(aws_env):
    """The bucket the maps go to, in moto's S3; the client that reads it."""
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return client


def keys(s3) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))
