"""A deployed stack's values: Ref, Fn::GetAtt, Fn::Sub and Fn::Join resolved as CloudFormation resolved them."""

from __future__ import annotations

import pytest

from rumcfn.template.resolve import Scope, Unresolvable, resolve

SCOPE = Scope(names={"AWS::Region": "eu-west-1", "AWS::URLSuffix": "amazonaws.com", "Pool": "p-1", "Rate": "0.5"},
              attributes={("AppMonitor", "Id"): "m-1"})


def test_resolve_sub_with_variables_nested_sub_refs_getatts_and_escapes():
    value = {"Fn::Sub": ["${Id}|${AWS::Region}|${Endpoint}|${Pool}|${AppMonitor.Id}|${!Literal}|rate:${Rate}", {
        "Id": {"Fn::GetAtt": ["AppMonitor", "Id"]},
        "Endpoint": {"Fn::Sub": "https://dataplane.rum.${AWS::Region}.${AWS::URLSuffix}"},
    }]}
    assert resolve(value, SCOPE) == "m-1|eu-west-1|https://dataplane.rum.eu-west-1.amazonaws.com|p-1|m-1|${Literal}|rate:0.5"


def test_resolve_literals_refs_getatt_strings_and_join():
    assert resolve("plain", SCOPE) == "plain"
    assert resolve(300, SCOPE) == "300"
    assert resolve({"Ref": "Pool"}, SCOPE) == "p-1"
    assert resolve({"Fn::GetAtt": "AppMonitor.Id"}, SCOPE) == "m-1"
    assert resolve({"Fn::Join": ["-", ["a", {"Ref": "Pool"}]]}, SCOPE) == "a-p-1"


@pytest.mark.parametrize("value,says", [
    ({"Ref": "Missing"}, "Ref Missing"),
    ({"Fn::Sub": "${Other.Arn}"}, "Fn::GetAtt Other.Arn"),
    ({"Fn::If": ["C", "a", "b"]}, "Fn::If"),
])
def test_unresolvable_values_are_named(value, says):
    with pytest.raises(Unresolvable, match=says.replace(".", r"\.")):
        resolve(value, SCOPE)
