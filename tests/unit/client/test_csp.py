"""Content-Security-Policy matching (CSP Level 3) and what the RUM loader needs."""

from __future__ import annotations

import pytest

from rumcfn.client.csp import (
    LoaderTag,
    Origin,
    allows_connect,
    allows_inline_script,
    allows_script_url,
    judge,
    list_matches,
    parse_header,
    parse_policy,
    script_hash,
    url_matches,
)
from rumcfn.client.loader import Loader, directives_for, loader_of_settings, parse_loader
from rumcfn.client.snippet import render_concrete
from rumcfn.config import from_mapping

PAGE = "https://www.example.com/shop/"
SELF = Origin.of(PAGE)
MONITOR = "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90"
POOL = "eu-west-1:7c1e9a52-3d4f-4b6a-8e2d-5f0a9b8c7d61"


@pytest.mark.parametrize("expression,url,matches", [
    ("*", "https://any.example.org/x", True),
    ("*", "data:text/plain,x", False),                     # '*' is HTTP(S) or the page's own scheme only
    ("https:", "https://a.example/", True),
    ("http:", "https://a.example/", True),                 # secure upgrade of a scheme-source
    ("https:", "http://a.example/", False),
    ("example.com", "https://example.com/", True),         # schemeless: the page's scheme (https) or its upgrade
    ("example.com", "http://example.com/", False),
    ("*.example.com", "https://cdn.example.com/a.js", True),
    ("*.example.com", "https://example.com/a.js", False),  # the wildcard needs a label in front
    ("*.example.com", "https://a.b.example.com/", True),
    ("https://EXAMPLE.com", "https://example.com/", True),  # host names compare case-insensitively
    ("https://example.com", "https://example.com:8443/", False),
    ("https://example.com:*", "https://example.com:8443/", True),
    ("https://example.com:443", "https://example.com/", True),  # the default port
    ("http://example.com", "https://example.com/", True),   # upgrade, default ports
    ("https://example.com/js/", "https://example.com/js/cwr.js", True),  # a trailing slash: a prefix
    ("https://example.com/js", "https://example.com/js/cwr.js", False),  # no slash: exact
    ("https://example.com/js/cwr.js", "https://example.com/js/cwr.js", True),
    ("https://example.com/j%73/", "https://example.com/js/a.js", True),  # percent-decoded pieces
    ("'self'", "https://www.example.com/rum.js", True),
    ("'self'", "https://example.com/rum.js", False),
    ("'self'", "http://www.example.com/rum.js", False),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/x", True),  # an exact IP literal, as Chromium matches it
    ("'unsafe-inline'", "https://www.example.com/", False),
])
def test_source_expressions(expression, url, matches):
    assert url_matches(url, expression, SELF) is matches


def test_none_alone_matches_nothing_and_is_ignored_beside_others():
    assert not list_matches("https://www.example.com/", ("'none'",), SELF)
    assert not list_matches("https://www.example.com/", (), SELF)
    assert list_matches("https://example.com/", ("'none'", "https://example.com"), SELF)


def test_self_upgrades_from_an_http_page():
    page = Origin.of("http://shop.example/")
    assert url_matches("https://shop.example/x", "'self'", page)
    assert url_matches("http://shop.example/x", "'self'", page)
    assert not url_matches("https://shop.example:8443/x", "'self'", page)


def test_parsing_keeps_the_first_of_a_repeated_directive_and_splits_header_lists():
    (first, second) = parse_header(["script-src 'self'; SCRIPT-SRC *; connect-src https://a, default-src 'none'"])
    assert first.directives == {"script-src": ("'self'",), "connect-src": ("https://a",)}
    assert second.directives == {"default-src": ("'none'",)}
    assert parse_policy(" ; ", "header") is None


def test_fallbacks_script_src_elem_then_script_src_then_default_src():
    policy = parse_policy("default-src 'self'; script-src https://cdn.example", "header")
    assert allows_script_url(policy, "https://cdn.example/a.js", SELF)
    assert not allows_script_url(policy, "https://www.example.com/rum.js", SELF)  # script-src, not default-src, decides
    assert allows_connect(policy, "https://www.example.com/api", SELF)              # default-src decides
    assert not allows_connect(policy, "https://dataplane.rum.eu-west-1.amazonaws.com/appmonitors/x", SELF)
    elem = parse_policy("script-src 'none'; script-src-elem 'self'", "header")
    assert allows_script_url(elem, "https://www.example.com/rum.js", SELF)
    assert allows_connect(parse_policy("img-src 'none'", "header"), "https://anything/", SELF)


def test_inline_scripts_unsafe_inline_nonces_and_hashes():
    text = "(function(){})();"
    assert allows_inline_script(parse_policy("script-src 'unsafe-inline'", "h"), text)
    assert not allows_inline_script(parse_policy("script-src 'unsafe-inline' 'nonce-abc'", "h"), text)  # overridden
    assert allows_inline_script(parse_policy("script-src 'unsafe-inline' 'nonce-abc'", "h"), text, nonce="abc")
    assert allows_inline_script(parse_policy(f"script-src {script_hash(text)}", "h"), text)
    urlsafe = script_hash(text).replace("+", "-").replace("/", "_")
    assert allows_inline_script(parse_policy(f"script-src {urlsafe}", "h"), text)
    assert not allows_inline_script(parse_policy(f"script-src {script_hash(text + ' ')}", "h"), text)


def test_strict_dynamic_trusts_scripts_the_loader_inserts_but_not_parser_inserted_ones():
    policy = parse_policy("script-src 'nonce-n0nce' 'strict-dynamic' https:", "header")
    client = "https://client.rum.us-east-1.amazonaws.com/3.2.1/cwr.js"
    assert allows_script_url(policy, client, SELF, parser_inserted=False)
    assert not allows_script_url(policy, "https://www.example.com/rum.js", SELF)  # hosts are ignored
    assert allows_script_url(policy, "https://www.example.com/rum.js", SELF, nonce="n0nce")


# --- the loader ---------------------------------------------------------------------------------------


def test_parse_loader_reads_rumcfns_snippet_in_both_auth_modes():
    cognito = parse_loader(render_concrete(app_monitor_id=MONITOR, region="eu-west-1", identity_pool_id=POOL,
                                           sample_rate=0.0))
    assert cognito == Loader(monitor_id=MONITOR, region="eu-west-1",
                             client_url="https://client.rum.us-east-1.amazonaws.com/3.2.1/cwr.js",
                             endpoint="https://dataplane.rum.eu-west-1.amazonaws.com", identity_pool_id=POOL,
                             signing=True, sample_rate=0.0)
    assert cognito.requests() == (f"https://dataplane.rum.eu-west-1.amazonaws.com/appmonitors/{MONITOR}",
                                  "https://cognito-identity.eu-west-1.amazonaws.com/")
    unsigned = parse_loader(render_concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True,
                                            endpoint="https://rum-proxy.example.com/"))
    assert (unsigned.signing, unsigned.identity_pool_id, unsigned.sample_rate) == (False, "", 1.0)
    assert unsigned.requests() == (f"https://rum-proxy.example.com/appmonitors/{MONITOR}",)


def test_parse_loader_reads_the_consoles_snippet_with_classic_cognito():
    console = ("(function(n,i,v,r,s,c,x,z){x=window.AwsRumClient={q:[],n:n,i:i,v:v,r:r,c:c};window[n]=function(c,p)"
               "{x.q.push({c:c,p:p});};z=document.createElement('script');z.async=true;z.src=s;"
               "document.head.insertBefore(z,document.head.getElementsByTagName('script')[0]);})(\n  'cwr',\n"
               f"  '{MONITOR}',\n  '1.0.0',\n  'us-west-2',\n  'https://client.rum.us-east-1.amazonaws.com/1.16.1/cwr.js',\n"
               "  {\n    sessionSampleRate: 1,\n    guestRoleArn: \"arn:aws:iam::123456789012:role/RUM-Monitor\",\n"
               "    identityPoolId: \"us-west-2:00000000-0000-0000-0000-000000000000\",\n"
               "    endpoint: \"https://dataplane.rum.us-west-2.amazonaws.com\",\n"
               "    telemetries: [\"performance\",\"errors\",\"http\"],\n    allowCookies: true\n  }\n);")
    loader = parse_loader(console)
    assert loader.region == "us-west-2" and loader.guest_role_arn.endswith("RUM-Monitor")
    assert loader.requests()[1:] == ("https://cognito-identity.us-west-2.amazonaws.com/",
                                     "https://sts.us-west-2.amazonaws.com/")
    assert parse_loader("console.log('not a loader')") is None


def test_directives_for_settings():
    settings = from_mapping({"monitor": {"name": "shop"}})
    assert directives_for(loader_of_settings(settings, "eu-west-1")) == {
        "script-src": ["'self'", "https://client.rum.us-east-1.amazonaws.com"],
        "connect-src": ["https://dataplane.rum.eu-west-1.amazonaws.com", "https://cognito-identity.eu-west-1.amazonaws.com"],
    }
    proxied = from_mapping({"auth": {"mode": "resource-policy"},
                            "snippet": {"endpoint": "https://rum.example.com:8443", "client_url": "https://www.example.com/cwr.js"}})
    assert directives_for(loader_of_settings(proxied, "cn-north-1"), "https://static.example.com/rum.js") == {
        "script-src": ["https://static.example.com", "https://www.example.com"],
        "connect-src": ["https://rum.example.com:8443"],
    }
    china = directives_for(loader_of_settings(from_mapping({}), "cn-north-1"))["connect-src"]
    assert china == ["https://dataplane.rum.cn-north-1.amazonaws.com.cn", "https://cognito-identity.cn-north-1.amazonaws.com"]


# --- judging a page --------------------------------------------------------------------------------------


LOADER = parse_loader(render_concrete(app_monitor_id=MONITOR, region="eu-west-1", identity_pool_id=POOL))


def test_judge_names_what_is_blocked_and_what_to_add():
    header = parse_header(["default-src 'self'; script-src 'self' https://client.rum.us-east-1.amazonaws.com"])
    verdict = judge(
        PAGE, header, LoaderTag(src="https://www.example.com/rum.js", policies_before=tuple(header)), LOADER
    )
    assert verdict.additions == {
        "default-src (header)": [
            "https://dataplane.rum.eu-west-1.amazonaws.com",
            "https://cognito-identity.eu-west-1.amazonaws.com",
        ]
    }
    assert len(verdict.blocked) == 2


def test_judge_allows_a_page_without_a_policy_or_with_the_printed_directives():
    directives = directives_for(LOADER)
    text = "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())
    policies = parse_header([f"default-src 'none'; {text}"])
    tag = LoaderTag(src="https://www.example.com/rum.js", policies_before=tuple(policies))
    assert judge(PAGE, policies, tag, LOADER).blocked == []
    assert judge(PAGE, [], LoaderTag(src="https://www.example.com/rum.js"), LOADER).blocked == []


def test_judge_an_inline_snippet_asks_for_its_hash_and_a_later_meta_policy_spares_the_loader():
    inline = "\n(function(){})();\n"
    meta = parse_policy("script-src 'self'; connect-src *", "<meta>")
    before = judge(PAGE, [meta], LoaderTag(text=inline, policies_before=(meta,)), LOADER)
    assert before.additions == {
        "script-src (<meta>)": [script_hash(inline), "https://client.rum.us-east-1.amazonaws.com"]
    }
    after = judge(PAGE, [meta], LoaderTag(text=inline, policies_before=()), LOADER)
    assert after.additions == {"script-src (<meta>)": ["https://client.rum.us-east-1.amazonaws.com"]}


def test_judge_under_strict_dynamic_asks_for_the_nonce():
    policy = parse_policy("script-src 'nonce-abc' 'strict-dynamic'; connect-src *", "header")
    verdict = judge(PAGE, [policy], LoaderTag(src="https://www.example.com/rum.js", policies_before=(policy,)), LOADER)
    assert verdict.additions == {} and "nonce" in verdict.notes[0]
    fine = judge(
        PAGE, [policy], LoaderTag(src="https://www.example.com/rum.js", nonce="abc", policies_before=(policy,)), LOADER
    )
    assert fine.blocked == []


def test_a_first_party_snippet_needs_only_self_to_connect():
    """snippet.first_party: the data plane is the page's own origin, so connect-src 'self' allows it, and a
    policy without it names 'self' as what to add (not RUM's hosts)."""
    text = render_concrete(app_monitor_id="8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3", region="eu-west-1",
                           unsigned=True, first_party="/rum")
    loader = parse_loader(text)
    assert (loader.endpoint, loader.first_party, loader.signing) == ("/rum", True, False)
    assert loader.requests(PAGE) == (
        "https://www.example.com/rum/appmonitors/8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3",)
    settings = from_mapping({"auth": {"mode": "resource-policy"}, "snippet": {"first_party": "/rum"}})
    assert directives_for(loader_of_settings(settings, "eu-west-1"))["connect-src"] == ["'self'"]
    allowed = parse_header(["script-src 'self' https://client.rum.us-east-1.amazonaws.com; connect-src 'self'"])
    assert judge(PAGE, allowed, LoaderTag(src=f"{PAGE}rum.js", policies_before=tuple(allowed)), loader).blocked == []
    closed = parse_header(["script-src 'self' https://client.rum.us-east-1.amazonaws.com; connect-src 'none'"])
    verdict = judge(PAGE, closed, LoaderTag(src=f"{PAGE}rum.js", policies_before=tuple(closed)), loader)
    assert verdict.additions == {"connect-src (header)": ["'self'"]}
