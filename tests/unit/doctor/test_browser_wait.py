"""``doctor --browser`` waits for the client's batch; once Chromium has refused the data plane under the page's
Content-Security-Policy, no batch can come, so the wait ends there instead of at its deadline.

The browser here is a recording double over a fixed event list: a wait it cannot satisfy counts as waited out
(what a real one would do after ``timeout`` seconds), so the tests see which waits ran to their deadline.
"""

from __future__ import annotations

from rumcfn.doctor.browser import Outcome, _problems, _serve
from rumcfn.doctor.cdp import CDPError

PREFIX = "https://dataplane.rum.eu-west-1.amazonaws.com/appmonitors/"


class Events:
    """A browser whose events are all there already; ``waited_out`` lists each wait that met no event."""

    def __init__(self, events: list[dict]):
        self.events = events
        self.waited_out: list[float] = []

    def wait_for(self, predicate, timeout, what, start=0):
        for event in self.events[start:]:
            if predicate(event):
                return event
        self.waited_out.append(timeout)
        raise CDPError(f"timed out after {timeout:g} s waiting for {what}")


class Tab:
    session = "tab"

    def __init__(self, browser: Events):
        self.browser = browser
        self.sent: list[str] = []

    def send(self, method, params=None, timeout=15):
        self.sent.append(method)
        return {}


def log(source: str, text: str, session: str = "tab") -> dict:
    return {"sessionId": session, "method": "Log.entryAdded",
            "params": {"entry": {"source": source, "level": "error", "text": text}}}


REFUSED = log("security", f"Connecting to '{PREFIX}1234' violates the following Content Security Policy directive: "
                          "\"default-src 'self'\". The action has been blocked.")


def test_a_refused_data_plane_ends_the_wait_at_once():
    browser = Events([log("network", "Failed to load resource: 404"), REFUSED])
    outcome = Outcome()
    after = _serve(Tab(browser), outcome, 0, 15, data_plane=PREFIX)
    assert browser.waited_out == []
    assert after == 2 and outcome.batches == 0


def test_other_refusals_and_other_tabs_do_not_end_it():
    """A refused analytics host, or the data plane refused in another tab, says nothing of this client's batch."""
    browser = Events([
        log("security", "Connecting to 'https://analytics.example.net/collect' violates the following Content "
                        "Security Policy directive"),
        {**REFUSED, "sessionId": "another tab"},
    ])
    _serve(Tab(browser), Outcome(), 0, 15, data_plane=PREFIX)
    assert len(browser.waited_out) == 1 and 14 < browser.waited_out[0] <= 15  # what was left of the 15 s


def test_a_batch_is_still_answered_and_counted():
    paused = {"sessionId": "tab", "method": "Fetch.requestPaused", "params": {
        "requestId": "r1", "resourceType": "Fetch",
        "request": {"method": "POST", "url": f"{PREFIX}1234", "headers": {}, "postData": '{"RumEvents": []}'}}}
    browser = Events([paused])
    tab = Tab(browser)
    outcome = Outcome()
    _serve(tab, outcome, 0, 15, data_plane=PREFIX)
    assert outcome.batches == 1 and tab.sent == ["Fetch.fulfillRequest"] and browser.waited_out == []


class Seen:
    """A tab whose events are all there: what ``_problems`` reads."""

    def __init__(self, events: list[dict]):
        self.events = events

    def my_events(self, method=None):
        return [e for e in self.events if method is None or e["method"] == method]


def test_problems_name_what_failed_but_not_what_the_doctors_own_leaving_cancelled():
    def request(ident, url):
        return {"method": "Network.requestWillBeSent", "params": {"requestId": ident, "request": {"url": url}}}

    def failed(ident, error, **more):
        return {"method": "Network.loadingFailed", "params": {"requestId": ident, "errorText": error, **more}}

    tab = Seen([
        REFUSED,
        request("1", f"{PREFIX}1234"), failed("1", "net::ERR_BLOCKED_BY_CLIENT", blockedReason="csp"),
        request("2", "https://shop.example.com/slow.css"), failed("2", "net::ERR_ABORTED", canceled=True),
    ])
    assert _problems(tab) == [REFUSED["params"]["entry"]["text"], f"{PREFIX}1234: net::ERR_BLOCKED_BY_CLIENT csp"]


def test_chromiums_whole_refusal_is_kept_and_a_longer_entry_is_cut_visibly():
    """Chromium's refusal of a real app monitor's data plane, with its note on the fallback directive, is about
    320 characters: all of it stays. A page can log anything; an entry past the limit ends in "..." so the reader
    knows it was cut."""
    refusal = (f"Connecting to '{PREFIX}0a1b2c3d-1111-2222-3333-444455556666' violates the following Content "
               "Security Policy directive: \"default-src 'self'\". Note that 'connect-src' was not explicitly set, "
               "so 'default-src' is used as a fallback. The action has been blocked.")
    flood = "x" * 5000
    problems = _problems(Seen([log("security", refusal), log("javascript", flood)]))
    assert problems[0] == refusal
    assert problems[1] == "x" * 497 + "..."
