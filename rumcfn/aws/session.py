"""Where and as whom to call AWS: the session and its clients, with rumcfn's retry and timeout settings.

boto3 is imported here, inside functions only: ``rumcfn synth`` never loads it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from rumcfn.aws.errors import NoRegion, translated
from rumcfn.version import __version__

#: botocore's "standard" retry mode backs off on throttling and transient errors before we give up.
MAX_ATTEMPTS = 8


@dataclass
class Aws:
    """Where and as whom to call AWS. ``clients`` may be pre-filled (tests pass stubbed clients)."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None  # None: botocore's own AWS_ENDPOINT_URL / config handling
    clients: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None  # connect and read timeout per attempt (None: botocore's 60 s)
    max_attempts: int = MAX_ATTEMPTS
    _session: Any = None

    def session(self) -> Any:
        if self._session is None:
            import boto3

            # AWS_REGION, like the AWS CLI v2 and the other SDKs (botocore itself reads only AWS_DEFAULT_REGION)
            region = self.region or os.environ.get("AWS_REGION") or None
            with translated():
                self._session = boto3.session.Session(profile_name=self.profile, region_name=region)
        return self._session

    @property
    def region_name(self) -> str:
        if self.region:
            return self.region
        for client in self.clients.values():
            return client.meta.region_name
        region = self.session().region_name
        if not region:
            raise NoRegion()
        return region

    def client(self, service: str) -> Any:
        if service not in self.clients:
            from botocore.config import Config

            timeouts = {"connect_timeout": self.timeout, "read_timeout": self.timeout} if self.timeout else {}
            config = Config(retries={"mode": "standard", "total_max_attempts": self.max_attempts},
                            user_agent_extra=f"rumcfn/{__version__}", **timeouts)
            region = self.region_name
            with translated():
                self.clients[service] = self.session().client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=config)
        return self.clients[service]
