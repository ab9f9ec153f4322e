"""Run the checks in order, each a line in the report; an AWS or site failure fails that check only."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from rumcfn.aws import errors
from rumcfn.doctor import aws_checks, site_checks
from rumcfn.doctor.context import Context
from rumcfn.doctor.report import Check, Report, failed, ok, skipped
from rumcfn.doctor.target import Target, from_settings, from_stack
from rumcfn.errors import RumcfnError

HEALTHY = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
#: Failures every later AWS call would repeat: the doctor stops asking AWS (a silent endpoint would otherwise cost
#: each check the whole worst case of a call).
GIVE_UP = (errors.EndpointUnreachable, errors.EndpointSilent, errors.NoCredentials, errors.ExpiredCredentials,
           errors.InvalidCredentials)
UNHEALTHY = {
    "UPDATE_ROLLBACK_COMPLETE": ("its last update failed and was rolled back (it runs the previous template)",
                                 "find the failed resource in the stack's events, fix it and deploy again"),
    "ROLLBACK_COMPLETE": ("its creation failed and was rolled back",
                          "rumcfn destroy --stack-name {name} --yes, fix the cause and deploy again"),
}


def stack_check(aws, name: str) -> tuple[Check, Target | None]:
    """1. The stack exists and is settled and healthy; what it deployed becomes the target."""
    from rumcfn.aws.stacks import StackBusy, StackNotFound, read_stack

    try:
        deployed = read_stack(aws, name)
    except StackNotFound as error:
        return failed(
            "stack", str(error), f"deploy it (rumcfn deploy --stack-name {name}), or check --region / --profile"
        ), None
    except StackBusy as error:
        return failed("stack", f"stack {error.name} is {error.status}",
                      "wait until it settles, then run rumcfn doctor again"), None
    status = deployed.description["StackStatus"]
    target = from_stack(aws, deployed)
    notes = "; ".join(target.notes)
    if status in HEALTHY:
        return ok("stack", f"{name} is {status}" + (f" ({notes})" if notes else "")), target
    detail, fix = UNHEALTHY.get(status, (f"it ended in {status}", "find the failed resource in the stack's events"))
    return failed("stack", f"{name} is {status}: {detail}", fix.format(name=name)), target


def aws_unavailable(aws) -> str:
    """Why AWS checks cannot run in settings mode ("" when they can): no credentials means site-side only."""
    if aws.clients:
        return ""
    if aws.session().get_credentials() is None:
        return "no AWS credentials: site-side checks only"
    return ""


def checks(browser: bool, flags: tuple[str, ...], now: datetime | None) -> list[tuple[str, Callable[[Context], Check]]]:
    order: list[tuple[str, Callable[[Context], Check]]] = [
        ("monitor", aws_checks.monitor),
        ("credentials", aws_checks.credentials),
        ("policy", aws_checks.resource_policy),
        ("page", site_checks.page),
        ("rum.js", site_checks.rum_js),
        ("csp", site_checks.csp),
        ("domain", site_checks.domain),
        ("first-party", site_checks.first_party),
        ("data", lambda ctx: aws_checks.data(ctx, now)),
        ("canary", aws_checks.canary),
        ("alarms", aws_checks.alarms),
    ]
    if browser:
        order.append(("browser", lambda ctx: browser_check(ctx, flags)))
    return order


def browser_check(ctx: Context, flags: tuple[str, ...]) -> Check:
    """8. The page, in headless Chromium, makes the client send a batch (answered locally, never recorded)."""
    import os
    import shutil

    from rumcfn.doctor.browser import send_one_batch
    from rumcfn.doctor.cdp import CHROMIUM

    loader = ctx.loader
    if not ctx.url or loader is None:
        return skipped("browser", "no page or no snippet to try")
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        return failed(
            "browser",
            f"Chromium not found at {CHROMIUM}",
            "apt-get install chromium (Debian's package), or set RUMCFN_CHROMIUM to its path",
        )
    endpoint = loader.endpoint_at(ctx.page.url if ctx.page is not None and not ctx.page.error else ctx.url)
    outcome = send_one_batch(ctx.url, endpoint, timeout=ctx.timeout, flags=flags)
    if outcome.batches:
        sent = next(r for r in outcome.requests if r.startswith("POST"))
        return ok("browser", f"the client sent {sent}; answered locally, nothing recorded")
    seen = [cause for cause, _ in aws_checks.causes(ctx)] + outcome.problems[:3]
    return failed(
        "browser",
        f"the client sent no batch to {endpoint} from {ctx.url}" + ("; " + "; ".join(seen) if seen else ""),
        next((fix for _, fix in aws_checks.causes(ctx)), "open the page with the browser's console open"),
    )


def run(
    aws,
    *,
    stack_name: str | None = None,
    settings=None,
    app_monitor_id: str | None = None,
    url: str | None = None,
    browser: bool = False,
    timeout: float = 10.0,
    browser_flags: tuple[str, ...] = (),
    now: datetime | None = None,
) -> Report:
    """Every check, in the issue's order: stack and monitor, page, rum.js, CSP, domain, data, canary and alarms,
    and with ``browser`` the real client in Chromium."""
    report = Report()
    if stack_name:
        first, target = stack_check(aws, stack_name)
        no_aws = "" if target is not None else "the stack could not be read"
        target = target or Target(region=aws.region_name, stack_name=stack_name)
    else:
        target = from_settings(settings, app_monitor_id, aws.region_name)
        first = skipped("stack", "no --stack-name: checking against the settings")
        no_aws = aws_unavailable(aws)
    report.checks.append(first)
    ctx = Context(target, aws, url or target.site_url, timeout, no_aws)
    ctx.checks["stack"] = first
    for name, check in checks(browser, browser_flags, now):
        try:
            result = check(ctx)
        except RumcfnError as error:
            result = failed(name, str(error))
            if isinstance(error, GIVE_UP):  # every later AWS call would fail the same way, slowly
                ctx.no_aws = f"AWS is out of reach (see {name})"
        except Exception as error:  # noqa: BLE001 - a page or an answer nobody foresaw: still one line
            result = failed(name, f"the check stopped on what it read ({type(error).__name__}: {error})",
                            "run it again with the page or answer that caused it and report it")
        ctx.checks[name] = result
        report.checks.append(result)
    return report
