"""Every AWS command against endpoints that answer, but not as AWS (issue 20, item 5): a 200 that is not an AWS
answer is one line and exit 1; a trickling answer is cut off by the deadline for the whole answer; a listing
that hands out a new page token forever stops at the page cap. Local servers on 127.0.0.1
(``tests.support.endpoints``); the commands run in this process with small injected limits
(``rumcfn.cli.run(argv, aws=...)``), so no test waits long on a real clock.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.support import endpoints
from tests.support.aws import worst_case_seconds
from tests.support.cli import AWS_COMMANDS, aws_with, lay_out

#: Answers with status 200 that are no AWS answer.
NOT_AWS = {
    "random-bytes": (bytes(range(256)) * 4 + os.urandom(64), "application/octet-stream"),
    "captive-portal": (b"<html><head><title>Sign in</title></head><body><p>Accept the terms to use the Wi-Fi</p>"
                       b"</body></html>", "text/html"),
    "html-not-xml": (b"<!DOCTYPE html><html><body><br>Sign in<br></body></html>", "text/html"),
    "bare-stacks": (b"<Stacks/>", "text/xml"),
    "empty-json": (b"{}", "application/json"),
}


@pytest.fixture
def in_tmp(tmp_path, monkeypatch, aws_credentials):
    monkeypatch.chdir(tmp_path)
    lay_out(tmp_path)
    return tmp_path


def run_against(invoke, name: str, url: str, **limits):
    started = time.monotonic()
    ran = invoke(*AWS_COMMANDS[name], "--region", "us-east-1", "--endpoint-url", url, aws=aws_with(**limits))
    return ran, time.monotonic() - started


@pytest.mark.parametrize("name", AWS_COMMANDS)
@pytest.mark.parametrize("kind", NOT_AWS)
def test_a_200_that_is_not_an_aws_answer_is_one_line(invoke, in_tmp, kind, name):
    endpoint = endpoints.OddEndpoint(*NOT_AWS[kind])
    try:
        ran, _ = run_against(invoke, name, endpoint.url, timeout=2, max_attempts=1)
    finally:
        endpoint.close()
    assert ran.code == 1, ran
    assert ran.line.startswith("rumcfn: error: the answer to "), ran.line
    assert "is not an AWS answer" in ran.line


def stack_list(members: str = "") -> tuple[str, bytes]:
    return endpoints.OK, endpoints.query_answer("DescribeStacks", f"<Stacks>{members}</Stacks>")


MISSING_STACK = ("400 Bad Request", endpoints.query_error("ValidationError", "Stack with id site does not exist"))


@pytest.mark.parametrize("name", ["outputs", "deploy", "destroy", "restore-snippet", "budgets-stack", "doctor",
                                  "sourcemaps-stack"])
def test_an_empty_stack_list_is_one_line(invoke, in_tmp, name):
    """``<Stacks/>`` in a well-formed answer: DescribeStacks of one stack lists it or fails, never lists none."""
    endpoint = endpoints.Scripted({"DescribeStacks": stack_list()})
    try:
        ran, _ = run_against(invoke, name, endpoint.url, max_attempts=1)
    finally:
        endpoint.close()
    assert ran.code == 1, ran
    assert ran.line == ("rumcfn: error: the answer to DescribeStacks is not an AWS answer: Stacks has no item 0 (it is "
                        "empty); "
                        "check --endpoint-url / AWS_ENDPOINT_URL and the network")


def test_a_change_set_without_an_id_is_one_line(invoke, in_tmp):
    endpoint = endpoints.Scripted({
        "DescribeStacks": MISSING_STACK,
        "CreateChangeSet": (endpoints.OK, endpoints.query_answer("CreateChangeSet", "<StackId>x</StackId>")),
    })
    try:
        ran, _ = run_against(invoke, "deploy", endpoint.url, max_attempts=1)
    finally:
        endpoint.close()
    assert ran.code == 1, ran
    assert ran.line.startswith("rumcfn: error: the answer to CreateChangeSet is not an AWS answer: no Id;")


def test_a_product_without_an_id_is_one_line(invoke, in_tmp):
    endpoint = endpoints.Scripted({
        "DescribeProductAsAdmin": ("400 Bad Request", b'{"__type": "ResourceNotFoundException", "Message": "no"}'),
        "PUT": (endpoints.OK, b""),
        "CreateProduct": (endpoints.OK, b'{"ProductViewDetail": {"ProductViewSummary": {"Name": "RUM"}}}'),
    })
    try:
        ran, _ = run_against(invoke, "publish", endpoint.url, max_attempts=1)
    finally:
        endpoint.close()
    assert ran.code == 1, ran
    assert ran.line.startswith("rumcfn: error: the answer to CreateProduct is not an AWS answer: "
                                       "ProductViewDetail.ProductViewSummary has no ProductId;")


#: The commands the issue found hanging on a trickling endpoint, and one that writes.
TRICKLED = ["outputs", "budgets-monitor", "sourcemaps", "deploy", "restore-snippet", "publish"]


@pytest.mark.parametrize("name", TRICKLED)
def test_an_answer_trickling_a_byte_at_a_time_is_cut_off_by_the_whole_answer_deadline(invoke, in_tmp, name):
    """Each byte comes well within the per-read timeout; the answer as a whole never does."""
    timeout, interval = 0.6, 0.1
    endpoint = endpoints.TrickleEndpoint(interval=interval, lasting=8)
    try:
        ran, elapsed = run_against(invoke, name, endpoint.url, timeout=timeout, max_attempts=1)
    finally:
        endpoint.close()
    assert ran.code == 1, ran
    assert ran.line.startswith(f"rumcfn: error: no answer from the AWS endpoint {endpoint.url}"), ran.line
    assert timeout <= elapsed <= worst_case_seconds(timeout, attempts=1) + 1.0, elapsed


LISTINGS = {
    "budgets-monitor": {"GetMetricData": endpoints.endless_json("MetricDataResults")},
    "sourcemaps": {"GET ?location": endpoints.US_EAST_1, "GET ?list-type=2": endpoints.endless_s3_listing()},
    "restore-snippet": {
        "DescribeStacks": stack_list(endpoints.STACK),
        "GetTemplate": (endpoints.OK, endpoints.query_answer("GetTemplate", "<TemplateBody>{}</TemplateBody>")),
        "ListStackResources": endpoints.endless("ListStackResources", "StackResourceSummaries"),
    },
    "destroy": {
        "DescribeStacks": stack_list(endpoints.STACK),
        "DescribeStackEvents": endpoints.endless("DescribeStackEvents", "StackEvents"),
        "DeleteStack": (endpoints.OK, endpoints.query_answer("DeleteStack")),
    },
}


@pytest.mark.parametrize("name", LISTINGS)
def test_a_listing_that_never_ends_stops_at_the_page_cap(invoke, in_tmp, name):
    endpoint = endpoints.Scripted(LISTINGS[name])
    try:
        ran, _ = run_against(invoke, name, endpoint.url, max_pages=5, max_attempts=1)
    finally:
        endpoint.close()
    assert ran.code == 1, ran
    assert "still had more after 5 pages" in ran.line, ran.line
    listed = max(endpoint.counts.values())
    assert listed <= 6 + 1, endpoint.counts  # the cap, the page that showed more, and one latest-event read
