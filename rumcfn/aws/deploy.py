"""Deploy one stack through a change set, show what changes, follow the events, print the outputs;
and the smaller verbs around it: diff, outputs, destroy.

Library functions with injectable clients (``Aws``), output (``echo``), confirmation and clock; the click
commands in ``cli_deploy`` only parse flags.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from rumcfn.version import __version__
from rumcfn.aws import views as view
from rumcfn.aws.errors import error_code, error_message, translated
from rumcfn.aws.session import Aws
from rumcfn.aws.stacks import find_stack, parameter_list, upload_template
from rumcfn.errors import RumcfnError, StackNotFound
from rumcfn.aws.events import Echo, Outcome, Poller, echo_line, latest_event_id, settled, watch
from rumcfn.template.reader import TemplateSource

Confirm = Callable[[str], bool]

NO_CHANGES_REASONS = ("didn't contain changes", "No updates are to be performed")
FOLLOW = "aws cloudformation describe-stack-events --stack-name {0}"


class StackBusy(RumcfnError):
    def __init__(self, name: str, status: str) -> None:
        super().__init__(f"stack {name} is {status} and cannot be changed until that finishes; follow it with: "
                         + FOLLOW.format(name))


class StackNotUpdatable(RumcfnError):
    def __init__(self, name: str, status: str) -> None:
        hint = {
            "ROLLBACK_COMPLETE": f"its first create failed; remove it with: rumcfn destroy --stack-name {name}",
            "ROLLBACK_FAILED": f"remove it with: rumcfn destroy --stack-name {name}",
            "DELETE_FAILED": f"finish deleting it with: rumcfn destroy --stack-name {name}",
            "UPDATE_ROLLBACK_FAILED": f"recover it with: aws cloudformation continue-update-rollback --stack-name {name}",
        }.get(status, "see " + FOLLOW.format(name))
        super().__init__(f"stack {name} is {status} and cannot be updated; {hint}")


class ChangeSetFailed(RumcfnError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"CloudFormation could not create a change set for stack {name}: {reason}")


class DeployFailed(RumcfnError):
    def __init__(self, name: str, status: str, created: bool) -> None:
        if status == "ROLLBACK_COMPLETE" or (created and status in ("ROLLBACK_FAILED", "CREATE_FAILED")):
            hint = f"the first create failed and was rolled back; remove the stack with: rumcfn destroy --stack-name {name}"
        elif status == "UPDATE_ROLLBACK_COMPLETE":
            hint = "the update was rolled back; the stack is as it was before"
        else:
            hint = "see " + FOLLOW.format(name)
        super().__init__(f"stack {name} ended in {status}: {hint}")


class DestroyFailed(RumcfnError):
    def __init__(self, name: str, status: str) -> None:
        super().__init__(f"stack {name} ended in {status}; fix or retain the resources above, then run "
                         f"rumcfn destroy --stack-name {name} again")


class TerminationProtected(RumcfnError):
    def __init__(self, name: str) -> None:
        super().__init__(f"stack {name} has termination protection; turn it off first with: aws cloudformation "
                         f"update-termination-protection --no-enable-termination-protection --stack-name {name}")


class Cancelled(RumcfnError):
    """The user answered no; nothing was changed."""


class Interrupted(RumcfnError):
    exit_code = 130

    def __init__(self, name: str) -> None:
        super().__init__(f"interrupted; stack {name} is left as it is and CloudFormation carries on. Follow it with: "
                         f"{FOLLOW.format(name)} (or rumcfn outputs --stack-name {name} once it settles)")


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


@dataclass
class ChangeSet:
    id: str
    stack_id: str
    change_type: str  # CREATE or UPDATE
    changes: list[dict]

    @property
    def empty(self) -> bool:
        return not self.changes


@dataclass
class DeployResult:
    status: str  # the final stack status, or NO_CHANGES / NOT_EXECUTED
    change_set: ChangeSet | None
    outputs: list[dict] = field(default_factory=list)


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
    args: dict[str, Any] = {
        "StackName": name,
        "ChangeSetName": f"rumcfn-{uuid.uuid4().hex[:12]}",
        "ChangeSetType": change_type,
        "Description": f"Created by rumcfn {__version__}",
        "Parameters": parameter_list(request.parameters, request.template.parameter_keys,
                                     stack if change_type == "UPDATE" else None),
        "Capabilities": request.template.capabilities,
    }
    if request.s3_bucket:
        args["TemplateURL"] = upload_template(aws, request.s3_bucket, f"rumcfn/{name}", request.template.body)
    else:
        args["TemplateBody"] = request.template.body
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
    poller.start()
    while True:
        described = cfn.describe_change_set(ChangeSetName=change_set.id)
        if settled(described["Status"]):
            break
        poller.wait(what=f"change set {change_set.id}")
    reason = described.get("StatusReason") or ""
    if described["Status"] == "FAILED":
        if any(text in reason for text in NO_CHANGES_REASONS):
            cfn.delete_change_set(ChangeSetName=change_set.id)
            return change_set
        raise ChangeSetFailed(name, reason or "no reason given")
    changes = list(described.get("Changes", []))
    if described.get("NextToken"):  # the poll fetched the first page; the paginator goes on from there
        pages = cfn.get_paginator("describe_change_set").paginate(
            ChangeSetName=change_set.id, PaginationConfig={"StartingToken": described["NextToken"]})
        changes += [change for page in pages for change in page.get("Changes", [])]
    change_set.changes = changes
    return change_set


def discard(cfn: Any, change_set: ChangeSet) -> None:
    """Delete the change set, and the stack too when it only existed to hold it (REVIEW_IN_PROGRESS)."""
    cfn.delete_change_set(ChangeSetName=change_set.id)
    if change_set.change_type == "CREATE":
        stack = find_stack(cfn, change_set.stack_id)
        if stack and stack["StackStatus"] == "REVIEW_IN_PROGRESS":
            cfn.delete_stack(StackName=change_set.stack_id)


def get_outputs(aws: Aws, name: str) -> list[dict]:
    with translated():
        stack = find_stack(aws.client("cloudformation"), name)
    if stack is None:
        raise StackNotFound(name)
    return stack.get("Outputs", [])


def _protect(cfn: Any, name: str, wanted: bool | None, echo: Echo) -> None:
    if wanted is None:
        return
    stack = find_stack(cfn, name) or {}
    if bool(stack.get("EnableTerminationProtection")) != wanted:
        cfn.update_termination_protection(StackName=name, EnableTerminationProtection=wanted)
        echo(f"Termination protection {'enabled' if wanted else 'disabled'} for stack {name}.")


def deploy(aws: Aws, request: StackRequest, *, execute: bool = True, confirm: Confirm | None = None,
           echo: Echo = echo_line, poller: Poller | None = None) -> DeployResult:
    """Create a change set, show it, (confirm,) execute it, stream the events, print the outputs.

    Raises a :class:`RumcfnError` subclass for every failure; Ctrl-C leaves the stack as it is."""
    poller = poller or Poller()
    name = request.stack_name
    request.template.check_deployable(request.parameters, request.s3_bucket)
    try:
        with translated():
            cfn = aws.client("cloudformation")
            echo(f"Creating a change set for stack {name} in {aws.region_name}...")
            change_set = create_change_set(aws, request, poller)
            if change_set.empty:
                echo(f"No changes to deploy. Stack {name} is up to date")
                return _settled(aws, request, "NO_CHANGES", change_set, echo)
            echo(view.change_table(change_set.changes, name))
            if not execute:
                echo(f"Change set created and not executed. Execute it with: aws cloudformation execute-change-set "
                     f"--change-set-name {change_set.id}")
                return DeployResult("NOT_EXECUTED", change_set)
            if confirm is not None and not _confirmed(confirm, f"Deploy this change set to stack {name}?"):
                discard(cfn, change_set)
                raise Cancelled(f"deployment cancelled; change set deleted, stack {name} unchanged")
            since = latest_event_id(cfn, change_set.stack_id)
            cfn.execute_change_set(ChangeSetName=change_set.id)
            echo(f"Executing the change set; waiting for stack {name} to settle...")
            expected = {rc["LogicalResourceId"] for rc in view.resource_changes(change_set.changes)}
            outcome = watch(cfn, change_set.stack_id, since, echo, poller, expected)
            if not outcome.ok:
                _report_failure(outcome, echo)
                raise DeployFailed(name, outcome.status, change_set.change_type == "CREATE")
            echo(f"Stack {name} is {outcome.status}.")
            return _settled(aws, request, outcome.status, change_set, echo)
    except KeyboardInterrupt:
        raise Interrupted(name) from None


def _settled(aws: Aws, request: StackRequest, status: str, change_set: ChangeSet, echo: Echo) -> DeployResult:
    """The stack is where it should be: apply termination protection, show the outputs."""
    _protect(aws.client("cloudformation"), request.stack_name, request.termination_protection, echo)
    outputs = get_outputs(aws, request.stack_name)
    echo(view.outputs_block(outputs, request.stack_name))
    return DeployResult(status, change_set, outputs)


def _confirmed(confirm: Confirm, question: str) -> bool:
    try:
        return confirm(question)
    except (KeyboardInterrupt, EOFError):
        return False


def _report_failure(outcome: Outcome, echo: Echo) -> None:
    if outcome.failures:
        echo("Failed resources:", err=True)
        for line in view.failure_lines(outcome.failures):
            echo(line, err=True)
    echo(f"Final stack status: {outcome.status}", err=True)


def diff(aws: Aws, request: StackRequest, *, echo: Echo = echo_line, poller: Poller | None = None) -> ChangeSet:
    """Show what a deploy would change: create the change set, print it, delete it (and any stack it created)."""
    poller = poller or Poller()
    request.template.check_deployable(request.parameters, request.s3_bucket)
    try:
        with translated():
            change_set = create_change_set(aws, request, poller)
            if change_set.empty:
                echo(f"No changes to deploy. Stack {request.stack_name} is up to date")
                return change_set
            echo(view.change_table(change_set.changes, request.stack_name))
            discard(aws.client("cloudformation"), change_set)
            return change_set
    except KeyboardInterrupt:
        raise Interrupted(request.stack_name) from None


def destroy(aws: Aws, name: str, *, role_arn: str | None = None, confirm: Confirm | None = None,
            echo: Echo = echo_line, poller: Poller | None = None) -> str:
    """Delete the stack and wait; a stack that does not exist is already destroyed."""
    poller = poller or Poller()
    try:
        with translated():
            cfn = aws.client("cloudformation")
            stack = find_stack(cfn, name)
            if stack is None:
                echo(f"Stack {name} does not exist; nothing to delete.")
                return "DELETE_COMPLETE"
            status = stack["StackStatus"]
            if not settled(status) and status not in ("REVIEW_IN_PROGRESS", "DELETE_IN_PROGRESS"):
                raise StackBusy(name, status)
            if stack.get("EnableTerminationProtection"):
                raise TerminationProtected(name)
            if confirm is not None and not _confirmed(confirm, f"Delete stack {name} ({status}) and all its resources?"):
                raise Cancelled(f"not deleted; stack {name} is unchanged")
            stack_id = stack["StackId"]
            since = latest_event_id(cfn, stack_id)
            args = {"StackName": stack_id} | ({"RoleARN": role_arn} if role_arn else {})
            if status != "DELETE_IN_PROGRESS":
                cfn.delete_stack(**args)
            echo(f"Deleting stack {name}...")
            outcome = watch(cfn, stack_id, since, echo, poller)
            if outcome.status != "DELETE_COMPLETE":
                _report_failure(outcome, echo)
                raise DestroyFailed(name, outcome.status)
            echo(f"Stack {name} deleted.")
            return outcome.status
    except KeyboardInterrupt:
        raise Interrupted(name) from None
