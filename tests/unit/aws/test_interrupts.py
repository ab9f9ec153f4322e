"""Ctrl-C and SIGTERM (a CI cancel) during deploy and diff (issue 20, item 8): stopped before the change set is
executed, rumcfn deletes the change set it created, and the REVIEW_IN_PROGRESS stack if it created that too,
and says so; stopped after, it says CloudFormation carries on. SIGTERM unwinds like Ctrl-C and exits 143
(128 + SIGTERM, what a shell reports for a process SIGTERM ended), Ctrl-C 130; each ends in one line.

CloudFormation is a Stubber; the interrupt comes from the poller's sleep, or from a botocore event handler
right after a call.
"""

from __future__ import annotations

import os
import re
import signal

import pytest
from botocore.stub import ANY

from tests.support import SITE_FLAGS
from tests.support.aws import (
    CHANGE_SET_ID,
    STACK_ID,
    fake_credentials,
    instant_poller,
    not_found,
    small_template,
    stubbed,
)
from tests.support.aws import stack as stack_answer
from tests.support.cli import aws_with

TEMPLATE = small_template("Topic")
CHANGES = [{"Type": "Resource", "ResourceChange": {"Action": "Add", "LogicalResourceId": "Topic",
                                                   "ResourceType": "AWS::SNS::Topic"}}]


def described(status: str, changes=()) -> dict:
    return {"ChangeSetId": CHANGE_SET_ID, "ChangeSetName": "rumcfn-1", "StackId": STACK_ID, "StackName": "site",
            "Status": status, "Changes": list(changes)}


def stopping(how: str):
    """A poller whose first sleep is Ctrl-C (``int``) or a SIGTERM sent to this process (``term``)."""

    def make():
        poller = instant_poller()

        def sleep(seconds):
            if how == "term":
                os.kill(os.getpid(), signal.SIGTERM)
            raise KeyboardInterrupt

        poller.sleep = sleep
        return poller

    return make


@pytest.fixture
def cf(monkeypatch, tmp_path):
    fake_credentials(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.json").write_text(TEMPLATE)
    aws, stubs = stubbed("cloudformation")
    stubs["cloudformation"].aws = aws
    yield stubs["cloudformation"]
    stubs["cloudformation"].assert_no_pending_responses()


def create(cf, *, existing: bool = False) -> None:
    if existing:
        cf.add_response("describe_stacks", stack_answer("UPDATE_COMPLETE"))
    else:
        not_found(cf)
    cf.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID},
                    {"StackName": "site", "ChangeSetName": ANY, "ChangeSetType": "UPDATE" if existing else "CREATE",
                     "Description": ANY, "Parameters": [], "Capabilities": [], "TemplateBody": TEMPLATE})


def deleted(cf, *, stack: bool) -> None:
    cf.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID, "StackName": STACK_ID})
    if stack:
        cf.add_response("describe_stacks", stack_answer("REVIEW_IN_PROGRESS"))
        cf.add_response("delete_stack", {}, {"StackName": STACK_ID})


def said(text: str) -> str:
    """``text`` with the change set's generated name (``rumcfn-`` and 12 hex digits) as ``rumcfn-N``."""
    return re.sub(r"rumcfn-[0-9a-f]{12}\b", "rumcfn-N", text)


def run(cf, invoke, command: str, how: str = "int"):
    args = [command, "--stack-name", "site", "--template-file", "t.json", "--region", "us-east-1"]
    return invoke(*args, *(["--yes"] if command == "deploy" else []),
                  aws=aws_with(cf.aws.clients, pollers=stopping(how)))


@pytest.mark.parametrize("command", ["deploy", "diff"])
def test_ctrl_c_while_the_change_set_is_computed_deletes_it_and_the_stack_rumcfn_made(cf, invoke, command):
    create(cf)
    cf.add_response("describe_change_set", described("CREATE_IN_PROGRESS"))
    deleted(cf, stack=True)
    ran = run(cf, invoke, command)
    assert ran.code == 130
    assert said(ran.line) == ("rumcfn: error: interrupted; deleted change set rumcfn-N and the REVIEW_IN_PROGRESS "
                              "stack site rumcfn created to hold it; nothing was deployed")


def test_ctrl_c_on_an_existing_stack_deletes_only_the_change_set(cf, invoke):
    create(cf, existing=True)
    cf.add_response("describe_change_set", described("CREATE_PENDING"))
    deleted(cf, stack=False)
    ran = run(cf, invoke, "deploy")
    assert ran.code == 130
    assert said(ran.line) == "rumcfn: error: interrupted; deleted change set rumcfn-N; nothing was deployed"


def test_a_change_set_still_being_computed_is_deleted_once_cloudformation_lets_go(cf, invoke):
    """DeleteChangeSet refuses a change set in CREATE_IN_PROGRESS (InvalidChangeSetStatus, botocore's model):
    wait until it has settled, then delete it."""
    create(cf, existing=True)
    cf.add_response("describe_change_set", described("CREATE_IN_PROGRESS"))
    cf.add_client_error("delete_change_set", "InvalidChangeSetStatus", "Change set is CREATE_IN_PROGRESS", 400)
    deleted(cf, stack=False)

    ran = invoke("deploy", "--stack-name", "site", "--template-file", "t.json", "--region", "us-east-1", "--yes",
                 aws=aws_with(cf.aws.clients, pollers=once_then_instant()))
    assert ran.code == 130
    assert "Waiting for CloudFormation to finish change set rumcfn-N before deleting it" in said(ran.out)
    assert said(ran.line) == "rumcfn: error: interrupted; deleted change set rumcfn-N; nothing was deployed"


def once_then_instant():
    """Pollers whose first sleep (the first one made) is Ctrl-C; later sleeps pass."""
    made = []

    def make():
        poller = instant_poller()
        if not made:
            poller.sleep = lambda seconds: (_ for _ in ()).throw(KeyboardInterrupt())
        made.append(poller)
        return poller

    return make


def test_ctrl_c_during_the_create_call_finds_the_change_set_by_name(cf, invoke):
    """Stopped while CreateChangeSet was answering: the id never came, the name rumcfn chose is enough."""
    create(cf)
    cf.add_response("delete_change_set", {}, {"ChangeSetName": ANY, "StackName": "site"})
    cf.add_response("describe_stacks", stack_answer("REVIEW_IN_PROGRESS"))
    cf.add_response("delete_stack", {}, {"StackName": STACK_ID})
    client = cf.aws.clients["cloudformation"]

    def interrupt(**kwargs):
        raise KeyboardInterrupt

    client.meta.events.register("after-call.cloudformation.CreateChangeSet", interrupt)
    try:
        ran = run(cf, invoke, "deploy")
    finally:
        client.meta.events.unregister("after-call.cloudformation.CreateChangeSet", interrupt)
    assert ran.code == 130
    assert said(ran.line) == ("rumcfn: error: interrupted; deleted change set rumcfn-N and the REVIEW_IN_PROGRESS "
                              "stack site rumcfn created to hold it; nothing was deployed")


def test_ctrl_c_before_anything_was_created_says_so(cf, invoke):
    """Stopped while CreateChangeSet was asked and CloudFormation had not made it."""
    create(cf)
    cf.add_client_error("delete_change_set", "ChangeSetNotFound", "ChangeSet [rumcfn-x] does not exist", 404)
    client = cf.aws.clients["cloudformation"]

    def interrupt(**kwargs):
        raise KeyboardInterrupt

    client.meta.events.register("after-call.cloudformation.CreateChangeSet", interrupt)
    try:
        ran = run(cf, invoke, "diff")
    finally:
        client.meta.events.unregister("after-call.cloudformation.CreateChangeSet", interrupt)
    assert ran.code == 130
    assert ran.line == "rumcfn: error: interrupted; no change set is left; nothing was deployed"


def test_ctrl_c_after_the_change_set_is_computed_and_before_it_runs_deletes_it(cf, invoke):
    create(cf)
    cf.add_response("describe_change_set", described("CREATE_COMPLETE", CHANGES))
    cf.add_response("describe_stack_events", {"StackEvents": []})
    deleted(cf, stack=True)
    client = cf.aws.clients["cloudformation"]

    def interrupt(**kwargs):
        raise KeyboardInterrupt

    client.meta.events.register("after-call.cloudformation.DescribeStackEvents", interrupt)
    try:
        ran = run(cf, invoke, "deploy")
    finally:
        client.meta.events.unregister("after-call.cloudformation.DescribeStackEvents", interrupt)
    assert ran.code == 130
    assert said(ran.line).endswith("deleted change set rumcfn-N and the REVIEW_IN_PROGRESS stack site rumcfn created "
                                   "to hold it; nothing was deployed")


@pytest.mark.parametrize("command", ["deploy", "diff"])
def test_sigterm_while_the_change_set_is_computed_cleans_up_and_exits_143(cf, invoke, command):
    create(cf)
    cf.add_response("describe_change_set", described("CREATE_IN_PROGRESS"))
    deleted(cf, stack=True)
    before = signal.getsignal(signal.SIGTERM)
    ran = run(cf, invoke, command, how="term")
    assert ran.code == 143
    assert said(ran.line) == ("rumcfn: error: SIGTERM: interrupted; deleted change set rumcfn-N and the "
                              "REVIEW_IN_PROGRESS stack site rumcfn created to hold it; nothing was deployed")
    assert signal.getsignal(signal.SIGTERM) == before  # run() puts the previous handler back


def test_sigterm_while_the_stack_deploys_leaves_it_and_says_so(cf, invoke):
    create(cf)
    cf.add_response("describe_change_set", described("CREATE_COMPLETE", CHANGES))
    cf.add_response("describe_stack_events", {"StackEvents": []})
    cf.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    cf.add_response("describe_stacks", stack_answer("CREATE_IN_PROGRESS"))
    cf.add_response("describe_stack_events", {"StackEvents": []})
    ran = run(cf, invoke, "deploy", how="term")
    assert ran.code == 143
    assert ran.line.startswith("rumcfn: error: SIGTERM: interrupted; stack site is left as it is and CloudFormation "
                               "carries on.")


def test_sigterm_in_a_command_without_cleanup_is_one_line_and_143(monkeypatch, tmp_path, invoke):
    """A command with nothing to undo (here synth, stopped as it writes) still ends in one line."""
    import rumcfn.template.output

    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM was not delivered")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(rumcfn.template.output, "render", terminated)
    ran = invoke("synth", "-o", "t.json", *SITE_FLAGS)
    assert ran.code == 143
    assert ran.line == "rumcfn: error: SIGTERM: interrupted"
    assert not (tmp_path / "t.json").exists()


def test_a_real_sigterm_to_the_real_command_is_one_line_and_143(run_cli, tmp_path, silent_endpoint):
    """The console command, a separate process, waiting on an endpoint that never answers: a CI cancel."""
    import subprocess
    import sys
    import time

    from tests.support.aws import FAKE_CREDENTIALS

    (tmp_path / "t.json").write_text(TEMPLATE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | FAKE_CREDENTIALS | {
        "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    before = silent_endpoint.connections
    process = subprocess.Popen(
        [sys.executable, "-m", "rumcfn", "deploy", "--stack-name", "site", "--template-file", "t.json", "--yes",
         "--region", "us-east-1", "--endpoint-url", silent_endpoint.url],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while silent_endpoint.connections == before and time.monotonic() < deadline:  # it is waiting on AWS now
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 143, err
    assert err == "rumcfn: error: SIGTERM: interrupted before a change set was created; stack site is unchanged\n"
