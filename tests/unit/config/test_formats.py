"""The CloudFormation name rules rumcfn checks before any call are AWS's own: botocore's cloudformation model
and cfn-lint's AWS::CloudFormation::StackSet schema, read here at test time."""

from __future__ import annotations

import re

import pytest

from rumcfn.config import SettingsError
from rumcfn.config.formats import STACK_NAME, STACK_NAME_OR_ID, STACK_SET_NAME


def botocore_partition_ids() -> list[str]:
    from botocore.loaders import Loader

    return [partition["id"] for partition in Loader().load_data("partitions")["partitions"]]


@pytest.fixture(scope="module")
def cloudformation():
    import botocore.session

    return botocore.session.get_session().get_service_model("cloudformation")


def stack_set_schema() -> dict:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    return PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::CloudFormation::StackSet").schema


def test_stack_names_follow_the_cloudformation_model(cloudformation):
    """The name half is the model's; the ARN half takes the model's characters after any partition botocore knows
    (the model's own list, aws|aws-us-gov|aws-cn, predates the aws-iso* and aws-eusc partitions)."""
    name_or_id = cloudformation.shape_for("StackNameOrId").metadata["pattern"]
    name_pattern, arn_pattern = re.fullmatch(r"\((.*)\)\|\((.*)\)", name_or_id).groups()
    assert STACK_NAME.pattern == name_pattern
    model_partitions, characters = re.fullmatch(r"arn:\\b\((.*)\)\\b:(.*)", arn_pattern).groups()
    ours = STACK_NAME_OR_ID.pattern.split("|", 1)[1]
    assert ours == f"arn:({'|'.join(botocore_partition_ids())}):{characters}"
    assert set(model_partitions.split("|")) <= set(botocore_partition_ids())
    documented = cloudformation.operation_model("CreateStack").input_shape.members["StackName"].documentation
    assert "can't be longer than 128 characters" in documented
    assert STACK_NAME.max_length == 128 and STACK_NAME_OR_ID.pattern.startswith(r"[a-zA-Z][-a-zA-Z0-9]{0,127}|")


def test_stack_set_names_follow_the_stack_set_schema(cloudformation):
    schema = stack_set_schema()["properties"]["StackSetName"]
    assert f"^{STACK_SET_NAME.pattern}$" == schema["pattern"] and STACK_SET_NAME.max_length == schema["maxLength"]
    documented = cloudformation.operation_model("CreateStackSet").input_shape.members["StackSetName"].documentation
    assert "can't be longer than 128 characters" in documented


@pytest.mark.parametrize("rule,value,ok", [
    (STACK_NAME, "site", True), (STACK_NAME, "Site-2", True), (STACK_NAME, "a" * 128, True),
    (STACK_NAME, "a" * 129, False), (STACK_NAME, "bad name!", False), (STACK_NAME, "9lives", False),
    (STACK_NAME, "", False), (STACK_NAME, "under_score", False),
    (STACK_NAME, "arn:aws:cloudformation:us-east-1:123456789012:stack/site/1", False),
    (STACK_NAME_OR_ID, "arn:aws:cloudformation:us-east-1:123456789012:stack/site/1", True),
    (STACK_NAME_OR_ID, "arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/site/1", True),
    (STACK_NAME_OR_ID, "arn:aws-eusc:cloudformation:eusc-de-east-1:123456789012:stack/site/1", True),
    (STACK_NAME_OR_ID, "arn:aws-iso-b:cloudformation:us-isob-east-1:123456789012:stack/site/1", True),
    (STACK_NAME_OR_ID, "arn:awsx:cloudformation:us-east-1:1:stack/s/1", False),
    (STACK_NAME_OR_ID, "a" * 129, False), (STACK_NAME_OR_ID, "bad name!", False),
    (STACK_SET_NAME, "rum", True), (STACK_SET_NAME, "r" * 129, False), (STACK_SET_NAME, "rum set", False),
])
def test_names(rule, value, ok):
    if ok:
        rule.check("--stack-name", value)
    else:
        with pytest.raises(SettingsError):
            rule.check("--stack-name", value)
