"""Write rum.js again after a site sync deleted it (``rumcfn restore-snippet``).

``aws s3 sync --delete`` removes every object the local build lacks, rum.js included; the custom
resource only runs again when the snippet changes. This command reads the deployed stack and writes
exactly what the custom resource wrote: its ``Content`` is an ``Fn::Sub``, resolved here the way
CloudFormation resolved it, from the stack's own values: pseudo parameters from the stack ARN,
parameters, physical ids (``Ref``) and outputs (``Fn::GetAtt``, e.g. ``AppMonitorId``). Nothing is
re-rendered from local settings, so the result cannot drift from the deployed stack.

boto3 is imported only when the command runs (``rumcfn synth`` never loads it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from rumcfn.errors import RumcfnError
from rumcfn.facts import partition_suffix

RESOURCE_TYPE = "Custom::RumScript"
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class RestoreFailed(RumcfnError):
    """The stack cannot say what rum.js should be, or the object is missing (``--check``)."""


class StackMissing(RestoreFailed):
    pass


class StackBusy(RestoreFailed):
    """The stack is changing: its values are in flux."""


class Unresolvable(RumcfnError):
    pass


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


@dataclass(frozen=True)
class ScriptObject:
    """rum.js as the stack's custom resource wrote it."""

    bucket: str
    key: str
    content: str
    content_type: str
    cache_control: str
    account: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class DeployedStack:
    """A settled stack as CloudFormation deployed it: its description, template, resources and scope."""

    name: str
    description: Mapping[str, Any]
    template: Mapping[str, Any]
    resources: Mapping[str, tuple[str, str]]  # logical id -> (type, physical id)
    scope: Scope

    def output(self, key: str) -> str | None:
        return next((o.get("OutputValue") for o in self.description.get("Outputs", []) if o["OutputKey"] == key), None)

    def of_type(self, *types: str) -> dict[str, Mapping[str, Any]]:
        """Template resources of these types, by logical id."""
        return {name: r for name, r in (self.template.get("Resources") or {}).items() if r.get("Type") in types}

    def physical_ids(self, *types: str) -> list[str]:
        return [physical for kind, physical in self.resources.values() if kind in types and physical]


def read_stack(aws, stack_name: str) -> DeployedStack:
    """The deployed stack (refused while it is changing: its values are in flux)."""
    from rumcfn.aws.errors import translated
    from rumcfn.aws.stacks import deployed_template, find_stack

    cloudformation = aws.client("cloudformation")
    with translated():
        stack = find_stack(cloudformation, stack_name)
        if stack is None:
            raise StackMissing(f"stack {stack_name!r} does not exist in {aws.region_name}")
        if stack["StackStatus"].endswith("_IN_PROGRESS"):
            raise StackBusy(f"stack {stack_name} is {stack['StackStatus']}; run this again when it has finished")
        template = deployed_template(cloudformation, stack_name)
        resources = {
            summary["LogicalResourceId"]: (summary.get("ResourceType", ""), summary.get("PhysicalResourceId", ""))
            for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name)
            for summary in page["StackResourceSummaries"]
        }
    scope = scope_of(template, stack, {name: physical for name, (_, physical) in resources.items()})
    return DeployedStack(stack_name, stack, template, resources, scope)


def script_of(stack: DeployedStack) -> ScriptObject:
    """What the stack's ``Custom::RumScript`` wrote, resolved from the deployed stack."""
    found = stack.of_type(RESOURCE_TYPE)
    if len(found) != 1:
        raise RestoreFailed(f"stack {stack.name} has {len(found)} {RESOURCE_TYPE} resources; expected one "
                            "(was it built by rumcfn?)")
    ((logical_id, resource),) = found.items()
    props = resource.get("Properties", {})
    try:
        values = {name: resolve(props.get(name, default), stack.scope) for name, default in (
            ("Bucket", None), ("Key", "rum.js"), ("Content", None),
            ("ContentType", "application/javascript; charset=utf-8"), ("CacheControl", "max-age=300"))}
    except Unresolvable as error:
        raise RestoreFailed(f"stack {stack.name}: cannot resolve {logical_id}: {error}") from None
    return ScriptObject(values["Bucket"], values["Key"], values["Content"], values["ContentType"],
                        values["CacheControl"], stack.scope.names["AWS::AccountId"])


def read_script(aws, stack_name: str) -> ScriptObject:
    """What the stack's ``Custom::RumScript`` wrote, resolved from the deployed stack."""
    return script_of(read_stack(aws, stack_name))


def write_script(aws, script: ScriptObject) -> str:
    """Put rum.js (only into a bucket of the stack's account); return the new ETag."""
    from rumcfn.aws.errors import translated

    with translated():
        response = aws.client("s3").put_object(
            Bucket=script.bucket, Key=script.key, Body=script.content.encode("utf-8"),
            ContentType=script.content_type, CacheControl=script.cache_control,
            ExpectedBucketOwner=script.account)
    return response.get("ETag", "").strip('"')


def current_content(aws, script: ScriptObject) -> bytes | None:
    """The object's bytes now, or None when it is missing."""
    from rumcfn.aws.errors import error_code, translated

    s3 = aws.client("s3")
    with translated():
        try:
            return s3.get_object(
                Bucket=script.bucket, Key=script.key, ExpectedBucketOwner=script.account
            )["Body"].read()
        except s3.exceptions.ClientError as error:
            if error_code(error) == "NoSuchKey":
                return None
            raise


__all__ = [
    "read_script",
    "read_stack",
    "script_of",
    "write_script",
    "resolve",
    "scope_of",
    "Scope",
    "ScriptObject",
    "DeployedStack",
    "RestoreFailed",
    "StackMissing",
    "StackBusy",
    "Unresolvable",
]
