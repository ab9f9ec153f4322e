"""CloudFront, played locally: the first-party function's code from the template, linted and run in Node
with CloudFront Functions' event shape, and CloudFormation's ``Fn::Sub`` to fill its placeholders."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

from rumcfn.facts import CLOUDFRONT_FUNCTION_MODULES

NODE = shutil.which("node") or "node"
SCRIPT = Path(__file__).with_name("cloudfront_function.js")


def fn_sub(body: str, values: dict[str, str]) -> str:
    """What CloudFormation does with an ``Fn::Sub`` body: ``${Name}`` from ``values``, ``${!x}`` to ``${x}``."""

    def one(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        assert name in values, f"the template refers to ${{{name}}}, which the test does not resolve"
        return values[name]

    return re.sub(r"\$\{([^}]*)\}", one, body)


def function_code(template: dict, monitor_id: str) -> str:
    """The first-party function's code as CloudFront would store it (the stack's Fn::Sub resolved)."""
    body, variables = template["Resources"]["FirstPartyFunction"]["Properties"]["FunctionCode"]["Fn::Sub"]
    assert set(variables) == {"AppMonitorId"}, variables
    return fn_sub(body, {"AppMonitorId": monitor_id})


def viewer_request(method: str, uri: str, headers: dict[str, str] | None = None, querystring: str = "",
                   ip: str = "198.51.100.11") -> dict:
    """A viewer-request event as CloudFront Functions receive it (CloudFront Developer Guide, "CloudFront
    Functions event structure"): lower-case header names, ``{"value": ...}`` values, a parsed query string."""
    query: dict[str, dict] = {}
    for pair in filter(None, querystring.split("&")):
        key, _, value = pair.partition("=")
        if key in query:
            query[key].setdefault("multiValue", [{"value": query[key]["value"]}]).append({"value": value})
        else:
            query[key] = {"value": value}
    return {
        "version": "1.0",
        "context": {"distributionDomainName": "d111111abcdef8.cloudfront.net", "distributionId": "EDFDVBD6EXAMPLE",
                    "eventType": "viewer-request", "requestId": "EXAMPLEntjQpEXAMPLE_SG5Z-EXAMPLEPmPfEXAMPLEu3EqE=="},
        "viewer": {"ip": ip},
        "request": {"method": method, "uri": uri, "querystring": query,
                    "headers": {name.lower(): {"value": value} for name, value in (headers or {}).items()},
                    "cookies": {}},
    }


def _write(code: str, workdir: Path) -> Path:
    path = workdir / "function.js"
    path.write_text(code, encoding="utf-8")
    return path


def lint(code: str, workdir: Path) -> list[str]:
    """What the cloudfront-js-2.0 runtime would refuse in ``code`` ([] when nothing)."""
    modules = json.dumps(CLOUDFRONT_FUNCTION_MODULES)
    done = subprocess.run([NODE, str(SCRIPT), "lint", str(_write(code, workdir)), modules],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class CloudFrontFunction:
    """The function running in one Node process; ``function(event)`` is its answer (a request or a response)."""

    def __init__(self, code: str, workdir: Path):
        self.proc = subprocess.Popen(
            [NODE, str(SCRIPT), "serve", str(_write(code, workdir)), json.dumps(CLOUDFRONT_FUNCTION_MODULES)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.lock = threading.Lock()

    def __call__(self, event: dict) -> dict:
        with self.lock:
            self.proc.stdin.write(json.dumps(event) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        assert line, "the function's Node process ended"
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
