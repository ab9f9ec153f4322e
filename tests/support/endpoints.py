"""Hostile AWS endpoints on 127.0.0.1: one that accepts connections and never answers, one that refuses them,
one that answers 200 with something that is not an AWS answer, one that trickles its answer a byte at a time,
and one that answers each operation as a test scripts it (pages that never end, lists that are empty, results
without their ids).

The refusing one is a bound socket that never listens, so the port stays ours for as long as the test needs
it and every connection to it is refused at once.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Iterator

from tests.support.listener import Listener


class SilentEndpoint(Listener):
    """Accepts every connection, reads what it is sent, and never answers; counts the connections."""

    @property
    def connections(self) -> int:
        return len(self._connections)

    def accepted(self, connection: socket.socket) -> None:
        self._connections.append(connection)  # held open, never read from or written to


def silent_endpoint() -> Iterator[SilentEndpoint]:
    endpoint = SilentEndpoint()
    try:
        yield endpoint
    finally:
        endpoint.close()


def refused_endpoint() -> Iterator[str]:
    """The URL of a port on 127.0.0.1 that is bound (so no one else takes it) and refuses every connection."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"


class _Raw(Listener):
    """A listener on 127.0.0.1 whose every connection is served by ``serve(connection)`` on its own thread."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        super().__init__()

    def accepted(self, connection: socket.socket) -> None:
        self._connections.append(connection)
        threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            with connection:
                while not self._closed.is_set():
                    request = read_request(connection)
                    if request is None:
                        return
                    self.requests.append(request)
                    if not self.serve(connection, request):
                        return
        except OSError:
            return

    def serve(self, connection: socket.socket, request: bytes) -> bool:
        """Answer one request; False closes the connection."""
        raise NotImplementedError


def read_request(connection: socket.socket) -> bytes | None:
    """One HTTP request (head and Content-Length body), or None when the client closed the connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n" + body


def response(body: bytes, content_type: str = "text/xml", status: str = "200 OK") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body)


class OddEndpoint(_Raw):
    """Answers every request 200 with the same body: a captive portal, random bytes, an empty list."""

    def __init__(self, body: bytes, content_type: str = "text/xml") -> None:
        self.answer = response(body, content_type)
        super().__init__()

    def serve(self, connection: socket.socket, request: bytes) -> bool:
        connection.sendall(self.answer)
        return True


class TrickleEndpoint(_Raw):
    """Sends a well-formed answer one byte every ``interval`` seconds (each read gets a byte in time, the answer
    never completes); gives up after ``lasting`` seconds so a client without a whole-answer deadline ends too."""

    def __init__(self, interval: float, lasting: float = 8.0) -> None:
        self.interval, self.lasting = interval, lasting
        super().__init__()

    def serve(self, connection: socket.socket, request: bytes) -> bool:
        body = b"<x>" + b" " * 100_000 + b"</x>"
        answer = response(body)
        deadline = time.monotonic() + self.lasting
        for byte in answer:
            if self._closed.is_set() or time.monotonic() > deadline:
                return False
            connection.sendall(bytes([byte]))
            time.sleep(self.interval)
        return False


def action_of(request: bytes) -> str:
    """The operation a request asks for: the query protocol's ``Action``, the JSON protocol's ``X-Amz-Target``,
    or for S3 (REST) the method and the sub-resource (``GET ?location``, ``GET ?list-type=2``, ``PUT``)."""
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target = lines[0].split(" ")[:2]
    headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
    if "x-amz-target" in headers:
        return headers["x-amz-target"].rsplit(".", 1)[-1]
    form = dict(p.split("=", 1) for p in body.decode("latin-1").split("&") if "=" in p)
    if "Action" in form:
        return form["Action"]
    query = target.partition("?")[2]
    return f"{method} ?{query.split('&')[0]}" if query else method


def query_answer(action: str, result: str = "") -> bytes:
    """A query-protocol (CloudFormation, CloudWatch) answer: ``result`` inside ``<ActionResult>``."""
    return (f"<{action}Response><{action}Result>{result}</{action}Result>"
            f"<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></{action}Response>").encode()


def query_error(code: str, message: str) -> bytes:
    return (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>r-1</RequestId></ErrorResponse>").encode()


#: A stack as DescribeStacks lists it (query protocol).
STACK = ("<member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/site/1</StackId>"
         "<StackName>site</StackName><CreationTime>2026-11-23T20:14:02Z</CreationTime>"
         "<StackStatus>CREATE_COMPLETE</StackStatus></member>")


class Scripted(_Raw):
    """Answers each request by its operation (:func:`action_of`) from ``answers``: operation -> (status, body),
    or a callable of the request count giving one. What it has no answer for gets a 400. Every answer carries a
    request id header, as AWS's do. ``counts`` says how often each operation was asked for."""

    def __init__(self, answers: dict) -> None:
        self.answers = answers
        self.counts: dict[str, int] = {}
        super().__init__()

    def serve(self, connection: socket.socket, request: bytes) -> bool:
        action = action_of(request)
        self.counts[action] = self.counts.get(action, 0) + 1
        answer = self.answers.get(action, ("400 Bad Request", query_error("Unexpected", action)))
        if callable(answer):
            answer = answer(self.counts[action])
        status, body = answer
        content_type = "application/x-amz-json-1.1" if body[:1] == b"{" else "text/xml"
        head = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                "x-amzn-RequestId: r-1\r\nx-amz-request-id: r-1\r\n\r\n")
        connection.sendall(head.encode() + body)
        return True


OK = "200 OK"


def endless(action: str, items: str, token: str = "NextToken", most: int = 300):
    """An answer for ``Scripted``: an empty page of ``items`` with a new page token every time, up to ``most``
    pages (so a client without a cap ends too)."""

    def page(count: int) -> tuple[str, bytes]:
        more = f"<{token}>page-{count}</{token}>" if count < most else ""
        return OK, query_answer(action, f"<{items}/>{more}")

    return page


def endless_json(items: str, most: int = 300):
    """``endless`` for a JSON-protocol operation (CloudWatch's GetMetricData: botocore picks JSON among the
    protocols its model lists)."""

    def page(count: int) -> tuple[str, bytes]:
        more = f', "NextToken": "page-{count}"' if count < most else ""
        return OK, f'{{"{items}": []{more}}}'.encode()

    return page


def endless_s3_listing(most: int = 300):
    def page(count: int) -> tuple[str, bytes]:
        more = "true" if count < most else "false"
        return OK, (f'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>{more}'
                    f"</IsTruncated><NextContinuationToken>page-{count}</NextContinuationToken>"
                    "</ListBucketResult>").encode()

    return page


#: S3's answer for a bucket in us-east-1.
US_EAST_1 = (OK, b'<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>')
