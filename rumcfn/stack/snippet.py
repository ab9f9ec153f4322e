"""The snippet as the stack writes it: the loader of :mod:`rumcfn.client.snippet` as an ``Fn::Sub``.

The monitor id, region, data-plane endpoint (unless ``snippet.first_party`` or ``snippet.endpoint`` names it),
identity pool and (with ``--parameters``) the sample rate are the stack's own values, so the text carries
:class:`~rumcfn.client.js.Placeholder` values that CloudFormation fills at deploy time.
"""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Sub

from rumcfn.client.js import Placeholder
from rumcfn.client.snippet import client_config, client_url_of, first_party_endpoint, loading_of, render_snippet
from rumcfn.config import Settings, is_literal
from rumcfn.facts import DATA_PLANE


def stack_endpoint(settings: Settings) -> Any:
    """Where the snippet's client sends: ``snippet.first_party`` (a path on the page's own origin), else
    ``snippet.endpoint``, else the data plane of the stack's region."""
    return (
        settings.snippet.first_party
        or settings.snippet.endpoint
        or Sub(DATA_PLANE.format(region="${AWS::Region}", suffix="${AWS::URLSuffix}"))
    )


def snippet_sub(settings: Settings, monitor, identity_pool_id: Any = None) -> Sub:
    """The snippet as ``Fn::Sub``: monitor id, region, endpoint and pool come from the stack."""
    variables: dict[str, Any] = {"AppMonitorId": GetAtt(monitor, "Id")}
    if settings.snippet.first_party:
        endpoint: Any = first_party_endpoint(settings.snippet.first_party)
    else:
        endpoint = settings.snippet.endpoint or Placeholder("Endpoint")
    if not (settings.snippet.first_party or settings.snippet.endpoint):
        variables["Endpoint"] = stack_endpoint(settings)
    pool = None
    if settings.auth.mode == "cognito":
        pool = Placeholder("IdentityPoolId")
        variables["IdentityPoolId"] = identity_pool_id
    rate = settings.monitor.session_sample_rate
    if not is_literal(rate):
        variables["SessionSampleRate"] = rate
        rate = Placeholder("SessionSampleRate", quoted=False)
    body = render_snippet(
        app_monitor_id=Placeholder("AppMonitorId"),
        region=Placeholder("AWS::Region"),
        client_url=client_url_of(settings),
        app_version=settings.snippet.app_version,
        config=client_config(
            settings,
            endpoint=endpoint,
            identity_pool_id=pool,
            unsigned=settings.auth.mode == "resource-policy",
            sample_rate=rate,
        ),
        loading=loading_of(settings),
        routes=settings.snippet.routes,
        sub=True,
    )
    return Sub(body, **variables)
