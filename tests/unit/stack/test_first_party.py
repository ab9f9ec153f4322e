"""``snippet.first_party``: the CloudFront Function and policy the site's behavior needs, from the template.

The function's code is taken from the synthesized template (its Fn::Sub resolved as CloudFormation would),
linted against the runtime it declares and run in Node with CloudFront Functions' event shape. Lint and
checkov cleanliness of the variant are in test_stack.py and tests/integration/test_checkov.py.
"""

from __future__ import annotations

import json

import botocore.session
import pytest

from rumcfn.config import SettingsError, from_mapping
from rumcfn.facts import CACHING_DISABLED_POLICY_ID, CLOUDFRONT_FUNCTION_RUNTIME
from rumcfn.template.regions import unavailable
from tests.support.edge import CloudFrontFunction, function_code, lint, viewer_request
from tests.support.variants import VARIANTS, template_dict

MONITOR = "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3"
OTHER = "11111111-2222-3333-4444-555555555555"
FIRST_PARTY = {"auth": {"mode": "resource-policy"}, "snippet": {"first_party": "/rum"}}


@pytest.fixture(scope="module")
def template() -> dict:
    return template_dict(from_mapping(FIRST_PARTY))


@pytest.fixture
def function(template, tmp_path):
    running = CloudFrontFunction(function_code(template, MONITOR), tmp_path)
    yield running
    running.close()


def test_nothing_first_party_without_the_setting():
    text = json.dumps(template_dict(VARIANTS["resource-policy"]))
    assert "CloudFront" not in text and "FirstParty" not in text


def test_first_party_needs_the_resource_policy_mode():
    with pytest.raises(SettingsError) as error:
        from_mapping({"snippet": {"first_party": "/rum"}})
    message = str(error.value)
    assert message.startswith("setting snippet.first_party: needs auth.mode = \"resource-policy\"")
    assert "\n" not in message


def test_first_party_and_an_endpoint_exclude_each_other():
    with pytest.raises(SettingsError, match=r"^setting snippet\.first_party: cannot be set together with snippet\."
                                            r"endpoint"):
        from_mapping({**FIRST_PARTY, "snippet": {"first_party": "/rum", "endpoint": "https://rum.example.com"}})


@pytest.mark.parametrize("path", ["rum", "/rum/", "/", "/a/../b", "/r um", "/rum/*", "/" + "a" * 200])
def test_first_party_must_be_a_plain_path(path):
    with pytest.raises(SettingsError, match=r"^setting snippet\.first_party: must be a path such as /rum"):
        from_mapping({**FIRST_PARTY, "snippet": {"first_party": path}})


def test_the_snippet_sends_to_the_pages_origin_without_a_data_plane_variable(template):
    body, variables = template["Resources"]["RumScript"]["Properties"]["Content"]["Fn::Sub"]
    assert 'endpoint:location.origin+"/rum"' in body and "dataplane" not in body
    assert "Endpoint" not in variables


def test_the_function_declares_the_runtime_and_publishes(template):
    props = template["Resources"]["FirstPartyFunction"]["Properties"]
    assert props["FunctionConfig"]["Runtime"] == CLOUDFRONT_FUNCTION_RUNTIME
    assert props["AutoPublish"] is True
    assert len(props["FunctionConfig"]["Comment"]) <= 128


def test_the_function_fits_cloudfronts_size_limit(template):
    """FunctionCode is at most the API's FunctionBlob maximum (botocore's CloudFront model)."""
    model = botocore.session.get_session().get_service_model("cloudfront")
    limit = model.shape_for("FunctionBlob").metadata["max"]
    assert len(function_code(template, MONITOR).encode()) <= limit


def test_the_function_lints_for_its_runtime(template, tmp_path):
    assert lint(function_code(template, MONITOR), tmp_path) == []


@pytest.mark.parametrize("code, finding", [
    ("function handler(event) { return require('fs'); }", "require() only of"),
    ("function handler(event) { setTimeout(() => 1); return event.request; }", "timers"),
    ("function handler(event) { return eval('event.request'); }", "dynamic code evaluation"),
    ("function handler(event) { for (const h of []) {} return event.request; }", "for...of"),
    ("function handler(event) { console.log('a', 'b'); return event.request; }", "console.log takes one argument"),
    ("async function handler(event) { const f = async () => 1; return event.request; }", "async is supported for "
     "the handler only"),
    ("class A {} function handler(event) { return event.request; }", "classes"),
    ("function main(event) { return event.request; }", "one top-level function handler(event)"),
    ("function handler(event) { return fetch('https://example.com'); }", "network access"),
])
def test_the_lint_catches_what_the_runtime_refuses(code, finding, tmp_path):
    """The lint's negative controls: each is a feature the runtime 2.0 page lists as unsupported."""
    assert any(finding in f for f in lint(code, tmp_path)), lint(code, tmp_path)


def test_the_function_forwards_this_monitors_batches_without_the_prefix(function):
    headers = {"Host": "www.example.com", "Content-Type": "application/json", "Referer": "https://www.example.com/"}
    for uri in (f"/rum/appmonitors/{MONITOR}", f"/rum/appmonitors/{MONITOR}/"):
        request = function(viewer_request("POST", uri, headers))
        assert request["uri"] == uri.removeprefix("/rum")
        assert request["method"] == "POST"
        assert request["headers"]["content-type"] == {"value": "application/json"}
        assert request["headers"]["referer"] == {"value": "https://www.example.com/"}


@pytest.mark.parametrize("method, uri", [
    ("GET", f"/rum/appmonitors/{MONITOR}"),
    ("OPTIONS", f"/rum/appmonitors/{MONITOR}"),
    ("POST", f"/rum/appmonitors/{OTHER}"),
    ("POST", f"/rum/appmonitors/{MONITOR}/x"),
    ("POST", "/rum/"),
    ("POST", "/rum"),
    ("POST", f"/rumx/appmonitors/{MONITOR}"),
])
def test_everything_else_is_answered_at_the_edge(function, method, uri):
    assert function(viewer_request(method, uri)) == {"statusCode": 404, "statusDescription": "Not Found"}


def test_a_deeper_path_is_stripped_whole(tmp_path):
    template = template_dict(from_mapping({**FIRST_PARTY, "snippet": {"first_party": "/edge/rum-1"}}))
    function = CloudFrontFunction(function_code(template, MONITOR), tmp_path)
    try:
        request = function(viewer_request("POST", f"/edge/rum-1/appmonitors/{MONITOR}"))
    finally:
        function.close()
    assert request["uri"] == f"/appmonitors/{MONITOR}"
    assert template["Outputs"]["FirstPartyPathPattern"]["Value"] == "/edge/rum-1/*"


def test_the_origin_request_policy_forwards_what_rum_needs_and_no_cookies(template):
    config = template["Resources"]["FirstPartyOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]
    assert config["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": [
        "Content-Encoding", "Content-Type", "Origin", "Referer", "User-Agent"]}
    assert config["CookiesConfig"] == {"CookieBehavior": "none"}
    assert config["QueryStringsConfig"] == {"QueryStringBehavior": "none"}


def test_names_are_unique_per_stack(template):
    """CloudFront's functions and policies share one namespace per account, whatever the Region."""
    for resource, path in (("FirstPartyFunction", ("Name",)),
                           ("FirstPartyOriginRequestPolicy", ("OriginRequestPolicyConfig", "Name"))):
        value = template["Resources"][resource]["Properties"]
        for key in path:
            value = value[key]
        assert value == {"Fn::Sub": ["rum-${Id}", {"Id": {"Fn::Select": [2, {"Fn::Split": ["/", {
            "Ref": "AWS::StackId"}]}]}}]}


def test_outputs_name_what_the_behavior_refers_to(template):
    outputs = {name: value["Value"] for name, value in template["Outputs"].items() if name.startswith("FirstParty")}
    assert outputs == {
        "FirstPartyPathPattern": "/rum/*",
        "FirstPartyOriginDomain": {"Fn::Sub": "dataplane.rum.${AWS::Region}.${AWS::URLSuffix}"},
        "FirstPartyFunctionArn": {"Fn::GetAtt": ["FirstPartyFunction", "FunctionARN"]},
        "FirstPartyFunctionName": template["Resources"]["FirstPartyFunction"]["Properties"]["Name"],
        "FirstPartyOriginRequestPolicyId": {"Ref": "FirstPartyOriginRequestPolicy"},
        "FirstPartyCachePolicyId": CACHING_DISABLED_POLICY_ID,
    }


def test_regions_without_cloudfront_functions_are_refused(template):
    """cfn-lint's region data: CloudFront Functions are offered through CloudFormation in every commercial
    Region (CloudFront is global), not in AWS GovCloud (US); deploy refuses those Regions before any AWS call."""
    assert unavailable(template, "us-east-1") == [] and unavailable(template, "eu-central-1") == []
    assert "AWS::CloudFront::Function" in unavailable(template, "us-gov-west-1")
    assert unavailable(template_dict(VARIANTS["resource-policy"]), "us-gov-west-1") == []


@pytest.mark.parametrize("toml, names", [
    ('[snippet]\nfirst_party = "/rum"\n', ("snippet.first_party", "auth.mode")),
    ('[auth]\nmode = "resource-policy"\n[snippet]\nfirst_party = "/rum"\nendpoint = "https://rum.example.com"\n',
     ("snippet.first_party", "snippet.endpoint")),
])
def test_synth_refuses_the_combination_in_one_line(run_cli, tmp_path, toml, names):
    (tmp_path / "rumcfn.toml").write_text(toml)
    done = run_cli("synth", "--config", "rumcfn.toml", "-o", "template.json")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1 and all(name in done.stderr for name in names), done.stderr
    assert not (tmp_path / "template.json").exists()


def test_the_canary_answers_the_first_party_path(template):
    """The canary resolves RUM_ENDPOINT against the page it opens (tests/browser/test_canary_script.py runs it)."""
    env = template["Resources"]["Canary"]["Properties"]["RunConfig"]["EnvironmentVariables"]
    assert env["RUM_ENDPOINT"] == "/rum"
