"""Cognito mode: what the snippet must say, and the client signing with it.

Cognito itself is out of reach offline, so the snippet's auth settings are checked as text (for
``rumcfn snippet --identity-pool-id`` and for the stack's ``Fn::Sub`` body); then the same
snippet runs in Chromium with guest credentials already in localStorage, where the client's
credential chain finds them before it would ask Cognito. The requests must carry a SigV4
signature that verifies, and the trap proxy must not have seen the client try Cognito.
"""

from __future__ import annotations

import re

import pytest

from rumcfn.config import Settings, with_overrides
from rumcfn.stack.assemble import build_stack

from .flow import (
    ACCESS_KEY,
    REGION,
    SESSION_TOKEN,
    check_signature,
    publish,
    rumcfn_snippet,
    seed_guest_credentials,
    visible_dispatch,
)

POOL = f"{REGION}:0a1b2c3d-1111-2222-3333-444455556666"
MONITOR = "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3"


def config_text(snippet: str) -> str:
    """The client config: the last argument of the loader call."""
    match = re.search(r",(\{.*\})\);\s*$", snippet, re.S)
    assert match, snippet
    return match.group(1)


def stack_snippet(**overrides) -> tuple[str, dict]:
    body, variables = build_stack(with_overrides(Settings(), overrides) if overrides else Settings()) \
        .snippet.to_dict()["Fn::Sub"]
    return body, variables


def test_cli_cognito_snippet_uses_the_enhanced_flow():
    config = config_text(rumcfn_snippet("--app-monitor-id", MONITOR, "--region", REGION, "--identity-pool-id", POOL))
    assert f'identityPoolId:"{POOL}"' in config
    assert "guestRoleArn" not in config  # with it, the client would use Cognito's classic flow
    assert "signing" not in config  # signing stays on (the client's default)


def test_stack_cognito_snippet_uses_the_enhanced_flow():
    body, variables = stack_snippet()
    config = config_text(body)
    assert 'identityPoolId:"${IdentityPoolId}"' in config and "IdentityPoolId" in variables
    assert "guestRoleArn" not in config and "signing" not in config
    assert 'endpoint:"${Endpoint}"' in config and '"${AppMonitorId}"' in body and '"${AWS::Region}"' in body


def test_stack_resource_policy_snippet_is_unsigned_without_cognito():
    body, variables = stack_snippet(**{"auth.mode": "resource-policy"})
    config = config_text(body)
    assert "signing:false" in config
    assert "identityPoolId" not in config and "IdentityPoolId" not in variables


@pytest.mark.browser
def test_cognito_snippet_signs_requests_with_sigv4(servers, page):
    collector = servers.collector
    monitor = publish(servers.site, collector, "--identity-pool-id", POOL)
    seed_guest_credentials(page)
    attempts_before = len(servers.trap.attempts)
    batches = visible_dispatch(page, collector, monitor.page(), monitor.id)

    fetches = [b for b in batches if "authorization" in b.headers]
    beacons = [b for b in batches if "X-Amz-Signature" in b.query]
    assert fetches and beacons, [b.headers for b in batches]
    for batch in batches:
        signed = check_signature(batch)
        assert (signed["access_key"], signed["region"], signed["service"]) == (ACCESS_KEY, REGION, "rum")
    for batch in fetches:
        assert batch.headers["x-amz-security-token"] == SESSION_TOKEN
    # The client never went to Cognito (or anywhere else) for credentials.
    assert servers.trap.attempts[attempts_before:] == []
