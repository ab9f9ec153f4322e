"""Formats of the AWS values several settings share: host names, URLs, bucket names, ARNs, tags.

Patterns are written so that CloudFormation can use them as a parameter's ``AllowedPattern`` too
(Java regular expressions: lookaheads, no possessive quantifiers), and each names its source.
"""

from __future__ import annotations

import re
import unicodedata

from rumcfn import facts
from rumcfn.config.rules import Custom, Each, Lazy, Pairs, Text

#: One DNS label: 1-63 letters, digits or hyphens, not starting or ending with a hyphen (RFC 1123).
LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST = rf"({LABEL}\.)*{LABEL}"
IPV4 = r"((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
#: The last label of a domain name: with a letter, without "--" (AWS::RUM::AppMonitor DomainList's pattern).
TOP_LABEL = r"(?=[A-Za-z0-9-]*[A-Za-z])(?![A-Za-z0-9-]*--)" + LABEL
#: A domain the monitor accepts: localhost, an IPv4 address, or a dotted host name, optionally under a "*."
#: wildcard; 4-253 characters (the RUM API's AppMonitorDomain and CloudFormation's DomainList items).
DOMAIN = Text(rf"localhost|{IPV4}|(\*\.)?({LABEL}\.)+{TOP_LABEL}",
              "must be a host name such as www.example.com or *.example.com", min_length=4, max_length=253,
              summary="a host name such as www.example.com, or a *.example.com wildcard")

#: A TCP port, 1-65535.
PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
URL_PATTERN = rf"https?://{HOST}(:{PORT})?(/[^\s]*)?"


def url(rule: str = "must be an http(s) URL", *, optional: bool = False) -> Text:
    return Text(URL_PATTERN, rule, max_length=2048, optional=optional, summary="an http(s) URL")


#: A page of the site as the RUM API takes it in IncludedPages/ExcludedPages (``Url``: at most 1,260
#: characters, a dotted host with a top-level domain of 1-6 characters, then these path characters).
PAGE = Text(r"https?://(www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b([-a-zA-Z0-9()@:%_+.~#?&*/=]*)",
            "must be full page URLs such as https://www.example.com/checkout", max_length=1260)

#: General purpose bucket naming rules (Amazon S3 User Guide): 3-63 of a-z 0-9 . -, a letter or digit at
#: both ends, no two adjacent periods, not an IP address, none of the reserved prefixes (xn--, sthree-,
#: amzn-s3-demo-) and suffixes (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
BUCKET_PATTERN = (r"(?!xn--|sthree-|amzn-s3-demo-)(?!.*(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)(?!.*\.\.)"
                  r"(?![0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$)[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
BUCKET_RULE = "must be an S3 bucket name (3-63 of a-z 0-9 . -; see the S3 bucket naming rules)"
BUCKET = Text(BUCKET_PATTERN, BUCKET_RULE, min_length=3, max_length=63,
              summary="an S3 bucket name: 3-63 of a-z 0-9 . - (S3 bucket naming rules)")
#: The canary's artifacts bucket: "The name of the S3 bucket can't include a period" (CreateCanary).
ARTIFACTS_BUCKET = Text(rf"(?!.*\.){BUCKET_PATTERN}", "must be an S3 bucket name without periods (CreateCanary)",
                        min_length=3, max_length=63, optional=True)
#: Where RUM reads source maps: RUM's ``JavaScriptSourceMaps.S3Uri`` (botocore rum model, DeobfuscationS3Uri:
#: ``s3://[a-z0-9][-.a-z0-9]{1,62}(?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?``, 1-1,024 characters for
#: the whole URI), matched whole, with the bucket also held to the S3 naming rules.
S3_URI_PATTERN = r"s3://[a-z0-9][-.a-z0-9]{1,62}(?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?"
S3_URI = Custom(lambda value: isinstance(value, str) and _s3_uri(value),
                "must be an S3 URI such as s3://bucket/prefix of at most 1,024 characters (RUM's S3Uri: bucket by "
                "the S3 naming rules, then /-separated segments of letters, digits and - ! _ * ' ( ) .)",
                optional=True)


def _s3_uri(value: str) -> bool:
    if len(value) > 1024 or not re.fullmatch(S3_URI_PATTERN, value):
        return False
    try:
        BUCKET.check("", value[5:].partition("/")[0])
    except ValueError:
        return False
    return True



def partition_pattern() -> str:
    """An ARN's partition: one botocore knows (``data/partitions.json``, read by :mod:`rumcfn.facts`)."""
    return "(" + "|".join(facts.partition_names()) + ")"


#: A Region of any partition botocore knows (its ``regionRegex``es: eu-west-1, cn-north-1, eusc-de-east-1,
#: us-isob-east-1 ...); the one Region rule, and the Region part of the patterns below.
REGION = Lazy(lambda: Text(facts.region_pattern(), "must be an AWS Region such as eu-west-1 (a Region of a "
                           "partition botocore knows)", min_length=1, max_length=128))
REGIONS = Each(REGION, count=(1, None), what="regions")
#: IAM role ARNs (IAM API: arnType 20-2048 characters, path /.../ of ! to ~, role name 1-64 of \w+=,.@-).
ROLE_ARN = Lazy(lambda: Text(rf"arn:{partition_pattern()}:iam::[0-9]{{12}}:role/([!-~]*/)?[A-Za-z0-9_+=,.@\-]{{1,64}}",
                             "must be an IAM role ARN", max_length=2048, optional=True))
#: SNS topic ARNs: topic names are 1-256 of A-Z a-z 0-9 - _ (SNS CreateTopic); alarm actions are at most
#: 1,024 characters (CloudWatch PutMetricAlarm ``ResourceName``).
TOPIC_ARN = Lazy(lambda: Text(rf"arn:{partition_pattern()}:sns:{facts.region_pattern()}:[0-9]{{12}}:"
                              r"[A-Za-z0-9_\-]{1,256}", "must be an SNS topic ARN", max_length=1024, optional=True))
EMAIL = Text(r"[^@\s]+@[^@\s]+\.[^@\s]+", "must be an e-mail address", max_length=254, optional=True,
             summary="an e-mail address, or empty for no subscription")

#: Tag keys as both APIs that tag rumcfn's resources take them: RUM's and Synthetics' TagKey
#: (``^(?!aws:)[a-zA-Z+-=._:/]+$``, 1-128) within the Tagging API's characters (letters, digits, spaces
#: and _ . : / = + - @), and no ``aws:`` prefix in any letter case (Tagging best practices: reserved).
TAG_KEY = Text(r"(?![aA][wW][sS]:)[A-Za-z0-9_.:/=+\-]{1,128}",
               "tag keys must be 1-128 of A-Z a-z 0-9 _ . : / = + - and not start with aws:", min_length=1,
               max_length=128)


def tag_value_ok(value) -> bool:
    """The Tagging API's tag values: at most 256 letters, digits, spaces (Unicode) and _ . : / = + - @."""
    return isinstance(value, str) and len(value) <= 256 and all(
        unicodedata.category(c)[0] in "LNZ" or c in "_.:/=+-@" for c in value)


TAG_VALUE = Custom(tag_value_ok, "tag values must be at most 256 letters, digits, spaces and _ . : / = + - @")
#: At most 50 tags per resource (Tagging best practices; CloudFormation ``Tags``, Synthetics TagMap: 50).
TAGS = Pairs(TAG_KEY, TAG_VALUE, most=50)

# CloudFormation names, checked before any call (rumcfn's --stack-name and --stack-set flags).
#: A stack name: "only alphanumeric characters (case sensitive) and hyphens. It must start with an alphabetical
#: character and can't be longer than 128 characters" (CreateStack ``StackName``; the name half of botocore's
#: cloudformation service-2.json ``StackNameOrId`` pattern).
STACK_NAME = Text(r"[a-zA-Z][-a-zA-Z0-9]*", "must be a stack name: 1-128 letters, digits and hyphens, starting "
                  "with a letter", min_length=1, max_length=128)
#: A stack name or a stack id (an ARN), as DescribeStacks and DeleteStack take it (botocore's ``StackNameOrId``,
#: whose ARN half still lists only aws, aws-us-gov and aws-cn: the partition is any botocore knows instead).
STACK_NAME_OR_ID = Lazy(lambda: Text(rf"[a-zA-Z][-a-zA-Z0-9]{{0,127}}|arn:{partition_pattern()}:[-a-zA-Z0-9:/._+]*",
                                     "must be a stack name (1-128 letters, digits and hyphens, starting with a letter)"
                                     " or a stack id (arn:...)", min_length=1))
#: A StackSet name (CreateStackSet ``StackSetName``; cfn-lint's AWS::CloudFormation::StackSet schema:
#: ``^[a-zA-Z][a-zA-Z0-9\-]{0,127}$``).
STACK_SET_NAME = Text(r"[a-zA-Z][a-zA-Z0-9\-]{0,127}", "must be a StackSet name: 1-128 letters, digits and "
                      "hyphens, starting with a letter", min_length=1, max_length=128)

# Where a StackSet deploys (REGION above), and a stack's own tags (botocore cloudformation service-2.json: Account
# ^[0-9]{12}$, OrganizationalUnitId; Tag Key 1-128 and Value 1-256 characters; "aws:" is reserved).
ACCOUNTS = Each(Text(r"[0-9]{12}", "must be 12-digit AWS account ids"), count=(1, None), what="accounts")
ORGANIZATIONAL_UNITS = Each(Text(r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32}",
                                 "must be organizational unit ids such as ou-ab12-cd34ef56, or a root id r-ab12"),
                            count=(1, None), what="organizational units")
STACK_TAGS = Pairs(Text(r"(?![aA][wW][sS]:).+", "tag keys must be 1-128 characters and not start with aws:",
                        max_length=128),
                   Text(r".+", "tag values must be 1-256 characters", max_length=256), most=50)

# Service Catalog (botocore servicecatalog service-2.json: Id ^[a-zA-Z0-9_\-]*, 1-100; ProductViewName and
# ProductViewOwner at most 8,191 characters; ProvisioningArtifactName and its description at most 8,192).
CATALOG_ID = Text(r"[a-zA-Z0-9_\-]+", "must be an id of 1-100 letters, digits, _ and - such as port-abc123",
                  max_length=100)
CATALOG_NAME = Text(r".+", "must be 1-8,191 characters", max_length=8191)
CATALOG_VERSION = Text(r".+", "must be 1-8,192 characters", max_length=8192)
CATALOG_TEXT = Text(r".*", "must be at most 8,191 characters", max_length=8191, optional=True)
