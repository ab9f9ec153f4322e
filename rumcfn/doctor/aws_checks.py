"""The checks that ask AWS: the app monitor, Cognito guest credentials or the monitor's resource policy, RUM's
metrics, the canary, the alarms.

Each is one or two read-only calls with botocore's timeouts and retries (``rumcfn.aws.session.Aws``).
``GetId``/``GetCredentialsForIdentity`` are the two unauthenticated calls every visitor's browser makes.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from rumcfn.aws.errors import error_code, error_message, translated
from rumcfn.doctor.context import Context
from rumcfn.doctor.policy import Request, evaluate, referer
from rumcfn.doctor.report import Check, failed, ok, skipped

NAMESPACE, DIMENSION = "AWS/RUM", "application_name"  # CloudWatch RUM metrics (facts.md)
COGNITO_FIXES = {
    "NotAuthorizedException": "let the identity pool give unauthenticated (guest) identities "
    "(AllowUnauthenticatedIdentities), as rumcfn's stack does",
    "InvalidIdentityPoolConfigurationException": "give the pool an unauthenticated role whose trust policy allows "
    "cognito-identity.amazonaws.com with aud = the pool and amr = unauthenticated",
    "ResourceNotFoundException": "the pool is gone: deploy the stack again, or fix auth.identity_pool_id",
}


def monitor(ctx: Context) -> Check:
    """1. The app monitor exists, and its domains, telemetries and sample rate are what the stack/settings say."""
    target = ctx.target
    if ctx.no_aws:
        return skipped("monitor", ctx.no_aws)
    if not target.monitor_name:
        return failed("monitor", f"{target.source} does not say which app monitor to check", "give --stack-name")
    rum = ctx.aws.client("rum")
    try:
        with translated():
            app = rum.get_app_monitor(Name=target.monitor_name)["AppMonitor"]
    except Exception as error:
        if error_code(error.__cause__ or error) == "ResourceNotFoundException":
            return failed(
                "monitor",
                f"app monitor {target.monitor_name} does not exist in {target.region}",
                "deploy the stack (rumcfn deploy), or check --region and the monitor name",
            )
        raise
    ctx.monitor = app
    config = app.get("AppMonitorConfiguration") or {}
    target.learn_pool(config.get("IdentityPoolId"))
    problems = []
    if target.monitor_id and app.get("Id") != target.monitor_id:
        problems.append(f"its id is {app.get('Id')}, not {target.monitor_id}")
    if app.get("State") == "DELETING":
        problems.append("it is being deleted")
    live = ctx.live_domains() if (app.get("DomainList") or app.get("Domain")) else ()
    if target.domains and {d.lower() for d in live} != {d.lower() for d in target.domains}:
        partial = not app.get("DomainList") and len(target.domains) > 1  # an SDK that predates DomainList
        if not (partial and live and live[0].lower() in {d.lower() for d in target.domains}):
            problems.append(f"domains are {', '.join(live) or 'none'}, not {', '.join(target.domains)}")
    if target.telemetries is not None and set(config.get("Telemetries") or ()) != set(target.telemetries):
        problems.append(
            f"telemetries are {', '.join(config.get('Telemetries') or ()) or 'none'}, "
            f"not {', '.join(target.telemetries) or 'none'}"
        )
    rate = config.get("SessionSampleRate")
    if target.sample_rate is not None and (rate is None or abs(float(rate) - target.sample_rate) > 1e-9):
        problems.append(f"sample rate is {rate}, not {target.sample_rate:g}")
    name = f"{target.monitor_name} ({app.get('Id')}, {app.get('State')})"
    if problems:
        fix = (
            "the monitor was changed outside the stack: deploy it again "
            f"(rumcfn deploy --stack-name {target.stack_name})"
            if target.stack_name
            else "deploy these settings (rumcfn deploy), or make the settings match the monitor"
        )
        return failed("monitor", f"{name}: " + "; ".join(problems), fix)
    return ok("monitor", f"{name}: domains, telemetries and sample rate match {target.source}")


def credentials(ctx: Context) -> Check:
    """Cognito mode: the identity pool hands out guest credentials (the client's GetId + GetCredentialsForIdentity)."""
    if ctx.no_aws:
        return skipped("credentials", ctx.no_aws)
    loader = ctx.loader
    if loader is not None and not loader.signing:
        return skipped("credentials", "the snippet sends unsigned requests (resource-policy mode): none to fetch")
    config = (ctx.monitor or {}).get("AppMonitorConfiguration") or {}
    pool = (loader.identity_pool_id if loader else "") or config.get("IdentityPoolId") or ctx.target.identity_pool_id
    if not pool or pool.endswith(":"):
        return skipped("credentials", "no identity pool to ask")
    cognito = _client_in(ctx.aws, "cognito-identity", pool.split(":")[0])
    try:
        identity = cognito.get_id(IdentityPoolId=pool)["IdentityId"]
        cognito.get_credentials_for_identity(IdentityId=identity)
    except Exception as error:
        code = error_code(error)
        if not code:
            with translated():
                raise
        return failed(
            "credentials",
            f"identity pool {pool} gives no guest credentials: {code}: {error_message(error)}",
            COGNITO_FIXES.get(code, "check the identity pool and its unauthenticated role"),
        )
    return ok("credentials", f"identity pool {pool} gives guest credentials")


def resource_policy(ctx: Context) -> Check:
    """Resource-policy mode: the monitor's resource-based policy lets a visitor's browser send its unsigned
    ``PutRumEvents`` (``GetResourcePolicy``, judged as IAM evaluates it: :mod:`rumcfn.doctor.policy`)."""
    if ctx.no_aws:
        return skipped("policy", ctx.no_aws)
    loader, target = ctx.loader, ctx.target
    if not ((loader is not None and not loader.signing) or target.auth_mode == "resource-policy"):
        return skipped("policy", "signed requests: no resource policy needed")
    name = target.monitor_name
    if not name:
        return skipped("policy", "the monitor name is unknown")
    try:
        with translated():
            document = ctx.aws.client("rum").get_resource_policy(Name=name).get("PolicyDocument") or ""
    except Exception as error:
        code = error_code(error.__cause__ or error)
        if code == "PolicyNotFoundException":
            return failed("policy", f"app monitor {name} has no resource policy: RUM refuses the snippet's unsigned "
                          "requests", _policy_fix(ctx, "on the monitor"))
        if code == "ResourceNotFoundException":
            return failed("policy", f"app monitor {name} does not exist in {target.region}",
                          "deploy the stack (rumcfn deploy), or check --region and the monitor name")
        if code == "AccessDeniedException":
            return skipped("policy", f"cannot read the resource policy of {name}: the caller may not call "
                           f"rum:GetResourcePolicy ({error_message(error.__cause__ or error)})")
        raise
    arn = _monitor_arn(ctx, name)
    said = f"the resource policy of {name}"
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return failed("policy", f"{said} is not a JSON object", _policy_fix(ctx, f"on {arn}"))
    verdict = evaluate(parsed, Request(arn, _request_context(ctx)))
    if verdict.allowed:
        return ok("policy", f"{said} lets browsers send unsigned rum:PutRumEvents to {arn}: {verdict.detail}")
    if verdict.allowed is None:
        return skipped("policy", f"whether {said} lets browsers send depends on what the doctor cannot see: "
                       f"{verdict.detail}")
    page = ctx.url or "the page"
    fixes = {
        "aws:referer": f"serve {page} over https from one of the monitor's domains (the Referer a browser sends "
        "must match the policy's aws:Referer values), or deploy with auth.restrict_referer off",
        "rum:alias": "send an alias the policy lists in rum:alias (snippet.config alias) and deploy",
    }
    return failed("policy", f"{said} refuses unsigned rum:PutRumEvents to {arn}: {verdict.detail}",
                  fixes.get(verdict.key.lower(), _policy_fix(ctx, f"on {arn}")))


def _policy_fix(ctx: Context, where: str) -> str:
    if ctx.target.stack_name:
        return (f"deploy the stack again (rumcfn deploy --stack-name {ctx.target.stack_name}): in resource-policy "
                "mode it writes the policy the snippet needs")
    return (f"deploy these settings (rumcfn deploy), or put a resource policy that allows rum:PutRumEvents to "
            f"Principal \"*\" {where} (aws rum put-resource-policy)")


def _monitor_arn(ctx: Context, name: str) -> str:
    """The monitor's ARN (Service Authorization Reference, CloudWatch RUM: ``AppMonitorResource``,
    ``arn:${Partition}:rum:${Region}:${Account}:appmonitor/${Name}``). Settings mode asks STS for the account: RUM
    resource policies do not support cross-account access, so the monitor is the caller's."""
    from rumcfn.facts import partition_names

    target = ctx.target
    if not target.account:
        with translated():
            target.account = ctx.aws.client("sts").get_caller_identity()["Account"]
    partition = target.partition or partition_names()[0]  # a Region botocore cannot place: its fallback, aws
    return f"arn:{partition}:rum:{target.region}:{target.account}:appmonitor/{name}"


def _request_context(ctx: Context) -> dict[str, str | None]:
    """What IAM sees of the snippet's request: ``rum:alias`` (the alias the client sends, or none) once the
    snippet is known; ``aws:Referer``, the Referer the browser sends from the page to the data plane (or to
    the first-party path that forwards it), once the page is known. Keys left out are unknown (``aws:SourceIp``:
    the visitor's)."""
    from rumcfn.facts import DATA_PLANE, url_suffix

    loader, context = ctx.loader, {}
    if loader is not None:
        context["rum:alias"] = loader.alias or None
    if ctx.url:
        region = ctx.target.region
        # A first-party endpoint is on the page's own origin, so the browser sends the page's whole URL as Referer
        # (and CloudFront forwards it: stack/first_party.py).
        endpoint = (loader.endpoint_at(ctx.url) if loader
                    else DATA_PLANE.format(region=region, suffix=url_suffix(region)))
        context["aws:referer"] = referer(ctx.url, endpoint)
    return context


def _client_in(aws, service: str, region: str):
    """A client in ``region`` (a reused identity pool may live in another region than the stack), with the same
    identity, endpoint, timeouts and checks."""
    if service in aws.clients or region == aws.region_name:
        return aws.client(service)
    return aws.in_region(region).client(service)


def _page_excluded(ctx: Context) -> str:
    from rumcfn.client.snippet import location_form, page_pattern

    config = (ctx.monitor or {}).get("AppMonitorConfiguration") or {}
    url = ctx.page.url if ctx.page is not None and not ctx.page.error else ctx.url
    if not url:
        return ""
    here = location_form(url)
    if any(re.search(page_pattern(page).source, here) for page in config.get("ExcludedPages") or ()):
        return f"{url} is in the monitor's excluded pages"
    included = config.get("IncludedPages") or ()
    if included and not any(re.search(page_pattern(page).source, here) for page in included):
        return f"{url} is not among the monitor's included pages"
    return ""


def causes(ctx: Context) -> list[tuple[str, str]]:
    """What would explain no data, as far as the doctor can see: (cause, fix)."""
    found = []
    config = (ctx.monitor or {}).get("AppMonitorConfiguration") or {}
    loader = ctx.loader
    rates = [r for r in (config.get("SessionSampleRate"), loader.sample_rate if loader else None) if r is not None]
    if any(float(r) == 0 for r in rates):
        found.append(
            (
                "the session sample rate is 0: no session is recorded",
                "set monitor.session_sample_rate above 0 and deploy",
            )
        )
    excluded = _page_excluded(ctx)
    if excluded:
        found.append((excluded, "change monitor.excluded_pages / included_pages and deploy"))
    broken = ctx.failed("monitor", "credentials", "policy", "page", "rum.js", "csp", "domain", "first-party")
    if broken:
        checks = " and ".join([", ".join(broken[:-1]), broken[-1]] if len(broken) > 1 else broken)
        found.append(
            (
                f"the {checks} check{'s' if len(broken) > 1 else ''} above failed",
                f"fix what the {checks} check{'s' if len(broken) > 1 else ''} "
                f"above say{'' if len(broken) > 1 else 's'}",
            )
        )
    return found


def data(ctx: Context, now: datetime | None = None) -> Check:
    """6. RUM counted page views and sessions for the monitor in the last hour."""
    seen = causes(ctx)
    if ctx.no_aws:
        zero = [c for c in seen if "sample rate is 0" in c[0]]
        if zero:
            return failed("data", zero[0][0], zero[0][1])
        return skipped("data", ctx.no_aws)
    name = ctx.target.monitor_name
    if not name:
        return skipped("data", "the monitor name is unknown")
    end = now or datetime.now(timezone.utc)
    queries = [
        {
            "Id": key,
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": metric,
                    "Dimensions": [{"Name": DIMENSION, "Value": name}],
                },
                "Period": 3600,
                "Stat": "Sum",
            },
        }
        for key, metric in (("views", "PageViewCount"), ("sessions", "SessionCount"))
    ]
    with translated():
        results = ctx.aws.client("cloudwatch").get_metric_data(
            MetricDataQueries=queries, StartTime=end - timedelta(hours=1), EndTime=end
        )["MetricDataResults"]
    totals = {r["Id"]: sum(r.get("Values") or ()) for r in results}
    views, sessions = totals.get("views", 0), totals.get("sessions", 0)
    if views > 0 or sessions > 0:
        return ok("data", f"{views:g} page view(s) and {sessions:g} session(s) of {name} in the last hour")
    detail = f"no page views or sessions of {name} in the last hour"
    if not seen:
        loader = ctx.loader
        how = (
            ""
            if loader is None
            else "; the snippet signs with Cognito guest credentials"
            if loader.signing
            else "; the snippet sends unsigned requests, which the monitor's resource policy must allow"
        )
        return failed(
            "data",
            detail + "; no cause visible from here" + how,
            "open the page in a browser (or run with --browser), then check again in a few minutes",
        )
    return failed("data", detail + "; likely: " + "; ".join(cause for cause, _ in seen), seen[0][1])


def canary(ctx: Context) -> Check:
    """7a. The canary's latest finished run passed."""
    name = ctx.target.canary_name
    if ctx.no_aws:
        return skipped("canary", ctx.no_aws)
    if not name:
        return skipped("canary", f"{ctx.target.source} has no canary")
    try:
        with translated():
            runs = ctx.aws.client("synthetics").get_canary_runs(Name=name, MaxResults=5)["CanaryRuns"]
    except Exception as error:
        if error_code(error.__cause__ or error) == "ResourceNotFoundException":
            return failed("canary", f"canary {name} does not exist", "deploy the stack again")
        raise
    done = sorted(
        (r for r in runs if (r.get("Status") or {}).get("State") in ("PASSED", "FAILED")),
        key=lambda r: (r.get("Timeline") or {}).get("Started") or datetime.min.replace(tzinfo=timezone.utc),
        reverse=True,
    )
    if not done:
        return failed(
            "canary",
            f"canary {name} has no finished run yet",
            f"start it: aws synthetics start-canary --name {name}, and check again after a run",
        )
    last = done[0]
    when = (last.get("Timeline") or {}).get("Completed")
    at = f" at {when:%Y-%m-%d %H:%M} UTC" if isinstance(when, datetime) else ""
    if last["Status"]["State"] == "PASSED":
        return ok("canary", f"the last run of {name} passed{at}")
    return failed(
        "canary",
        f"the last run of {name} failed{at}: {last['Status'].get('StateReason', 'no reason given')}",
        f"see its screenshots and logs: aws synthetics get-canary-runs --name {name}",
    )


def describe_alarms(cloudwatch, names: list[str]) -> list[dict]:
    """Every metric and composite alarm of ``names`` that exists: DescribeAlarms takes at most 100 names
    (``AlarmNames`` in the client's own model) and answers in pages of its own size, which boto3's paginator
    follows."""
    most = cloudwatch.meta.service_model.shape_for("AlarmNames").metadata.get("max", 100)
    paginator = cloudwatch.get_paginator("describe_alarms")
    found = []
    with translated():
        for start in range(0, len(names), most):
            chunk = names[start:start + most]
            for page in paginator.paginate(AlarmNames=chunk, AlarmTypes=["CompositeAlarm", "MetricAlarm"]):
                found += page.get("MetricAlarms", []) + page.get("CompositeAlarms", [])
    return found


def alarms(ctx: Context) -> Check:
    """7b. None of the stack's alarms is in ALARM."""
    names = ctx.target.alarm_names
    if ctx.no_aws:
        return skipped("alarms", ctx.no_aws)
    if names is None:
        return skipped("alarms", "alarm names come from the stack: give --stack-name")
    if not names:
        return skipped("alarms", f"{ctx.target.source} has no alarms")
    found = describe_alarms(ctx.aws.client("cloudwatch"), list(names))
    firing = [a for a in found if a.get("StateValue") == "ALARM"]
    missing = sorted(set(names) - {a["AlarmName"] for a in found})
    states = {}
    for alarm in found:
        states[alarm.get("StateValue")] = states.get(alarm.get("StateValue"), 0) + 1
    summary = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
    if firing:
        reasons = "; ".join(f"{a['AlarmName']}: {a.get('StateReason', '')}" for a in firing[:3])
        return failed(
            "alarms",
            f"{len(firing)} of {len(found)} alarm(s) in ALARM: {reasons}",
            "see the dashboard (stack output DashboardUrl) and rumcfn budgets check",
        )
    if missing:
        return failed("alarms", f"alarm(s) missing: {', '.join(missing)}", "deploy the stack again")
    return ok("alarms", f"{len(found)} alarm(s): {summary}")
