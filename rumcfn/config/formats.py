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

# CloudFormation names, checked before any call (rumcfn's --stack-name and --stack-set flags).
#: A stack name: "only alphanumeric characters (case sensitive) and hyphens. It must start with an alphabetical
#: character and can't be longer than 128 characters" (CreateStack ``StackName``; the name half of botocore's
#: cloudformation service-2.json ``StackNameOrId`` pattern).
STACK_NAME = Text(r"[a-zA-Z][-a-zA-Z0-9]*", "must be a stack name: 1-128 letters, digits and hyphens, starting "
                  "with a letter", min_length=1, max_length=128)
#: A stack name or a stack id (an ARN), as DescribeStacks and DeleteStack take it (botocore's ``StackNameOrId``).
STACK_NAME_OR_ID = Text(r"[a-zA-Z][-a-zA-Z0-9]{0,127}|arn:\b(aws|aws-us-gov|aws-cn)\b:[-a-zA-Z0-9:/._+]*",
                        "must be a stack name (1-128 letters, digits and hyphens, starting with a letter) or a "
                        "stack id (arn:...)", min_length=1)
#: A StackSet name (CreateStackSet ``StackSetName``; cfn-lint's AWS::CloudFormation::StackSet schema:
#: ``^[a-zA-Z][a-zA-Z0-9\-]{0,127}$``).
STACK_SET_NAME = Text(r"[a-zA-Z][a-zA-Z0-9\-]{0,127}", "must be a StackSet name: 1-128 letters, digits and "
                      "hyphens, starting with a letter", min_length=1, max_length=128)
