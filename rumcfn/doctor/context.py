"""What the checks share: the target, the AWS access, and what earlier checks found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rumcfn.client.loader import Loader
from rumcfn.doctor.fetch import Fetched
from rumcfn.doctor.report import Check
from rumcfn.doctor.site import Html, Script
from rumcfn.doctor.target import Target


@dataclass
class Context:
    target: Target
    aws: Any  # rumcfn.aws.session.Aws
    url: str | None  # the page to check
    timeout: float
    no_aws: str = ""  # why AWS checks are skipped ("" when AWS is used)
    monitor: dict | None = None  # GetAppMonitor's AppMonitor, once read
    page: Fetched | None = None
    html: Html | None = None
    tag: Script | None = None  # the loader's <script> element
    tag_url: str | None = None  # its absolute src (external loader)
    served: str | None = None  # the loader text the page really runs (rum.js or inline)
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def loader(self) -> Loader | None:
        """The loader the page runs, else the one the stack writes."""
        from rumcfn.client.loader import parse_loader

        for text in (self.served, self.target.expected_script):
            found = parse_loader(text) if text else None
            if found:
                return found
        return None

    def live_domains(self) -> tuple[str, ...]:
        if self.monitor:
            listed = self.monitor.get("DomainList") or ([self.monitor["Domain"]] if self.monitor.get("Domain") else [])
            if listed:
                return tuple(listed)
        return self.target.domains

    def failed(self, *names: str) -> list[str]:
        return [name for name in names if name in self.checks and self.checks[name].failed]
