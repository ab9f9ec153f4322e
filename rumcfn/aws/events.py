"""Live stack events while CloudFormation works (the polling loop itself is :mod:`rumcfn.aws.poller`)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable

from rumcfn.aws import views as view
from rumcfn.aws.poller import Poller, waiter_bound
from rumcfn.aws.stacks import FOLLOW, find_stack

Echo = Callable[..., None]


def echo_line(message: str = "", err: bool = False) -> None:
    """The default ``echo``: one line to stdout (``err``: stderr), flushed so progress shows as it happens."""
    print(message, file=sys.stderr if err else sys.stdout, flush=True)

SUCCESS = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE", "DELETE_COMPLETE"}


def settled(status: str) -> bool:
    """True once a stack (or change set) status is no longer moving."""
    return not status.endswith(("_IN_PROGRESS", "_PENDING"))


def latest_event_id(cfn: Any, stack: str) -> str | None:
    events = cfn.describe_stack_events(StackName=stack).get("StackEvents", [])
    return events[0]["EventId"] if events else None


def new_events(cfn: Any, stack: str, since: str | None) -> list[dict]:
    """Events newer than event ``since``, oldest first (the API pages newest first)."""
    found = []
    for page in cfn.get_paginator("describe_stack_events").paginate(StackName=stack):
        for event in page.get("StackEvents", []):
            if event["EventId"] == since:
                return found[::-1]
            found.append(event)
    return found[::-1]


@dataclass
class Outcome:
    status: str
    failures: list[dict]
    stack: dict  # the description that showed the stack settled ({} once deleted): its outputs, its protection

    @property
    def ok(self) -> bool:
        return self.status in SUCCESS


def watch(cfn: Any, stack_id: str, since: str | None, echo: Echo, poller: Poller,
          expected: set[str] | None = None, heartbeat: float = 60.0, waiter: str = "stack_update_complete") -> Outcome:
    """Print new events of ``stack_id`` as they happen until the stack settles; return its final status, the
    failed resource events and the description that showed it settled. ``expected`` (logical ids in the change
    set) drives the progress count; the wait lasts no longer than botocore's ``waiter`` for the same operation
    would."""
    expected = set(expected or ())
    done: set[str] = set()
    failures: list[dict] = []
    poller.start(waiter_bound(cfn, waiter))
    last_news = poller.clock()
    echo(view.EVENT_HEADER)
    while True:
        stack = find_stack(cfn, stack_id) or {}
        status = stack.get("StackStatus", "DELETE_COMPLETE")  # a stack that no longer exists has been deleted
        events = new_events(cfn, stack_id, since)
        for event in events:
            since = event["EventId"]
            resource_status = event.get("ResourceStatus", "")
            logical = event.get("LogicalResourceId", "")
            if logical in expected and settled(resource_status):
                done.add(logical)
            if resource_status.endswith("_FAILED") and event.get("PhysicalResourceId") != event.get("StackId"):
                failures.append(event)
            progress = f"{len(done)}/{len(expected)}" if expected else ""
            echo(view.event_line(event, progress))
        if settled(status):
            return Outcome(status, failures, stack)
        now = poller.clock()
        if events:
            last_news = now
        elif now - last_news >= heartbeat:
            echo(f"... still {status} after {poller.elapsed():.0f} s")
            last_news = now
        poller.wait(progressed=bool(events), what=f"stack {stack_id}",
                    hint="CloudFormation carries on: " + FOLLOW.format(stack_id))

