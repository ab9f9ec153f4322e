"""``rumcfn import``'s settings: read back from a live monitor, they build a monitor whose properties are the live
ones; what rumcfn's settings cannot express is refused with the reason."""

from __future__ import annotations

import json

import pytest

from rumcfn.template.adopt import (
    CannotImport,
    LiveMonitor,
    adopt,
    import_template,
    live_properties,
    primary_identifier,
    resources_to_import,
    template_properties,
)

POOL = "us-east-1:1a1a1a1a-ffff-1111-9999-12345678abcd"
ROLE = "arn:aws:iam::123456789012:role/RUM-Monitor-us-east-1-123456789012-Unauth"
ACCOUNT = "123456789012"


def answer(**extra):
    """A GetAppMonitor AppMonitor as the console makes one (cognito, three telemetries)."""
    monitor = {
        "Name": "shop", "Id": "0b5e6c0d-1d2e-4f3a-9b8c-7d6e5f4a3b2c", "Domain": "www.shop.example",
        "DomainList": ["www.shop.example"], "State": "ACTIVE", "Created": "2025-01-01T00:00:00Z",
        "AppMonitorConfiguration": {"IdentityPoolId": POOL, "GuestRoleArn": ROLE, "SessionSampleRate": 0.5,
                                    "AllowCookies": True, "Telemetries": ["errors", "performance", "http"],
                                    "EnableXRay": False},
        "DataStorage": {"CwLog": {"CwLogEnabled": False}},
        "CustomEvents": {"Status": "DISABLED"},
        "Platform": "Web",
    }
    for key, value in extra.items():
        if key in monitor["AppMonitorConfiguration"] or key in ("ExcludedPages", "IncludedPages", "FavoritePages"):
            monitor["AppMonitorConfiguration"][key] = value
        else:
            monitor[key] = value
    return monitor


def policy(referer=False, alias=None, name="shop"):
    statement = {"Effect": "Allow", "Principal": "*", "Action": ["rum:PutRumEvents"],
                 "Resource": [f"arn:aws:rum:us-east-1:{ACCOUNT}:appmonitor/{name}"]}
    condition = {}
    if alias:
        condition["StringEquals"] = {"rum:alias": alias}
    if referer:
        condition["StringLike"] = {"aws:Referer": ["https://www.shop.example/*"]}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def extended(name, dimension, path):
    from rumcfn.stack.metrics import event_pattern

    return {"MetricDefinitionId": f"id-{name}-{dimension}", "Name": name, "Namespace": "AWS/RUM",
            "DimensionKeys": {path: dimension}, "ValueKey": "event_details.value" if "WebVitals" in name else None,
            "EventPattern": json.dumps(event_pattern(name, {path: [{"exists": True}]}))}


def live(monitor=None, **kwargs):
    return LiveMonitor(monitor or answer(), region="us-east-1", account=ACCOUNT, **kwargs)


def metrics_live():
    definitions = [extended(n, d, p) for n in ("WebVitalsLargestContentfulPaint", "JsErrorCount")
                   for d, p in (("BrowserName", "metadata.browserName"), ("DeviceType", "metadata.deviceType"))]
    for d in definitions:
        if d["ValueKey"] is None:
            del d["ValueKey"]
    return live(destinations=({"Destination": "CloudWatch"},), definitions=tuple(definitions))


CASES = {
    "console cognito": live(),
    "several domains, pages, tags, logs, events, source maps": live(answer(
        Domain=None, DomainList=["www.shop.example", "*.shop.example"], ExcludedPages=["https://www.shop.example/a"],
        FavoritePages=["https://www.shop.example/"], Tags={"team": "web", "env": "prod"},
        DataStorage={"CwLog": {"CwLogEnabled": True, "CwLogGroup": "/aws/vendedlogs/RUMService_shop"}},
        CustomEvents={"Status": "ENABLED"}, EnableXRay=True,
        DeobfuscationConfiguration={"JavaScriptSourceMaps": {"Status": "ENABLED", "S3Uri": "s3://maps/shop"}})),
    "resource policy": live(answer(AppMonitorConfiguration={"SessionSampleRate": 1.0, "AllowCookies": False,
                                                            "Telemetries": ["errors"]}), policy=policy()),
    "resource policy, referer and alias": live(answer(AppMonitorConfiguration={"Telemetries": ["errors"]}),
                                               policy=policy(referer=True, alias="prod")),
    "extended metrics": metrics_live(),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_settings_written_build_the_live_monitor(case):
    data, settings = adopt(CASES[case], "shop-assets")
    assert template_properties(settings, CASES[case]) == live_properties(CASES[case])
    assert settings.monitor.retain_on_delete and settings.script.bucket == "shop-assets"
    assert data["monitor"]["name"] == "shop"


def test_the_template_holds_the_answers_values_under_cloudformations_names():
    """Independently of live_properties: the console monitor's answer, property by property."""
    case = CASES["several domains, pages, tags, logs, events, source maps"]
    _, settings = adopt(case, "shop-assets")
    props = template_properties(settings, case)
    assert props["Name"] == "shop" and props["DomainList"] == ["www.shop.example", "*.shop.example"]
    assert props["AppMonitorConfiguration"] == {
        "IdentityPoolId": POOL, "GuestRoleArn": ROLE, "SessionSampleRate": 0.5, "AllowCookies": True,
        "Telemetries": ["errors", "performance", "http"], "EnableXRay": True,
        "ExcludedPages": ["https://www.shop.example/a"], "FavoritePages": ["https://www.shop.example/"]}
    assert props["CwLogEnabled"] is True and props["CustomEvents"] == {"Status": "ENABLED"}
    assert props["DeobfuscationConfiguration"] == {"JavaScriptSourceMaps": {"Status": "ENABLED",
                                                                            "S3Uri": "s3://maps/shop"}}
    assert props["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "web"}]


def test_the_resource_policy_is_rumcfns_own_with_this_accounts_arn():
    case = CASES["resource policy, referer and alias"]
    data, settings = adopt(case, "shop-assets")
    assert data["auth"] == {"mode": "resource-policy", "restrict_referer": True}
    assert data["snippet"] == {"config": {"alias": "prod"}}
    assert template_properties(settings, case)["ResourcePolicy"] == {"PolicyDocument": json.loads(case.policy)}


def test_extended_metrics_are_read_back():
    data, _ = adopt(CASES["extended metrics"], "shop-assets")
    assert data["monitor"]["extended_metrics"] == ["WebVitalsLargestContentfulPaint", "JsErrorCount"]
    assert data["monitor"]["extended_metric_dimensions"] == ["BrowserName", "DeviceType"]


REFUSED = {
    "a mobile monitor": (live(answer(Platform="iOS")), "it is a iOS monitor"),
    "a pool and a policy": (live(policy=policy()), "both an identity pool and a resource policy"),
    "a pool without its role": (live(answer(AppMonitorConfiguration={"IdentityPoolId": POOL})),
                                "without the other"),
    "no way in": (live(answer(AppMonitorConfiguration={"Telemetries": ["errors"]})),
                  "neither an identity pool nor a resource policy"),
    "an Evidently destination": (live(destinations=({"Destination": "Evidently", "DestinationArn":
                                                     "arn:aws:evidently:us-east-1:1:project/p"},)),
                                 "it sends metrics to Evidently"),
    "a segment metric": (live(destinations=({"Destination": "CloudWatch"},), definitions=(
        {**extended("JsErrorCount", "PageId", "metadata.pageId"), "DimensionKeys": {
            "metadata.pageId": "PageId", "metadata.deviceType": "DeviceType"}},)),
        "is not an extended metric by one dimension"),
    "a policy rumcfn does not write": (live(answer(AppMonitorConfiguration={"Telemetries": ["errors"]}),
                                            policy=json.dumps({"Version": "2012-10-17", "Statement": [
                                                {"Effect": "Allow", "Principal": {"AWS": ACCOUNT},
                                                 "Action": "rum:PutRumEvents", "Resource": "*"}]})),
                                       "rumcfn's settings cannot reproduce its ResourcePolicy"),
    "a partial metric grid": (live(destinations=({"Destination": "CloudWatch"},), definitions=tuple(
        d for d in metrics_live().definitions if d["MetricDefinitionId"] != "id-JsErrorCount-DeviceType")),
        "cannot reproduce its AppMonitorConfiguration"),
    "a setting rumcfn holds tighter": (live(answer(ExcludedPages=["not a url"])), "breaks a rumcfn rule"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_what_settings_cannot_express_is_refused_with_the_reason(case):
    monitor, reason = REFUSED[case]
    with pytest.raises(CannotImport) as caught:
        adopt(monitor, "shop-assets")
    assert str(caught.value).startswith("app monitor shop cannot be imported as it is: ")
    assert reason in str(caught.value) and caught.value.exit_code == 2


def test_the_import_template_holds_the_monitor_alone_retained_and_identified_as_the_schema_says():
    import botocore.session
    from botocore.validate import ParamValidator

    _, settings = adopt(CASES["console cognito"], "shop-assets")
    template = import_template(settings)
    assert list(template["Resources"]) == ["AppMonitor"] and "Outputs" not in template
    monitor = template["Resources"]["AppMonitor"]
    assert (monitor["DeletionPolicy"], monitor["UpdateReplacePolicy"]) == ("Retain", "Retain")
    entries = resources_to_import(settings)
    assert primary_identifier() == ["Name"]  # cfn-lint's AWS::RUM::AppMonitor schema: /properties/Name
    assert entries == [{"ResourceType": "AWS::RUM::AppMonitor", "LogicalResourceId": "AppMonitor",
                        "ResourceIdentifier": {"Name": "shop"}}]
    model = botocore.session.get_session().get_service_model("cloudformation")
    report = ParamValidator().validate(
        {"StackName": "shop", "ChangeSetName": "import", "ChangeSetType": "IMPORT", "ResourcesToImport": entries,
         "TemplateBody": json.dumps(template)}, model.operation_model("CreateChangeSet").input_shape)
    assert not report.has_errors(), report.generate_report()
