"""Deploy one stack through a change set, show what changes, follow the events, print the outputs;
and the smaller verbs around it: diff, outputs, destroy.

Library functions with injectable clients (``Aws``), output (``echo``), confirmation and clock; the click
commands in :mod:`rumcfn.cli.deploy` only parse flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from rumcfn.aws import views as view
from rumcfn.aws.changesets import ChangeSet, StackRequest, create_change_set, discard, withdrawn
from rumcfn.aws.errors import AwsError, error_code, error_message, translate, translated
from rumcfn.aws.events import Echo, Outcome, echo_line, latest_event_id, settled, watch
from rumcfn.aws.poller import Poller
from rumcfn.aws.session import Aws
from rumcfn.aws.stacks import FOLLOW, StackBusy, created_stack, find_stack
from rumcfn.errors import Interrupted, OperationFailed

Confirm = Callable[[str], bool]
#: botocore's waiter for each change set type (an UPDATE's is stack_update_complete).
WAITERS = {"CREATE": "stack_create_complete", "IMPORT": "stack_import_complete"}


class DeployFailed(OperationFailed):
    def __init__(self, name: str, status: str, created: bool) -> None:
        if status == "ROLLBACK_COMPLETE" or (created and status in ("ROLLBACK_FAILED", "CREATE_FAILED")):
            hint = (
                "the first create failed and was rolled back; "
                f"remove the stack with: rumcfn destroy --stack-name {name}"
            )
        elif status == "UPDATE_ROLLBACK_COMPLETE":
            hint = "the update was rolled back; the stack is as it was before"
        else:
            hint = "see " + FOLLOW.format(name)
        super().__init__(f"stack {name} ended in {status}: {hint}")


class DestroyFailed(OperationFailed):
    def __init__(self, name: str, status: str) -> None:
        super().__init__(
            f"stack {name} ended in {status}; fix or retain the resources above, then run "
            f"rumcfn destroy --stack-name {name} again"
        )


class TerminationProtected(OperationFailed):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"stack {name} has termination protection; turn it off first with: aws cloudformation "
            f"update-termination-protection --no-enable-termination-protection --stack-name {name}"
        )


class Cancelled(OperationFailed):
    """The user answered no; nothing was changed."""


@dataclass
class DeployResult:
    status: str  # the final stack status, or NO_CHANGES / NOT_EXECUTED
    change_set: ChangeSet | None
    outputs: list[dict] = field(default_factory=list)


class NeedsRealAws(AwsError):
    """The endpoint left out a resource type it does not offer (moto skips AWS::RUM::AppMonitor, for one)."""

    def __init__(self, name: str, endpoint: str, kind: str, logical_id: str, cleanup: str) -> None:
        super().__init__(f"stack {name}: {endpoint} does not offer {kind} (resource {logical_id}), so this template "
                         f"needs real AWS; {cleanup}")


#: How an emulator that skipped a resource type names the reference it can no longer resolve (moto's words).
UNDEFINED_RESOURCE = re.compile(r"references undefined resource (\w+)")


def interrupted(name: str) -> Interrupted:
    return Interrupted(
        f"interrupted; stack {name} is left as it is and CloudFormation carries on. Follow it with: "
        f"{FOLLOW.format(name)} (or rumcfn outputs --stack-name {name} once it settles)"
    )


def _protect(cfn: Any, name: str, wanted: bool | None, stack: dict, echo: Echo) -> None:
    if wanted is not None and bool(stack.get("EnableTerminationProtection")) != wanted:
        cfn.update_termination_protection(StackName=name, EnableTerminationProtection=wanted)
        echo(f"Termination protection {'enabled' if wanted else 'disabled'} for stack {name}.")


def deploy(
    aws: Aws,
    request: StackRequest,
    *,
    execute: bool = True,
    confirm: Confirm | None = None,
    echo: Echo = echo_line,
    poller: Poller | None = None,
) -> DeployResult:
    """Create a change set, show it, (confirm,) execute it, stream the events, print the outputs.

    Raises a :class:`RumcfnError` subclass for every failure. Ctrl-C (or SIGTERM) before the change set runs
    withdraws it (:func:`rumcfn.aws.changesets.withdrawn`); once it runs, the stack is left as it is."""
    poller = poller or aws.poller()
    name = request.stack_name
    request.template.check_deployable(request.parameters, request.s3_bucket, [aws.region_name])
    change_set: ChangeSet | None = None
    executing = False
    try:
        with translated():
            cfn = aws.client("cloudformation")
            echo(f"Creating a change set for stack {name} in {aws.region_name}...")
            change_set = create_change_set(aws, request, poller)
            if change_set.empty:
                echo(f"No changes to deploy. Stack {name} is up to date")
                stack = created_stack(aws, change_set.stack_id or name)  # by id: this stack, not a namesake
                return _settled(aws, request, "NO_CHANGES", change_set, stack, echo)
            echo(view.change_table(change_set.changes, name))
            if not execute:
                echo(
                    f"Change set created and not executed. Execute it with: aws cloudformation execute-change-set "
                    f"--change-set-name {change_set.id}"
                )
                return DeployResult("NOT_EXECUTED", change_set)
            if confirm is not None and not _confirmed(confirm, f"Deploy this change set to stack {name}?"):
                discard(cfn, change_set)
                raise Cancelled(f"deployment cancelled; change set deleted, stack {name} unchanged")
            since = latest_event_id(cfn, change_set.stack_id)
            executing = True
            try:
                cfn.execute_change_set(ChangeSetName=change_set.id)
            except Exception as error:
                raise _not_executed(cfn, request, change_set, error) from error
            echo(f"Executing the change set; waiting for stack {name} to settle...")
            expected = {rc["LogicalResourceId"] for rc in view.resource_changes(change_set.changes)}
            waiter = WAITERS.get(change_set.change_type, "stack_update_complete")
            outcome = watch(cfn, change_set.stack_id, since, echo, poller, expected, waiter=waiter)
            if not outcome.ok:
                _report_failure(outcome, echo)
                raise DeployFailed(name, outcome.status, change_set.change_type in ("CREATE", "IMPORT"))
            echo(f"Stack {name} is {outcome.status}.")
            return _settled(aws, request, outcome.status, change_set, outcome.stack, echo)
    except KeyboardInterrupt:
        if change_set is None:
            raise Interrupted(f"interrupted before a change set was created; stack {name} is unchanged") from None
        if not change_set.empty and not executing:
            raise withdrawn(aws.client("cloudformation"), change_set, aws.poller(), echo) from None
        raise interrupted(name) from None


def _settled(aws: Aws, request: StackRequest, status: str, change_set: ChangeSet, stack: dict,
             echo: Echo) -> DeployResult:
    """The stack is where it should be (``stack``: its description then): apply termination protection, show
    the outputs."""
    _protect(aws.client("cloudformation"), request.stack_name, request.termination_protection, stack, echo)
    outputs = stack.get("Outputs", [])
    echo(view.outputs_block(outputs, request.stack_name))
    return DeployResult(status, change_set, outputs)


def _not_executed(cfn: Any, request: StackRequest, change_set: ChangeSet, error: Exception) -> Exception:
    """CloudFormation refused to execute the change set. A new stack it created only to hold the change set is
    removed (no REVIEW_IN_PROGRESS stack is left behind); an endpoint that dropped one of the template's resource
    types (a local emulator without RUM) is named as such. Returns the one-line error to raise."""
    if not error_code(error) or change_set.change_type != "CREATE":
        return error
    try:
        discard(cfn, change_set)
        cleanup = "the stack the change set created was deleted"
    except Exception:
        cleanup = f"remove the stack the change set created with: rumcfn destroy --stack-name {request.stack_name}"
    message = error_message(error)
    found = UNDEFINED_RESOURCE.search(message)
    resource = (request.template.data.get("Resources") or {}).get(found[1]) if found else None
    if isinstance(resource, dict) and isinstance(resource.get("Type"), str):
        return NeedsRealAws(request.stack_name, cfn.meta.endpoint_url, resource["Type"], found[1], cleanup)
    return AwsError(f"{translate(error) or message}; {cleanup}")


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
    """Show what a deploy would change: create the change set, print it, delete it (and any stack it created).
    Stopped on the way, it deletes them too."""
    poller = poller or aws.poller()
    request.template.check_deployable(request.parameters, request.s3_bucket, [aws.region_name])
    change_set: ChangeSet | None = None
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
        if change_set is None:
            raise Interrupted(f"interrupted before a change set was created; stack {request.stack_name} is "
                              "unchanged") from None
        if not change_set.empty:
            raise withdrawn(aws.client("cloudformation"), change_set, aws.poller(), echo) from None
        raise interrupted(request.stack_name) from None


def destroy(
    aws: Aws,
    name: str,
    *,
    role_arn: str | None = None,
    confirm: Confirm | None = None,
    echo: Echo = echo_line,
    poller: Poller | None = None,
) -> str:
    """Delete the stack and wait; a stack that does not exist is already destroyed."""
    poller = poller or aws.poller()
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
            if confirm is not None and not _confirmed(
                confirm, f"Delete stack {name} ({status}) and all its resources?"
            ):
                raise Cancelled(f"not deleted; stack {name} is unchanged")
            stack_id = stack["StackId"]
            since = latest_event_id(cfn, stack_id)
            args = {"StackName": stack_id} | ({"RoleARN": role_arn} if role_arn else {})
            if status != "DELETE_IN_PROGRESS":
                cfn.delete_stack(**args)
            echo(f"Deleting stack {name}...")
            outcome = watch(cfn, stack_id, since, echo, poller, waiter="stack_delete_complete")
            if outcome.status != "DELETE_COMPLETE":
                _report_failure(outcome, echo)
                raise DestroyFailed(name, outcome.status)
            echo(f"Stack {name} deleted.")
            return outcome.status
    except KeyboardInterrupt:
        raise interrupted(name) from None
