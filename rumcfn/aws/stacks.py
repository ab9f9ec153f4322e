"""CloudFormation stacks as rumcfn reads them: a stack by name, its deployed template, the whole deployed stack
(:func:`read_stack`, for ``restore-snippet`` and the doctor), parameter lists, and templates uploaded to S3
for CloudFormation, StackSets and Service Catalog."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Mapping

from rumcfn.aws.errors import error_code, error_message, translated
from rumcfn.aws.session import Aws
from rumcfn.errors import OperationFailed
from rumcfn.facts import url_suffix
from rumcfn.template.resolve import Scope, scope_of

#: How to follow a stack's events yourself.
FOLLOW = "aws cloudformation describe-stack-events --stack-name {0}"


class StackNotFound(OperationFailed):
    """No stack of that name in the account and region."""

    def __init__(self, name: str, region: str | None = None) -> None:
        super().__init__(f"stack {name} does not exist in {region or 'this account and region'}")


class StackBusy(OperationFailed):
    """The stack is changing: it takes no new change, and its values are in flux."""

    def __init__(self, name: str, status: str, verb: str = "changed") -> None:
        self.name, self.status = name, status
        super().__init__(f"stack {name} is {status} and cannot be {verb} until that finishes; follow it with: "
                         + FOLLOW.format(name))


def find_stack(cfn: Any, name: str) -> dict | None:
    """The stack's description, or None when there is none by that name (each caller words that itself)."""
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]
    except Exception as error:
        if error_code(error) == "ValidationError" and "does not exist" in error_message(error):
            return None
        raise


class StackNotCreated(OperationFailed):
    """The stack only holds a change set, or its first create has not completed: it has no outputs yet."""

    def __init__(self, name: str, status: str) -> None:
        if status == "REVIEW_IN_PROGRESS":
            why = "REVIEW_IN_PROGRESS: it only holds a change set"
        elif status == "CREATE_IN_PROGRESS":
            why = "CREATE_IN_PROGRESS: wait until it settles"
        else:
            why = f"{status}: its first create failed"
        super().__init__(f"stack {name} was never created ({why}); deploy it with rumcfn deploy --stack-name {name}, "
                         f"or remove it with rumcfn destroy --stack-name {name}")


#: Statuses of a stack whose first create has not (yet, or ever) completed: it has no outputs to show.
NOT_CREATED = ("REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_FAILED", "ROLLBACK_IN_PROGRESS",
               "ROLLBACK_FAILED", "ROLLBACK_COMPLETE")


def created_stack(aws: Aws, name: str) -> dict:
    """The stack's description, once its first create has completed."""
    with translated():
        stack = find_stack(aws.client("cloudformation"), name)
    if stack is None:
        raise StackNotFound(name)
    if stack.get("StackStatus") in NOT_CREATED:
        raise StackNotCreated(name, stack["StackStatus"])
    return stack


def get_outputs(aws: Aws, name: str) -> list[dict]:
    """The stack's outputs (``rumcfn outputs``, ``sourcemaps upload --stack-name``); a stack never created has
    none to give, and that is an error, not an empty list."""
    return created_stack(aws, name).get("Outputs", [])


@dataclass(frozen=True)
class StackMonitor:
    """What a concrete snippet needs from a deployed rumcfn stack (``rumcfn snippet --stack-name``)."""

    app_monitor_id: str
    identity_pool_id: str | None  # None: resource-policy mode (unsigned requests)
    region: str


def monitor_of_stack(aws: Aws, name: str) -> StackMonitor:
    """The monitor id and identity pool from the stack's outputs; the region from its id (an ARN)."""
    from rumcfn.contract import Outputs

    stack = created_stack(aws, name)
    outputs = {o.get("OutputKey"): o.get("OutputValue") for o in stack.get("Outputs", [])}
    if not outputs.get(Outputs.APP_MONITOR_ID):
        raise OperationFailed(f"stack {name} has no {Outputs.APP_MONITOR_ID} output: is it a rumcfn stack? (its "
                              f"outputs: {', '.join(sorted(map(str, outputs))) or 'none'})")
    arn = str(stack.get("StackId", "")).split(":")
    region = arn[3] if len(arn) > 5 and arn[3] else aws.region_name
    return StackMonitor(outputs[Outputs.APP_MONITOR_ID], outputs.get(Outputs.IDENTITY_POOL_ID) or None, region)


def deployed_template(cfn: Any, name: str) -> dict:
    """The template the stack was deployed with, as submitted (JSON or YAML), parsed."""
    import cfn_flip
    from botocore.handlers import json_decode_template_body

    from rumcfn.template.reader import check_shape

    # botocore would json-decode the body itself, before anyone could bound how deep it nests
    cfn.meta.events.unregister("after-call.cloudformation.GetTemplate", json_decode_template_body)
    body = cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
    if isinstance(body, dict):  # a test's stubbed answer
        return body
    check_shape(body, f"stack {name}'s deployed template")  # whoever answers may not be AWS

    return cfn_flip.load(body)[0]


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
    cloudformation = aws.client("cloudformation")
    with translated():
        stack = find_stack(cloudformation, stack_name)
        if stack is None:
            raise StackNotFound(stack_name, aws.region_name)
        if stack["StackStatus"].endswith("_IN_PROGRESS"):
            raise StackBusy(stack_name, stack["StackStatus"], "read")
        template = deployed_template(cloudformation, stack_name)
        resources = {
            summary["LogicalResourceId"]: (summary.get("ResourceType", ""), summary.get("PhysicalResourceId", ""))
            for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name)
            for summary in page["StackResourceSummaries"]
        }
    scope = scope_of(template, stack, {name: physical for name, (_, physical) in resources.items()})
    return DeployedStack(stack_name, stack, template, resources, scope)


def s3_url(bucket: str, key: str, region: str) -> str:
    """The HTTPS URL CloudFormation and Service Catalog read a template from (virtual-hosted unless the
    bucket name has dots)."""
    suffix = url_suffix(region)
    if "." in bucket:
        return f"https://s3.{region}.{suffix}/{bucket}/{key}"
    return f"https://{bucket}.s3.{region}.{suffix}/{key}"


def upload_template(aws: Aws, bucket: str, prefix: str, body: str) -> str:
    """Put ``body`` at ``<prefix>/<sha256>.template`` in ``bucket`` (content-addressed, so re-uploads are
    harmless) and return its URL."""
    data = body.encode("utf-8")
    key = f"{prefix}/{hashlib.sha256(data).hexdigest()[:32]}.template"
    with translated():
        aws.client("s3").put_object(Bucket=bucket, Key=key, Body=data)
    return s3_url(bucket, key, aws.region_name)


def parameter_list(overrides: Mapping[str, str], template_keys: list[str], previous: dict | None) -> list[dict]:
    """CloudFormation ``Parameters``: the overrides, and for an existing stack (or stack set) every other
    template parameter it already has, kept with ``UsePreviousValue``."""
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in overrides.items()]
    if previous:
        known = {p["ParameterKey"] for p in previous.get("Parameters", [])}
        params += [{"ParameterKey": k, "UsePreviousValue": True}
                   for k in template_keys if k not in overrides and k in known]
    return params
