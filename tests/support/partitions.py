"""Regions and partitions from AWS's own data, and a template as CloudFormation renders it in one of them.

``regions()`` are the Regions cfn-lint knows; ``partition_of`` places a Region with botocore's
``partitions.json`` (the SDK's own data). ``rendered`` evaluates the template's Conditions, ``Fn::If``,
``Fn::FindInMap`` and the pseudo parameters for one Region and partition, as CloudFormation would: enough
to read a trust policy or an output per partition.
"""

from __future__ import annotations

import json
import re
from typing import Any

PLACEHOLDER = re.compile(r"\$\{([^}!]+)\}")


def regions() -> list[str]:
    from cfnlint.helpers import REGIONS

    return list(REGIONS)


def botocore_partitions() -> list[dict]:
    import botocore.loaders

    return botocore.loaders.create_loader().load_data("partitions")["partitions"]


def partition_of(region: str) -> str | None:
    """The partition botocore places ``region`` in, or None when this botocore does not know it."""
    for partition in botocore_partitions():
        if region in partition["regions"] or re.match(partition["regionRegex"], region):
            return partition["id"]
    return None


def url_suffix_of(partition: str | None) -> str:
    for known in botocore_partitions():
        if known["id"] == partition:
            return known["outputs"]["dnsSuffix"]
    return "unknown.example"


class Renderer:
    """One template in one Region and partition. Refs to resources render as ``<Ref LogicalId>``."""

    def __init__(self, template: dict, region: str, partition: str | None):
        self.template = template
        self.pseudo = {"AWS::Region": region, "AWS::Partition": partition or "unknown",
                       "AWS::URLSuffix": url_suffix_of(partition), "AWS::AccountId": "123456789012",
                       "AWS::StackName": "stack"}
        self.conditions = {name: self.truth(body) for name, body in (template.get("Conditions") or {}).items()}

    def truth(self, node: Any) -> bool:
        ((function, argument),) = node.items()
        if function == "Fn::Equals":
            left, right = (self.value(item) for item in argument)
            return left == right
        if function == "Fn::Or":
            return any(self.truth(item) for item in argument)
        if function == "Fn::And":
            return all(self.truth(item) for item in argument)
        if function == "Fn::Not":
            return not self.truth(argument[0])
        if function == "Condition":
            return self.truth(self.template["Conditions"][argument])
        raise AssertionError(f"condition function {function} not rendered")

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.value(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((function, argument),) = node.items()
            if function == "Ref":
                return self.pseudo.get(argument, f"<Ref {argument}>")
            if function == "Fn::If":
                name, yes, no = argument
                return self.value(yes if self.conditions[name] else no)
            if function == "Fn::FindInMap":
                mapping, key, attribute = (self.value(item) for item in argument)
                return self.template["Mappings"][mapping][key][attribute]
            if function == "Fn::Sub":
                return self.sub(argument)
        return {key: self.value(item) for key, item in node.items()}

    def sub(self, argument: Any) -> str:
        body, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {name: self.value(item) for name, item in variables.items()}

        def one(match: re.Match) -> str:
            name = match.group(1)
            if name in values:
                return values[name]
            if name in self.pseudo:
                return self.pseudo[name]
            return f"<{name}>"

        return PLACEHOLDER.sub(one, body)

    def outputs(self) -> dict[str, Any]:
        """The outputs the stack would have: those whose Condition holds, with values rendered."""
        return {key: self.value(output["Value"]) for key, output in (self.template.get("Outputs") or {}).items()
                if output.get("Condition") is None or self.conditions[output["Condition"]]}

    def resource(self, logical_id: str) -> dict:
        return self.value(self.template["Resources"][logical_id])


def rendered(template: dict, region: str, partition: str | None = None) -> Renderer:
    return Renderer(template, region, partition if partition is not None else partition_of(region))


def policy(document: Any) -> dict:
    """A policy document that may be a JSON string (as IAM accepts it) or an object."""
    return json.loads(document) if isinstance(document, str) else document
