"""Waiting for CloudFormation without AWS: bounded polling, paged events, heartbeats."""

from __future__ import annotations

import pytest

from rumcfn.aws.events import new_events
from rumcfn.aws.poller import WaitTimedOut
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
    page2 = [
        event(7, "B", "AWS::SNS::Topic", "CREATE_IN_PROGRESS"),
        event(6, "A", "AWS::SNS::Topic", "CREATE_IN_PROGRESS"),
    ]
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


# Every wait is bounded by the waiter botocore has for it (delay x max attempts in the cloudformation waiter
# model: 30 s x 120 = one hour), so a CloudFormation that answers but never settles cannot hold a command forever.


def slow_poller(clock: FakeClock):
    return clock.poller(first=60, most=60)  # no timeout of its own: the bound comes from the waiter model


def test_a_change_set_that_never_settles_is_given_up_after_the_waiters_bound():
    from rumcfn.aws.changesets import StackRequest, create_change_set
    from rumcfn.template.reader import TemplateSource
    from tests.support.aws import CHANGE_SET_ID, STACK_ID, not_found, small_template

    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    not_found(cf)
    cf.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    for _ in range(61):
        cf.add_response("describe_change_set", {"Status": "CREATE_PENDING", "StackId": STACK_ID, "StackName": "site"})
    clock = FakeClock()
    request = StackRequest("site", TemplateSource(small_template("Topic"), "t.json"))
    with pytest.raises(
        WaitTimedOut,
        match=f"gave up waiting for change set {CHANGE_SET_ID} after 3600 s; "
        f"see aws cloudformation describe-change-set --change-set-name",
    ):
        create_change_set(aws, request, slow_poller(clock))
    assert clock.now == 3600


def test_a_stack_that_never_settles_is_given_up_after_the_waiters_bound():
    from rumcfn.aws.events import watch
    from tests.support.aws import STACK_ID, stack

    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    for _ in range(61):
        cf.add_response("describe_stacks", stack("UPDATE_IN_PROGRESS"))
        cf.add_response("describe_stack_events", {"StackEvents": []})
    clock = FakeClock()
    with pytest.raises(
        WaitTimedOut,
        match=f"gave up waiting for stack {STACK_ID} after 3600 s; CloudFormation "
        "carries on: aws cloudformation describe-stack-events --stack-name",
    ):
        watch(
            aws.client("cloudformation"), STACK_ID, None, [].append, slow_poller(clock), waiter="stack_update_complete"
        )
    assert clock.now == 3600


def test_a_stack_set_operation_that_never_ends_is_given_up_after_a_stacks_bound():
    from rumcfn.aws.stacksets import wait_for_operation

    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    for _ in range(61):
        cf.add_response(
            "describe_stack_set_operation", {"StackSetOperation": {"OperationId": "op-1", "Status": "RUNNING"}}
        )
    clock = FakeClock()
    with pytest.raises(
        WaitTimedOut,
        match="gave up waiting for stack set operation op-1 after 3600 s; it carries on: "
        "aws cloudformation list-stack-set-operations --stack-set-name rum",
    ):
        wait_for_operation(aws.client("cloudformation"), "rum", "op-1", [].append, slow_poller(clock))
    assert clock.now == 3600
