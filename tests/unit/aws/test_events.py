"""Waiting for CloudFormation without AWS: bounded polling, paged events, heartbeats."""

from __future__ import annotations

import pytest

from rumcfn.aws.events import WaitTimedOut, new_events
from tests.support.aws import FakeClock, event, stubbed


def test_poller_sleeps_are_bounded_and_reset_on_progress():
    clock = FakeClock()
    poller = clock.poller(first=1, most=5, factor=2)
    poller.start()
    for _ in range(5):
        poller.wait()
    poller.wait(progressed=True)
    assert clock.sleeps == [1, 2, 4, 5, 5, 1]


def test_poller_timeout():
    clock = FakeClock()
    poller = clock.poller(first=10, most=10, timeout=25)
    poller.start()
    poller.wait()
    poller.wait()
    with pytest.raises(WaitTimedOut, match="gave up waiting for stack x after 20 s"):
        poller.wait(what="stack x")


def test_new_events_pages_until_the_last_seen_event():
    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    page1 = [event(9, "B", "AWS::SNS::Topic", "CREATE_COMPLETE"), event(8, "A", "AWS::SNS::Topic", "CREATE_COMPLETE")]
    page2 = [event(7, "B", "AWS::SNS::Topic", "CREATE_IN_PROGRESS"), event(6, "A", "AWS::SNS::Topic", "CREATE_IN_PROGRESS")]
    cf.add_response("describe_stack_events", {"StackEvents": page1, "NextToken": "t"})
    cf.add_response("describe_stack_events", {"StackEvents": page2}, {"StackName": "s", "NextToken": "t"})
    found = new_events(aws.client("cloudformation"), "s", "event-6")
    assert [e["EventId"] for e in found] == ["event-7", "event-8", "event-9"]


def test_heartbeat_while_nothing_happens():
    from rumcfn.aws.events import watch
    from tests.support.aws import STACK_ID, stack

    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    for status in ("UPDATE_IN_PROGRESS",) * 12 + ("UPDATE_COMPLETE",):
        cf.add_response("describe_stacks", stack(status))
        cf.add_response("describe_stack_events", {"StackEvents": []})
    lines = []
    outcome = watch(aws.client("cloudformation"), STACK_ID, None, lines.append, FakeClock().poller())
    assert outcome.ok and outcome.status == "UPDATE_COMPLETE"
    assert [line for line in lines if line.startswith("...")] == ["... still UPDATE_IN_PROGRESS after 61 s"]
