"""Change sets: create one for a stack (new or existing) and wait until CloudFormation has computed it,
or discard it (with the stack that only existed to hold it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from rumcfn.aws.errors import error_code, error_message
from rumcfn.aws.events import Poller, settled, waiter_bound
from rumcfn.aws.session import Aws
from rumcfn.aws.stacks import FOLLOW, StackBusy, find_stack, parameter_list, upload_template
from rumcfn.errors import OperationFailed
from rumcfn.template.reader import TemplateSource
from rumcfn.version import __version__

NO_CHANGES_REASONS = ("didn't contain changes", "No updates are to be performed")


class StackNotUpdatable(OperationFailed):
    def __init__(self, name: str, status: str) -> None:
        hint = {
            "ROLLBACK_COMPLETE": f"its first create failed; remove it with: rumcfn destroy --stack-name {name}",
            "ROLLBACK_FAILED": f"remove it with: rumcfn destroy --stack-name {name}",
            "DELETE_FAILED": f"finish deleting it with: rumcfn destroy --stack-name {name}",
            "UPDATE_ROLLBACK_FAILED": (
                f"recover it with: aws cloudformation continue-update-rollback --stack-name {name}"
            ),
        }.get(status, "see " + FOLLOW.format(name))
        super().__init__(f"stack {name} is {status} and cannot be updated; {hint}")


class ChangeSetFailed(OperationFailed):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"CloudFormation could not create a change set for stack {name}: {reason}")


@dataclass
class StackRequest:
    """What to deploy where; ``parameters`` and ``tags`` are KEY=VALUE overrides."""

    stack_name: str
    template: TemplateSource
    parameters: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    role_arn: str | None = None
    s3_bucket: str | None = None
    termination_protection: bool | None = None
    template_url: str | None = None  # already uploaded (a fleet uploads each distinct template once)
    #: ``ResourcesToImport`` entries: the change set IMPORTs these existing resources (into a new stack)
    resources_to_import: list[dict] = field(default_factory=list)


@dataclass
class ChangeSet:
    id: str
    stack_id: str
    change_type: str  # CREATE, UPDATE or IMPORT
    changes: list[dict]

    @property
    def empty(self) -> bool:
        return not self.changes


def change_type_for(name: str, stack: dict | None) -> str:
    """CREATE for a new stack (or one only REVIEW_IN_PROGRESS), UPDATE otherwise; refuse stacks that can't move."""
    status = stack["StackStatus"] if stack else None
    if status in (None, "REVIEW_IN_PROGRESS"):
        return "CREATE"
    if status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED", "UPDATE_ROLLBACK_FAILED"):
        raise StackNotUpdatable(name, status)
    if not settled(status):
        raise StackBusy(name, status)
    return "UPDATE"


def create_change_set(aws: Aws, request: StackRequest, poller: Poller) -> ChangeSet:
    """Create a change set and wait until CloudFormation has computed it. An empty change set comes back with
    no changes (and already deleted)."""
    cfn = aws.client("cloudformation")
    name = request.stack_name
    stack = find_stack(cfn, name)
    change_type = change_type_for(name, stack)
    if request.resources_to_import:
        if change_type != "CREATE":
            raise ChangeSetFailed(name, "the stack exists already; rumcfn imports a resource into a new stack only")
        change_type = "IMPORT"
    args: dict[str, Any] = {
        "StackName": name,
        "ChangeSetName": f"rumcfn-{uuid.uuid4().hex[:12]}",
        "ChangeSetType": change_type,
        "Description": f"Created by rumcfn {__version__}",
        "Parameters": parameter_list(
            request.parameters, request.template.parameter_keys, stack if change_type == "UPDATE" else None
        ),
        "Capabilities": request.template.capabilities,
    }
    if request.template_url:
        args["TemplateURL"] = request.template_url
    elif request.s3_bucket:
        args["TemplateURL"] = upload_template(aws, request.s3_bucket, f"rumcfn/{name}", request.template.body)
    else:
        args["TemplateBody"] = request.template.body
    if request.resources_to_import:
        args["ResourcesToImport"] = request.resources_to_import
    if request.tags:
        args["Tags"] = [{"Key": k, "Value": v} for k, v in request.tags.items()]
    if request.role_arn:
        args["RoleARN"] = request.role_arn
    try:
        created = cfn.create_change_set(**args)
    except Exception as error:
        message = error_message(error)
        if error_code(error) == "ValidationError" and any(text in message for text in NO_CHANGES_REASONS):
            return ChangeSet("", (stack or {}).get("StackId", name), change_type, [])
        if error_code(error) == "ValidationError" and "state and can not be updated" in message:
            status = (find_stack(cfn, name) or {}).get("StackStatus", "in a state that")
            raise (StackBusy(name, status) if not settled(status) else StackNotUpdatable(name, status)) from None
        raise
    change_set = ChangeSet(created["Id"], created["StackId"], change_type, [])
    poller.start(waiter_bound(cfn, "change_set_create_complete"))
    while True:
        described = cfn.describe_change_set(ChangeSetName=change_set.id)
        if settled(described["Status"]):
            break
        poller.wait(
            what=f"change set {change_set.id}",
            hint=f"see aws cloudformation describe-change-set --change-set-name {change_set.id}",
        )
    reason = described.get("StatusReason") or ""
    if described["Status"] == "FAILED":
        if any(text in reason for text in NO_CHANGES_REASONS):
            cfn.delete_change_set(ChangeSetName=change_set.id)
            return change_set
        raise ChangeSetFailed(name, reason or "no reason given")
    changes = list(described.get("Changes", []))
    if described.get("NextToken"):  # the poll fetched the first page; the paginator goes on from there
        pages = cfn.get_paginator("describe_change_set").paginate(
            ChangeSetName=change_set.id, PaginationConfig={"StartingToken": described["NextToken"]}
        )
        changes += [change for page in pages for change in page.get("Changes", [])]
    change_set.changes = changes
    return change_set


def discard(cfn: Any, change_set: ChangeSet) -> None:
    """Delete the change set, and the stack too when it only existed to hold it (REVIEW_IN_PROGRESS)."""
    cfn.delete_change_set(ChangeSetName=change_set.id)
    if change_set.change_type in ("CREATE", "IMPORT"):
        stack = find_stack(cfn, change_set.stack_id)
        if stack and stack["StackStatus"] == "REVIEW_IN_PROGRESS":
            cfn.delete_stack(StackName=change_set.stack_id)
