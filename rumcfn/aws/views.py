"""Plain-text views of CloudFormation data: change-set tables, event lines, outputs, stack instances
(columns laid out by :func:`rumcfn.text.table`).

Pure functions from API response dicts to text, so they are tested without AWS.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from rumcfn.text import table

#: How each change-set action is shown (the AWS SAM CLI convention).
OPERATIONS = {"Add": "+ Add", "Modify": "* Modify", "Remove": "- Delete", "Import": "> Import", "Dynamic": "? Dynamic"}


def resource_changes(changes: Iterable[dict]) -> list[dict]:
    return [c["ResourceChange"] for c in changes if c.get("Type", "Resource") == "Resource" and "ResourceChange" in c]


def change_table(changes: Iterable[dict], stack_name: str) -> str:
    """The change set as ``Operation / LogicalResourceId / ResourceType / Replacement`` rows."""
    rows = []
    for rc in resource_changes(changes):
        action = rc.get("Action", "")
        replacement = rc.get("Replacement") if action == "Modify" else "N/A"
        rows.append([OPERATIONS.get(action, action), rc.get("LogicalResourceId"), rc.get("ResourceType"),
                     replacement or "N/A"])
    return table(["Operation", "LogicalResourceId", "ResourceType", "Replacement"], rows,
                 title=f"CloudFormation change set for stack {stack_name}")


def clock_time(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%H:%M:%S")
    return str(value or "")


EVENT_HEADER = (
    f"{'Time':<8}  {'Progress':<8}  {'ResourceStatus':<30}  {'ResourceType':<32}  {'LogicalResourceId':<24}  Reason"
)


def event_line(event: dict, progress: str = "") -> str:
    """One stack event: UTC time, resources done / total, status, type, logical id, reason."""
    reason = (event.get("ResourceStatusReason") or "").replace("\n", " ")
    return (
        f"{clock_time(event.get('Timestamp')):<8}  {progress:<8}  {event.get('ResourceStatus', ''):<30}  "
        f"{event.get('ResourceType', ''):<32}  {event.get('LogicalResourceId', ''):<24}  {reason}"
    ).rstrip()


def failure_lines(events: Iterable[dict]) -> list[str]:
    return [
        f"  {e.get('LogicalResourceId')} ({e.get('ResourceType')}) {e.get('ResourceStatus')}: "
        f"{e.get('ResourceStatusReason') or 'no reason given'}"
        for e in events
    ]


def outputs_block(outputs: Sequence[dict], stack_name: str) -> str:
    if not outputs:
        return f"Stack {stack_name} has no outputs."
    rule = "-" * 72
    lines = [f"Outputs of stack {stack_name}", rule]
    for output in outputs:
        lines.append(f"Key          {output.get('OutputKey')}")
        if output.get("Description"):
            lines.append(f"Description  {output['Description']}")
        lines.append(f"Value        {output.get('OutputValue')}")
        lines.append(rule)
    return "\n".join(lines)


def instances_table(instances: Iterable[dict], stack_set: str) -> str:
    rows = [
        [
            i.get("Account"),
            i.get("Region"),
            i.get("Status"),
            (i.get("StackInstanceStatus") or {}).get("DetailedStatus"),
            i.get("StatusReason"),
        ]
        for i in instances
    ]
    return table(
        ["Account", "Region", "Status", "DetailedStatus", "Reason"],
        rows,
        title=f"Stack instances of stack set {stack_set}",
    )
