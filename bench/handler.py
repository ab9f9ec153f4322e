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
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ACCOUNT, REGION = "123456789012", "us-east-1"
ROOT = Path(__file__).resolve().parent.parent
PSEUDO = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
          "AWS::StackName": "bench", "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/bench/1"}


def find_handler(template: dict) -> dict[str, Any] | None:
    """The custom resource and the inline function behind it, or ``None`` when the stack has none."""
    resources = template.get("Resources") or {}
    functions = {lid: r for lid, r in resources.items() if r.get("Type") == "AWS::Lambda::Function"
                 and isinstance(((r.get("Properties") or {}).get("Code") or {}).get("ZipFile"), str)}
    customs = sorted(
        (
            lid
            for lid, r in resources.items()
            if r.get("Type", "").startswith("Custom::") or r.get("Type") == "AWS::CloudFormation::CustomResource"
        ),
        key=lambda lid: ("script" not in lid.lower(), lid),
    )
    for lid in customs:
        token = (resources[lid].get("Properties") or {}).get("ServiceToken")
        target = (token or {}).get("Fn::GetAtt", [None])[0] if isinstance(token, dict) else None
        if target in functions:
            props = functions[target]["Properties"]
            return {
                "resource": lid,
                "type": resources[lid]["Type"],
                "function": target,
                "code": props["Code"]["ZipFile"],
                "handler": props.get("Handler", "index.handler"),
                "timeout": int(props.get("Timeout", 3)),
                "properties": resources[lid].get("Properties") or {},
                "template": template,
            }
    return None


def stand_in_scope(template: dict):
    """What Ref and GetAtt would give in a deployed stack, invented: parameters take their defaults,
    buckets their names, other resources a placeholder id; every resource has an Id and an Arn.
    The custom resource's properties are then resolved by the same code ``restore-snippet`` uses."""
    from rumcfn.template.resolve import Scope, resolve

    names = dict(PSEUDO)
    names.update(
        {name: str(p.get("Default", f"{name.lower()}-value")) for name, p in (template.get("Parameters") or {}).items()}
    )
    resources = template.get("Resources") or {}
    attributes = {}
    for lid in resources:
        names[lid] = f"{lid}-physical-id"
        attributes[(lid, "Id")] = "2f1c4e1a-6f0b-4d3c-9a55-7f2e8b1c0d9e"
        attributes[(lid, "Arn")] = f"arn:aws:service:{REGION}:{ACCOUNT}:{lid}"
    scope = Scope(names, attributes)
    for lid, resource in resources.items():
        if resource.get("Type") == "AWS::S3::Bucket":
            name = (resource.get("Properties") or {}).get("BucketName")
            names[lid] = resolve(name, scope) if name else f"bench-{lid.lower()}"
    return scope


def run_in_this_process(template_path: str, creates: int) -> dict[str, Any]:
    """Cold import of ``index``, then ``creates`` Create events against moto S3 (first one cold)."""
    found = find_handler(json.loads(Path(template_path).read_text()))
    if found is None:
        return {"present": False}
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    module_name, _, function_name = found["handler"].partition(".")
    workdir = Path(tempfile.mkdtemp(prefix="rumcfn-handler-"))
    (workdir / f"{module_name}.py").write_text(found["code"])
    sys.path.insert(0, str(workdir))
    start = time.perf_counter()
    index = __import__(module_name)  # boto3 is not imported yet in this process: a true cold import
    import_seconds = time.perf_counter() - start
    handler = getattr(index, function_name)

    import boto3
    from moto import mock_aws  # after the handler's import, so it does not warm boto3 for it

    sys.path.insert(0, str(ROOT))  # after the handler's import: neither module imports boto3
    from rumcfn.template.resolve import resolve
    from tests.support.handler import FakeContext, ResponseServer

    scope = stand_in_scope(found["template"])
    properties = {name: resolve(value, scope) for name, value in found["properties"].items()}
    results = []
    with ResponseServer() as server, mock_aws():
        received = server.answers.bodies
        s3 = boto3.client("s3", region_name=REGION)
        if isinstance(properties.get("Bucket"), str):
            s3.create_bucket(Bucket=properties["Bucket"])
        for _ in range(creates):
            event = {
                "RequestType": "Create",
                "ResponseURL": server.url,
                "StackId": PSEUDO["AWS::StackId"],
                "RequestId": str(uuid.uuid4()),
                "ResourceType": found["type"],
                "LogicalResourceId": found["resource"],
                "ResourceProperties": properties,
                "ServiceToken": properties.get("ServiceToken", ""),
            }
            before = len(received)
            start = time.perf_counter()
            handler(event, FakeContext(found["timeout"]))
            results.append(time.perf_counter() - start)
            answers = received[before:]
            if len(answers) != 1 or answers[0].get("Status") != "SUCCESS":
                raise RuntimeError(f"handler answered {answers!r}")
        written = None
        if isinstance(properties.get("Bucket"), str) and isinstance(properties.get("Key"), str):
            obj = s3.get_object(Bucket=properties["Bucket"], Key=properties["Key"])
            written = {
                "bytes": obj["ContentLength"],
                "content_type": obj.get("ContentType"),
                "cache_control": obj.get("CacheControl"),
            }
    return {
        "present": True,
        "resource": found["resource"],
        "type": found["type"],
        "function": found["function"],
        "code_bytes": len(found["code"].encode()),
        "import_seconds": import_seconds,
        "creates": results,
        "answer": {k: received[-1].get(k) for k in ("Status", "PhysicalResourceId")},
        "written": written,
    }


def cold_import_processes(template_path: str, runs: int) -> list[float]:
    """``import index`` in fresh interpreters (boto3 included), seconds."""
    found = find_handler(json.loads(Path(template_path).read_text()))
    if found is None:
        return []
    module_name = found["handler"].partition(".")[0]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{module_name}.py").write_text(found["code"])
        code = f"import time; t=time.perf_counter(); import {module_name}; print(time.perf_counter()-t)"
        return [
            float(
                subprocess.run([sys.executable, "-c", code], cwd=tmp, capture_output=True, text=True, check=True).stdout
            )
            for _ in range(runs)
        ]


def measure(creates: int = 6, import_runs: int = 7) -> dict[str, Any]:
    """Synthesize the built-in example, then run the handler measurements in a fresh interpreter."""
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.json"
        path.write_text(to_json(build_template()))
        done = subprocess.run(
            [sys.executable, __file__, str(path), str(creates)], capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise RuntimeError(f"handler bench failed: {done.stderr.strip().splitlines()[-1:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result.get("present"):
            result["import_processes"] = cold_import_processes(str(path), import_runs)
        return result


if __name__ == "__main__":
    print(json.dumps(run_in_this_process(sys.argv[1], int(sys.argv[2]))))
