"""``rumcfn doctor`` against pages that fight back: each is one failed check with one line, never a traceback,
a hang or a connection the doctor should not make.

The pages are served on 127.0.0.1 (``static_site``, ``raw_site``); ``loopback_only`` refuses and records any
connection elsewhere, so a doctor that would fetch the instance metadata service shows it without leaving
the machine.
"""

from __future__ import annotations

import socket
import time

import pytest

from rumcfn.aws.session import Aws
from rumcfn.config import from_mapping
from rumcfn.doctor.report import FAILED, OK
from rumcfn.doctor.runner import run
from rumcfn.doctor.target import settings_script
from tests.support.doctor_site import Response, js, page
from tests.support.raw_site import http, send, trickle

REGION = "eu-west-1"
MONITOR_ID = "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90"
SETTINGS = from_mapping({"monitor": {"name": "shop", "domains": ["127.0.0.1"]}, "auth": {"mode": "resource-policy"}})
SNIPPET = settings_script(SETTINGS, MONITOR_ID, REGION, None)
PAGE = page().body


def doctor(url: str, timeout: float = 5):
    report = run(Aws(region=REGION), settings=SETTINGS, app_monitor_id=MONITOR_ID, url=url, timeout=timeout)
    return report, {c.name: c for c in report.checks}


@pytest.fixture(autouse=True)
def _offline(no_aws_credentials, loopback_only):
    return loopback_only


def one_line(check) -> None:
    assert "\n" not in check.detail and "\x1b" not in check.detail and "Traceback" not in check.detail, check


# --- 3: only http(s), after every redirect; never link-local or instance metadata ----------------------------


def test_a_file_script_source_is_not_opened(static_site, tmp_path):
    secret = tmp_path / "rum.js"
    secret.write_text(SNIPPET)
    url = static_site.serve({"/": page(head=f'<script src="file://{secret}"></script>\n')})
    report, checks = doctor(url)
    assert checks["rum.js"].status == FAILED
    assert "not fetched: only http and https URLs are checked, not file ones" in checks["rum.js"].detail
    one_line(checks["rum.js"])


def test_ftp_sources_and_redirects_to_ftp_never_connect(static_site, raw_site):
    ftp = f"ftp://127.0.0.1:{raw_site.port}/rum.js"
    url = static_site.serve({"/": page(head=f'<script src="{ftp}"></script>\n'),
                             "/moved": Response(302, b"", headers={"Location": f"ftp://127.0.0.1:{raw_site.port}/"})})
    _, checks = doctor(url)
    assert "not fetched: only http and https URLs are checked, not ftp ones" in checks["rum.js"].detail
    _, checks = doctor(url + "moved")
    assert checks["page"].status == FAILED and "not ftp ones" in checks["page"].detail
    time.sleep(0.2)
    assert raw_site.requests == []  # not even a connection


@pytest.mark.parametrize("address", ["169.254.169.254", "[fd00:ec2::254]", "169.254.170.2", "[::ffff:169.254.169.254]",
                                     "[fe80::1]"])
def test_instance_metadata_is_never_fetched_from_a_page_a_redirect_or_the_url(static_site, address, loopback_only):
    src = f"http://{address}/latest/meta-data/rum.js"
    url = static_site.serve({"/": page(head=f'<script src="{src}"></script>\n'),
                             "/moved": Response(302, b"", headers={"Location": f"http://{address}/"})})
    _, checks = doctor(url)
    assert checks["rum.js"].status == FAILED and "link-local or instance-metadata" in checks["rum.js"].detail
    _, checks = doctor(url + "moved")
    assert checks["page"].status == FAILED and "link-local or instance-metadata" in checks["page"].detail
    _, checks = doctor(f"http://{address}/")
    assert "link-local or instance-metadata" in checks["page"].detail
    assert loopback_only == []


def test_a_name_that_resolves_to_the_metadata_service_is_not_fetched(static_site, monkeypatch, loopback_only):
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "metadata.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = static_site.serve({"/": page(head='<script src="http://metadata.test/rum.js"></script>\n')})
    _, checks = doctor(url)
    assert "metadata.test resolves to 169.254.169.254" in checks["rum.js"].detail
    assert loopback_only == []


LOCAL, PRIVATE, PUBLIC = "local", "private", "public"


@pytest.mark.parametrize("initiator,target,allowed", [
    (None, "127.0.0.1", True),  # the URL the user gives may be a dev server
    (None, "10.1.2.3", True),
    (None, "169.254.169.254", False),
    (LOCAL, "127.0.0.1", True),
    (LOCAL, "10.1.2.3", True),
    (LOCAL, "93.184.216.34", True),
    (LOCAL, "fd00:ec2::254", False),
    (PRIVATE, "10.1.2.3", True),
    (PRIVATE, "127.0.0.1", False),  # a browser's Private Network Access blocks these
    (PUBLIC, "192.168.1.1", False),
    (PUBLIC, "::1", False),
    (PUBLIC, "0.0.0.0", False),  # reaches this machine
    (PUBLIC, "::ffff:127.0.0.1", False),
    (PUBLIC, "93.184.216.34", True),
])
def test_a_page_reaches_only_as_far_as_a_browser_lets_it(initiator, target, allowed):
    from rumcfn.doctor import addresses

    assert (addresses.refusal(addresses.parse(target), initiator) == "") is allowed


# --- 4: hostile answers are one line each ---------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["idna", "undefined", "punycode", "rot13", "x-no-such"])
def test_a_charset_no_browser_knows_is_ignored(static_site, charset):
    url = static_site.serve({"/": Response(200, PAGE, f"text/html; charset={charset}"), "/rum.js": js(SNIPPET)})
    report, checks = doctor(url)
    assert checks["page"].status == OK and checks["rum.js"].status == OK, report.text()


CHUNKED = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
HOSTILE = {
    "not HTTP": (b"SSH-2.0-OpenSSH_9.6\r\n", "it did not answer in HTTP"),
    "a malformed chunk": ((CHUNKED + "zz\r\n<html>\r\n0\r\n\r\n").encode(), "its body ended early or is malformed"),
    "150 headers": (http(PAGE, *(f"X-Header-{n}: {n}" for n in range(150))), "got more than 100 headers"),
    "a cut-off body": (http(PAGE)[:-100], "its body ended early or is malformed"),
    "an empty answer": (b"", "it did not answer in HTTP"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_an_answer_that_is_not_http_is_one_line(raw_site, case):
    data, says = HOSTILE[case]
    raw_site.routes["/"] = send(data)
    report, checks = doctor(raw_site.url + "/")
    assert checks["page"].status == FAILED and says in checks["page"].detail, report.text()
    one_line(checks["page"])


def test_a_page_trickled_a_byte_at_a_time_is_cut_off_at_the_timeout(raw_site):
    raw_site.routes["/"] = trickle(http(PAGE, "Content-Type: text/html"), every=0.2, for_seconds=6)
    started = time.monotonic()
    _, checks = doctor(raw_site.url + "/", timeout=1)
    assert checks["page"].detail == f"{raw_site.url}/ did not answer: no complete answer within 1 s"
    assert time.monotonic() - started < 5


def test_headers_trickled_a_byte_at_a_time_are_cut_off_too(raw_site):
    raw_site.routes["/"] = trickle(b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 50, every=0.2, for_seconds=6)
    _, checks = doctor(raw_site.url + "/", timeout=1)
    assert checks["page"].detail.endswith("no complete answer within 1 s")


def test_an_escape_character_in_a_src_is_requested_as_a_browser_would_and_never_printed(static_site):
    url = static_site.serve({"/": page(head='<script src="/\x1b[31m/rum.js\t"></script>\n')})
    report, checks = doctor(url)
    assert "/%1B[31m/rum.js answered HTTP 404" in checks["rum.js"].detail
    assert static_site.requests == ["/", "/%1B[31m/rum.js"]
    assert "\x1b" not in report.text() and "\x1b" not in report.json()


def test_control_characters_anywhere_in_a_finding_are_shown_escaped(static_site):
    url = static_site.serve({"/": Response(503, b"", headers={"X-Nothing": "x"})})
    report, _ = doctor(url + "\x1b]0;title\x07")
    assert "\x1b" not in report.text() and "\x07" not in report.text()


def test_redirects_are_followed_and_bounded(static_site):
    routes = {f"/{n}": Response(302, b"", headers={"Location": f"/{n + 1}"}) for n in range(30)}
    url = static_site.serve(routes | {"/0": Response(301, b"", headers={"Location": "/page"}), "/page": page(),
                                      "/rum.js": js(SNIPPET)})
    _, checks = doctor(url + "0")
    assert checks["page"].status == OK and checks["page"].detail.startswith(f"{url}page answered 200")
    _, checks = doctor(url + "1")
    assert "more than 20 redirects" in checks["page"].detail


# --- the page and rum.js are parsed in linear time: a run ends within 30 s on any page ---------------------


def test_the_head_is_read_as_a_browser_tokenizes_it():
    from rumcfn.doctor.site import parse_html

    html = parse_html(
        '\ufeff<!doctype html><!-- <script src="/commented/rum.js"></script> --><html><head>'
        '<title>a <script> in a title is text</title><style>p{}</script></style>'
        '<meta http-equiv=Content-Security-Policy content="default-src &apos;self&apos;">'
        '<script src=/rum.js nonce=n1 src=/second.js></script>'
        '<script>if (a < b && c) { x = "</scrip" } </script >'
        '<!--> <script src="/after-an-abrupt-comment.js"></script>'
        'text in the head ends it <script src="/late.js"></script>'
    )
    assert html.meta_policies == ["default-src 'self'"]
    assert [(s.src, s.nonce, s.in_head) for s in html.scripts] == [
        ("/rum.js", "n1", True), (None, None, True), ("/after-an-abrupt-comment.js", None, True),
        ("/late.js", None, False)]
    assert html.scripts[1].text == 'if (a < b && c) { x = "</scrip" } '


@pytest.mark.parametrize("text", ["<a" * 50, '<script src="/rum.js', "<a b='", "<!--", "<!doctype", "</", "<", "<a/"])
def test_a_page_the_end_of_the_file_cuts_off_is_read_without_error(text):
    from rumcfn.doctor.site import parse_html

    assert parse_html(text).scripts == []


HUGE = 1024 * 1024


@pytest.mark.parametrize("case", ["<a<a<a page", "rum.js of repeated loader calls", "rum.js of unclosed strings"])
def test_a_run_ends_within_30_s_on_a_page_or_rum_js_built_to_be_slow(static_site, run_cli, tmp_path, case):
    routes = {"/": page(), "/rum.js": js(SNIPPET)}
    if case == "<a<a<a page":
        routes["/"] = Response(200, b"<a" * (HUGE // 2))
    elif case == "rum.js of repeated loader calls":
        routes["/rum.js"] = js('})("a","b","c","d","e",{' * (HUGE // 24) + "x")
    else:
        routes["/rum.js"] = js("})(" + "'\\" * (HUGE // 2))
    url = static_site.serve(routes)
    nothing = str(tmp_path / "none")
    done = run_cli("doctor", "--monitor.name", "shop", "--monitor.domains", "127.0.0.1", "--auth.mode",
                   "resource-policy", "--app-monitor-id", MONITOR_ID, "--region", REGION, "--url", url,
                   "--timeout", "5",
                   env={"AWS_CONFIG_FILE": nothing, "AWS_SHARED_CREDENTIALS_FILE": nothing,
                        "AWS_EC2_METADATA_DISABLED": "true"}, timeout=30)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


def test_a_served_loader_with_javascript_escapes_and_odd_numbers_is_read_not_crashed_on():
    from rumcfn.client.loader import parse_loader

    loader = parse_loader("(function(){})('cwr',\"id\\x41\",'1.0.0',\"eu-west-1\",'https://c/\\'cwr.js'"
                          ",{endpoint:\"https://d\\u{41}/\",sessionSampleRate:1.2.3,identityPoolId:\"a\\'b\"});")
    assert loader is not None
    assert (loader.monitor_id, loader.client_url, loader.endpoint) == ("idA", "https://c/'cwr.js", "https://dA/")
    assert loader.sample_rate is None and loader.identity_pool_id == "a'b"


def test_a_check_that_meets_something_unforeseen_fails_alone_in_one_line(static_site, monkeypatch):
    from rumcfn.doctor import site_checks

    def broken(ctx):
        raise KeyError("\x1b[2J")

    monkeypatch.setattr(site_checks, "csp", broken)
    report, checks = doctor(static_site.serve({"/": page(), "/rum.js": js(SNIPPET)}))
    assert checks["csp"].status == FAILED
    assert checks["csp"].detail.startswith("the check stopped on what it read (KeyError")
    assert checks["domain"].status == OK and "\x1b" not in report.text()


# --- HTTPS: the same deadline and checks under TLS --------------------------------------------------------


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A server context for 127.0.0.1, and the doctor trusting only the test's authority."""
    import ssl

    from rumcfn.doctor import fetch
    from tests.support.tls import make_certificates

    certificates = make_certificates(tmp_path)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certificates.chain, certificates.key)
    real = ssl.create_default_context
    monkeypatch.setattr(fetch.ssl, "create_default_context", lambda: real(cafile=str(certificates.ca)))
    return server


def test_an_https_site_is_checked_and_an_untrusted_one_is_one_line(tls, monkeypatch):
    import ssl

    from rumcfn.doctor import fetch
    from tests.support.doctor_site import StaticSite

    site = StaticSite(tls)
    try:
        url = site.serve({"/": page(), "/rum.js": js(SNIPPET)})
        report, checks = doctor(url)
        assert url.startswith("https://") and checks["page"].status == OK and checks["rum.js"].status == OK, \
            report.text()
        def system_authorities():
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.load_default_certs()
            return context

        monkeypatch.setattr(fetch.ssl, "create_default_context", system_authorities)
        _, checks = doctor(url)
        assert checks["page"].detail == f"{url} did not answer: TLS failed (CERTIFICATE_VERIFY_FAILED)"
    finally:
        site.close()


def test_an_https_page_trickled_a_byte_at_a_time_is_cut_off_too(tls):
    from tests.support.raw_site import RawSite

    site = RawSite({"/": trickle(http(PAGE, "Content-Type: text/html"), every=0.2, for_seconds=6)}, tls=tls)
    try:
        started = time.monotonic()
        _, checks = doctor(site.url + "/", timeout=1)
        assert checks["page"].detail == f"{site.url}/ did not answer: no complete answer within 1 s"
        assert time.monotonic() - started < 5
    finally:
        site.close()
