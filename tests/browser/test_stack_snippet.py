"""The stack's own snippet (the ``Fn::Sub`` body the custom resource writes to the bucket) in Chromium.

CloudFormation's substitution is reproduced here (``${Name}`` from the variables, ``${!x}`` to
``${x}``), with the values the stack would resolve: the monitor id, the region, the pool id.
"""

from __future__ import annotations

import uuid

import pytest

from rumcfn.config import Settings, with_overrides
from rumcfn.stack.assemble import build_stack
from tests.support.edge import fn_sub

from .flow import ACCESS_KEY, REGION, check_signature, page_exceptions, seed_guest_credentials, visible_dispatch

pytestmark = pytest.mark.browser

POOL = f"{REGION}:99998888-7777-6666-5555-444433332222"


@pytest.mark.parametrize("mode", ["cognito", "resource-policy"])
def test_the_stack_snippet_drives_the_client(mode, servers, page):
    collector, site = servers.collector, servers.site
    settings = with_overrides(Settings(), {"auth.mode": mode, "snippet.endpoint": collector.url,
                                           "snippet.client_url": f"{site.url}/client/cwr.js"})
    body, variables = build_stack(settings).snippet.to_dict()["Fn::Sub"]
    monitor_id = str(uuid.uuid4())
    site.snippets[monitor_id] = fn_sub(body, {"AppMonitorId": monitor_id, "AWS::Region": REGION,
                                              "IdentityPoolId": POOL})
    assert set(variables) <= {"AppMonitorId", "IdentityPoolId"}
    if mode == "cognito":
        seed_guest_credentials(page)
    attempts_before = len(servers.trap.attempts)

    batches = visible_dispatch(page, collector, site.page(monitor_id), monitor_id)
    assert batches
    for batch in batches:
        assert batch.payload["AppMonitorDetails"] == {"id": monitor_id, "version": settings.snippet.app_version}
        if mode == "resource-policy":
            assert "authorization" not in batch.headers and "X-Amz-Signature" not in batch.query
        else:
            signed = check_signature(batch)
            assert (signed["access_key"], signed["region"], signed["service"]) == (ACCESS_KEY, REGION, "rum")
    assert page_exceptions(page) == []
    assert servers.trap.attempts[attempts_before:] == []
