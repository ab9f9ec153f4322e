"""A deadline for the whole answer: an endpoint that sends a byte now and then never holds a call longer than
the read timeout.

botocore's ``read_timeout`` bounds each read from the socket, so an endpoint that sends one byte every few
seconds keeps a call going forever. Here the same number bounds the whole answer: from the moment the request
is sent, status line, headers and body must all arrive within ``read_timeout`` seconds, or the read fails as a
read timeout does (botocore retries it like one, then :class:`rumcfn.aws.errors.EndpointSilent`).

It is installed on every client a session makes, the ones botocore makes for credentials included, through
botocore's ``creating-client-class`` event: each client's connection pools make connections whose
answers are read through :class:`DeadlineReader`.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
from typing import Any

from botocore.awsrequest import AWSHTTPConnection, AWSHTTPConnectionPool, AWSHTTPSConnection, AWSHTTPSConnectionPool


class DeadlineReader(io.RawIOBase):
    """Reads a socket until ``deadline`` (time.monotonic), each read waiting no longer than the time left."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        super().__init__()
        self._sock, self._per_read = sock, seconds
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open while the answer is read
        self._deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout(f"the whole answer took longer than {self._per_read:g} s")
        self._sock.settimeout(min(self._per_read, left))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Deadlined:
    """What :class:`http.client.HTTPResponse` is given instead of the socket: it only calls ``makefile``."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> Any:
        seconds = self._sock.gettimeout()  # urllib3 has just set it to the read timeout
        if not seconds:
            return self._sock.makefile(mode, *args, **kwargs)
        return io.BufferedReader(DeadlineReader(self._sock, seconds))


class DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(_Deadlined(sock), *args, **kwargs)


class DeadlineHTTPConnection(AWSHTTPConnection):
    response_class = DeadlineResponse


class DeadlineHTTPSConnection(AWSHTTPSConnection):
    response_class = DeadlineResponse


class DeadlineHTTPConnectionPool(AWSHTTPConnectionPool):
    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSConnectionPool(AWSHTTPSConnectionPool):
    ConnectionCls = DeadlineHTTPSConnection


POOLS = {"http": DeadlineHTTPConnectionPool, "https": DeadlineHTTPSConnectionPool}


def bound_answers(client: Any) -> None:
    """Make ``client``'s connections read each answer within its read timeout.

    botocore's ``URLLib3Session`` keeps one ``pool_classes_by_scheme`` dict for its pool manager and every proxy
    manager it makes; the connection pools are created on first use, after this."""
    http_session = getattr(getattr(client, "_endpoint", None), "http_session", None)
    pools = getattr(http_session, "_pool_classes_by_scheme", None)
    if isinstance(pools, dict):
        pools.update(POOLS)


class WholeAnswers:
    """A base class botocore adds to every client class of the session (``creating-client-class``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_answers(self)


def add_to_client_classes(base_classes: list, **_: Any) -> None:
    """The ``creating-client-class`` handler."""
    if WholeAnswers not in base_classes:
        base_classes.insert(0, WholeAnswers)
