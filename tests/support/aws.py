"""AWS test doubles: fake credentials, clients, Stubber clients, small templates moto can deploy,
responses shaped like CloudFormation's, data put into moto, and a clock that never sleeps.
(The moto server itself is a fixture: ``moto_server``/``moto_url``/``aws_env`` in ``fixtures.py``.)
"""

from __future__ import annotations

import functools
import json
import os
from datetime import datetime, timedelta, timezone
from typing import Any

from rumcfn.aws.poller import Poller
from rumcfn.aws.session import Aws

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account


FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def fake_credentials(monkeypatch: Any, tmp_path: Any) -> None:
    """No AWS_* variable of the machine leaks in; fake keys and region; no config or credentials file."""
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key, raising=False)
    for key, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


def no_credentials(monkeypatch: Any, tmp_path: Any) -> None:
    """No AWS credentials anywhere: no AWS_* variable, no config or credentials file, no instance metadata."""
    fake_credentials(monkeypatch, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")


@functools.lru_cache(maxsize=None)
def _session(region: str) -> Any:
    """One session per region: its clients share the service models it loaded once."""
    import boto3

    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)


def boto_client(service: str, endpoint_url: str | None = None, region: str = REGION) -> Any:
    return _session(region).client(service, endpoint_url=endpoint_url)


def stubbed(*services: str) -> tuple[Aws, dict[str, Any]]:
    """An ``Aws`` whose clients are botocore Stubbers (one per service), and the stubbers by service."""
    from botocore.stub import Stubber

    clients = {s: boto_client(s) for s in services}
    stubbers = {s: Stubber(c) for s, c in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    return Aws(region=REGION, clients=clients), stubbers


class FakeClock:
    """``Poller`` clock and sleep: sleeping only moves the clock forward."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def poller(self, **kwargs: Any) -> Poller:
        return Poller(sleep=self.sleep, clock=self.clock, **kwargs)


def instant_poller() -> Poller:
    return FakeClock().poller()


def stand_in_poller() -> Poller:
    """Real sleeps, short: for a stand-in whose stacks and change sets settle in milliseconds of real time
    (tests/support/cloudformation.py), where a clock that never sleeps would poll until they do."""
    return Poller(first=0.02, most=0.05)


# Templates moto can deploy (it skips RUM, Cognito, Synthetics and alarms, so rumcfn's own template can't settle).
def small_template(*resources: str, outputs: bool = True) -> str:
    kinds = {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        "Bucket": {"Type": "AWS::S3::Bucket"},
    }
    body: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Env": {"Type": "String", "Default": "test"}},
        "Resources": {name: kinds[name] for name in resources},
    }
    if outputs:
        body["Outputs"] = {f"{name}Name": {"Value": {"Ref": name}} for name in resources}
    return json.dumps(body, indent=1)


# Responses shaped like CloudFormation's, for Stubber.
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/site/0f1e2d3c-aaaa-bbbb-cccc-000000000001"
CHANGE_SET_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/rumcfn-1/0f1e2d3c-aaaa-bbbb-cccc-000000000002"
T0 = datetime(2026, 11, 23, 20, 14, 2, tzinfo=timezone.utc)


def event(n: int, logical: str, kind: str, status: str, reason: str = "", stack_id: str = STACK_ID,
          seconds: int | None = None) -> dict:
    item = {
        "StackId": stack_id,
        "EventId": f"event-{n}",
        "StackName": stack_id.split("/")[1],
        "LogicalResourceId": logical,
        "PhysicalResourceId": stack_id if kind == "AWS::CloudFormation::Stack" else f"{logical}-phys",
        "ResourceType": kind,
        "Timestamp": T0 + timedelta(seconds=n if seconds is None else seconds),
        "ResourceStatus": status,
    }
    if reason:
        item["ResourceStatusReason"] = reason
    return item


def stack(
    status: str,
    outputs: list[dict] | None = None,
    parameters: list[dict] | None = None,
    protection: bool = False,
    stack_id: str = STACK_ID,
) -> dict:
    item = {
        "StackId": stack_id,
        "StackName": stack_id.split("/")[1],
        "CreationTime": T0,
        "StackStatus": status,
        "EnableTerminationProtection": protection,
    }
    if outputs is not None:
        item["Outputs"] = outputs
    if parameters is not None:
        item["Parameters"] = parameters
    return {"Stacks": [item]}


def not_found(stubber: Any, method: str = "describe_stacks", name: str = "site") -> None:
    stubber.add_client_error(
        method,
        service_error_code="ValidationError",
        service_message=f"Stack with id {name} does not exist",
        http_status_code=400,
    )


class DescribeAlarmsPages:
    """CloudWatch's DescribeAlarms for one client, answered from ``alarms`` ({"AlarmName", "StateValue",
    "Type"}), holding the caller to the limits of botocore's cloudwatch model (``AlarmNames`` at most 100 names,
    ``MaxRecords`` 1-100; botocore itself checks no maximum) and answering as AWS may: in pages of at most
    ``page`` alarms (AWS documents no default page size), fewer than asked, with a ``NextToken`` that only the
    same query may present. Without ``AlarmTypes`` only metric alarms come back (DescribeAlarms reference).
    ``calls`` records each request's parameters."""

    def __init__(self, client: Any, alarms: list[dict], page: int = 7):
        self.alarms, self.page, self.calls = alarms, page, []
        self._tokens: dict[str, tuple[Any, int]] = {}
        model = client.meta.service_model
        self.most_names = model.shape_for("AlarmNames").metadata["max"]
        self.records = (model.shape_for("MaxRecords").metadata["min"], model.shape_for("MaxRecords").metadata["max"])
        client.meta.events.register("before-parameter-build.cloudwatch.DescribeAlarms", self._request)
        client.meta.events.register_first("before-call.cloudwatch.DescribeAlarms", self._answer)

    def _request(self, params: dict, **kwargs: Any) -> None:
        self.calls.append(dict(params))

    def _fail(self, message: str) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "ValidationError", "Message": message}}, "DescribeAlarms")

    def _answer(self, **kwargs: Any) -> tuple:
        from botocore.awsrequest import AWSResponse

        params = self.calls[-1]
        names = params.get("AlarmNames")
        if names is not None and len(names) > self.most_names:
            self._fail(f"1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: "
                       f"Member must have length less than or equal to {self.most_names}")
        asked = params.get("MaxRecords", self.records[1])
        if not self.records[0] <= asked <= self.records[1]:
            self._fail(f"MaxRecords must be {self.records[0]}-{self.records[1]}")
        query = json.dumps({k: v for k, v in params.items() if k not in ("NextToken", "MaxRecords")}, sort_keys=True)
        start = 0
        if "NextToken" in params:
            if self._tokens.get(params["NextToken"], (None,))[0] != query:
                self._fail("The token is not valid for this request")
            start = self._tokens[params["NextToken"]][1]
        types = params.get("AlarmTypes") or ["MetricAlarm"]
        matching = [a for a in self.alarms if a["Type"] in types and (names is None or a["AlarmName"] in names)]
        chunk = matching[start:start + min(asked, self.page)]
        answer: dict[str, Any] = {"MetricAlarms": [], "CompositeAlarms": [],
                                  "ResponseMetadata": {"HTTPStatusCode": 200}}
        for alarm in chunk:
            answer[f"{alarm['Type']}s"].append({k: v for k, v in alarm.items() if k != "Type"})
        if start + len(chunk) < len(matching):
            token = f"token-{len(self._tokens)}"
            self._tokens[token] = (query, start + len(chunk))
            answer["NextToken"] = token
        return AWSResponse("https://monitoring.invalid/", 200, {}, None), answer


def worst_case_seconds(per_attempt: float, answered: bool = False, attempts: int | None = None) -> float:
    """The longest one call of a rumcfn client can take when each attempt takes ``per_attempt`` seconds and every
    one fails: its attempts, and between them the standard retry mode's largest backoffs (botocore's own
    ``ExponentialBackoff`` with ``random() == 1``, its base for throttling errors, the larger one); ``answered``: each
    attempt is answered with a throttling error whose ``x-amz-retry-after`` header asks for far more than botocore
    honours (it adds at most 5 s to a backoff); ``attempts``: an ``Aws(max_attempts=...)`` of a test's (default:
    the session's)."""
    from botocore.awsrequest import AWSResponse
    from botocore.retries.standard import ExponentialBackoff, RetryContext

    from rumcfn.aws.session import MAX_ATTEMPTS

    class Throttled:
        def is_throttling_error_from_context(self, context):
            return True

    backoff = ExponentialBackoff(random=lambda: 1.0, throttling_detector=Throttled())
    answer = AWSResponse("https://x", 400, {"x-amz-retry-after": "3600000"}, None) if answered else None
    attempts = attempts or MAX_ATTEMPTS
    waits = sum(backoff.delay_amount(RetryContext(attempt_number=n, http_response=answer))
                for n in range(1, attempts))
    return attempts * per_attempt + waits
