"""CloudFront, played locally: the first-party function's code from the template, linted and run in Node
with CloudFront Functions' event shape; CloudFormation's ``Fn::Sub`` to fill its placeholders; and ``Edge``,
a distribution on 127.0.0.1 with the one behavior the docs describe."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import threading
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import urlsplit

from rumcfn.facts import CLOUDFRONT_FUNCTION_MODULES
from tests.support.http import QuietHandler, Server

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


# -- CloudFront, as a local proxy ------------------------------------------------------------------
#: Hop-by-hop headers a proxy never passes on (RFC 9110, section 7.6.1), and what the proxy sets itself.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
              "content-length"}


class EdgeHandler(QuietHandler):
    server_obj: "Edge"

    def handle_any(self) -> None:
        edge = self.server_obj
        split = urlsplit(self.path)
        body = self.body()
        edge.seen.append((self.command, split.path))
        if not fnmatchcase(split.path, edge.path_pattern):
            status, headers, data = forward(edge.site, self.command, self.path, dict(self.headers.items()), body)
            self.reply(status, data, headers.pop("content-type", "application/octet-stream"), headers)
            return
        event = viewer_request(self.command, split.path, dict(self.headers.items()), split.query,
                               ip=self.client_address[0])
        result = edge.function(event)
        if "statusCode" in result:  # the function answered at the edge
            headers = {name: value["value"] for name, value in (result.get("headers") or {}).items()}
            self.reply(result["statusCode"], b"", headers.pop("content-type", "text/plain"), headers)
            return
        # The origin request: the function's request, with only the viewer headers the origin request policy
        # names (no query string, no cookies), and what CloudFront adds for a custom origin (X-Forwarded-For
        # with the viewer's address; Host is the origin's domain, set by forward()).
        viewer = {name.lower(): value["value"] for name, value in result["headers"].items()}
        headers = {name: viewer[name.lower()] for name in edge.forwarded if name.lower() in viewer}
        headers["X-Forwarded-For"] = self.client_address[0]
        headers["Via"] = "1.1 rumcfn-test.cloudfront.net (CloudFront)"
        edge.origin_requests.append((result["method"], result["uri"], headers))
        status, answer, data = forward(edge.origin, result["method"], result["uri"], headers, body)
        self.reply(status, data, answer.pop("content-type", "application/octet-stream"), answer)

    do_GET = do_HEAD = do_POST = do_OPTIONS = do_PUT = do_PATCH = do_DELETE = handle_any


def forward(base: str, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
    """One request to ``base`` (http://127.0.0.1:port); its status, headers (lower-case) and body."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        sent = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(method, path, body=body if method not in ("GET", "HEAD") else None, headers=sent)
        response = connection.getresponse()
        data = response.read()
        answer = {k.lower(): v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
        answer.pop("cache-control", None)
        return response.status, answer, data
    finally:
        connection.close()


class Edge(Server):
    """A CloudFront distribution on 127.0.0.1: the default behavior forwards to ``site``; the behavior for
    ``path_pattern`` runs ``function`` on the viewer request and sends what it returns to ``origin`` (the
    stand-in data plane) with the ``forwarded`` headers of the origin request policy."""

    handler = EdgeHandler

    def __init__(self, site: str, origin: str, function: CloudFrontFunction, path_pattern: str,
                 forwarded: list[str]):
        self.site, self.origin, self.function = site, origin, function
        self.path_pattern, self.forwarded = path_pattern, list(forwarded)
        self.seen: list[tuple[str, str]] = []
        self.origin_requests: list[tuple[str, str, dict]] = []
        super().__init__()

    @classmethod
    def of_template(cls, template: dict, monitor_id: str, site: str, origin: str, workdir: Path) -> "Edge":
        """The behavior the docs describe, built from the stack's outputs and resources."""
        policy = template["Resources"]["FirstPartyOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]
        assert policy["CookiesConfig"]["CookieBehavior"] == "none"
        assert policy["QueryStringsConfig"]["QueryStringBehavior"] == "none"
        assert policy["HeadersConfig"]["HeaderBehavior"] == "whitelist"
        function = CloudFrontFunction(function_code(template, monitor_id), workdir)
        return cls(site, origin, function, template["Outputs"]["FirstPartyPathPattern"]["Value"],
                   policy["HeadersConfig"]["Headers"])

    def close(self) -> None:
        super().close()
        self.function.close()
