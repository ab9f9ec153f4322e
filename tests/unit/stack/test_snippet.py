"""The snippet as the stack writes it (:mod:`rumcfn.stack.snippet`): an Fn::Sub whose placeholders are the
stack's own values, and whose user text can never become one."""

from __future__ import annotations

import re

import pytest

from rumcfn.config import Settings, from_mapping
from rumcfn.stack.assemble import build_stack
from tests.support.variants import VARIANTS, snippet_body, snippet_variables


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_snippet_placeholders_are_all_defined(name):
    body, variables = build_stack(VARIANTS[name]).snippet.to_dict()["Fn::Sub"]
    used = set(re.findall(r"\$\{([^!}][^}]*)\}", body))
    assert used - {"AWS::Region", "AWS::URLSuffix", "AWS::Partition", "AWS::AccountId"} <= set(variables)
    assert set(variables) <= used


def test_cognito_snippet_uses_enhanced_flow_with_the_stack_pool():
    body, variables = snippet_body(Settings()), snippet_variables(Settings())
    assert 'identityPoolId:"${IdentityPoolId}"' in body
    assert "guestRoleArn" not in body and "signing" not in body
    assert variables["IdentityPoolId"] == {"Ref": "IdentityPool"}
    assert variables["AppMonitorId"] == {"Fn::GetAtt": ["AppMonitor", "Id"]}
    assert variables["Endpoint"] == {"Fn::Sub": "https://dataplane.rum.${AWS::Region}.${AWS::URLSuffix}"}
    assert '"${AWS::Region}"' in body
    assert 'telemetries:["errors","performance","http"]' in body


def test_snippet_pins_the_client_version_from_settings():
    body = snippet_body(from_mapping({"snippet": {"client_version": "3.0.0"}}))
    assert '"https://client.rum.us-east-1.amazonaws.com/3.0.0/cwr.js"' in body


def test_user_text_cannot_become_a_placeholder():
    body = snippet_body(from_mapping({"snippet": {"client_url": "https://cdn.example.com/${Version}/cwr.js"}}))
    assert "${Version}" not in body and '"https://cdn.example.com/${!Version}/cwr.js"' in body
