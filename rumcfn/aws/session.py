"""Where and as whom to call AWS: the session and its clients, with rumcfn's timeouts, retries and checks.

No call waits long on an endpoint that is down or slow: every client, the ones botocore makes for itself to
get credentials (STS, SSO) included, connects within :data:`CONNECT_TIMEOUT`, gives up on an answer that has
not fully arrived after :data:`READ_TIMEOUT` (the whole answer, not each read: :mod:`rumcfn.aws.deadline`),
and makes at most :data:`MAX_ATTEMPTS` attempts, with botocore's "standard" backoff between them (throttling
and transient errors). So one call ends within :data:`MAX_ATTEMPTS` times its timeout plus the backoffs
between attempts (tests/support/aws.py checks the sum against the limits). Every answer is checked and every
listing capped (:mod:`rumcfn.aws.answers`). All of these are fields of :class:`Aws`, so tests make them small.

boto3 is imported here, inside functions only: ``rumcfn synth`` never loads it.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field, replace
from typing import Any, Callable
from urllib.parse import urlsplit

from rumcfn.aws.errors import NoRegion, translated
from rumcfn.aws.poller import Poller
from rumcfn.errors import SettingsError
from rumcfn.version import __version__

#: Attempts per call: botocore's (and every AWS SDK's) default for the "standard" retry mode
#: (``botocore.retries.standard.DEFAULT_MAX_ATTEMPTS``).
MAX_ATTEMPTS = 3
#: Seconds to open a connection, and for the whole answer to arrive once the request is sent. AWS's
#: control-plane APIs answer in well under a second; botocore's own defaults (60 s each, per read) would keep
#: a command on a dead or trickling endpoint for minutes, or forever.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 6
#: Pages one listing may take. 100 pages hold 10,000 stack instances (ListStackInstances returns at most 100 a
#: page, botocore's model), 100,000 keys under one release's prefix (ListObjectsV2, up to 1,000 a page) and far
#: more than one GetMetricData call of rumcfn's returns (one datapoint a query, 100,800 a page); a stack's
#: resources, events since a deploy began and a change set's changes are a few pages at most. An endpoint that
#: hands out a new page token forever stops here.
MAX_PAGES = 100

ENDPOINT_RULE = ("must be an http(s) URL with a host, such as http://127.0.0.1:5000 or "
                 "https://cloudformation.us-east-1.amazonaws.com")


def client_config(timeout: float | None = None, attempts: int = MAX_ATTEMPTS, mode: str = "standard",
                  pool: int | None = None) -> Any:
    """Timeouts (``timeout`` for both, else :data:`CONNECT_TIMEOUT`/:data:`READ_TIMEOUT`) and bounded retries in
    botocore's retry ``mode``: "standard", or "adaptive" (standard plus a client-side rate limiter that slows the
    client's calls down after throttling answers, for many threads sharing one client); ``pool``: connections kept
    per client (botocore's default is 10)."""
    from botocore.config import Config

    return Config(connect_timeout=timeout or CONNECT_TIMEOUT, read_timeout=timeout or READ_TIMEOUT,
                  retries={"mode": mode, "total_max_attempts": attempts},
                  user_agent_extra=f"rumcfn/{__version__}", **({"max_pool_connections": pool} if pool else {}))


@functools.lru_cache(maxsize=None)
def shared_loader(data_path: str | None) -> Any:
    """One botocore data loader per data path for every session of the process: each service model and endpoint
    ruleset is read from disk once (the doctor's second region and tests' many sessions reuse them)."""
    from botocore.loaders import create_loader

    return create_loader(data_path)


def check_endpoint_url(url: str, setting: str) -> None:
    """Refuse an endpoint botocore would reject (``botocore.utils.is_valid_endpoint_url``, the check it makes
    when it creates a client, with a traceback) or could not connect to: another scheme, a port out of range."""
    from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise SettingsError(setting, ENDPOINT_RULE, url) from None
    if parts.scheme not in ("http", "https") or not (is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url)):
        raise SettingsError(setting, ENDPOINT_RULE, url)


@dataclass
class Aws:
    """Where and as whom to call AWS, and how long to wait. ``clients`` may be pre-filled (tests pass stubbed
    or moto clients); :meth:`client` hands out each one checked (:class:`rumcfn.aws.answers.CheckedClient`).

    An ``endpoint_url`` (or ``AWS_ENDPOINT_URL``) botocore cannot use fails here, before any call."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None  # None: botocore's own AWS_ENDPOINT_URL / config handling
    clients: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None  # connect, and whole answer, per attempt (None: CONNECT_TIMEOUT, READ_TIMEOUT)
    max_attempts: int = MAX_ATTEMPTS
    max_pages: int = MAX_PAGES
    #: Makes the ``Poller`` of each wait for CloudFormation (None: ``rumcfn.aws.poller.Poller``; tests pass one
    #: whose clock never sleeps).
    pollers: Callable[[], Poller] | None = None
    retry_mode: str = "standard"  # botocore's retry mode; "adaptive" for a fleet's threads (client_config)
    max_pool_connections: int | None = None
    _session: Any = None
    _checked: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.endpoint_url is not None:
            check_endpoint_url(self.endpoint_url, "--endpoint-url")
        elif os.environ.get("AWS_ENDPOINT_URL"):
            check_endpoint_url(os.environ["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL")

    def session(self) -> Any:
        if self._session is None:
            import boto3
            import botocore.session

            from rumcfn.aws.deadline import add_to_client_classes

            # AWS_REGION, like the AWS CLI v2 and the other SDKs (botocore itself reads only AWS_DEFAULT_REGION)
            region = self.region or os.environ.get("AWS_REGION") or None
            core = botocore.session.get_session()
            core.register_component("data_loader", shared_loader(core.get_config_variable("data_path")))
            core.set_default_client_config(client_config(self.timeout, self.max_attempts, self.retry_mode,
                                                         self.max_pool_connections))  # credential clients too
            core.register("creating-client-class", add_to_client_classes)
            with translated():
                self._session = boto3.session.Session(botocore_session=core, profile_name=self.profile,
                                                      region_name=region)
        return self._session

    @property
    def region_name(self) -> str:
        """``region``, else AWS_REGION / AWS_DEFAULT_REGION / the profile's, else a pre-filled client's."""
        if self.region:
            return self.region
        region = self.session().region_name or next((c.meta.region_name for c in self.clients.values()), None)
        if not region:
            raise NoRegion()
        return region

    def in_region(self, region: str) -> Aws:
        """The same identity, endpoint and limits in another region (clients of its own)."""
        return replace(self, region=region, clients={}, _session=None, _checked={})

    def poller(self) -> Poller:
        return (self.pollers or Poller)()

    def client(self, service: str) -> Any:
        """The service's client, checked: answers as AWS documents them or one line, listings capped."""
        if service not in self._checked:
            from rumcfn.aws.answers import CheckedClient
            from rumcfn.aws.deadline import bound_answers

            client = self._raw_client(service)
            bound_answers(client)
            self._checked[service] = CheckedClient(client, self.max_pages)
        return self._checked[service]

    def _raw_client(self, service: str) -> Any:
        if service not in self.clients:
            region = self.region_name
            with translated():
                try:
                    self.clients[service] = self.session().client(service, region_name=region,
                                                                  endpoint_url=self.endpoint_url)
                except ValueError as error:  # an endpoint from the AWS config file or AWS_ENDPOINT_URL_<SERVICE>
                    if "endpoint" not in str(error).lower():
                        raise
                    raise SettingsError(f"the {service} endpoint URL", ENDPOINT_RULE, str(error).split(": ", 1)[-1]) \
                        from None
        return self.clients[service]
