"""Run the inlined rum.js handler as Lambda would: its source taken from a synthesized template,
CloudFormation-shaped events, a local server playing the pre-signed response URL, S3 from moto.

S3 faults moto does not produce (throttling, access denied, a bucket owned by another account, a
slow request) are injected with botocore event hooks on boto3's default session: the handler's own
client inherits them, so the handler's code path is exactly the deployed one.
"""

from __future__ import annotations

import json
import threading
import time
import types
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from rumcfn.contract import CustomResources
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_dict

ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "111122223333"
REGION = "us-east-1"
BUCKET = "site-bucket"
CONTENT = "(function(){/* rum loader v1 */})();\n"
HOLD = 60  # seconds a held call waits for its event at most: a test that breaks fails instead of hanging


def inline_source(settings=None) -> str:
    """The ``Code.ZipFile`` of the writer function in the template built from ``settings``."""
    resources = to_dict(build_template(settings))["Resources"]
    (source,) = [
        r["Properties"]["Code"]["ZipFile"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function"
        and "ZipFile" in r["Properties"].get("Code", {})
        and r["Properties"]["Handler"] == "index.handler"
        and "rum.js" in r["Properties"].get("Description", "")
    ]
    return source


def load_index(source: str) -> types.ModuleType:
    """Load ``source`` as module ``index``, as Lambda does with index.py."""
    module = types.ModuleType("index")
    module.__file__ = "index.py"
    exec(compile(source, "index.py", "exec"), module.__dict__)
    return module


@dataclass
class Answers:
    """What the fake response URL received: parsed bodies, raw sizes and the failures it faked."""

    bodies: list[dict] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # time.monotonic() of each recorded answer
    answered: threading.Event = field(default_factory=threading.Event)  # set once an answer is recorded
    fail_next: int = 0
    refused: int = 0
    #: Answer PUTs with a status line that never ends, one byte every ``trickle`` seconds (0: off);
    #: each such PUT is counted in ``trickled`` and not recorded as an answer.
    trickle: float = 0.0
    trickled: int = 0
    #: Request path -> (status, Location): the PUT is answered with that redirect instead of being recorded.
    redirect: dict[str, tuple[int, str]] = field(default_factory=dict)
    redirected: list[str] = field(default_factory=list)  # the path of each PUT answered with a redirect


class ResponseServer:
    """127.0.0.1 on a random port; records each PUT; ``answers.fail_next`` makes the next N fail with 500."""

    def __init__(self, tls: tuple[str, str] | None = None):
        answers = self.answers = Answers()
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                path = self.path.split("?")[0]
                if path in answers.redirect:
                    status, location = answers.redirect[path]
                    with lock:
                        answers.redirected.append(path)
                    self.send_response(status)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if answers.trickle:
                    with lock:
                        answers.trickled += 1
                    self._trickle(answers.trickle)
                    return
                with lock:
                    if answers.fail_next > 0:
                        answers.fail_next -= 1
                        answers.refused += 1
                        self.send_response(500)
                        self.end_headers()
                        return
                    answers.bodies.append(json.loads(raw))
                    answers.sizes.append(len(raw))
                    answers.headers.append(dict(self.headers))
                    answers.times.append(time.monotonic())
                    answers.answered.set()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _trickle(self, pause: float) -> None:
                """Each read the client makes gets a byte, so a per-read timeout never fires."""
                stop = time.monotonic() + 600
                try:
                    for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: y\r\n" * 10_000:
                        if not answers.trickle or time.monotonic() > stop:
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(pause)
                except OSError:
                    return  # the client gave up

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.origin = f"{scheme}://127.0.0.1:{self.server.server_port}"
        self.url = f"{self.origin}/cfn-response?X-Amz-Signature=fake"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> "ResponseServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.answers.trickle = 0.0  # let trickling connections end
        self.server.shutdown()
        self.server.server_close()


class FakeContext:
    """The part of the Lambda context the handler uses: a deadline ``seconds`` from now."""

    def __init__(self, seconds: float = 60.0):
        self.deadline = time.monotonic() + seconds
        self.aws_request_id = str(uuid.uuid4())
        self.log_stream_name = "2026/11/23/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def quick_sleeps(monkeypatch, index: types.ModuleType) -> list[float]:
    """The handler's own ``time.sleep`` calls (its answer retries' backoff, its waits for a denied delete) return
    at once and are recorded in the list returned, so a test checks the schedule instead of waiting it out.
    Everything else (its clock, threads, timers, socket timeouts, botocore) keeps real time."""
    slept: list[float] = []
    clock = types.SimpleNamespace(**{name: getattr(time, name) for name in dir(time) if not name.startswith("_")})
    clock.sleep = slept.append
    monkeypatch.setattr(index, "time", clock)
    return slept


def event(
    request_type: str,
    response_url: str,
    *,
    account: str = ACCOUNT,
    physical_id: str | None = None,
    old: dict | None = None,
    **properties: Any,
) -> dict:
    """A CloudFormation custom resource request, shaped like the real ones (all property values strings)."""
    props = {
        "ServiceToken": f"arn:aws:lambda:{REGION}:{account}:function:stack-RumScriptFunction-ABC",
        "ServiceTimeout": "300",
        "Key": "rum.js",
        "ContentType": "application/javascript; charset=utf-8",
        "CacheControl": "max-age=300",
        "UrlSuffix": "amazonaws.com",  # AWS::URLSuffix in the aws partition
    }
    props.update(properties)
    body = {
        "RequestType": request_type,
        "ServiceToken": props["ServiceToken"],
        "ResponseURL": response_url,
        "StackId": f"arn:aws:cloudformation:{REGION}:{account}:stack/site-rum/0d3b4a50-c9e0-11ef-9c2a-0affd1e2f3a5",
        "RequestId": str(uuid.uuid4()),
        "LogicalResourceId": "RumScript",
        "ResourceType": CustomResources.RUM_SCRIPT,
        "ResourceProperties": props,
    }
    if physical_id is not None:
        body["PhysicalResourceId"] = physical_id
    if old is not None:
        body["OldResourceProperties"] = old
    return body


class S3Faults:
    """Botocore hooks on boto3's default session that make moto's S3 behave like S3 does under stress.

    ``throttle[op] = n``: the next n attempts of ``op`` get 503 SlowDown. ``deny[op] = message``:
    403 AccessDenied; ``deny_next[op] = n``: only the next n attempts do. ``fail[op] = (status, code, message)``:
    that error. ``enforce_owner``: a request whose ExpectedBucketOwner is not moto's account
    gets 403 AccessDenied, as S3 does. ``delay[op] = s``: each attempt sleeps s seconds first. ``hold[op] =
    event``: each attempt first waits until ``event`` is set (a call that lands only after something else
    happened, e.g. the timer's answer, with no clock to guess). ``calls`` records (operation, params) of every
    API call, ``attempts`` every HTTP attempt.
    """

    def __init__(self, session):
        self.throttle: dict[str, int] = {}
        self.deny: dict[str, str] = {}
        self.deny_next: dict[str, int] = {}
        self.fail: dict[str, tuple[int, str, str]] = {}
        self.delay: dict[str, float] = {}
        self.hold: dict[str, threading.Event] = {}
        self.enforce_owner = True
        self.calls: list[tuple[str, dict]] = []
        self.attempts: list[str] = []
        session.events.register("provide-client-params.s3", self._record)
        session.events.register_first("before-send.s3", self._before_send)

    def _record(self, params, model, **kwargs):
        self.calls.append((model.name, dict(params)))

    def _before_send(self, request, **kwargs):
        from botocore.awsrequest import AWSResponse

        operation = kwargs["event_name"].rsplit(".", 1)[-1]
        self.attempts.append(operation)
        if self.delay.get(operation):
            time.sleep(self.delay[operation])
        if operation in self.hold:
            assert self.hold[operation].wait(HOLD), f"{operation} held for {HOLD} s: the event never came"
        owner = request.headers.get("x-amz-expected-bucket-owner")
        fault = None
        if self.throttle.get(operation, 0) > 0:
            self.throttle[operation] -= 1
            fault = (503, "SlowDown", "Please reduce your request rate.")
        elif operation in self.deny:
            fault = (403, "AccessDenied", self.deny[operation])
        elif self.deny_next.get(operation, 0) > 0:
            self.deny_next[operation] -= 1
            fault = (403, "AccessDenied", "Access Denied")
        elif operation in self.fail:
            fault = self.fail[operation]
        elif self.enforce_owner and owner is not None and _text(owner) != ACCOUNT:
            fault = (403, "AccessDenied", "Access Denied")
        if fault is None:
            return None
        # botocore calls every before-send hook and uses the first answer; moto's hook comes after
        # ours, so point the faulted attempt at a host moto does not serve: S3 never sees it.
        response = _error(AWSResponse, request, *fault)
        request.url = "https://fault.invalid/"
        return response


class Calls:
    """Botocore hooks on boto3's default session for one service moto serves: ``calls`` records (operation,
    params) of every API call; ``deny[op] = code`` fails the op's calls with that AWS error code, as the
    service would; ``delay[op] = [s, ...]`` makes its next calls sleep s seconds each first; ``hold[op] = [event,
    ...]`` makes its next calls each wait until their event is set."""

    def __init__(self, session, service: str):
        self.calls: list[tuple[str, dict]] = []
        self.deny: dict[str, str] = {}
        self.delay: dict[str, list[float]] = {}
        self.hold: dict[str, list[threading.Event]] = {}
        session.events.register(f"provide-client-params.{service}", self._record)
        session.events.register_first(f"before-call.{service}", self._fault)

    def _record(self, params, model, **kwargs):
        self.calls.append((model.name, dict(params)))

    def _fault(self, model, **kwargs):
        from botocore.exceptions import ClientError

        if self.delay.get(model.name):
            time.sleep(self.delay[model.name].pop(0))
        if self.hold.get(model.name):
            assert self.hold[model.name].pop(0).wait(HOLD), f"{model.name} held for {HOLD} s: the event never came"
        if model.name in self.deny:
            raise ClientError({"Error": {"Code": self.deny[model.name], "Message": "not authorized"}}, model.name)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


class StackStatus:
    """CloudFormation's DescribeStacks as the handler sees it, answered from ``status`` (moto cannot hold a
    stack in DELETE_IN_PROGRESS); ``deny`` makes it 403 AccessDenied. ``calls`` records the requests."""

    def __init__(self, session, status: str = "DELETE_IN_PROGRESS"):
        self.status, self.deny, self.calls = status, False, []
        session.events.register_first("before-call.cloudformation.DescribeStacks", self._answer)

    def _answer(self, params, **kwargs):
        from botocore.exceptions import ClientError

        params = {k: v for k, v in params["body"].items() if k not in ("Action", "Version")}  # the query body
        self.calls.append(params)
        if self.deny:
            raise ClientError(
                {
                    "Error": {
                        "Code": "AccessDenied",
                        "Message": "not authorized to perform: cloudformation:DescribeStacks",
                    }
                },
                "DescribeStacks",
            )
        stack = {
            "StackId": params["StackName"],
            "StackName": params["StackName"].split("/")[1],
            "StackStatus": self.status,
            "CreationTime": "2026-01-01T00:00:00Z",
        }
        from botocore.awsrequest import AWSResponse

        http = AWSResponse("https://cloudformation.invalid/", 200, {}, _Raw(b""))
        return http, {"Stacks": [stack], "ResponseMetadata": {"HTTPStatusCode": 200}}


class World:
    """moto S3 with a website bucket, fault hooks, a recording response URL."""

    def __init__(self, index, faults, server):
        import boto3

        self.index, self.faults, self.server = index, faults, server
        self.logs = Calls(boto3.DEFAULT_SESSION, "logs")  # CloudWatch Logs calls (moto's), and faults
        self.s3 = boto3.session.Session().client("s3")  # a session without the fault hooks, for checks

    def call(self, request: dict, context: object = "a fresh FakeContext") -> dict:
        """Invoke the handler; return its one answer (failing unless there is exactly one)."""
        self.faults.calls.clear()
        self.faults.attempts.clear()
        self.logs.calls.clear()
        self.index.handler(request, FakeContext() if context == "a fresh FakeContext" else context)
        bodies = self.server.answers.bodies
        assert len(bodies) == 1, f"expected exactly one answer, got {bodies}"
        # CloudFormation: "The total size of the response body can't exceed 4096 bytes"; a PhysicalResourceId
        # "can be up to 1 KB in size" (crpg-ref-responses).
        assert self.server.answers.sizes[-1] <= 4096, self.server.answers.sizes
        assert 0 < len(str(bodies[-1]["PhysicalResourceId"]).encode()) <= 1024, bodies[-1]["PhysicalResourceId"]
        answer = bodies.pop()
        self.server.answers.sizes.clear()
        return answer

    def event(self, request_type: str, **kwargs) -> dict:
        kwargs.setdefault("Bucket", BUCKET)
        kwargs.setdefault("Content", CONTENT)
        return event(request_type, self.server.url, **kwargs)

    def body(self, key: str = "rum.js", bucket: str = BUCKET) -> str:
        return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()

    def exists(self, key: str = "rum.js", bucket: str = BUCKET) -> bool:
        return key in [o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket).get("Contents", [])]

    def writes(self) -> list[str]:
        return [name for name, _ in self.faults.calls if name in ("PutObject", "DeleteObject")]


def assert_failed(answer: dict, *words: str) -> None:
    assert answer["Status"] == "FAILED", answer
    for word in words:
        assert word in answer["Reason"], (word, answer["Reason"])


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **kwargs):
        yield self.body


def _error(response_cls, request, status: int, code: str, message: str):
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
        f"<RequestId>FAKE</RequestId></Error>"
    ).encode()
    response = response_cls(request.url, status, {"Content-Type": "application/xml"}, _Raw(body))
    response._content = body
    return response


# --- CloudFormation deploying the function's custom resources, with IAM enforcing its role -------------

MONITOR_ID = "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90"


def as_strings(node: Any) -> Any:
    """Property values as CloudFormation sends them to a custom resource: every scalar a string."""
    if isinstance(node, dict):
        return {key: as_strings(value) for key, value in node.items()}
    if isinstance(node, list):
        return [as_strings(value) for value in node]
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


class CloudFormation:
    """One stack as CloudFormation deploys the custom resources ``served`` by the rum.js function, in its order:

    1. the role is updated first (the function, and so each custom resource, depends on it), while a policy
       resource that reads a custom resource's attributes (``Fn::GetAtt``) keeps its earlier value: it is
       updated only after that resource;
    2. each custom resource whose properties changed gets Create or Update (with ``OldResourceProperties``);
    3. the policy resources are rendered again with the attributes the answers gave;
    4. cleanup: for each physical id that changed, a Delete with the old id and the OLD properties, under the
       role as it is now (AWS::CloudFormation::CustomResource, "Replacing a custom resource during an update").

    ``iam.role`` holds the statements in force at each step, so every AWS call the handler makes is authorized
    as IAM would. ``answers`` records every answer; ``deploy`` stops at the first FAILED one (no rollback)."""

    def __init__(self, index, response_url: str, server, enforcer, *, region: str = REGION, partition: str = "aws",
                 account: str = ACCOUNT, served: tuple[str, ...] = ("RumScript",), role: str = "RumScriptRole"):
        self.index, self.response_url, self.server, self.iam = index, response_url, server, enforcer
        self.region, self.partition, self.account, self.served, self.role = region, partition, account, served, role
        self.template: dict | None = None
        self.state: dict[str, tuple[str, dict, dict]] = {}  # logical id -> (physical id, properties, data)
        self.answers: list[dict] = []
        self.stack_id = f"arn:{partition}:cloudformation:{region}:{account}:stack/site-rum/{uuid.uuid4()}"

    def refs(self, template: dict) -> dict[str, str]:
        """Ref values: parameters' defaults, buckets' names, other resources' logical ids."""
        values = {name: str(p.get("Default", "")) for name, p in (template.get("Parameters") or {}).items()}
        for name, resource in template["Resources"].items():
            values[name] = str(resource.get("Properties", {}).get("BucketName", name))
        return values

    def attributes(self) -> dict[tuple[str, str], str]:
        values = {("AppMonitor", "Id"): MONITOR_ID,
                  ("RumScriptLogs", "Arn"): f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:logs:*",
                  ("RumScriptFunction", "Arn"): f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:f"}
        for name, (_, _, data) in self.state.items():
            values.update({(name, key): value for key, value in data.items()})
        return values

    def role_in(self, template: dict, **kwargs: Any):
        from tests.support.iam import Role

        return Role(template, self.role, self.region, self.partition, self.account, self.refs(template),
                    self.attributes(), **kwargs)

    def reading_attributes(self, template: dict) -> frozenset[str]:
        """The role's policy resources that read a served resource's attributes."""
        role = self.role_in(template)
        reads = [f'"Fn::GetAtt": ["{name}"' for name in self.served]
        return frozenset(name for name in role.policy_resources()
                         if any(read in json.dumps(template["Resources"][name]) for read in reads))

    def properties(self, template: dict, name: str) -> dict:
        from tests.support.iam import StackRenderer

        r = StackRenderer(template, self.region, self.partition, self.account, self.refs(template), self.attributes())
        return as_strings(r.value(template["Resources"][name]["Properties"]))

    def request(self, kind: str, name: str, properties: dict, physical: str | None = None, old: dict | None = None):
        resource_type = (self.template or {}).get("Resources", {}).get(name, {}).get("Type", "Custom::RumScript")
        body = {"RequestType": kind, "ServiceToken": properties["ServiceToken"], "ResponseURL": self.response_url,
                "StackId": self.stack_id, "RequestId": str(uuid.uuid4()), "LogicalResourceId": name,
                "ResourceType": resource_type, "ResourceProperties": properties}
        if physical is not None:
            body["PhysicalResourceId"] = physical
        if old is not None:
            body["OldResourceProperties"] = old
        self.index.handler(body, FakeContext())
        (answer,) = self.server.answers.bodies
        self.server.answers.bodies.clear()
        self.answers.append(answer)
        return answer

    def deploy(self, template: dict) -> list[dict]:
        """Create or update the stack to ``template``; returns this deploy's answers."""
        start = len(self.answers)
        before = self.template
        # 1. The role as updated, with the attribute-reading policies still as they were (or not there yet).
        reading = self.reading_attributes(template)
        kept = [] if before is None else self.role_in(before, inline=False, attached=self.reading_attributes(before)
                                                      ).statements()
        self.iam.role = self.role_in(template, attached=frozenset(self.role_in(template).policy_resources()) - reading,
                                     also=kept)
        self.template = template
        # 2. Create or Update what changed.
        replaced = []
        for name in self.served:
            if name not in template["Resources"]:
                continue
            properties = self.properties(template, name)
            if name not in self.state:
                answer = self.request("Create", name, properties)
            else:
                physical, old, _ = self.state[name]
                if old == properties:
                    continue
                answer = self.request("Update", name, properties, physical, old)
                if answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] != physical:
                    replaced.append((name, physical, old))
            if answer["Status"] != "SUCCESS":
                return self.answers[start:]
            self.state[name] = (answer["PhysicalResourceId"], properties, answer.get("Data", {}))
        # 3. The policy resources, rendered again with the attributes just answered.
        self.iam.role = self.role_in(template)
        # 4. Cleanup: the replaced resources' old physical ids, with their old properties.
        for name, physical, old in replaced:
            self.request("Delete", name, old, physical)
        return self.answers[start:]

    def delete(self) -> list[dict]:
        """Delete the stack: the attribute-reading policies go first (they depend on the resources)."""
        start = len(self.answers)
        assert self.template is not None
        every = frozenset(self.role_in(self.template).policy_resources())
        self.iam.role = self.role_in(self.template, attached=every - self.reading_attributes(self.template))
        for name in reversed(self.served):
            if name in self.state:
                physical, properties, _ = self.state.pop(name)
                self.request("Delete", name, properties, physical)
        return self.answers[start:]


def role_in(template: dict, *, region: str = REGION, partition: str = "aws", **kwargs: Any):
    """The rum.js function's role in ``template`` as a stack in ``region`` would have it, before any custom
    resource answered (so only policies that read no custom resource's attributes, unless ``attributes``)."""
    cloudformation = CloudFormation(None, "", None, None, region=region, partition=partition)
    kwargs.setdefault("attached", frozenset(cloudformation.role_in(template).policy_resources())
                      - cloudformation.reading_attributes(template))
    return cloudformation.role_in(template, **kwargs)
