"""``rumcfn doctor`` against a local site, settings mode, without AWS credentials: the site-side checks alone.

Each site variant is one cause of "no data"; the doctor must name it and print its fix, and pass the rest.
"""

from __future__ import annotations

import pytest

from rumcfn.aws.session import Aws
from rumcfn.config import from_mapping, with_overrides
from rumcfn.doctor.report import FAILED, OK, SKIPPED
from rumcfn.doctor.runner import run
from rumcfn.doctor.target import settings_script
from tests.support.doctor_site import NO_DATA_PLANE, js, page, site_variant

REGION = "eu-west-1"
MONITOR_ID = "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90"
SETTINGS = from_mapping({"monitor": {"name": "shop", "domains": ["127.0.0.1"]}, "auth": {"mode": "resource-policy"}})
SNIPPET = settings_script(SETTINGS, MONITOR_ID, REGION, None)
AWS_CHECKS = ("monitor", "credentials", "policy", "data", "canary", "alarms")


def doctor(site, variant: str = "healthy", settings=SETTINGS, routes=None, **kwargs):
    url = site.serve(site_variant(variant, SNIPPET) if routes is None else routes)
    report = run(Aws(region=REGION), settings=settings, app_monitor_id=MONITOR_ID, url=url, timeout=5, **kwargs)
    return report, {c.name: c for c in report.checks}


@pytest.fixture
def site(static_site, no_aws_credentials):
    return static_site


def test_a_healthy_site_passes_and_aws_checks_are_skipped_with_a_note(site):
    report, checks = doctor(site)
    assert report.exit_code == 0, report.text()
    assert [c.name for c in report.checks] == ["stack", "monitor", "credentials", "policy", "page", "rum.js", "csp",
                                               "domain", "first-party", "data", "canary", "alarms"]
    assert checks["first-party"].status == SKIPPED
    assert checks["first-party"].detail == "the snippet sends to RUM's data plane directly"
    assert {name: checks[name].status for name in ("page", "rum.js", "csp", "domain")} == dict.fromkeys(
        ("page", "rum.js", "csp", "domain"), OK)
    assert all(checks[n].status == SKIPPED and checks[n].detail == "no AWS credentials: site-side checks only"
               for n in AWS_CHECKS)
    assert "byte-identical" in checks["rum.js"].detail and "127.0.0.1 is covered" in checks["domain"].detail
    assert site.requests == ["/", "/rum.js"]


@pytest.mark.parametrize("variant,failing,says,fix", [
    ("no-tag", "page", "does not load the RUM snippet", 'add <script src="/rum.js"></script> to the <head>'),
    ("tag-in-body", "page", "outside <head>", "move the tag into <head>"),
    ("error-page", "page", "answered HTTP 503", "make the page load"),
    ("stale", "rum.js", "rum.js is stale", "rumcfn restore-snippet --stack-name STACK"),
    ("missing", "rum.js", "answered HTTP 404: rum.js is missing", "rumcfn restore-snippet"),
    ("csp-header", "csp", "/appmonitors/0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90 (header connect-src)",
     "add to connect-src (header): https://dataplane.rum.eu-west-1.amazonaws.com"),
    ("csp-meta", "csp", "(<meta> connect-src)", "add to connect-src (<meta>): https://dataplane.rum.eu-west-1.amazonaws.com"),
])
def test_each_failure_is_named_with_its_fix(site, variant, failing, says, fix):
    report, checks = doctor(site, variant)
    assert report.exit_code == 1
    assert [c.name for c in report.failures()] == [failing], report.text()
    assert says in checks[failing].detail and checks[failing].fix.startswith(fix) or fix in checks[failing].fix


def test_wrong_host(site):
    report, checks = doctor(
        site, settings=with_overrides(SETTINGS, {"monitor.domains": ("www.example.com", "*.example.org")})
    )
    assert [c.name for c in report.failures()] == ["domain"]
    assert checks["domain"].detail == (
        "127.0.0.1 is not among the domains of the settings (www.example.com, *.example.org): RUM drops its events"
    )
    assert "add 127.0.0.1" in checks["domain"].fix


def test_sample_rate_zero_is_a_certain_cause_even_without_aws(site):
    zero = with_overrides(SETTINGS, {"monitor.session_sample_rate": 0.0})
    routes = site_variant("healthy", settings_script(zero, MONITOR_ID, REGION, None))
    report, checks = doctor(site, settings=zero, routes=routes)
    assert [c.name for c in report.failures()] == ["data"]
    assert checks["data"].detail == "the session sample rate is 0: no session is recorded"
    assert checks["data"].fix == "set monitor.session_sample_rate above 0 and deploy"


def test_an_inline_snippet_allowed_by_its_hash_passes(site):
    report, checks = doctor(site, "inline")
    assert report.exit_code == 0, report.text()
    assert checks["rum.js"].detail == "the inline snippet is identical to what a stack with these settings writes"
    assert checks["csp"].detail.startswith("1 policy (1 header, 0 <meta>) allow")


def test_a_meta_policy_after_the_loader_does_not_block_the_loader_but_still_blocks_requests(site):
    late = f'<script src="/rum.js"></script>\n<meta http-equiv="Content-Security-Policy" content="{NO_DATA_PLANE}">\n'
    _, checks = doctor(site, routes={"/": page(head=late), "/rum.js": js(SNIPPET)})
    assert "the loader" not in checks["csp"].detail and "connect-src" in checks["csp"].detail


def test_cognito_settings_without_aws_cannot_know_the_pool(site):
    cognito = with_overrides(SETTINGS, {"auth.mode": "cognito"})
    _, checks = doctor(site, settings=cognito)
    assert checks["rum.js"].status == SKIPPED
    assert "identity pool is unknown without AWS access" in checks["rum.js"].detail


def test_no_url_and_an_unreachable_site(site):
    _, checks = doctor(site, routes={})
    assert checks["page"].status == FAILED and checks["page"].detail.endswith("answered HTTP 404")
    site.close()
    report = run(Aws(region=REGION), settings=SETTINGS, app_monitor_id=MONITOR_ID, url=f"{site.url}/", timeout=2)
    page_check = next(c for c in report.checks if c.name == "page")
    assert "cannot connect" in page_check.detail


@pytest.mark.parametrize(
    "domain,host,covered",
    [
        ("www.example.com", "www.example.com", True),
        ("www.example.com", "WWW.Example.com", True),
        ("www.example.com", "example.com", False),
        ("*.example.com", "example.com", True),  # "Include sub domains": the domain and all its subdomains
        ("*.example.com", "shop.example.com", True),
        ("*.example.com", "a.b.example.com", True),
        ("*.example.com", "badexample.com", False),
        ("example.*", "example.de", True),  # a top-level wildcard, as AWS::RUM::AppMonitor's pattern allows
        ("example.*", "example.co.uk", False),
        ("localhost", "localhost", True),
    ],
)
def test_domain_coverage(domain, host, covered):
    from rumcfn.doctor.site_checks import domain_covers

    assert domain_covers(domain, host) is covered


def test_the_head_ends_where_a_browser_ends_it_and_only_head_metas_count():
    from rumcfn.doctor.site import absolute, is_loader, parse_html

    html = parse_html(
        '<html><meta http-equiv="content-security-policy" content="a"><base href="/app/">'
        '<script src="js/rum.js" nonce="n1"></script><p>text</p>'
        '<meta http-equiv="Content-Security-Policy" content="ignored"><script>window.AwsRumClient={}</script>'
    )
    assert html.meta_policies == ["a"] and html.base == "/app/"
    first, second = html.scripts
    assert (first.src, first.nonce, first.in_head, first.metas_before) == ("js/rum.js", "n1", True, 1)
    assert not second.in_head and is_loader(second, None, "rum.js")
    url = absolute("https://www.example.com/shop/index.html", html, first.src)
    assert url == "https://www.example.com/app/js/rum.js" and is_loader(first, url, "rum.js")
    assert not is_loader(first, "https://www.example.com/app/js/not-rum.js", "rum.js")


def test_browser_without_chromium_says_how_to_get_it(site, monkeypatch, tmp_path):
    monkeypatch.setattr("rumcfn.doctor.cdp.CHROMIUM", str(tmp_path / "no-chromium"))
    _, checks = doctor(site, browser=True)
    assert checks["browser"].detail == f"Chromium not found at {tmp_path / 'no-chromium'}"
    assert checks["browser"].fix.startswith("apt-get install chromium")
