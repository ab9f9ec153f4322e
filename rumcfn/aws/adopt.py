"""``rumcfn import``: read an app monitor as AWS has it, then bring it into a new stack: an IMPORT change set with
the monitor alone, then the rest of the stack in a normal update (the settings and templates:
:mod:`rumcfn.template.adopt`)."""

from __future__ import annotations

import json
from typing import Any

from rumcfn.aws.changesets import StackRequest
from rumcfn.aws.deploy import Confirm, DeployResult, deploy
from rumcfn.aws.errors import error_code, translated
from rumcfn.aws.events import Echo, echo_line
from rumcfn.aws.poller import Poller
from rumcfn.aws.session import Aws
from rumcfn.config import Settings
from rumcfn.errors import UsageError
from rumcfn.facts import partition_of
from rumcfn.template.adopt import LiveMonitor, import_template, resources_to_import
from rumcfn.template.reader import TemplateSource, from_settings


class MonitorNotFound(UsageError):
    def __init__(self, name: str, region: str) -> None:
        super().__init__(f"there is no app monitor {name} in {region} (aws rum list-app-monitors lists them)")


def _pages(client: Any, operation: str, key: str, **args: Any) -> list[dict]:
    return [item for page in client.get_paginator(operation).paginate(**args) for item in page.get(key, [])]


def read_monitor(aws: Aws, name: str) -> LiveMonitor:
    """The monitor (GetAppMonitor), its resource policy, its metric destinations and CloudWatch definitions."""
    with translated():
        rum = aws.client("rum")
        try:
            monitor = rum.get_app_monitor(Name=name)["AppMonitor"]
        except Exception as error:
            if error_code(error) == "ResourceNotFoundException":
                raise MonitorNotFound(name, aws.region_name) from None
            raise
        try:
            policy = rum.get_resource_policy(Name=name).get("PolicyDocument")
        except Exception as error:
            if error_code(error) not in ("PolicyNotFoundException", "ResourceNotFoundException"):
                raise
            policy = None
        destinations = _pages(rum, "list_rum_metrics_destinations", "Destinations", AppMonitorName=name)
        definitions = _pages(rum, "batch_get_rum_metric_definitions", "MetricDefinitions", AppMonitorName=name,
                             Destination="CloudWatch") \
            if any(d.get("Destination") == "CloudWatch" for d in destinations) else []
        account = aws.client("sts").get_caller_identity()["Account"] if policy else ""
    region = aws.region_name
    partition = partition_of(region)
    return LiveMonitor(monitor, policy, tuple(destinations), tuple(definitions),
                       partition.name if partition else "aws", region, account)


def import_monitor(aws: Aws, settings: Settings, stack_name: str, *, confirm: Confirm | None = None,
                   echo: Echo = echo_line, poller: Poller | None = None) -> tuple[DeployResult, DeployResult]:
    """Import the monitor into a new stack (its IMPORT change set), then add the rest of the stack."""
    body = json.dumps(import_template(settings), indent=1) + "\n"
    echo(f"Importing app monitor {settings.monitor.name} into a new stack {stack_name}...")
    imported = deploy(aws, StackRequest(stack_name, TemplateSource(body, "<import>"),
                                        resources_to_import=resources_to_import(settings)),
                      confirm=confirm, echo=echo, poller=poller)
    echo(f"Adding the rest of the stack to {stack_name}...")
    completed = deploy(aws, StackRequest(stack_name, from_settings(settings)), confirm=confirm, echo=echo,
                       poller=poller)
    return imported, completed
