"""Formats of the AWS values several settings share: host names, URLs, bucket names, ARNs, tags."""

from __future__ import annotations

from rumcfn.config.rules import Custom, Pairs, Text

#: A host name, optionally starting with a "*." wildcard label (as RUM's DomainList allows).
HOST_PATTERN = r"(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DOMAIN = Text(HOST_PATTERN, "must be a host name such as www.example.com or *.example.com", min_length=1,
              max_length=253, summary="a host name such as www.example.com, or a *.example.com wildcard")

URL_PATTERN = r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s]*)?"


def url(rule: str = "must be an http(s) URL", *, optional: bool = False) -> Text:
    return Text(URL_PATTERN, rule, max_length=2048, optional=optional, summary="an http(s) URL")


BUCKET = Text(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]", "must be an S3 bucket name (3-63 of a-z 0-9 . -)",
              min_length=3, max_length=63, summary="an S3 bucket name: 3-63 of a-z 0-9 . -",
              refine=r"(?!xn--)(?!.*-s3alias$).*")
S3_URI = Text(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?", "must be an S3 URI such as s3://bucket/prefix",
              optional=True)
ROLE_ARN = Text(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}", "must be an IAM role ARN", optional=True)
TOPIC_ARN = Text(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[\w-]{1,256}", "must be an SNS topic ARN", optional=True)
EMAIL = Text(r"[^@\s]+@[^@\s]+\.[^@\s]+", "must be an e-mail address", max_length=254, optional=True,
             summary="an e-mail address, or empty for no subscription")

TAG_KEY = Text(r"(?!aws:)[\w\s.:/=+\-@]{1,128}", "tag keys must be 1-128 characters and not start with aws:")
TAG_VALUE = Custom(lambda value: isinstance(value, str) and len(value) <= 256, "tag values must be at most 256 characters")
TAGS = Pairs(TAG_KEY, TAG_VALUE)
