"""The Synthetics canary's template resources (its script runs in tests/browser/test_canary_script.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from rumcfn.config import Settings, SettingsError, from_mapping
from rumcfn.contract import Outputs
from rumcfn.stack.assemble import build_template
from rumcfn.stack.canary import LAMBDA_NAME_CHARS, RUNTIME
from rumcfn.template.output import to_json
from tests.support import ROOT
from tests.support.variants import template_dict

CANARY_DIR = ROOT / "tests" / "canary"


def canary_of(settings=None) -> dict:
    return template_dict(settings)["Resources"]["Canary"]["Properties"]


def role_statements(settings=None) -> dict[str, dict]:
    (policy,) = template_dict(settings)["Resources"]["CanaryRole"]["Properties"]["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


# --- the template -------------------------------------------------------------------------------


def canary_schema() -> dict:
    """cfn-lint's bundled schema for AWS::Synthetics::Canary."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    return PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::Synthetics::Canary").schema


def puppeteer_runtimes_cfn_lint_names() -> set[str]:
    """Every ``syn-nodejs-puppeteer-N.N`` anywhere in cfn-lint's data (schemas, deprecation lists)."""
    import cfnlint

    data = Path(cfnlint.__file__).parent / "data"
    return {name for path in data.rglob("*.json")
            for name in re.findall(r"syn-nodejs-puppeteer-\d+\.\d+(?![\w.])", path.read_text(errors="replace"))}


def runtime_version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.rsplit("-", 1)[1].split("."))


def test_runtime_is_accepted_by_cfn_lint_and_the_newest_puppeteer_runtime_it_names():
    schema = canary_schema()["properties"]["RuntimeVersion"]
    jsonschema.validate(RUNTIME, schema)
    allowed = set(schema.get("enum", ())) | puppeteer_runtimes_cfn_lint_names()
    puppeteer = {name for name in allowed if name.startswith("syn-nodejs-puppeteer-")}
    # cfn-lint 1.58 names none (RuntimeVersion is any string); once it does, ours must be its newest.
    if puppeteer:
        assert RUNTIME == max(puppeteer, key=runtime_version), sorted(puppeteer, key=runtime_version)
    assert canary_of()["RuntimeVersion"] == RUNTIME


def test_runtime_is_the_newest_aws_documents():
    """AWS's runtime tables list syn-nodejs-puppeteer-17.0 and 16.1 as the newest Node.js + Puppeteer runtimes
    (botocore and cfn-lint carry no runtime list, so facts.py holds what the guide lists)."""
    from rumcfn.facts import SYNTHETICS_PUPPETEER_RUNTIMES

    assert {"syn-nodejs-puppeteer-17.0", "syn-nodejs-puppeteer-16.1"} <= set(SYNTHETICS_PUPPETEER_RUNTIMES)
    assert RUNTIME == max(SYNTHETICS_PUPPETEER_RUNTIMES, key=runtime_version) == canary_of()["RuntimeVersion"]


def test_runtime_uses_the_module_names_and_handler_of_13_1_and_later():
    props = canary_of()
    assert RUNTIME.startswith("syn-nodejs-puppeteer-") and runtime_version(RUNTIME) >= (13, 1)
    script = props["Code"]["Script"]
    assert "require('@aws/synthetics-puppeteer')" in script and "require('@aws/synthetics-logger')" in script
    assert "require('Synthetics')" not in script
    file, function = props["Code"]["Handler"].split(".")
    assert f"exports.{function} =" in script and file == "index"


def test_canary_opens_the_site_url_on_the_schedule():
    props = canary_of(
        from_mapping({"canary": {"url": "https://shop.example.com/cart", "schedule": "rate(10 minutes)"}})
    )
    assert props["RunConfig"]["EnvironmentVariables"]["SITE_URL"] == "https://shop.example.com/cart"
    assert props["Schedule"] == {"Expression": "rate(10 minutes)"}
    assert canary_of()["RunConfig"]["EnvironmentVariables"]["SITE_URL"] == Settings().site_url()


def test_canary_is_told_where_the_snippet_sends_so_it_can_answer_that_itself():
    """The script answers requests to the snippet's data plane; it must name the same endpoint and monitor."""
    t = template_dict()
    env = t["Resources"]["Canary"]["Properties"]["RunConfig"]["EnvironmentVariables"]
    snippet_variables = t["Resources"]["RumScript"]["Properties"]["Content"]["Fn::Sub"][1]
    assert (
        env["RUM_ENDPOINT"]
        == snippet_variables["Endpoint"]
        == {"Fn::Sub": "https://dataplane.rum.${AWS::Region}.${AWS::URLSuffix}"}
    )
    assert env["APP_MONITOR_ID"] == snippet_variables["AppMonitorId"] == {"Fn::GetAtt": ["AppMonitor", "Id"]}
    custom = canary_of(from_mapping({"snippet": {"endpoint": "https://rum.example.com/proxy"}}))
    assert custom["RunConfig"]["EnvironmentVariables"]["RUM_ENDPOINT"] == "https://rum.example.com/proxy"
    script = canary_of()["Code"]["Script"]
    assert "process.env.RUM_ENDPOINT" in script and "process.env.APP_MONITOR_ID" in script


def test_artifacts_go_to_a_created_expiring_bucket_under_the_canary_prefix():
    t = template_dict(from_mapping({"canary": {"artifacts_expiry_days": 9}}))
    bucket = t["Resources"]["CanaryArtifacts"]["Properties"]
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 9
    props = t["Resources"]["Canary"]["Properties"]
    assert props["SuccessRetentionPeriod"] == props["FailureRetentionPeriod"] == 9
    location = props["ArtifactS3Location"]["Fn::Sub"]
    assert location[0] == "s3://${Bucket}/${Prefix}"
    assert location[1] == {"Bucket": {"Ref": "CanaryArtifacts"}, "Prefix": "synthetics/example-site"}
    (put,) = role_statements(from_mapping({"canary": {"artifacts_expiry_days": 9}}))["Artifacts"]["Resource"]
    assert put["Fn::Sub"][0] == "arn:${AWS::Partition}:s3:::${Bucket}/${Prefix}/*"
    assert put["Fn::Sub"][1]["Prefix"] == "synthetics/example-site"


def test_an_existing_artifacts_bucket_is_used_and_none_is_created():
    settings = from_mapping({"canary": {"artifacts_bucket": "my-canary-bucket"}})
    t = template_dict(settings)
    assert "CanaryArtifacts" not in t["Resources"]
    assert t["Resources"]["Canary"]["Properties"]["ArtifactS3Location"]["Fn::Sub"][1]["Bucket"] == "my-canary-bucket"
    assert role_statements(settings)["ArtifactsBucket"]["Resource"][0]["Fn::Sub"][1] == {"Bucket": "my-canary-bucket"}


def test_execution_role_is_least_privilege():
    statements = role_statements()
    assert set(statements) == {"Artifacts", "ArtifactsBucket", "ListBuckets", "Logs", "Metrics"}
    metrics = statements["Metrics"]
    assert metrics["Action"] == ["cloudwatch:PutMetricData"]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "CloudWatchSynthetics"}}
    assert statements["Artifacts"]["Action"] == ["s3:PutObject"]
    (logs,) = statements["Logs"]["Resource"]
    assert logs["Fn::Sub"].endswith(":log-group:/aws/lambda/cwsyn-example-site-*")
    assert statements["ListBuckets"]["Resource"] == ["*"] and statements["ListBuckets"]["Action"] == [
        "s3:ListAllMyBuckets"
    ]
    trust = template_dict()["Resources"]["CanaryRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": ["sts:AssumeRole"]}
    ]


def test_log_group_pattern_uses_the_first_21_characters_of_a_long_name():
    name = "a-very-long-canary-name-for-the-shop"
    (logs,) = role_statements(from_mapping({"canary": {"name": name}}))["Logs"]["Resource"]
    assert logs["Fn::Sub"].endswith(f"/aws/lambda/cwsyn-{name[:LAMBDA_NAME_CHARS]}-*")
    assert canary_of(from_mapping({"canary": {"name": name}}))["Name"] == name


def test_tracing_and_its_permission_only_with_xray():
    on = from_mapping({"monitor": {"enable_xray": True}})
    assert canary_of(on)["RunConfig"]["ActiveTracing"] is True
    assert role_statements(on)["Tracing"]["Action"] == ["xray:PutTraceSegments"]
    assert "ActiveTracing" not in canary_of()["RunConfig"]
    assert "Tracing" not in role_statements()


def test_canary_is_tagged_to_its_monitor():
    assert canary_of()["Tags"] == [{"Key": "example-site", "Value": "associated-rum"}]
    custom = from_mapping({"canary": {"tag_key": "rum-monitor", "tag_value": "shop"}})
    assert canary_of(custom)["Tags"] == [{"Key": "rum-monitor", "Value": "shop"}]
    # '#' is allowed in monitor names but not in tag keys
    hashed = from_mapping({"monitor": {"name": "shop#1"}, "canary": {"name": "shop"}})
    assert canary_of(hashed)["Tags"][0]["Key"] == "shop-1"


def synthetics_tag_key_accepts(key: str) -> bool:
    """CreateCanary / TagResource ``TagKey`` in botocore's synthetics model (length and pattern)."""
    from botocore.loaders import Loader

    spec = Loader().load_service_model("synthetics", "service-2")["shapes"]["TagKey"]
    return spec["min"] <= len(key) <= spec["max"] and re.search(spec["pattern"], key) is not None


def tag_key_for(key: dict, name: str) -> str:
    """The canary's tag key as CloudFormation resolves it for AppMonitorName = ``name``."""
    ((join, (separator, split)),) = key.items()
    ((fn, (delimiter, ref)),) = split.items()
    assert (join, fn, ref) == ("Fn::Join", "Fn::Split", {"Ref": "AppMonitorName"})
    return separator.join(name.split(delimiter))


@pytest.mark.parametrize("canary", [{}, {"tag_key": "site"}, {"enabled": False}])
def test_parameters_mode_lets_through_only_monitor_names_whose_tag_key_synthetics_takes(canary):
    """AppMonitorName allows what RUM allows (255 characters); where the canary's tag key is that name, the
    parameter takes only what Synthetics' TagKey (at most 128) takes too, as synth refuses a literal name."""
    t = template_dict(from_mapping({"parameters": True, "canary": canary}))
    parameter = t["Parameters"]["AppMonitorName"]

    def accepted(name: str) -> bool:  # CloudFormation's checks of a parameter value
        return (parameter["MinLength"] <= len(name) <= parameter["MaxLength"]
                and re.fullmatch(parameter["AllowedPattern"], name) is not None)

    names = [(seed * n)[:n] for seed in ("a", "#", "x.Y-_9#") for n in (1, 2, 127, 128, 129, 200, 255)]
    assert any(accepted(name) for name in names)
    derived = "Canary" in t["Resources"] and not canary.get("tag_key")
    if derived:
        key = t["Resources"]["Canary"]["Properties"]["Tags"][0]["Key"]
        slipped = [name for name in names if accepted(name) and not synthetics_tag_key_accepts(tag_key_for(key, name))]
        assert slipped == []
        assert "canary.tag_key" in parameter["ConstraintDescription"]
    else:  # nothing derives from the name: RUM's own limit
        assert parameter["MaxLength"] == 255 and accepted("a" * 255)


def test_parameters_mode_takes_name_and_url_from_parameters():
    t = template_dict(Settings(parameters=True))
    props = t["Resources"]["Canary"]["Properties"]
    assert props["Name"] == {"Ref": "CanaryName"}
    assert props["RunConfig"]["EnvironmentVariables"]["SITE_URL"] == {"Ref": "SiteUrl"}
    assert props["Tags"][0]["Key"] == {"Fn::Join": ["-", {"Fn::Split": ["#", {"Ref": "AppMonitorName"}]}]}
    (policy,) = t["Resources"]["CanaryRole"]["Properties"]["Policies"]
    logs = [s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "Logs"][0]["Resource"][0]
    assert logs["Fn::Sub"].endswith("/aws/lambda/cwsyn-*")  # a parameter cannot be cut to 21 characters
    assert t["Outputs"][Outputs.CANARY_NAME]["Value"] == {"Ref": "Canary"}


def test_no_canary_means_no_canary_resources():
    t = template_dict(from_mapping({"canary": {"enabled": False}}))
    types = {r["Type"] for r in t["Resources"].values()}
    assert "AWS::Synthetics::Canary" not in types
    assert not {"CanaryRole", "CanaryArtifacts", "CanaryAlarm"} & set(t["Resources"])
    assert Outputs.CANARY_NAME not in t["Outputs"]


def test_stand_in_blocks_every_host_but_loopback():
    """The runtime stand-in's Chromium resolves no host name but 127.0.0.1 (nothing leaves the machine)."""
    source = (CANARY_DIR / "modules" / "@aws" / "synthetics-puppeteer" / "index.js").read_text()
    assert "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" in source


# --- locations, retries and safe updates (AWS::Synthetics::Canary's Replicas, RetryConfig, DryRunAndUpdate) ---

LOCATIONS = ["us-east-1", "ap-southeast-2"]


def test_safe_updates_are_on_by_default_and_nothing_else_changes():
    props = canary_of()
    assert props["DryRunAndUpdate"] is True
    assert "Replicas" not in props and "RetryConfig" not in props["Schedule"]
    assert "DryRunAndUpdate" not in canary_of(from_mapping({"canary": {"safe_updates": False}}))
    assert "Rules" not in template_dict()


def test_locations_become_replicas_and_retries_the_schedule_retry_config():
    props = canary_of(from_mapping({"canary": {"locations": LOCATIONS, "retries": 2}}))
    assert props["Replicas"] == [{"Location": "us-east-1"}, {"Location": "ap-southeast-2"}]
    assert props["Schedule"] == {"Expression": "rate(5 minutes)", "RetryConfig": {"MaxRetries": 2}}


def test_the_stack_refuses_a_region_that_is_also_a_replica_location():
    """Synthetics: "The primary Region cannot be selected as a replica location" (known at deploy time only)."""
    t = template_dict(from_mapping({"canary": {"locations": LOCATIONS}}))
    (assertion,) = t["Rules"]["CanaryLocations"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Contains": [LOCATIONS, {"Ref": "AWS::Region"}]}]}
    assert "canary.locations" in assertion["AssertDescription"]


def test_replicas_may_write_their_logs_in_their_own_regions():
    settings = from_mapping({"canary": {"locations": LOCATIONS}})
    (primary, *replicas) = role_statements(settings)["Logs"]["Resource"]
    assert primary["Fn::Sub"].startswith("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:")
    assert [r["Fn::Sub"] for r in replicas] == [
        f"arn:${{AWS::Partition}}:logs:{region}:${{AWS::AccountId}}:log-group:/aws/lambda/cwsyn-example-site-*"
        for region in LOCATIONS
    ]


def commercial_regions() -> list[str]:
    """Every Region botocore lists in the aws partition (from its partitions.json, not from rumcfn)."""
    from botocore.loaders import Loader

    (aws,) = [p for p in Loader().load_data("partitions")["partitions"] if p["id"] == "aws"]
    return [r for r in aws["regions"] if not r.endswith("-global")]


def synthetics_in(region: str) -> bool | None:
    """cfn-lint's region data: AWS::Synthetics::Canary offered there (None: cfn-lint has no data for the Region)."""
    from cfnlint.helpers import REGIONS
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    return "AWS::Synthetics::Canary" in PROVIDER_SCHEMA_MANAGER.get_resource_types(region) if region in REGIONS \
        else None


@pytest.mark.parametrize("region", commercial_regions())
def test_a_location_is_a_commercial_region_where_synthetics_runs(region):
    if synthetics_in(region) is False:
        with pytest.raises(SettingsError, match="where CloudWatch Synthetics runs"):
            from_mapping({"canary": {"locations": [region]}})
    else:
        assert from_mapping({"canary": {"locations": [region]}}).canary.locations == (region,)


@pytest.mark.parametrize("location", ["xx-fake-9", "eu-fake-9", "us-east-9", "eusc-de-east-1", "us-iso-east-1",
                                      "aws-global"])
def test_a_location_no_partition_lists_or_outside_the_commercial_partition_is_refused(location):
    """Replicas "must be supported CloudWatch Synthetics commercial Regions" (Synthetics guide, multilocation
    canaries): a Region AWS has not made, or one of another partition, never deploys."""
    with pytest.raises(SettingsError) as caught:
        from_mapping({"canary": {"locations": ["eu-west-1", location]}})
    assert str(caught.value).startswith("setting canary.locations: must be commercial AWS Regions") and \
        repr(location) in str(caught.value)


@pytest.mark.parametrize(
    "canary, rule, value",
    [
        ({"locations": ["EU-WEST-1"]}, "commercial AWS Regions such as eu-west-1", "EU-WEST-1"),
        ({"locations": ["us-gov-west-1"]}, "commercial AWS Regions such as eu-west-1", "us-gov-west-1"),
        ({"locations": ["cn-north-1"]}, "commercial AWS Regions such as eu-west-1", "cn-north-1"),
        ({"locations": ["eu-west-1", "eu-west-1"]}, "must not repeat an entry", "eu-west-1"),
        (
            {"locations": [f"us-x{chr(97 + i // 26)}{chr(97 + i % 26)}-1" for i in range(51)]},
            "must have 0 to 50 locations, but has 51",
            "us-xaa-1",
        ),
        ({"retries": 3}, "must be between 0 and 2", "3"),
        ({"retries": -1}, "must be between 0 and 2", "-1"),
        ({"retries": 2, "timeout_seconds": 600}, "2 retries need canary.timeout_seconds below 600", "2"),
    ],
)
def test_bad_locations_and_retries_are_one_line_errors(canary, rule, value):
    with pytest.raises(SettingsError) as caught:
        from_mapping({"canary": canary})
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"setting canary.{next(iter(canary))}:"), message
    assert rule in message and value in message, message


def test_a_canary_in_many_locations_lints_clean(linter):
    settings = from_mapping(
        {"canary": {"locations": LOCATIONS + ["eu-central-1", "sa-east-1"], "retries": 1}, "parameters": True}
    )
    assert [str(f) for f in linter.lint(to_json(build_template(settings)))] == []


# --- the canary answers exactly the requests the client sends ------------------------------------------


#: How aws-rum-web 3.2.1 builds the request path from ``endpoint`` (@aws-rum/web-core DataPlaneClient).
CLIENT_PATH = "this.config.endpoint.pathname.replace(/\\/$/, '')"
ENDPOINTS = ["https://rum.example.com", "https://rum.example.com/", "https://rum.example.com//",
             "https://rum.example.com/rum", "https://rum.example.com/rum/", "https://rum.example.com/rum//",
             "https://rum.example.com/a//b", "http://127.0.0.1:9000/", "https://rum.example.com:8443/x/y/"]


def test_for_every_endpoint_the_settings_take_the_canary_intercepts_the_clients_requests():
    """The canary's dataPlane() over each endpoint the settings accept equals the client's own request prefix."""
    import subprocess

    client = (ROOT / "node_modules" / "@aws-rum" / "web-core" / "dist" / "es" / "dispatch" / "DataPlaneClient.js")
    assert CLIENT_PATH in client.read_text()  # the client still builds its path this way
    accepted = []
    for endpoint in ENDPOINTS:
        try:
            accepted.append(from_mapping({"snippet": {"endpoint": endpoint}}).snippet.endpoint)
        except SettingsError:
            pass
    assert "https://rum.example.com/rum/" in accepted
    from rumcfn.stack.canary import script

    (canary,) = re.findall(r"const dataPlane = \(endpoint, page\) => \{.*?\n\};", script(Settings()), re.S)
    program = (f"{canary}\nconst client = (endpoint) => {{ const u = new URL(endpoint); "
               f"return `${{u.protocol}}//${{u.host}}${{u.pathname.replace(/\\/$/, '')}}/appmonitors/`; }};\n"
               f"for (const e of {accepted!r}) console.log(JSON.stringify([e, dataPlane(e), client(e)]));")
    done = subprocess.run(["node", "-e", program], capture_output=True, text=True, timeout=60, check=True)
    pairs = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(pairs) == len(accepted)
    assert [(e, canary) for e, canary, _ in pairs] == [(e, client) for e, _, client in pairs]
