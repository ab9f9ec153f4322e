"""Change sets: create one for a stack (new or existing) and wait until CloudFormation has computed it,
or discard it (with the stack that only existed to hold it).

Stopped (Ctrl-C, or SIGTERM, which the command line turns into the same ``KeyboardInterrupt``) before a
change set runs, rumcfn withdraws it: it deletes the change set, and the REVIEW_IN_PROGRESS stack when
rumcfn's change set created that stack, and says so (:func:`withdrawn`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from rumcfn.aws.errors import error_code, error_message, translated
from rumcfn.aws.events import Echo, echo_line, settled
from rumcfn.aws.poller import Poller, waiter_bound
from rumcfn.aws.session import Aws
from rumcfn.aws.stacks import FOLLOW, StackBusy, find_stack, parameter_list, upload_template
from rumcfn.errors import Interrupted, OperationFailed, RumcfnError
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
    id: str  # "" until CloudFormation has answered CreateChangeSet
    stack_id: str  # the stack's name until then
    change_type: str  # CREATE, UPDATE or IMPORT
    changes: list[dict]
    name: str = ""  # the name rumcfn gave it ("" when none was created)
    stack_name: str = ""
    created_stack: bool = False  # CREATE on a stack that did not exist: CloudFormation made one to hold it

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
    change_set = ChangeSet("", (stack or {}).get("StackId", name), change_type, [], args["ChangeSetName"], name,
                           created_stack=stack is None)
    try:
        return _computed(cfn, args, change_set, poller)
    except KeyboardInterrupt:
        raise withdrawn(cfn, change_set, aws.poller()) from None


def _computed(cfn: Any, args: dict[str, Any], change_set: ChangeSet, poller: Poller) -> ChangeSet:
    name = args["StackName"]
    try:
        created = cfn.create_change_set(**args)
    except Exception as error:
        message = error_message(error)
        if error_code(error) == "ValidationError" and any(text in message for text in NO_CHANGES_REASONS):
            change_set.name = ""  # nothing was created: nothing to withdraw
            return change_set
        if error_code(error) == "ValidationError" and "state and can not be updated" in message:
            status = (find_stack(cfn, name) or {}).get("StackStatus", "in a state that")
            raise (StackBusy(name, status) if not settled(status) else StackNotUpdatable(name, status)) from None
        raise
    change_set.id, change_set.stack_id = created["Id"], created["StackId"]
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


def discard(cfn: Any, change_set: ChangeSet) -> bool:
    """Delete the change set, and the stack too when it only existed to hold it (REVIEW_IN_PROGRESS); True when
    the stack went too."""
    cfn.delete_change_set(ChangeSetName=change_set.id)
    return _drop_holder(cfn, change_set)


def _drop_holder(cfn: Any, change_set: ChangeSet) -> bool:
    if change_set.change_type not in ("CREATE", "IMPORT") or not change_set.created_stack:
        return False
    stack = find_stack(cfn, change_set.stack_id)
    if not stack or stack["StackStatus"] != "REVIEW_IN_PROGRESS":
        return False
    cfn.delete_stack(StackName=stack["StackId"])
    return True


def withdrawn(cfn: Any, change_set: ChangeSet, poller: Poller, echo: Echo = echo_line) -> Interrupted:
    """The user stopped rumcfn before ``change_set`` ran: delete it (and the stack rumcfn created to hold it) and
    return the line that says so. Stopped again meanwhile, or failing, the line says what may be left."""
    stack = change_set.stack_name
    try:
        with translated():
            done = _withdraw(cfn, change_set, poller, echo)
    except (KeyboardInterrupt, RumcfnError) as error:
        why = "stopped again" if isinstance(error, KeyboardInterrupt) else str(error)
        return Interrupted(f"interrupted; change set {change_set.name} of stack {stack} may be left ({why}); "
                           f"see aws cloudformation list-change-sets --stack-name {stack}")
    return Interrupted(f"interrupted; {done}; nothing was deployed")


def _withdraw(cfn: Any, change_set: ChangeSet, poller: Poller, echo: Echo) -> str:
    if not change_set.name:
        return "no change set is left"
    waiting = False
    while True:
        try:
            cfn.delete_change_set(ChangeSetName=change_set.id or change_set.name, StackName=change_set.stack_id)
            break
        except Exception as error:
            code = error_code(error)
            if code == "ChangeSetNotFound" or (code == "ValidationError" and "does not exist" in error_message(error)):
                return "no change set is left"
            if code != "InvalidChangeSetStatus":  # CloudFormation is still computing it (botocore's model)
                raise
        if not waiting:
            echo(f"Waiting for CloudFormation to finish change set {change_set.name} before deleting it "
                 "(Ctrl-C again to leave it)...")
            poller.start(waiter_bound(cfn, "change_set_create_complete"))
            waiting = True
        poller.wait(what=f"change set {change_set.name}",
                    hint=f"delete it with: aws cloudformation delete-change-set --change-set-name {change_set.id}")
    done = f"deleted change set {change_set.name}"
    if _drop_holder(cfn, change_set):
        done += f" and the REVIEW_IN_PROGRESS stack {change_set.stack_name} rumcfn created to hold it"
    return done
