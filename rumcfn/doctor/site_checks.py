"""The site-side checks: the page loads the snippet, rum.js is current, its CSP allows RUM, its host is monitored,
and a first-party path (``snippet.first_party``) reaches RUM's data plane."""

from __future__ import annotations

from urllib.parse import urlsplit

from rumcfn.client.snippet import script_tag
from rumcfn.doctor.context import Context
from rumcfn.doctor.fetch import fetch
from rumcfn.doctor.report import Check, failed, ok, skipped
from rumcfn.doctor.site import PARSE_LIMIT, absolute, is_loader, parse_html


def page(ctx: Context) -> Check:
    """2. The page answers 2xx and loads the snippet in ``<head>``."""
    if not ctx.url:
        return skipped("page", "no page to check: pass --url")
    ctx.page = fetched = fetch(ctx.url, ctx.timeout)
    if not fetched.ok:
        return failed("page", f"{ctx.url} {fetched.describe()}",
                      "make the page load in a browser; check the URL (--url), DNS and the site's origin")
    ctx.html = html = parse_html(fetched.text(PARSE_LIMIT))
    key = ctx.target.script_key
    loaders = [s for s in html.scripts if is_loader(s, absolute(fetched.url, html, s.src) if s.src else None, key)]
    tag = script_tag(key)
    if not loaders:
        looked = f" in its first {PARSE_LIMIT // 1024 // 1024} MiB" if len(fetched.body) > PARSE_LIMIT else ""
        return failed("page", f"{fetched.url} answered {fetched.status} but does not load the RUM snippet{looked}",
                      f"add {tag} to the <head> of every page (stack output ScriptTag)")
    ctx.tag = loader = next((s for s in loaders if s.in_head), loaders[0])
    ctx.tag_url = absolute(fetched.url, html, loader.src) if loader.src else None
    what = ctx.tag_url or "the inline snippet"
    if not loader.in_head:
        return failed("page", f"{fetched.url} loads {what} outside <head>",
                      "move the tag into <head>, before other scripts, so RUM sees the page load and early errors")
    return ok("page", f"{fetched.url} answered {fetched.status} and loads {what} in <head>")


def rum_js(ctx: Context) -> Check:
    """3. The loader the page runs is byte-identical to what the stack wrote."""
    if ctx.tag is None:
        return skipped("rum.js", "the page loads no snippet")
    if ctx.tag_url is None:
        return _inline(ctx)
    return _external(ctx)


def _inline(ctx: Context) -> Check:
    target = ctx.target
    ctx.served = ctx.tag.text
    if target.expected_script is None:
        return skipped("rum.js", "the page carries the snippet inline; " + unknown_reason(target))
    if ctx.tag.text.strip() == target.expected_script.strip():
        return ok("rum.js", f"the inline snippet is identical to what {target.writer}")
    return failed("rum.js", f"the inline snippet differs from what {target.writer}",
                  f"replace it with {script_tag(target.script_key)} and keep rum.js current ({restore_fix(target)})")


def _external(ctx: Context) -> Check:
    """rum.js as the site serves it, against what the stack wrote and (stack mode) the object in the bucket."""
    target, fix = ctx.target, restore_fix(ctx.target)
    served = fetch(ctx.tag_url, ctx.timeout, initiator=ctx.page.space if ctx.page is not None else None)
    stored = _stored(ctx) if target.script is not None and not ctx.no_aws else b""
    expected = (target.expected_script or "").encode("utf-8")
    uri = target.script.uri if target.script is not None else ""
    if not served.ok:
        detail = f"{ctx.tag_url} {served.describe()}"
        if stored and stored == expected:
            return failed("rum.js", detail + f", but {uri} is current: a cache or the site's origin does not serve it",
                          f"invalidate /{target.script_key} in your CDN, and check the site's origin")
        if stored is None:
            detail += f" and {uri} is missing (a sync with --delete removes it)"
        elif served.status in (403, 404):
            detail += ": rum.js is missing (a sync with --delete removes it)"
        return failed("rum.js", detail, fix)
    ctx.served = served.text()
    if target.expected_script is None:
        return skipped("rum.js", f"{ctx.tag_url} answered {served.status} ({len(served.body)} bytes); "
                       + unknown_reason(target))
    if served.body == expected:
        return ok("rum.js", f"{ctx.tag_url} is byte-identical to what {target.writer} ({len(expected)} bytes)")
    detail = f"{ctx.tag_url} differs from what {target.writer} ({len(served.body)} bytes, expected {len(expected)})"
    if stored == expected:
        return failed("rum.js", detail + f"; {uri} is current, so a cache serves an old copy",
                      f"invalidate /{target.script_key} in your CDN, or wait out its Cache-Control "
                      f"({target.script.cache_control})")
    if stored != b"":
        detail += f"; {uri} is " + ("missing" if stored is None else "stale too" if isinstance(stored, bytes)
                                    else f"unreadable ({stored})")
    return failed("rum.js", detail + ": rum.js is stale", fix)


def _stored(ctx: Context) -> bytes | str | None:
    """The object in the stack's bucket: its bytes, None when missing, or why it cannot be read."""
    from rumcfn.aws.restore import current_content
    from rumcfn.errors import RumcfnError

    try:
        return current_content(ctx.aws, ctx.target.script)
    except RumcfnError as error:
        return str(error)


def restore_fix(target) -> str:
    stack = target.stack_name or "STACK"
    return f"rumcfn restore-snippet --stack-name {stack}"


def unknown_reason(target) -> str:
    if target.stack_name:
        return "cannot compare: " + ("; ".join(target.notes) or f"stack {target.stack_name} does not say what it wrote")
    if target.auth_mode == "cognito" and not target.identity_pool_id:
        return "cannot compare: the identity pool is unknown without AWS access (or give --stack-name)"
    return "cannot compare: what the stack wrote is unknown (give --stack-name)"


def csp(ctx: Context) -> Check:
    """4. The page's Content-Security-Policy (header and <meta>) allows the loader, the client and its requests."""
    from rumcfn.client.csp import LoaderTag, judge, parse_header, parse_policy

    if ctx.page is None or not ctx.page.ok or ctx.html is None:
        return skipped("csp", "the page did not load")
    loader = ctx.loader
    if loader is None:
        return skipped("csp", "no snippet to judge the policy against")
    headers = parse_header(ctx.page.header("content-security-policy"))
    metas = [p for text in ctx.html.meta_policies if (p := parse_policy(text, "<meta>"))]
    if not headers and not metas:
        return ok("csp", "the page sets no Content-Security-Policy")
    before = len(ctx.html.meta_policies) if ctx.tag is None else ctx.tag.metas_before
    tag = LoaderTag(src=ctx.tag_url, text=ctx.tag.text if ctx.tag is not None and ctx.tag_url is None else None,
                    nonce=ctx.tag.nonce if ctx.tag is not None else None,
                    policies_before=tuple(headers) + tuple(metas[:before]))
    verdict = judge(ctx.page.url, headers + metas, tag, loader)
    count = f"{len(headers) + len(metas)} polic{'y' if len(headers) + len(metas) == 1 else 'ies'}"
    if not verdict.blocked:
        return ok(
            "csp", f"{count} ({len(headers)} header, {len(metas)} <meta>) allow the loader, the client and its requests"
        )
    fixes = [f"add to {directive}: {' '.join(sources)}" for directive, sources in verdict.additions.items()]
    blocks = "blocks" if len(headers) + len(metas) == 1 else "block"
    return failed("csp", f"{count} {blocks} " + "; ".join(verdict.blocked), "; ".join(fixes + verdict.notes))


def domain_covers(domain: str, host: str) -> bool:
    """RUM's domain rule: ``*.example.com`` also covers example.com ("Include sub domains": data from the
    domain and all its subdomains, CloudWatch user guide, "Create an app monitor"); ``example.*`` any
    top-level domain (the pattern AWS::RUM::AppMonitor's schema allows); otherwise the exact host."""
    domain, host = domain.lower().rstrip("."), host.lower().rstrip(".")
    if domain.startswith("*."):
        return host == domain[2:] or host.endswith(domain[1:])
    if domain.endswith(".*"):
        return host.startswith(domain[:-1]) and "." not in host[len(domain) - 1 :]
    return host == domain


def domain(ctx: Context) -> Check:
    """5. The page's host is one the monitor accepts."""
    url = ctx.page.url if ctx.page is not None and not ctx.page.error else ctx.url
    if not url:
        return skipped("domain", "no page to check")
    host = urlsplit(url).hostname or ""
    domains = ctx.live_domains()
    if not domains:
        return skipped("domain", "the monitor's domains are unknown")
    where = "the monitor" if ctx.monitor else ctx.target.source
    covering = next((d for d in domains if domain_covers(d, host)), None)
    if covering:
        return ok("domain", f"{host} is covered by {covering} (domains of {where})")
    return failed(
        "domain",
        f"{host} is not among the domains of {where} ({', '.join(domains)}): RUM drops its events",
        f"add {host} (or *.{host.split('.', 1)[-1]}) to monitor.domains (up to 5) and deploy, "
        "or check the page under a listed domain (--url)",
    )


#: Every AWS JSON API answers with this header (botocore's parsers read the request id from it for the
#: rest-json protocol RUM uses: botocore/parsers.py, RestJSONParser); a site's own 404 page does not.
AWS_REQUEST_ID = "x-amzn-requestid"
#: What the probe posts: a batch without any of PutRumEvents' required members (botocore's RUM model), which
#: the data plane refuses before recording anything.
PROBE = b"{}"


def first_party(ctx: Context) -> Check:
    """6. With a first-party endpoint, the path on the page's origin answers like RUM's data plane."""
    loader = ctx.loader
    if loader is None:
        return skipped("first-party", "no snippet to read the endpoint from")
    if not loader.first_party:
        return skipped("first-party", "the snippet sends to RUM's data plane directly")
    page_url = ctx.page.url if ctx.page is not None and not ctx.page.error else ctx.url
    if not page_url:
        return skipped("first-party", f"no page to resolve {loader.endpoint} against: pass --url")
    url = loader.requests(page_url)[0]
    answer = fetch(url, ctx.timeout, initiator=ctx.page.space if ctx.page is not None else None, json_body=PROBE)
    fix = (f"add a cache behavior for {loader.endpoint}/* to the site's CloudFront distribution (stack outputs "
           "FirstParty*; docs/loading-and-first-party.md), before any behavior that also matches the path")
    if answer.error:
        return failed("first-party", f"POST {url} {answer.describe()}", fix)
    request_id = answer.header(AWS_REQUEST_ID)
    if not request_id:
        kind = ", ".join(answer.header("content-type")) or "no content type"
        return failed("first-party", f"POST {url} {answer.describe()} ({kind}) without AWS's x-amzn-RequestId: "
                      "the path does not reach RUM's data plane", fix)
    error = ", ".join(answer.header("x-amzn-errortype"))
    return ok("first-party", f"POST {url} reached RUM's data plane: an empty batch {answer.describe()}"
              + (f" ({error.split(':')[0]})" if error else "") + f", request id {request_id[0]}; nothing recorded")
