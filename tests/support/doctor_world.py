"""A deployed rumcfn stack and its site, for ``rumcfn doctor``: CloudFormation, RUM and Synthetics stubbed
(moto has no RUM, no GetCanaryRuns, and cannot deploy rumcfn's stack); S3, CloudWatch and Cognito identity in
moto's server; the site on 127.0.0.1 (``StaticSite``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from botocore.stub import Stubber

from rumcfn.aws.session import Aws
from rumcfn.client.snippet import render_concrete
from rumcfn.config import from_mapping
from rumcfn.contract import Outputs
from rumcfn.doctor.runner import run
from tests.support.aws import boto_client
from tests.support.deployed import MONITOR_ID, REGION, STACK, Deployed
from tests.support.doctor_site import site_variant

SETTINGS = from_mapping({"monitor": {"name": "shop", "domains": ["127.0.0.1"]}})
ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")


def app_monitor(pool: str, **changes) -> dict:
    config = {"SessionSampleRate": 1.0, "Telemetries": ["errors", "performance", "http"], "IdentityPoolId": pool,
              "AllowCookies": True, "EnableXRay": False}
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
    ):
        self.now = now
        self.moto = {s: boto_client(s, moto_url, REGION) for s in ("s3", "cloudwatch", "cognito-identity")}
        self.pool = self.moto["cognito-identity"].create_identity_pool(
            IdentityPoolName="shop", AllowUnauthenticatedIdentities=True
        )["IdentityPoolId"]
        template = Deployed(SETTINGS).template
        alarms = {
            name: r["Properties"]["AlarmName"]["Fn::Sub"].replace("${AWS::StackName}", STACK)
            for name, r in template["Resources"].items()
            if r["Type"] in ALARM_TYPES
        }
        self.deployed = Deployed(
            SETTINGS,
            status=status,
            outputs={Outputs.IDENTITY_POOL_ID: self.pool, Outputs.APP_MONITOR_NAME: "shop",
                     Outputs.CANARY_NAME: "shop"},
            physical={"IdentityPool": self.pool, "AppMonitor": "shop", **alarms},
        )
        self.alarm_names = list(alarms.values())
        self.snippet = render_concrete(
            app_monitor_id=MONITOR_ID, region=REGION, identity_pool_id=self.pool, settings=SETTINGS
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
