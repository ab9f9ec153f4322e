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
    fail_next: int = 0
    refused: int = 0
    #: Answer PUTs with a status line that never ends, one byte every ``trickle`` seconds (0: off);
    #: each such PUT is counted in ``trickled`` and not recorded as an answer.
    trickle: float = 0.0
    trickled: int = 0


class ResponseServer:
    """127.0.0.1 on a random port; records each PUT; ``answers.fail_next`` makes the next N fail with 500."""

    def __init__(self):
        answers = self.answers = Answers()
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
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
        self.url = f"http://127.0.0.1:{self.server.server_port}/cfn-response?X-Amz-Signature=fake"
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
    403 AccessDenied. ``enforce_owner``: a request whose ExpectedBucketOwner is not moto's account
    gets 403 AccessDenied, as S3 does. ``delay[op] = s``: each attempt sleeps s seconds first.
    ``calls`` records (operation, params) of every API call, ``attempts`` every HTTP attempt.
    """

    def __init__(self, session):
        self.throttle: dict[str, int] = {}
        self.deny: dict[str, str] = {}
        self.delay: dict[str, float] = {}
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
        owner = request.headers.get("x-amz-expected-bucket-owner")
        fault = None
        if self.throttle.get(operation, 0) > 0:
            self.throttle[operation] -= 1
            fault = (503, "SlowDown", "Please reduce your request rate.")
        elif operation in self.deny:
            fault = (403, "AccessDenied", self.deny[operation])
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
    service would; ``delay[op] = [s, ...]`` makes its next calls sleep s seconds each first."""

    def __init__(self, session, service: str):
        self.calls: list[tuple[str, dict]] = []
        self.deny: dict[str, str] = {}
        self.delay: dict[str, list[float]] = {}
        session.events.register(f"provide-client-params.{service}", self._record)
        session.events.register_first(f"before-call.{service}", self._fault)

    def _record(self, params, model, **kwargs):
        self.calls.append((model.name, dict(params)))

    def _fault(self, model, **kwargs):
        from botocore.exceptions import ClientError

        if self.delay.get(model.name):
            time.sleep(self.delay[model.name].pop(0))
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
