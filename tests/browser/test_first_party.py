"""``snippet.first_party`` end to end: the stack's snippet and CloudFront Function, a local CloudFront, the real
web client in Chromium, and a content blocker's rule against RUM's data plane.

``Edge`` (tests/support/edge.py) plays the site's distribution with the one behavior the docs describe: its
path pattern, function and origin request policy come from the synthesized template, the function's code
runs in Node on each viewer request, and only the policy's headers reach the stand-in data plane. The page,
the web client and the batches all come from, and go to, the page's own origin.
"""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

import pytest

from rumcfn.aws.session import Aws
from rumcfn.config import from_mapping
from rumcfn.doctor.report import FAILED, OK
from rumcfn.doctor.runner import run
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_json
from tests.support.edge import Edge, fn_sub

from .flow import EXPECTED, REGION, deliver, leave, page_exceptions, short, walk

pytestmark = pytest.mark.browser

#: A content blocker's rule for RUM's data plane, as the blocklists the issue cites write it.
BLOCKED = "*dataplane.rum.*"


#: Where the snippet loads the client from: the site, through the distribution. The distribution's port is
#: known once it runs, and it is built from the template, so the snippet gets the address afterwards.
CLIENT = "https://edge.invalid/client/cwr.js"


@pytest.fixture(scope="module")
def edge(servers, tmp_path_factory):
    """The stack with first-party ingestion, its snippet on the test site, and CloudFront in front of both."""
    monitor_id = str(uuid.uuid4())
    settings = from_mapping({
        "auth": {"mode": "resource-policy", "restrict_referer": True},
        "monitor": {"domains": ["www.example.com"]},
        "snippet": {"first_party": "/rum", "client_url": CLIENT},
    })
    template = json.loads(to_json(build_template(settings)))
    distribution = Edge.of_template(template, monitor_id, servers.site.url, servers.collector.url,
                                    tmp_path_factory.mktemp("edge"))
    body, _variables = template["Resources"]["RumScript"]["Properties"]["Content"]["Fn::Sub"]
    snippet = fn_sub(body, {"AppMonitorId": monitor_id, "AWS::Region": REGION})
    servers.site.snippets[monitor_id] = snippet.replace(CLIENT, f"{distribution.url}/client/cwr.js")
    yield SimpleNamespace(edge=distribution, monitor_id=monitor_id, settings=settings,
                          page=f"{distribution.url}/m/{monitor_id}/index.html")
    distribution.close()


def requests_of(page) -> list[str]:
    return [e["params"]["request"]["url"] for e in page.my_events("Network.requestWillBeSent")]


def blocked_by_the_rule(page) -> list[str]:
    sent = page.my_events("Network.requestWillBeSent")
    urls = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in sent}
    return [urls.get(e["params"]["requestId"], "?") for e in page.my_events("Network.loadingFailed")
            if e["params"].get("blockedReason")]


def test_every_request_goes_to_the_pages_own_origin_and_a_data_plane_blocklist_blocks_nothing(browser, servers, edge):
    collector = servers.collector
    page = browser.new_page()
    try:
        page.send("Network.setBlockedURLs", {"urls": [BLOCKED]})
        page.goto(edge.page)
        # Positive control: the rule does block RUM's data plane when something asks for it.
        outcome = page.evaluate("fetch('https://dataplane.rum.us-east-1.amazonaws.com/appmonitors/x', "
                                "{method: 'POST'}).then(() => 'sent', () => 'blocked')")
        assert outcome == "blocked" and blocked_by_the_rule(page) == [
            "https://dataplane.rum.us-east-1.amazonaws.com/appmonitors/x"]
        walk(page, edge.page, dispatch=True)
        deliver(collector, edge.monitor_id, ("js_error", "http"))
        requests = requests_of(page)
        blocked = blocked_by_the_rule(page)
        exceptions = page_exceptions(page)
        leave(page)
    finally:
        page.close()
    events = deliver(collector, edge.monitor_id)
    assert {short(e) for e in events} >= set(EXPECTED)
    own = [url for url in requests if not url.startswith("https://dataplane.rum.")]  # the control's fetch
    assert own and all(url.startswith(edge.edge.url + "/") for url in own), own
    assert f"{edge.edge.url}/rum/appmonitors/{edge.monitor_id}" in own
    assert len(blocked) == 1  # the control alone
    assert exceptions == []


def test_the_data_plane_sees_rums_own_path_and_what_the_policy_forwards(browser, servers, edge):
    """Every batch went through the function (prefix stripped) with the policy's headers only: gzip batches
    decode (Content-Encoding), Referer names the page (a referer-restricted resource policy needs it), the
    viewer's address is in X-Forwarded-For, and no cookie reached AWS."""
    page = browser.new_page()
    try:
        page.goto(edge.page)
        page.evaluate("document.cookie = 'session=secret; path=/', true")
        walk(page, edge.page, dispatch=True)
        deliver(servers.collector, edge.monitor_id, ("js_error", "http"))
        leave(page)
    finally:
        page.close()
    batches = servers.collector.batches(edge.monitor_id)
    assert batches and {b.path for b in batches} == {f"/appmonitors/{edge.monitor_id}"}
    for batch in batches:
        assert "cookie" not in batch.headers and "authorization" not in batch.headers
        assert batch.headers["referer"].startswith(edge.page.split("?")[0].rsplit("/", 1)[0])
        assert batch.headers["x-forwarded-for"] == "127.0.0.1"
        assert not batch.query
    assert any(b.gzipped for b in batches)
    assert {method for method, _path in edge.edge.seen if _path.startswith("/rum/")} == {"POST"}


def test_the_doctor_checks_that_the_path_answers_like_the_data_plane(servers, edge, no_aws_credentials):
    """Through the distribution the path answers with AWS's request id (the probe is an empty batch, which the
    data plane refuses: nothing is recorded); on the bare site, which has no behavior for the path, it is the
    site's own 404, and the doctor names the missing behavior."""
    before = len(servers.collector.batches(edge.monitor_id))
    report = run(Aws(region=REGION), settings=edge.settings, app_monitor_id=edge.monitor_id, url=edge.page,
                 timeout=5)
    check = {c.name: c for c in report.checks}["first-party"]
    assert check.status == OK, report.text()
    assert check.detail.startswith(f"POST {edge.edge.url}/rum/appmonitors/{edge.monitor_id} reached RUM's data "
                                   "plane: an empty batch answered HTTP 400 (ValidationException), request id ")
    assert len(servers.collector.batches(edge.monitor_id)) == before

    bare = f"{servers.site.url}/m/{edge.monitor_id}/index.html"
    report = run(Aws(region=REGION), settings=edge.settings, app_monitor_id=edge.monitor_id, url=bare, timeout=5)
    check = {c.name: c for c in report.checks}["first-party"]
    assert check.status == FAILED, report.text()
    assert check.detail == (f"POST {servers.site.url}/rum/appmonitors/{edge.monitor_id} answered HTTP 404 "
                            "(text/plain) without AWS's x-amzn-RequestId: the path does not reach RUM's data plane")
    assert check.fix.startswith("add a cache behavior for /rum/* to the site's CloudFront distribution")
