"""A deployed rumcfn stack and its site, for ``rumcfn doctor``: CloudFormation, RUM and Synthetics stubbed
(moto has no RUM, no GetCanaryRuns, and cannot deploy rumcfn's stack); S3, CloudWatch, Cognito identity and STS
in moto's server; the site on 127.0.0.1 (``StaticSite``).

In resource-policy mode (``settings`` with ``auth.mode = "resource-policy"``) RUM's ``GetResourcePolicy``
answers with the policy the stack wrote (its ``Fn::Sub`` resolved for the stack's Region, partition and
account), another document, or one of the errors the RUM model lists for the operation; the Stubber checks
each answer against the installed botocore model.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from botocore.stub import Stubber

from rumcfn.aws.session import Aws
from rumcfn.client.snippet import render_concrete
from rumcfn.config import from_mapping
from rumcfn.contract import Outputs
from rumcfn.doctor.runner import run
from tests.support.aws import boto_client
from tests.support.deployed import ACCOUNT, MONITOR_ID, REGION, STACK, Deployed
from tests.support.doctor_site import site_variant
from tests.support.partitions import Renderer

SETTINGS = from_mapping({"monitor": {"name": "shop", "domains": ["127.0.0.1"]}})
UNSIGNED = from_mapping({"monitor": {"name": "shop", "domains": ["127.0.0.1"]}, "auth": {"mode": "resource-policy"}})
ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")


def app_monitor(pool: str | None, **changes) -> dict:
    config = {"SessionSampleRate": 1.0, "Telemetries": ["errors", "performance", "http"], "AllowCookies": True,
              "EnableXRay": False, **({"IdentityPoolId": pool} if pool else {})}
    config.update(changes.pop("config", {}))
    monitor = {
        "Name": "shop",
        "Id": MONITOR_ID,
        "State": "ACTIVE",
        "Domain": "127.0.0.1",
        "AppMonitorConfiguration": config,
    }
    monitor.update(changes)
    return {"AppMonitor": monitor}


def stack_policy(template: dict) -> str:
    """The resource policy the stack's AppMonitor carries, as RUM holds it once CloudFormation resolved it."""
    renderer = Renderer(template, REGION, "aws")
    renderer.pseudo["AWS::AccountId"] = ACCOUNT
    return renderer.value(template["Resources"]["AppMonitor"]["Properties"]["ResourcePolicy"]["PolicyDocument"])


def add_policy_answer(stubber: Stubber, answer: dict | str, name: str = "shop") -> None:
    """``GetResourcePolicy``'s answer: a policy document (dict, sent as RUM sends it: JSON text), or an error code
    from the operation's errors in the RUM model, with the fields and HTTP status the model gives it."""
    if isinstance(answer, dict):
        stubber.add_response("get_resource_policy", {"PolicyDocument": json.dumps(answer), "PolicyRevisionId": "1"},
                             {"Name": name})
        return
    model = stubber.client.meta.service_model.operation_model("GetResourcePolicy")
    (shape,) = [e for e in model.error_shapes if e.name == answer]
    fields = {"message": f"{answer} for {name}", **({"resourceName": name} if "resourceName" in shape.members else {})}
    stubber.add_client_error("get_resource_policy", answer, fields["message"],
                             http_status_code=shape.metadata["error"]["httpStatusCode"], modeled_fields=fields,
                             expected_params={"Name": name})


def canary_runs(now: datetime, *states: str, reason: str = "Navigation timeout of 30000 ms exceeded") -> dict:
    return {
        "CanaryRuns": [
            {
                "Id": f"{n:08d}-0000-0000-0000-000000000000",
                "Name": "shop",
                "Status": {"State": state, **({"StateReason": reason} if state == "FAILED" else {})},
                "Timeline": {
                    "Started": now - timedelta(minutes=5 * n + 1),
                    "Completed": now - timedelta(minutes=5 * n),
                },
            }
            for n, state in enumerate(states)
        ]
    }


class World:
    """A deployed stack (stubbed), its app monitor (stubbed), its bucket, metrics, alarms and pool (moto), a site."""

    def __init__(
        self,
        moto_url: str,
        site,
        *,
        now: datetime,
        status: str = "UPDATE_COMPLETE",
        monitor_changes: dict | None = None,
        runs: tuple[str, ...] = ("PASSED", "FAILED"),
        rum_js: str = "current",
        site_variant_name: str = "healthy",
        routes=None,
        reason: str | None = None,
        settings=SETTINGS,
        policy: dict | str | None = None,
    ):
        """``policy`` (resource-policy mode): what ``GetResourcePolicy`` answers, a document or an error code
        (``add_policy_answer``); None: the policy the stack wrote."""
        self.now = now
        self.settings = settings
        cognito = settings.auth.mode == "cognito"
        self.moto = {s: boto_client(s, moto_url, REGION) for s in ("s3", "cloudwatch", "cognito-identity", "sts")}
        self.pool = self.moto["cognito-identity"].create_identity_pool(
            IdentityPoolName="shop", AllowUnauthenticatedIdentities=True
        )["IdentityPoolId"] if cognito else None
        template = Deployed(settings).template
        alarms = {
            name: r["Properties"]["AlarmName"]["Fn::Sub"].replace("${AWS::StackName}", STACK)
            for name, r in template["Resources"].items()
            if r["Type"] in ALARM_TYPES
        }
        self.deployed = Deployed(
            settings,
            status=status,
            outputs={Outputs.IDENTITY_POOL_ID: self.pool, Outputs.APP_MONITOR_NAME: "shop",
                     Outputs.CANARY_NAME: "shop"},
            physical={**({"IdentityPool": self.pool} if cognito else {}), "AppMonitor": "shop", **alarms},
        )
        self.policy = stack_policy(template) if not cognito else None
        self.alarm_names = list(alarms.values())
        self.snippet = render_concrete(
            app_monitor_id=MONITOR_ID, region=REGION, identity_pool_id=self.pool, unsigned=not cognito,
            settings=settings,
        )
        s3 = self.moto["s3"]
        if not s3.list_buckets()["Buckets"]:
            s3.create_bucket(Bucket="example-site-assets", CreateBucketConfiguration={"LocationConstraint": REGION})
        if rum_js == "current":
            s3.put_object(Bucket="example-site-assets", Key="rum.js", Body=self.snippet.encode())
        else:
            s3.delete_object(Bucket="example-site-assets", Key="rum.js")
        for name in self.alarm_names:
            self.moto["cloudwatch"].put_metric_alarm(
                AlarmName=name,
                MetricName="PageViewCount",
                Namespace="AWS/RUM",
                Statistic="Sum",
                Period=300,
                EvaluationPeriods=1,
                Threshold=1,
                ComparisonOperator="GreaterThanThreshold",
            )
        self.clients = {"cloudformation": self.deployed.client, **self.moto}
        self.stubbers = {}
        for service in ("rum", "synthetics"):
            self.clients[service] = boto_client(service, region=REGION)
            self.stubbers[service] = Stubber(self.clients[service])
        if not status.endswith("_IN_PROGRESS"):
            self.stubbers["rum"].add_response(
                "get_app_monitor", app_monitor(self.pool, **(monitor_changes or {})), {"Name": "shop"}
            )
            if not cognito:
                add_policy_answer(self.stubbers["rum"], json.loads(self.policy) if policy is None else policy)
            runs_answer = canary_runs(now, *runs, **({"reason": reason} if reason else {}))
            self.stubbers["synthetics"].add_response("get_canary_runs", runs_answer, {"Name": "shop", "MaxResults": 5})
        self.url = site.serve(site_variant(site_variant_name, self.snippet) if routes is None else routes(self.snippet))

    def page_views(self, views: float, sessions: float) -> None:
        data = [
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "application_name", "Value": "shop"}],
                "Value": value,
                "Timestamp": self.now - timedelta(minutes=10),
            }
            for metric, value in (("PageViewCount", views), ("SessionCount", sessions))
        ]
        self.moto["cloudwatch"].put_metric_data(Namespace="AWS/RUM", MetricData=data)

    def doctor(self, **kwargs):
        self.deployed.stubber.activate()
        for stubber in self.stubbers.values():
            stubber.activate()
        report = run(
            Aws(region=REGION, clients=self.clients), stack_name=STACK, url=self.url, timeout=5, now=self.now, **kwargs
        )
        return report, {c.name: c for c in report.checks}
