"""The one template reader: capabilities, size limit, unreadable templates."""

from __future__ import annotations

import json

import pytest

from rumcfn.template.reader import TemplateSource, TemplateTooLarge, TemplateUnreadable


def template(resources, **extra):
    return TemplateSource(json.dumps({"Resources": resources, **extra}), "t.json")


@pytest.mark.parametrize("resources, extra, expected", [
    ({"T": {"Type": "AWS::SNS::Topic"}}, {}, []),
    ({"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}, {}, ["CAPABILITY_IAM"]),
    ({"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": {"Fn::Sub": "${AWS::StackName}-r"}}}}, {},
     ["CAPABILITY_NAMED_IAM"]),
    ({"F": {"Type": "AWS::Serverless::Function"}}, {"Transform": "AWS::Serverless-2016-10-31"}, ["CAPABILITY_AUTO_EXPAND"]),
    ({"T": {"Type": "AWS::SNS::Topic", "Properties": {"Fn::Transform": {"Name": "AWS::Include"}}}}, {},
     ["CAPABILITY_AUTO_EXPAND"]),
])
def test_capabilities_follow_the_template(resources, extra, expected):
    assert template(resources, **extra).capabilities == expected


def test_rumcfn_template_needs_iam_capability():
    from rumcfn.config import Settings
    from rumcfn.template.reader import from_settings

    assert from_settings(Settings()).capabilities == ["CAPABILITY_IAM"]


def test_yaml_templates_with_short_form_functions():
    source = TemplateSource("Parameters:\n  Env: {Type: String}\nResources:\n  R:\n    Type: AWS::IAM::Role\n"
                            "    Properties:\n      RoleName: !Sub '${AWS::StackName}-r'\n", "t.yaml")
    assert source.parameter_keys == ["Env"]
    assert source.capabilities == ["CAPABILITY_NAMED_IAM"]


def test_unreadable_templates():
    with pytest.raises(TemplateUnreadable, match="no Resources section"):
        TemplateSource('{"a": 1}', "t.json").capabilities
    with pytest.raises(TemplateUnreadable, match="not a JSON or YAML template"):
        TemplateSource("{ nope", "t.json").capabilities


def test_size_limit_is_checked_in_bytes():
    body = json.dumps({"Resources": {}, "Metadata": {"x": "é" * 25_600}}, ensure_ascii=False)  # 25,600 characters, over 51,200 bytes
    with pytest.raises(TemplateTooLarge, match="is 51,2.. bytes, over CloudFormation's 51,200-byte limit"):
        TemplateSource(body, "t.json").check_inline()
