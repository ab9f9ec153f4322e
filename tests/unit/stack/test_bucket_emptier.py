"""The canary's artifacts bucket on stack deletion: retained by default; emptied, then deleted, on opt-in."""

from __future__ import annotations

import json

import pytest

from rumcfn.config import from_mapping
from rumcfn.contract import CustomResources
from rumcfn.facts import INLINE_LIMIT
from rumcfn.stack.assemble import build_template
from rumcfn.stack.bucket_emptier import EMPTYING_TIMEOUT
from rumcfn.template.output import to_json
from tests.support.variants import template_dict

OPT_IN = {"canary": {"empty_artifacts_on_delete": True}}
EMPTYING_ACTIONS = ("s3:ListBucketVersions", "s3:DeleteObjectVersion", "cloudformation:DescribeStacks")

VARIANTS = {
    "opt-in": OPT_IN,
    "opt-in-parameters": {**OPT_IN, "parameters": True},
    "opt-in-named-canary-xray": {"canary": {"name": "shop", "empty_artifacts_on_delete": True},
                                 "monitor": {"enable_xray": True}},
}


def writer_statements(t: dict) -> dict[str, dict]:
    return {s["Sid"]: s for p in t["Resources"]["RumScriptRole"]["Properties"]["Policies"]
            for s in p["PolicyDocument"]["Statement"]}


def test_by_default_the_bucket_is_retained_on_deletion_and_replacement_and_nothing_may_empty_it():
    t = template_dict()
    bucket = t["Resources"]["CanaryArtifacts"]
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert not [r for r in t["Resources"].values() if r["Type"] == CustomResources.EMPTY_BUCKET]
    text = json.dumps(t)
    assert not [action for action in EMPTYING_ACTIONS if action in text]


def test_opt_in_deletes_the_bucket_after_emptying_it_and_retains_a_replaced_one():
    t = template_dict(from_mapping(OPT_IN))
    bucket = t["Resources"]["CanaryArtifacts"]
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Delete", "Retain")
    emptier = t["Resources"]["CanaryArtifactsEmptier"]
    assert emptier["Type"] == CustomResources.EMPTY_BUCKET
    assert emptier["Properties"] == {"ServiceToken": {"Fn::GetAtt": ["RumScriptFunction", "Arn"]},
                                     "ServiceTimeout": 300, "Bucket": {"Ref": "CanaryArtifacts"}}
    assert emptier["DependsOn"] == ["RumScriptFunctionInvokeConfig"], "Lambda retries are off before it runs"


def test_deletion_order_is_canary_then_emptying_then_bucket():
    """CloudFormation deletes dependents first: the canary stops writing before the bucket is emptied."""
    t = template_dict(from_mapping(OPT_IN))
    assert "CanaryArtifactsEmptier" in t["Resources"]["Canary"]["DependsOn"]
    assert t["Resources"]["CanaryArtifactsEmptier"]["Properties"]["Bucket"] == {"Ref": "CanaryArtifacts"}


def test_the_same_function_serves_both_resources_with_one_copy_of_the_code():
    t = template_dict(from_mapping(OPT_IN))
    functions = [r for r in t["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert len(functions) == 1


def test_only_the_opt_in_lets_the_role_list_and_delete_versions_of_exactly_that_bucket():
    statements = writer_statements(template_dict(from_mapping(OPT_IN)))
    assert statements["ListVersions"]["Action"] == ["s3:ListBucketVersions"]
    assert statements["ListVersions"]["Resource"] == [{"Fn::GetAtt": ["CanaryArtifacts", "Arn"]}]
    assert statements["DeleteVersions"]["Action"] == ["s3:DeleteObjectVersion"]
    assert statements["DeleteVersions"]["Resource"] == [{"Fn::Sub": "${CanaryArtifacts.Arn}/*"}]
    assert statements["StackStatus"]["Action"] == ["cloudformation:DescribeStacks"]
    assert statements["StackStatus"]["Resource"] == [{"Ref": "AWS::StackId"}]
    assert set(statements) == {"WriteSnippet", "WriteOwnLogs", "ListVersions", "DeleteVersions", "StackStatus"}


def test_emptying_gets_lambda_s_longest_timeout_within_cloudformation_s_wait():
    t = template_dict(from_mapping(OPT_IN))
    assert t["Resources"]["RumScriptFunction"]["Properties"]["Timeout"] == 300  # ServiceTimeout, 300 s by default
    longer = template_dict(from_mapping({**OPT_IN, "script": {"service_timeout": 3600}}))
    assert longer["Resources"]["RumScriptFunction"]["Properties"]["Timeout"] == EMPTYING_TIMEOUT == 900
    assert template_dict()["Resources"]["RumScriptFunction"]["Properties"]["Timeout"] == 60


def test_nothing_to_empty_without_a_canary():
    t = template_dict(from_mapping({"canary": {"enabled": False, "empty_artifacts_on_delete": True}}))
    assert "CanaryArtifactsEmptier" not in t["Resources"]
    assert not [action for action in EMPTYING_ACTIONS if action in json.dumps(t)]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_opt_in_variants_have_zero_cfn_lint_findings_and_fit_inline(name, linter):
    text = to_json(build_template(from_mapping(VARIANTS[name])))
    assert [str(f) for f in linter.lint(text)] == []
    assert len(text.encode()) < INLINE_LIMIT
