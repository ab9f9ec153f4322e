"""A deployed rumcfn stack for botocore's Stubber: CloudFormation's answers for a stack built from settings.

moto cannot create rumcfn's stack (it skips AWS::RUM::AppMonitor and cannot run the custom resource), so
``describe_stacks``, ``get_template`` and ``list_stack_resources`` are stubbed with responses shaped like
CloudFormation's, from the template rumcfn synthesizes.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from botocore.stub import Stubber

from rumcfn.config import Settings
from rumcfn.contract import Outputs
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_json
from tests.support.aws import boto_client

REGION = "eu-west-1"
ACCOUNT = "123456789012"
STACK = "site-rum"
MONITOR_ID = "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90"


def stack_id(region: str = REGION, partition: str = "aws") -> str:
    return f"arn:{partition}:cloudformation:{region}:{ACCOUNT}:stack/{STACK}/0d3b4a50-c9e0-11ef-9c2a-0affd1e2f3a5"


def pool_id(region: str = REGION) -> str:
    return f"{region}:7c1e9a52-3d4f-4b6a-8e2d-5f0a9b8c7d61"


STACK_ID = stack_id()
POOL_ID = pool_id()
NOW = datetime(2026, 11, 23, tzinfo=timezone.utc)


def outputs_of(template: dict, values: dict[str, str]) -> list[dict]:
    return [
        {"OutputKey": key, "OutputValue": values.get(key, f"value-of-{key}")} for key in template.get("Outputs", {})
    ]


class Deployed:
    """A stubbed CloudFormation client answering for one stack built from ``settings``, deployed in ``region`` of
    ``partition`` (its stack ARN says so)."""

    def __init__(
        self,
        settings: Settings,
        *,
        status: str = "UPDATE_COMPLETE",
        parameters: dict | None = None,
        yaml: bool = False,
        outputs: dict | None = None,
        physical: dict | None = None,
        region: str = REGION,
        partition: str = "aws",
    ):
        self.template = json.loads(to_json(build_template(settings)))
        self.client = boto_client("cloudformation", region=region)
        self.stubber = Stubber(self.client)
        values = {Outputs.APP_MONITOR_ID: MONITOR_ID, Outputs.IDENTITY_POOL_ID: pool_id(region),
                  Outputs.APP_MONITOR_NAME: "example-site"}
        values.update(outputs or {})
        stack = {
            "StackName": STACK,
            "StackId": stack_id(region, partition),
            "StackStatus": status,
            "CreationTime": NOW,
            "Outputs": [o for o in outputs_of(self.template, values) if o["OutputValue"] is not None],
        }
        if parameters:
            stack["Parameters"] = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
        self.stubber.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": STACK})
        if status.endswith("_IN_PROGRESS"):
            return
        body = to_yaml_text(self.template) if yaml else json.dumps(self.template)
        self.stubber.add_response(
            "get_template", {"TemplateBody": body}, {"StackName": STACK, "TemplateStage": "Original"}
        )
        ids = {"IdentityPool": pool_id(region), "AppMonitor": "example-site"}
        ids.update(physical or {})
        summaries = [
            {
                "LogicalResourceId": name,
                "PhysicalResourceId": ids.get(name, f"{STACK}-{name}-XYZ"),
                "ResourceType": r["Type"],
                "LastUpdatedTimestamp": NOW,
                "ResourceStatus": "CREATE_COMPLETE",
            }
            for name, r in self.template["Resources"].items()
        ]
        self.stubber.add_response("list_stack_resources", {"StackResourceSummaries": summaries}, {"StackName": STACK})


def to_yaml_text(template: dict) -> str:
    import cfn_flip

    return cfn_flip.to_yaml(json.dumps(template))
