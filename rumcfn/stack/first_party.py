"""First-party ingestion (``snippet.first_party``): what a site's CloudFront distribution needs to forward a
path of its own origin to the Region's RUM data plane.

The stack cannot own the user's distribution, so it creates the parts one cache behavior refers to and
outputs them: a CloudFront Function (viewer request) that lets only this app monitor's PutRumEvents through
and strips the prefix, and an origin request policy that forwards what RUM needs and nothing else; caching
is off through AWS's managed CachingDisabled policy. CloudFront functions and policies are global (one
namespace per account), so their names carry the stack's id, unique across Regions and accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from troposphere import GetAtt, Output, Ref, Select, Split, Sub, Template, cloudfront

from rumcfn.client.js import to_js
from rumcfn.config import Settings
from rumcfn.contract import Outputs
from rumcfn.facts import (
    CACHING_DISABLED_POLICY_ID,
    CLOUDFRONT_FUNCTION_RUNTIME,
    DATA_PLANE,
    FIRST_PARTY_HEADERS,
)
from rumcfn.resources import render

#: The stack id's UUID (``arn:...:stack/<name>/<uuid>``): unique, and short enough for CloudFront's names.
STACK_UUID = Select(2, Split("/", Ref("AWS::StackId")))


@dataclass(frozen=True)
class FirstParty:
    """What the site's cache behavior refers to."""

    path_pattern: str
    function: cloudfront.Function
    origin_request_policy: cloudfront.OriginRequestPolicy
    origin_domain: Sub
    cache_policy_id: str = CACHING_DISABLED_POLICY_ID


def function_code(path: str) -> str:
    """The function's code as an ``Fn::Sub`` body (``${AppMonitorId}`` is the only placeholder)."""
    target = to_js(path + "/appmonitors/", True)[:-1] + '${AppMonitorId}"'
    return render("first_party.js.j2", comment_path=path, target=target, strip=len(path)) + "\n"


def origin_domain() -> Sub:
    """The Region's data plane host, the behavior's origin (the snippet's own data plane, without the scheme)."""
    return Sub(urlsplit(DATA_PLANE.format(region="${AWS::Region}", suffix="${AWS::URLSuffix}")).netloc)


def add_first_party(template: Template, settings: Settings, *, monitor: Any) -> FirstParty | None:
    """The function and origin request policy for ``snippet.first_party`` (None when it is not set)."""
    path = settings.snippet.first_party
    if not path:
        return None
    function = template.add_resource(cloudfront.Function(
        "FirstPartyFunction",
        Name=Sub("rum-${Id}", Id=STACK_UUID),
        AutoPublish=True,
        FunctionConfig=cloudfront.FunctionConfig(
            Comment=f"rumcfn: {path}/appmonitors/<app monitor> to CloudWatch RUM's data plane"[:128],
            Runtime=CLOUDFRONT_FUNCTION_RUNTIME,
        ),
        FunctionCode=Sub(function_code(path), AppMonitorId=GetAtt(monitor, "Id")),
    ))
    policy = template.add_resource(cloudfront.OriginRequestPolicy(
        "FirstPartyOriginRequestPolicy",
        OriginRequestPolicyConfig=cloudfront.OriginRequestPolicyConfig(
            Name=Sub("rum-${Id}", Id=STACK_UUID),
            Comment="rumcfn: what CloudWatch RUM's data plane needs from the browser's request",
            HeadersConfig=cloudfront.OriginRequestHeadersConfig(
                HeaderBehavior="whitelist", Headers=list(FIRST_PARTY_HEADERS)
            ),
            CookiesConfig=cloudfront.OriginRequestCookiesConfig(CookieBehavior="none"),
            QueryStringsConfig=cloudfront.OriginRequestQueryStringsConfig(QueryStringBehavior="none"),
        ),
    ))
    return FirstParty(f"{path}/*", function, policy, origin_domain())


def add_first_party_outputs(template: Template, first_party: FirstParty) -> None:
    """What the docs' one cache behavior (console, CloudFormation, CDK, Terraform) is built from."""
    for name, description, value in (
        (Outputs.FIRST_PARTY_PATH_PATTERN, "Path pattern of the cache behavior to add to the site's distribution",
         first_party.path_pattern),
        (Outputs.FIRST_PARTY_ORIGIN_DOMAIN, "Origin of that behavior (HTTPS only): the Region's RUM data plane",
         first_party.origin_domain),
        (Outputs.FIRST_PARTY_FUNCTION_ARN, "CloudFront Function for the behavior's viewer-request event",
         GetAtt(first_party.function, "FunctionARN")),
        (Outputs.FIRST_PARTY_FUNCTION_NAME,
         "Name of that function (the CDK's Function.fromFunctionAttributes takes it)", first_party.function.Name),
        (Outputs.FIRST_PARTY_ORIGIN_REQUEST_POLICY_ID, "Origin request policy of the behavior",
         Ref(first_party.origin_request_policy)),
        (Outputs.FIRST_PARTY_CACHE_POLICY_ID, "Cache policy of the behavior (AWS's managed CachingDisabled)",
         first_party.cache_policy_id),
    ):
        template.add_output(Output(name, Description=description, Value=value))
