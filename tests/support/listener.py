"""The accept loop every raw test server on 127.0.0.1 shares: what each does with a connection is its own."""

from __future__ import annotations

import socket
import threading


class Listener:
    """Listens on a free port of 127.0.0.1 and hands every connection to :meth:`accepted` (on the accept thread);
    :meth:`close` stops listening and closes the connections kept in ``_connections``."""

    def __init__(self, backlog: int = 128, name: str | None = None) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=backlog)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = threading.Event()
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True, name=name).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.accepted(connection)

    def accepted(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for connection in self._connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()
