"""The rum.js custom resource in the template: least privilege, runtime, wiring, lint-clean, small."""

from __future__ import annotations

import ast
import io
import json
import re
import sys
import tokenize
from pathlib import Path

import pytest

from rumcfn.config import Settings, SettingsError, from_mapping
from rumcfn.contract import CustomResources, Outputs
from rumcfn.facts import INLINE_LIMIT
from rumcfn.stack.assemble import build_stack, build_template
from rumcfn.stack.inline import compact, reindent
from rumcfn.stack.snippet_writer import RUNTIME, handler_source
from rumcfn.template.output import to_dict, to_json
from tests.support import ROOT  # noqa: E402
from tests.support.handler import inline_source, load_index

SCRIPT_VARIANTS = {
    "defaults": {},
    "create-bucket": {"script": {"create_bucket": True, "bucket": "shop-example-site", "retain_on_delete": True}},
    "resource-policy": {"auth": {"mode": "resource-policy"}},
}


def resources(settings_map: dict | None = None) -> dict:
    return to_dict(build_template(from_mapping(settings_map or {})))["Resources"]


def policy_statements(res: dict) -> list[dict]:
    (policy,) = res["RumScriptRole"]["Properties"]["Policies"]
    return policy["PolicyDocument"]["Statement"]


@pytest.mark.parametrize("name", sorted(SCRIPT_VARIANTS))
def test_zero_cfn_lint_findings_including_informational(name, linter):
    findings = linter.lint(to_json(build_template(from_mapping(SCRIPT_VARIANTS[name]))))
    assert [str(f) for f in findings] == []


@pytest.mark.parametrize("name", sorted(SCRIPT_VARIANTS))
def test_template_stays_under_the_inline_limit(name):
    assert len(to_json(build_template(from_mapping(SCRIPT_VARIANTS[name]))).encode()) < INLINE_LIMIT


def test_inline_handler_is_small():
    source = handler_source()
    # Three custom resources (rum.js, emptying the canary bucket, RUM's log retention), bounded answers (redirects
    # followed, reasons cut by escaped bytes), undo of late writes, denied Deletes kept.
    assert len(json.dumps(source)) < 12_500, "the handler costs this much of every template (JSON-escaped)"


def test_role_may_write_exactly_one_object_and_its_own_logs():
    res = resources()
    assert policy_statements(res) == [
        {"Sid": "WriteSnippet", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
         "Resource": [{"Fn::Sub": ["arn:${AWS::Partition}:s3:::${Bucket}/rum.js", {"Bucket": "example-site-assets"}]}]},
        {"Sid": "WriteOwnLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [{"Fn::GetAtt": ["RumScriptLogs", "Arn"]}]},
    ]
    role = res["RumScriptRole"]["Properties"]
    assert set(role) == {"AssumeRolePolicyDocument", "Policies"}, "no managed policies"
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"} and trust["Action"] == ["sts:AssumeRole"]


def test_role_follows_the_key_and_a_created_or_parameter_bucket():
    created = policy_statements(resources({"script": {"create_bucket": True, "key": "js/rum.js"}}))[0]
    assert created["Resource"] == [{"Fn::Sub": ["arn:${AWS::Partition}:s3:::${Bucket}/js/rum.js",
                                                {"Bucket": {"Ref": "SiteBucket"}}]}]
    param = policy_statements(resources({"parameters": True}))[0]
    assert param["Resource"][0]["Fn::Sub"][1] == {"Bucket": {"Ref": "WebsiteBucket"}}


def newest_python_runtime_cfn_lint_knows() -> str:
    import cfnlint

    lifecycle = json.loads(
        (Path(cfnlint.__file__).parent / "data/AdditionalSpecs/LmbdRuntimeLifecycle.json").read_text()
    )
    (newest,) = [name for name, dates in lifecycle.items() if name.startswith("python") and not dates.get("successor")]
    return newest


def test_function_runtime_architecture_memory_and_logging():
    res = resources({"script": {"log_retention_days": 14}})
    fn = res["RumScriptFunction"]["Properties"]
    assert fn["Runtime"] == RUNTIME == newest_python_runtime_cfn_lint_knows()
    assert fn["Architectures"] == ["arm64"] and fn["MemorySize"] == 128
    assert fn["Handler"] == "index.handler"
    assert fn["LoggingConfig"] == {"LogGroup": {"Ref": "RumScriptLogs"}}
    assert res["RumScriptLogs"]["Properties"] == {"RetentionInDays": 14}
    assert fn["Timeout"] < res["RumScript"]["Properties"]["ServiceTimeout"]


def test_lambda_timeout_never_outlasts_the_service_timeout():
    fn = resources({"script": {"service_timeout": 20}})["RumScriptFunction"]["Properties"]
    assert fn["Timeout"] == 20


def test_custom_resource_properties():
    stack = build_stack(from_mapping({"script": {"cache_control": "max-age=60", "service_timeout": 120}}))
    props = to_dict(stack.template)["Resources"]["RumScript"]
    assert props["Type"] == CustomResources.RUM_SCRIPT
    props = props["Properties"]
    assert set(props) == {"ServiceToken", "ServiceTimeout", "Bucket", "Key", "Content", "ContentType", "CacheControl",
                          "UrlSuffix"}
    assert props["UrlSuffix"] == {"Ref": "AWS::URLSuffix"}, "the partition's, as CloudFormation knows it"
    assert props["ServiceToken"] == {"Fn::GetAtt": ["RumScriptFunction", "Arn"]}
    assert props["ServiceTimeout"] == 120
    assert (props["Bucket"], props["Key"]) == ("example-site-assets", "rum.js")
    assert props["ContentType"] == "application/javascript; charset=utf-8"
    assert props["CacheControl"] == "max-age=60"
    # The content is the stack's snippet: it re-runs when (and only when) the snippet changes, and
    # it runs after the monitor exists because it uses the monitor's id.
    assert props["Content"] == stack.snippet.to_dict()
    assert props["Content"]["Fn::Sub"][1]["AppMonitorId"] == {"Fn::GetAtt": ["AppMonitor", "Id"]}


def test_same_settings_give_the_same_properties_so_deploys_without_changes_do_not_rewrite():
    assert resources()["RumScript"] == resources()["RumScript"]


def test_write_follows_the_monitor_even_if_a_snippet_did_not_reference_it():
    from troposphere import Sub, Template, rum

    from rumcfn.stack.snippet_writer import add_snippet_writer

    monitor = rum.AppMonitor("AppMonitor", Name="site", Domain="www.example.com")
    made = add_snippet_writer(Template(), Settings(), snippet=Sub("static"), monitor=monitor)
    assert made.resource.DependsOn == ["AppMonitor", "RumScriptFunctionInvokeConfig"]
    assert resources()["RumScript"]["DependsOn"] == ["RumScriptFunctionInvokeConfig"], (
        "the default snippet orders it after the monitor through GetAtt"
    )


def test_lambda_does_not_retry_the_custom_resource_behind_cloudformation_s_back():
    """CloudFormation invokes custom-resource functions asynchronously: Lambda's own retries (two by
    default) would write rum.js again after the answer was sent."""
    res = resources({"script": {"service_timeout": 120}})
    (config,) = [name for name, r in res.items() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    assert res[config]["Properties"] == {
        "FunctionName": {"Ref": "RumScriptFunction"},
        "Qualifier": "$LATEST",
        "MaximumRetryAttempts": 0,
        "MaximumEventAgeInSeconds": 120,
    }
    assert config in res["RumScript"]["DependsOn"], "the first Create must not run before retries are off"


@pytest.mark.parametrize("service_timeout,age", [(1, 60), (300, 300), (3600, 3600)])
def test_an_event_older_than_cloudformation_waits_is_dropped_within_lambda_s_limits(service_timeout, age):
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::Lambda::EventInvokeConfig").schema
    limits = schema["properties"]["MaximumEventAgeInSeconds"]
    res = resources({"script": {"service_timeout": service_timeout}})
    (props,) = [r["Properties"] for r in res.values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    assert props["MaximumEventAgeInSeconds"] == age
    assert limits["minimum"] <= age <= limits["maximum"]
    assert schema["properties"]["MaximumRetryAttempts"]["minimum"] == props["MaximumRetryAttempts"]


def test_the_dead_letter_queue_reason_says_how_cloudformation_invokes_the_function():
    from rumcfn.stack.security import SUPPRESSIONS

    reason = SUPPRESSIONS["AWS::Lambda::Function"]["CKV_AWS_116"]
    assert "asynchronously" in reason and not re.search(r"\bsynchronously", reason)
    assert "MaximumRetryAttempts" in reason


def test_retain_on_delete_only_when_set():
    assert "RetainOnDelete" not in resources()["RumScript"]["Properties"]
    assert resources({"script": {"retain_on_delete": True}})["RumScript"]["Properties"]["RetainOnDelete"] == "true"


def test_created_bucket_is_secure_named_and_retained():
    res = resources({"script": {"create_bucket": True, "bucket": "shop-example-site"}})
    bucket = res["SiteBucket"]
    assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain"
    assert bucket["Properties"]["BucketName"] == "shop-example-site"
    assert bucket["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert res["SiteBucketPolicy"]["Properties"]["Bucket"] == {"Ref": "SiteBucket"}
    assert res["RumScript"]["Properties"]["Bucket"] == {"Ref": "SiteBucket"}
    assert "SiteBucket" not in resources()


def test_snippet_url_output():
    outputs = to_dict(build_template())["Outputs"]
    assert outputs[Outputs.SNIPPET_URL]["Value"] == {"Fn::GetAtt": ["RumScript", "Url"]}


def test_bad_script_settings_fail_at_synth_time():
    with pytest.raises(SettingsError, match="script.service_timeout"):
        from_mapping({"script": {"service_timeout": 0}})


# --- the inlined code --------------------------------------------------------------------------


def test_inline_code_is_the_handler_file_without_comments_and_docstrings():
    inline = inline_source()
    assert inline == handler_source()
    original = (ROOT / "handlers" / "rum_script.py").read_text()
    assert ast.dump(ast.parse(inline)) == ast.dump(_without_docstrings(ast.parse(original)))
    tokens = tokenize.generate_tokens(io.StringIO(inline).readline)
    assert [t.string for t in tokens if t.type == tokenize.COMMENT] == ["# rumcfn rum_script.py, comments stripped"]


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and len(body) > 1
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:]
    return tree


def test_compact_keeps_a_docstring_that_is_a_block_s_only_statement_and_strings_in_code():
    source = (
        'class E(Exception):\n    """Only statement."""\n\n\n'
        'def f():\n    """Doc."""\n    return "# not a comment"  # a comment\n'
    )
    assert compact(source) == 'class E(Exception):\n    """Only statement."""\ndef f():\n    return "# not a comment"\n'


def test_reindent_uses_one_space_per_block_and_leaves_continuations_and_strings_valid():
    source = 'def f(x):\n    if x:\n        return (1,\n                2)\n    return """a\n    b"""\n'
    assert reindent(source) == 'def f(x):\n if x:\n  return (1,\n   2)\n return """a\n    b"""\n'
    assert ast.dump(ast.parse(reindent(source))) == ast.dump(ast.parse(source))


def test_inline_code_imports_only_the_standard_library_and_boto3():
    tree = ast.parse(inline_source())
    modules = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules - set(sys.stdlib_module_names) == {"boto3", "botocore"}


def test_inline_code_keeps_no_mutable_state_between_invocations():
    import re
    import types

    module = load_index(inline_source())
    state = {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("__") and not isinstance(value, (types.ModuleType, types.FunctionType, type))
    }
    immutable = (str, int, float, tuple, re.Pattern, types.MappingProxyType)
    mutable = {name: value for name, value in state.items() if not isinstance(value, immutable)}
    assert mutable == {}


def test_the_created_website_bucket_expires_replaced_versions():
    """Versioning keeps every old version of every site file; the bucket rumcfn creates lets them go."""
    res = resources({"script": {"create_bucket": True, "bucket": "shop-site", "noncurrent_version_days": 14}})
    rules = res["SiteBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rules == [
        {
            "Id": "ExpireReplacedVersions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 14},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }
    ]
    assert "ExpirationInDays" not in str(rules)  # current site files never expire


# --- the function's duties, declared where it is created (issue 18) -------------------------------------

ALL_DUTIES = {"canary": {"empty_artifacts_on_delete": True},
              "monitor": {"cw_log_enabled": True, "log_retention_days": 90}}


def test_every_custom_resource_the_function_serves_is_a_duty_declared_with_it():
    stack = build_stack(from_mapping(ALL_DUTIES))
    t = to_dict(stack.template)["Resources"]
    served = {r["Type"] for r in t.values()
              if r["Type"].startswith("Custom::") and r["Properties"]["ServiceToken"] == {
                  "Fn::GetAtt": ["RumScriptFunction", "Arn"]}}
    assert served == {"Custom::RumScript", "Custom::EmptyBucket", "Custom::RumLogRetention"}
    assert {duty.resource_type for duty in stack.script.duties} == served - {"Custom::RumScript"}
    fn = t["RumScriptFunction"]["Properties"]
    for duty in stack.script.duties:
        assert duty.summary in fn["Description"]
        assert duty.policy.PolicyName in [p["PolicyName"] for p in t["RumScriptRole"]["Properties"]["Policies"]]


def test_serving_a_resource_changes_neither_the_role_nor_the_function():
    from troposphere import Sub, Template, rum

    from rumcfn.stack.log_retention import add_log_retention, retention_duty
    from rumcfn.stack.snippet_writer import add_snippet_writer

    settings = from_mapping({"monitor": ALL_DUTIES["monitor"]})
    monitor = rum.AppMonitor("AppMonitor", Name="shop", Domain="www.example.com")
    t = Template()
    writer = add_snippet_writer(t, settings, snippet=Sub("x"), monitor=monitor, duties=[retention_duty(settings)])
    before = json.dumps([writer.role.to_dict(), writer.function.to_dict()], sort_keys=True)
    add_log_retention(t, settings, writer=writer, monitor=monitor)
    assert json.dumps([writer.role.to_dict(), writer.function.to_dict()], sort_keys=True) == before


def test_a_resource_type_the_function_was_not_given_cannot_be_served():
    from troposphere import Sub, Template, rum

    from rumcfn.stack.log_retention import add_log_retention
    from rumcfn.stack.snippet_writer import add_snippet_writer

    settings = from_mapping({"monitor": ALL_DUTIES["monitor"]})
    monitor = rum.AppMonitor("AppMonitor", Name="shop", Domain="www.example.com")
    t = Template()
    writer = add_snippet_writer(t, settings, snippet=Sub("x"), monitor=monitor)
    with pytest.raises(ValueError, match="Custom::RumLogRetention"):
        add_log_retention(t, settings, writer=writer, monitor=monitor)


def test_the_handler_dispatches_each_resource_type_through_one_table():
    """``{resource type: (parse, run, undo)}``, and ResourceType read in one place only."""
    from rumcfn.stack.bucket_emptier import EmptyBucket
    from rumcfn.stack.log_retention import RumLogRetention
    from rumcfn.stack.snippet_writer import RumScript

    index = load_index(inline_source())
    assert set(index.TYPES) == {RumScript.resource_type, EmptyBucket.resource_type, RumLogRetention.resource_type}
    for functions in index.TYPES.values():
        assert len(functions) == 3 and all(f is None or callable(f) for f in functions)
    tree = ast.parse(inline_source())
    reads = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == "ResourceType"]
    assert len(reads) == 1
