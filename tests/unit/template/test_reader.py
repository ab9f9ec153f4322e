"""The one template reader: capabilities, size limit, unreadable templates."""

from __future__ import annotations

import json

import pytest

from rumcfn.template.reader import TemplateSource, TemplateTooLarge, TemplateUnreadable


def template(resources, **extra):
    return TemplateSource(json.dumps({"Resources": resources, **extra}), "t.json")


@pytest.mark.parametrize(
    "resources, extra, expected",
    [
        ({"T": {"Type": "AWS::SNS::Topic"}}, {}, []),
        ({"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}, {}, ["CAPABILITY_IAM"]),
        (
            {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": {"Fn::Sub": "${AWS::StackName}-r"}}}},
            {},
            ["CAPABILITY_NAMED_IAM"],
        ),
        (
            {"F": {"Type": "AWS::Serverless::Function"}},
            {"Transform": "AWS::Serverless-2016-10-31"},
            ["CAPABILITY_AUTO_EXPAND"],
        ),
        (
            {"T": {"Type": "AWS::SNS::Topic", "Properties": {"Fn::Transform": {"Name": "AWS::Include"}}}},
            {},
            ["CAPABILITY_AUTO_EXPAND"],
        ),
    ],
)
def test_capabilities_follow_the_template(resources, extra, expected):
    assert template(resources, **extra).capabilities == expected


def test_rumcfn_template_needs_iam_capability():
    from rumcfn.config import Settings
    from rumcfn.template.reader import from_settings

    assert from_settings(Settings()).capabilities == ["CAPABILITY_IAM"]


def test_yaml_templates_with_short_form_functions():
    source = TemplateSource(
        "Parameters:\n  Env: {Type: String}\nResources:\n  R:\n    Type: AWS::IAM::Role\n"
        "    Properties:\n      RoleName: !Sub '${AWS::StackName}-r'\n",
        "t.yaml",
    )
    assert source.parameter_keys == ["Env"]
    assert source.capabilities == ["CAPABILITY_NAMED_IAM"]


def test_unreadable_templates():
    with pytest.raises(TemplateUnreadable, match="no Resources section"):
        _ = TemplateSource('{"a": 1}', "t.json").capabilities
    with pytest.raises(TemplateUnreadable, match="not a JSON or YAML template"):
        _ = TemplateSource("{ nope", "t.json").capabilities


def test_size_limit_is_checked_in_bytes():
    body = json.dumps(
        {"Resources": {}, "Metadata": {"x": "é" * 25_600}}, ensure_ascii=False
    )  # 25,600 characters, over 51,200 bytes
    with pytest.raises(TemplateTooLarge, match="is 51,2.. bytes, over CloudFormation's 51,200-byte limit"):
        TemplateSource(body, "t.json").check_inline()


def nested(levels: int, fmt: str) -> str:
    """A template whose deepest value sits ``levels`` mappings deep (the template itself is the first)."""
    if fmt == "json":
        return '{"Resources": ' + '{"a": ' * (levels - 2) + "{}" + "}" * (levels - 1)
    return "Resources:\n" + "".join(" " * (i + 1) + "a:\n" for i in range(levels - 2)) + " " * (levels - 1) + "{}\n"


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_nesting_is_bounded_exactly_at_the_limit(fmt):
    from rumcfn.template.reader import MAX_NESTING, check_shape

    check_shape(nested(MAX_NESTING, fmt), "t")
    with pytest.raises(TemplateUnreadable, match=f"t: nested more than {MAX_NESTING} levels deep"):
        check_shape(nested(MAX_NESTING + 1, fmt), "t")


def test_brackets_in_strings_and_block_scalars_are_not_nesting():
    from rumcfn.template.reader import check_shape

    check_shape(json.dumps({"Resources": {"F": {"Properties": {"Code": "[" * 500 + "{" * 500}}}}), "t.json")
    check_shape(
        "Resources:\n  F:\n    Properties:\n      Code: |\n        " + "[" * 500 + "\n      Name: '{{{'\n", "t.yaml"
    )


def test_invalid_json_is_scanned_as_the_yaml_it_falls_back_to():
    from rumcfn.template.reader import check_shape

    with pytest.raises(TemplateUnreadable, match="line 1: uses a YAML alias \\(\\*a\\)"):
        check_shape("{x: &a [1, 2], y: *a, Resources: {}}", "t.json")


def test_every_template_rumcfn_builds_passes_the_shape_check():
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json, to_yaml
    from rumcfn.template.reader import check_shape
    from tests.support.variants import VARIANTS

    for settings in VARIANTS.values():
        template = build_template(settings)
        check_shape(to_json(template), "t.json")
        check_shape(to_yaml(template), "t.yaml")
