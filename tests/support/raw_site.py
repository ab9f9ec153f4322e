"""A website on 127.0.0.1 that answers with raw bytes: what no well-behaved server sends.

Each path maps to a function that writes to the connection whatever it likes (a banner that is not
HTTP, a broken chunk, 150 headers, a page trickled a byte at a time); every connection is counted, so a
test can also show that the doctor never connected. Every answer ends on its own: a test that fails
still finishes.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from typing import Callable

from tests.support.listener import Listener

Answer = Callable[[socket.socket], None]


class RawSite(Listener):
    def __init__(self, routes: dict[str, Answer] | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Answer] = dict(routes or {})
        self.tls = tls
        self.requests: list[str] = []  # the request line of each connection ("" when none came)
        super().__init__(backlog=64, name="RawSite")
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def accepted(self, connection: socket.socket) -> None:
        threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            head = b""
            try:
                if self.tls is not None:
                    connection = self.tls.wrap_socket(connection, server_side=True)
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    head += chunk
            except OSError:
                pass
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            self.requests.append(line)
            parts = line.split(" ")
            answer = self.routes.get(parts[1].split("?")[0] if len(parts) > 1 else "", not_found)
            try:
                answer(connection)
            except OSError:  # the client hung up: what a deadline does
                pass

def send(data: bytes) -> Answer:
    def answer(connection: socket.socket) -> None:
        connection.sendall(data)

    return answer


def http(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    """A complete HTTP/1.1 answer that closes the connection; ``headers`` as ``Name: value`` lines."""
    lines = [f"HTTP/1.1 {status}", *headers, f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def trickle(data: bytes, every: float, for_seconds: float) -> Answer:
    """``data`` one byte every ``every`` seconds, for at most ``for_seconds`` (then the connection closes)."""

    def answer(connection: socket.socket) -> None:
        stop = time.monotonic() + for_seconds
        for byte in data:
            if time.monotonic() > stop:
                return
            connection.sendall(bytes([byte]))
            time.sleep(every)

    return answer


def not_found(connection: socket.socket) -> None:
    connection.sendall(http(b"not found", "Content-Type: text/plain", status="404 Not Found"))
