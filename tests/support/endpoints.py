"""Hostile AWS endpoints on 127.0.0.1: one that accepts connections and never answers, one that refuses them.

The refusing one is a bound socket that never listens, so the port stays ours for as long as the test needs
it and every connection to it is refused at once.
"""

from __future__ import annotations

import socket
import threading
from typing import Iterator


class SilentEndpoint:
    """Accepts every connection, reads what it is sent, and never answers; counts the connections."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._connections: list[socket.socket] = []
        self._closed = threading.Event()
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def connections(self) -> int:
        return len(self._connections)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._connections.append(connection)  # held open, never read from or written to

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for connection in self._connections:
            connection.close()


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
