"""Deploy a fleet: one stack per site through change sets, a few sites at a time; or one Service Catalog
provisioned product per site; or one StackSet instance per site, each with its own parameter values.

CloudFormation does the work; this module feeds it. Each site's stack gets its template (shared by every site of
its shape, :mod:`rumcfn.template.fleet`) and its own parameter values. Sites run on at most ``max_concurrency``
threads sharing one client per Region, whose retries use botocore's ``adaptive`` mode (a client-side rate limiter
that slows every thread down when CloudFormation answers ``Throttling``). A failing site does not stop the others;
each ends in one progress line, and a summary table follows. A site whose change set is empty is left as it is.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable, Sequence

from rumcfn.aws import views as view
from rumcfn.aws.changesets import StackRequest
from rumcfn.aws.deploy import deploy
from rumcfn.aws.events import Echo, echo_line
from rumcfn.aws.poller import Poller
from rumcfn.aws.session import Aws
from rumcfn.config.fleet import DEFAULT_CONCURRENCY, Site
from rumcfn.errors import Interrupted, OperationFailed, RumcfnError, UsageError
from rumcfn.template.fleet import FleetSynth
from rumcfn.template.reader import TemplateSource

#: Attempts per call in a fleet deploy: many sites share the account's request rate, so a throttled call is
#: retried longer than one command's :data:`rumcfn.aws.session.MAX_ATTEMPTS`, with the adaptive mode's limiter
#: spacing the attempts out.
FLEET_ATTEMPTS = 10

#: What a site's deploy ended in, besides CloudFormation's own stack statuses.
NO_CHANGES, FAILED, NOT_STARTED = "NO_CHANGES", "FAILED", "NOT_STARTED"


class FleetFailed(OperationFailed):
    """Some sites failed (each named in its progress line and the summary); the others were deployed."""


@dataclass
class SiteResult:
    site: str
    target: str  # the stack, provisioned product or stack instance
    status: str
    detail: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status not in (FAILED, NOT_STARTED)


def fleet_aws(aws: Aws, max_concurrency: int) -> Aws:
    """``aws`` for many threads: adaptive retries with more attempts, a connection per thread."""
    return dataclasses.replace(aws, retry_mode="adaptive", max_attempts=max(aws.max_attempts, FLEET_ATTEMPTS),
                               max_pool_connections=max(max_concurrency, 10))


class Stop:
    """Set on Ctrl-C: every site's poller stops sleeping and raises KeyboardInterrupt inside its own deploy, which
    then ends as an interrupted deploy does (one line saying what CloudFormation carries on with)."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def poller(self, make: Callable[[], Poller]) -> Poller:
        poller = make()
        sleep = poller.sleep

        def stoppable(seconds: float) -> None:
            if self.event.is_set() or (sleep is time.sleep and self.event.wait(seconds)):
                raise KeyboardInterrupt
            if sleep is not time.sleep:
                sleep(seconds)

        poller.sleep = stoppable
        return poller


def progress_line(result: SiteResult, done: int, total: int) -> str:
    detail = f": {result.detail}" if result.detail else ""
    return f"[{done}/{total}] {result.site} ({result.target}): {result.status} in {result.seconds:.0f} s{detail}"


def summary(results: Sequence[SiteResult], what: str = "stack") -> str:
    rows = [[r.site, r.target, r.status, f"{r.seconds:.0f} s", r.detail] for r in results]
    failed = sum(not r.ok for r in results)
    unchanged = sum(r.status == NO_CHANGES for r in results)
    title = (f"Fleet: {len(results)} site(s), {len(results) - failed} deployed ({unchanged} without changes), "
             f"{failed} failed")
    return view.table(["Site", what.capitalize(), "Status", "Time", "Detail"], rows, title=title)


def run_sites(sites: Sequence[Site], work: Callable[[Site, Stop], SiteResult], *, max_concurrency: int,
              echo: Echo, target: Callable[[Site], str], what: str = "stack") -> list[SiteResult]:
    """``work`` for every site on at most ``max_concurrency`` threads; one progress line per site as it ends, the
    summary at the end. Ctrl-C stops the sites that have not started and interrupts the running ones."""
    if max_concurrency < 1:
        raise UsageError(f"--max-concurrency must be at least 1, not {max_concurrency}")
    stop = Stop()

    def guarded(site: Site) -> SiteResult:
        if stop.event.is_set():
            return SiteResult(site.name, target(site), NOT_STARTED, "interrupted before it started")
        start = time.monotonic()
        try:
            result = work(site, stop)
        except RumcfnError as error:
            result = SiteResult(site.name, target(site), FAILED, str(error))
        except Exception as error:  # one site's surprise must not end the others
            result = SiteResult(site.name, target(site), FAILED, f"{type(error).__name__}: {error}")
        result.seconds = time.monotonic() - start
        return result

    results: dict[str, SiteResult] = {}
    pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="rumcfn-site")
    try:
        futures = [pool.submit(guarded, site) for site in sites]
        for done, future in enumerate(as_completed(futures), 1):
            result = future.result()
            results[result.site] = result
            echo(progress_line(result, done, len(sites)))
    except KeyboardInterrupt:
        stop.event.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise Interrupted(f"interrupted after {len(results)} of {len(sites)} site(s); sites not started were left as "
                          "they are, and CloudFormation carries on with those that had started") from None
    finally:
        pool.shutdown(wait=True)
    ordered = [results[site.name] for site in sites]
    echo(summary(ordered, what))
    return ordered


def deploy_stacks(aws: Aws, plan: FleetSynth, *, max_concurrency: int = DEFAULT_CONCURRENCY,
                  tags: dict[str, str] | None = None, role_arn: str | None = None, s3_bucket: str | None = None,
                  echo: Echo = echo_line, pollers: Callable[[], Poller] | None = None) -> list[SiteResult]:
    """One stack per site (``stack_name``), each through a change set; raise :class:`FleetFailed` when any site
    failed, after every other site has been deployed. Each site waits with a poller from ``pollers``, else from
    ``aws`` (:meth:`Aws.poller`), as a single stack's deploy does."""
    refuse_accounts(plan.fleet.sites, "a stack deploy uses the credentials' account; accounts go with --stack-set")
    aws = fleet_aws(aws, max_concurrency)
    regional = {region: (aws if not region else dataclasses.replace(aws, region=region, clients={}, _session=None))
                for region in {site.region for site in plan.fleet.sites}}
    for each in regional.values():
        each.client("cloudformation")  # made once, before the threads share it (sessions are not thread-safe)
    sources = {t.path: TemplateSource(t.text, t.path) for t in plan.templates}
    urls = {}
    if s3_bucket:
        from rumcfn.aws.stacks import upload_template

        for t in plan.templates:  # each distinct template once, not once per site
            urls[t.path] = upload_template(aws, s3_bucket, "rumcfn/fleet", t.text)

    def work(site: Site, stop: Stop) -> SiteResult:
        template = plan.site_template[site.name]
        request = StackRequest(site.stack_name, sources[template.path], dict(plan.values[site.name]), dict(tags or {}),
                               role_arn, s3_bucket, template_url=urls.get(template.path))
        failures: list[str] = []  # what deploy says on stderr: the failed resources and their reasons

        def quiet(message: str = "", err: bool = False) -> None:
            if err:
                failures.append(message.strip())

        try:
            result = deploy(regional[site.region], request, echo=quiet, poller=stop.poller(pollers or aws.poller))
        except RumcfnError as error:
            reasons = [line for line in failures if line and not line.startswith(("Failed resources", "Final stack"))]
            return SiteResult(site.name, site.stack_name, FAILED, f"{error}" + (f" ({reasons[0]})" if reasons else ""))
        return SiteResult(site.name, site.stack_name, result.status)

    results = run_sites(plan.fleet.sites, work, max_concurrency=max_concurrency, echo=echo,
                        target=lambda site: site.stack_name)
    raise_if_failed(results)
    return results


def refuse_accounts(sites: Sequence[Site], why: str) -> None:
    named = [site.name for site in sites if site.account]
    if named:
        raise UsageError(f"site {named[0]} names an account ({len(named)} site(s) do): {why}")


def raise_if_failed(results: Sequence[SiteResult]) -> None:
    failed = [r for r in results if not r.ok]
    if failed:
        raise FleetFailed(f"{len(failed)} of {len(results)} site(s) failed: "
                          + ", ".join(r.site for r in failed[:10]) + (" ..." if len(failed) > 10 else ""))
