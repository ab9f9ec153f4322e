"""Waiting for CloudFormation: a polling loop with bounded sleeps, and live stack events.

Clock and sleep are injectable so tests never sleep.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from rumcfn.aws import views as view
from rumcfn.aws.stacks import FOLLOW, find_stack
from rumcfn.errors import OperationFailed

Echo = Callable[..., None]


def echo_line(message: str = "", err: bool = False) -> None:
    """The default ``echo``: one line to stdout (``err``: stderr), flushed so progress shows as it happens."""
    print(message, file=sys.stderr if err else sys.stdout, flush=True)

SUCCESS = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE", "DELETE_COMPLETE"}


class WaitTimedOut(OperationFailed):
    """A wait gave up at its bound; the operation may still be running."""


def settled(status: str) -> bool:
    """True once a stack (or change set) status is no longer moving."""
    return not status.endswith(("_IN_PROGRESS", "_PENDING"))


@dataclass
class Poller:
    """Sleeps between polls: starts at ``first`` seconds, grows by ``factor`` while nothing changes, never more
    than ``most``. A wait is bounded by ``timeout`` (seconds) when given, else by the ``bound`` its
    :meth:`start` names (see :func:`waiter_bound`)."""

    first: float = 1.0
    most: float = 10.0
    factor: float = 1.5
    timeout: float | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _delay: float = field(default=0.0, init=False)
    _started: float | None = field(default=None, init=False)
    _bound: float | None = field(default=None, init=False)

    def start(self, bound: float | None = None) -> None:
        self._started = self.clock()
        self._delay = self.first
        self._bound = self.timeout if self.timeout is not None else bound

    def elapsed(self) -> float:
        return self.clock() - (self._started if self._started is not None else self.clock())

    def wait(self, progressed: bool = False, what: str = "the operation", hint: str = "") -> None:
        """Sleep until the next poll; past the bound, give up with one line (``hint``: how to follow it)."""
        if self._started is None:
            self.start()
        if progressed:
            self._delay = self.first
        if self._bound is not None and self.elapsed() + self._delay > self._bound:
            raise WaitTimedOut(f"gave up waiting for {what} after {self.elapsed():.0f} s"
                               + (f"; {hint}" if hint else ""))
        self.sleep(self._delay)
        self._delay = min(self.most, self._delay * self.factor)


def waiter_bound(client: Any, waiter: str) -> float:
    """How long botocore's own ``waiter`` waits at most: delay x max attempts from the service's waiter model
    (CloudFormation's stack and change-set waiters: 30 s x 120, one hour)."""
    config = client.get_waiter(waiter).config
    return float(config.delay * config.max_attempts)


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

    @property
    def ok(self) -> bool:
        return self.status in SUCCESS


def watch(cfn: Any, stack_id: str, since: str | None, echo: Echo, poller: Poller,
          expected: set[str] | None = None, heartbeat: float = 60.0, waiter: str = "stack_update_complete") -> Outcome:
    """Print new events of ``stack_id`` as they happen until the stack settles; return its final status and
    the failed resource events. ``expected`` (logical ids in the change set) drives the progress count; the
    wait lasts no longer than botocore's ``waiter`` for the same operation would."""
    expected = set(expected or ())
    done: set[str] = set()
    failures: list[dict] = []
    poller.start(waiter_bound(cfn, waiter))
    last_news = poller.clock()
    echo(view.EVENT_HEADER)
    while True:
        status = describe_status(cfn, stack_id)
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
            return Outcome(status, failures)
        now = poller.clock()
        if events:
            last_news = now
        elif now - last_news >= heartbeat:
            echo(f"... still {status} after {poller.elapsed():.0f} s")
            last_news = now
        poller.wait(progressed=bool(events), what=f"stack {stack_id}",
                    hint="CloudFormation carries on: " + FOLLOW.format(stack_id))


def describe_status(cfn: Any, stack: str) -> str:
    """The stack's status; a stack that no longer exists has been deleted."""
    description = find_stack(cfn, stack)
    return description["StackStatus"] if description else "DELETE_COMPLETE"
