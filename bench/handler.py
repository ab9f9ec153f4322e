"""The custom-resource handler as CloudFormation runs it: cold import, then Create against S3.

The handler is taken from the synthesized template (``Code.ZipFile`` of the Lambda function a
``Custom::`` resource points at), saved as ``index.py`` and loaded as module ``index``, the way
Lambda does. A Create event is built from the custom resource's properties (intrinsic functions
filled with stand-in values), S3 is moto's in-process mock, and ResponseURL is a local HTTP server
that records CloudFormation's answer. Run as a script, this prints one JSON object; import it
and call :func:`measure` to run it in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ACCOUNT, REGION = "123456789012", "us-east-1"
PSEUDO = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
          "AWS::StackName": "bench", "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/bench/1",
          "AWS::NoValue": None}


def find_handler(template: dict) -> dict[str, Any] | None:
    """The custom resource and the inline function behind it, or ``None`` when the stack has none."""
    resources = template.get("Resources") or {}
    functions = {lid: r for lid, r in resources.items() if r.get("Type") == "AWS::Lambda::Function"
                 and isinstance(((r.get("Properties") or {}).get("Code") or {}).get("ZipFile"), str)}
    customs = sorted((lid for lid, r in resources.items()
                      if r.get("Type", "").startswith("Custom::") or r.get("Type") == "AWS::CloudFormation::CustomResource"),
                     key=lambda lid: ("script" not in lid.lower(), lid))
    for lid in customs:
        token = (resources[lid].get("Properties") or {}).get("ServiceToken")
        target = (token or {}).get("Fn::GetAtt", [None])[0] if isinstance(token, dict) else None
        if target in functions:
            props = functions[target]["Properties"]
            return {"resource": lid, "type": resources[lid]["Type"], "function": target,
                    "code": props["Code"]["ZipFile"], "handler": props.get("Handler", "index.handler"),
                    "timeout": int(props.get("Timeout", 3)), "properties": resources[lid].get("Properties") or {},
                    "template": template}
    return None


class Resolver:
    """Fills intrinsic functions with stand-in values: enough to build a realistic event."""

    def __init__(self, template: dict):
        self.template = template
        self.buckets: set[str] = set()

    def ref(self, name: str) -> Any:
        if name in PSEUDO:
            return PSEUDO[name]
        parameters = self.template.get("Parameters") or {}
        if name in parameters:
            return parameters[name].get("Default", f"{name.lower()}-value")
        resource = (self.template.get("Resources") or {}).get(name, {})
        if resource.get("Type") == "AWS::S3::Bucket":
            bucket = (resource.get("Properties") or {}).get("BucketName")
            return self.resolve(bucket) if bucket else f"bench-{name.lower()}"
        return f"{name}-physical-id"

    def getatt(self, name: str, attribute: str) -> str:
        if attribute == "Id":
            return "2f1c4e1a-6f0b-4d3c-9a55-7f2e8b1c0d9e"
        if attribute == "Arn":
            return f"arn:aws:service:{REGION}:{ACCOUNT}:{name}"
        return f"{name}-{attribute}"

    def sub(self, body: str, variables: dict) -> str:
        def fill(match: re.Match) -> str:
            name = match[1]
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(self.resolve(variables[name]))
            target, _, attribute = name.partition(".")
            return str(self.getatt(target, attribute) if attribute and target not in PSEUDO else self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", fill, body)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                target, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.getatt(target, attribute)
            if key == "Fn::Sub":
                body, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
                return self.sub(body, variables)
            if key == "Fn::Join":
                return arg[0].join(str(self.resolve(v)) for v in self.resolve(arg[1]))
            if key == "Fn::If":
                return self.resolve(arg[1])
            if key == "Fn::Select":
                return self.resolve(arg[1])[int(self.resolve(arg[0]))]
            if key == "Fn::Split":
                return str(self.resolve(arg[1])).split(arg[0])
        return {k: self.resolve(v) for k, v in value.items()}


class Answers(BaseHTTPRequestHandler):
    """CloudFormation's ResponseURL: records each PUT body."""

    received: list[dict] = []

    def do_PUT(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Answers.received.append(json.loads(body or b"{}"))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Context:
    """The parts of the Lambda context object a handler may use."""

    def __init__(self, timeout: int, name: str):
        self.deadline = time.monotonic() + timeout
        self.function_name, self.memory_limit_in_mb = name, 128
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        self.log_group_name, self.log_stream_name = f"/aws/lambda/{name}", "bench"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def run_in_this_process(template_path: str, creates: int) -> dict[str, Any]:
    """Cold import of ``index``, then ``creates`` Create events against moto S3 (first one cold)."""
    found = find_handler(json.loads(Path(template_path).read_text()))
    if found is None:
        return {"present": False}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION,
                      AWS_REGION=REGION)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    module_name, _, function_name = found["handler"].partition(".")
    workdir = Path(tempfile.mkdtemp(prefix="rumcfn-handler-"))
    (workdir / f"{module_name}.py").write_text(found["code"])
    sys.path.insert(0, str(workdir))
    start = time.perf_counter()
    index = __import__(module_name)  # boto3 is not imported yet in this process: a true cold import
    import_seconds = time.perf_counter() - start
    handler = getattr(index, function_name)

    from moto import mock_aws  # after the handler's import, so it does not warm boto3 for it
    import boto3

    resolver = Resolver(found["template"])
    properties = resolver.resolve(found["properties"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/answer"
    results = []
    try:
        with mock_aws():
            s3 = boto3.client("s3", region_name=REGION)
            if isinstance(properties.get("Bucket"), str):
                s3.create_bucket(Bucket=properties["Bucket"])
            for _ in range(creates):
                event = {"RequestType": "Create", "ResponseURL": url, "StackId": PSEUDO["AWS::StackId"],
                         "RequestId": str(uuid.uuid4()), "ResourceType": found["type"],
                         "LogicalResourceId": found["resource"], "ResourceProperties": properties,
                         "ServiceToken": properties.get("ServiceToken", "")}
                before = len(Answers.received)
                start = time.perf_counter()
                handler(event, Context(found["timeout"], found["function"]))
                results.append(time.perf_counter() - start)
                answers = Answers.received[before:]
                if len(answers) != 1 or answers[0].get("Status") != "SUCCESS":
                    raise RuntimeError(f"handler answered {answers!r}")
            written = None
            if isinstance(properties.get("Bucket"), str) and isinstance(properties.get("Key"), str):
                obj = s3.get_object(Bucket=properties["Bucket"], Key=properties["Key"])
                written = {"bytes": obj["ContentLength"], "content_type": obj.get("ContentType"),
                           "cache_control": obj.get("CacheControl")}
    finally:
        server.shutdown()
    return {"present": True, "resource": found["resource"], "type": found["type"], "function": found["function"],
            "code_bytes": len(found["code"].encode()), "import_seconds": import_seconds, "creates": results,
            "answer": {k: Answers.received[-1].get(k) for k in ("Status", "PhysicalResourceId")}, "written": written}


def cold_import_processes(template_path: str, runs: int) -> list[float]:
    """``import index`` in fresh interpreters (boto3 included), seconds."""
    found = find_handler(json.loads(Path(template_path).read_text()))
    if found is None:
        return []
    module_name = found["handler"].partition(".")[0]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{module_name}.py").write_text(found["code"])
        code = f"import time; t=time.perf_counter(); import {module_name}; print(time.perf_counter()-t)"
        return [float(subprocess.run([sys.executable, "-c", code], cwd=tmp, capture_output=True, text=True,
                                     check=True).stdout) for _ in range(runs)]


def measure(creates: int = 6, import_runs: int = 7) -> dict[str, Any]:
    """Synthesize the built-in example, then run the handler measurements in a fresh interpreter."""
    from rumcfn.output import to_json
    from rumcfn.stack import build_template

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.json"
        path.write_text(to_json(build_template()))
        done = subprocess.run([sys.executable, __file__, str(path), str(creates)], capture_output=True, text=True,
                              timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"handler bench failed: {done.stderr.strip().splitlines()[-1:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result.get("present"):
            result["import_processes"] = cold_import_processes(str(path), import_runs)
        return result


if __name__ == "__main__":
    print(json.dumps(run_in_this_process(sys.argv[1], int(sys.argv[2]))))
