"""What a template's values became in a deployed stack: ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` and ``Fn::Join``
resolved the way CloudFormation resolved them, from the stack's own values: pseudo parameters from the stack
ARN, parameters, physical ids (``Ref``) and outputs (``Fn::GetAtt``, e.g. ``AppMonitorId``).

Pure: the stack's description and resources come from :func:`rumcfn.aws.stacks.read_stack`. Used by
``restore-snippet`` (rum.js as the custom resource wrote it), the doctor (what the stack deployed) and the
benchmarks (the handler's properties).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from rumcfn.errors import OperationFailed
from rumcfn.facts import partition_suffix

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class Unresolvable(OperationFailed):
    """A value refers to something the deployed stack does not tell (no output holds that attribute)."""


@dataclass(frozen=True)
class Scope:
    """What ``Ref`` and ``Fn::GetAtt`` mean in a deployed stack."""

    names: Mapping[str, str]  # pseudo parameters, parameters, logical id -> Ref value
    attributes: Mapping[tuple[str, str], str]  # (logical id, attribute) -> value, from outputs

    def ref(self, name: str) -> str:
        if name not in self.names:
            raise Unresolvable(f"Ref {name}")
        return self.names[name]

    def getatt(self, resource: str, attribute: str) -> str:
        if (resource, attribute) not in self.attributes:
            raise Unresolvable(f"Fn::GetAtt {resource}.{attribute} (no stack output has that value)")
        return self.attributes[(resource, attribute)]


def resolve(value: Any, scope: Scope) -> str:
    """A property value as CloudFormation rendered it: literals, Ref, Fn::GetAtt, Fn::Sub, Fn::Join."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref" and isinstance(argument, str):
            return scope.ref(argument)
        if function == "Fn::GetAtt":
            resource, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
            return scope.getatt(resource, attribute)
        if function == "Fn::Sub":
            return _sub(argument, scope)
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            return argument[0].join(resolve(item, scope) for item in argument[1])
    raise Unresolvable(json.dumps(value, default=str)[:200])


def _sub(argument: Any, scope: Scope) -> str:
    body, variables = (argument, {}) if isinstance(argument, str) else argument
    values = {name: resolve(item, scope) for name, item in variables.items()}

    def one(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("!"):  # ${!Literal} renders as ${Literal}
            return "${" + name[1:] + "}"
        if name in values:
            return values[name]
        if "." in name and not name.startswith("AWS::"):
            return scope.getatt(*name.split(".", 1))
        return scope.ref(name)

    return _PLACEHOLDER.sub(one, body)


def pseudo_parameters(stack_id: str, stack_name: str) -> dict[str, str]:
    """AWS::Region, AccountId, Partition, URLSuffix, StackName, StackId from the stack's ARN (the URL suffix is its
    partition's, from botocore's data)."""
    _, partition, _, region, account, _ = stack_id.split(":", 5)
    return {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": partition,
            "AWS::URLSuffix": partition_suffix(partition, region), "AWS::StackName": stack_name,
            "AWS::StackId": stack_id}


def scope_of(template: Mapping[str, Any], stack: Mapping[str, Any], physical_ids: Mapping[str, str]) -> Scope:
    """Ref and GetAtt values of a deployed stack; outputs are exact, so they win over physical ids."""
    names = pseudo_parameters(stack["StackId"], stack["StackName"])
    names.update(physical_ids)
    for parameter in stack.get("Parameters", []):
        names[parameter["ParameterKey"]] = parameter.get("ResolvedValue", parameter.get("ParameterValue", ""))
    deployed = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    attributes: dict[tuple[str, str], str] = {}
    for key, output in (template.get("Outputs") or {}).items():
        value = output.get("Value")
        if key not in deployed or not isinstance(value, Mapping) or len(value) != 1:
            continue
        ((function, argument),) = value.items()
        if function == "Fn::GetAtt":
            resource, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
            attributes[(resource, attribute)] = deployed[key]
        elif function == "Ref" and isinstance(argument, str):
            names[argument] = deployed[key]
    return Scope(names, attributes)
