"""One bounded HTTP GET (or a small JSON POST), as a browser would make it, that no page can turn against the
doctor.

``http.client`` parses each answer; this module decides where to connect and for how long:

- only ``http:`` and ``https:``, after every redirect (at most :data:`MAX_REDIRECTS`, as Fetch allows 20);
- each host is resolved once, every address is judged by :mod:`rumcfn.doctor.addresses`, and the doctor
  connects to the address it judged (a second lookup could answer differently);
- the whole answer (lookup, redirects, headers and body) gets ``timeout`` seconds: a watchdog closes the
  connection at the deadline, so a server trickling a byte at a time is cut off too;
- at most :data:`LIMIT` bytes of a body are read.

Whatever goes wrong is a :class:`Fetched` with a one-line ``error``; nothing here raises.
The doctor connects directly (``HTTP(S)_PROXY`` is not used: a proxy would hide the address it connects to).
"""

from __future__ import annotations

import codecs
import http.client
import queue
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from rumcfn.doctor import addresses
from rumcfn.version import __version__

LIMIT = 5 * 1024 * 1024  # bytes read from any body
MAX_REDIRECTS = 20  # the Fetch Standard's redirect limit ("HTTP-redirect fetch", step 5)
REDIRECTS = (301, 302, 303, 307, 308)
#: The encodings the WHATWG Encoding Standard defines (https://encoding.spec.whatwg.org/#names-and-labels),
#: as Python names them; a browser ignores any other label, and so does the doctor (``idna``, ``punycode``
#: and ``undefined`` are Python codecs, not web encodings).
WEB_ENCODINGS = {
    "utf-8": "utf-8", "cp866": "cp866", "koi8-r": "koi8-r", "koi8-u": "koi8-u", "mac-roman": "mac-roman",
    "mac-cyrillic": "mac-cyrillic", "cp874": "cp874", "gbk": "gb18030", "gb2312": "gb18030", "gb18030": "gb18030",
    "big5": "big5hkscs", "big5hkscs": "big5hkscs", "euc_jp": "euc_jp", "iso2022_jp": "iso2022_jp",
    "shift_jis": "cp932", "cp932": "cp932", "euc_kr": "cp949", "cp949": "cp949", "utf-16-be": "utf-16-be",
    "utf-16-le": "utf-16-le", "utf-16": "utf-16-le", "ascii": "cp1252", "iso8859-1": "cp1252",
    **{f"iso8859-{n}": f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)},
    **{f"cp{n}": f"cp{n}" for n in range(1250, 1259)},
}


@dataclass
class Fetched:
    """One response (after redirects), or why there was none."""

    url: str
    status: int = 0
    headers: dict[str, list[str]] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    error: str = ""
    space: str | None = None  # the address space of the server that answered

    @property
    def ok(self) -> bool:
        return not self.error and 200 <= self.status < 300

    def header(self, name: str) -> list[str]:
        return self.headers.get(name.lower(), [])

    def charset(self) -> str:
        """The ``Content-Type`` charset when it names a web encoding, else UTF-8."""
        charset = "utf-8"
        for value in self.header("content-type"):
            for part in value.split(";"):
                key, _, val = part.strip().partition("=")
                if key.lower() == "charset" and val:
                    try:
                        charset = WEB_ENCODINGS.get(codecs.lookup(val.strip().strip("\"'")).name, charset)
                    except (LookupError, ValueError, TypeError):
                        pass
        return charset

    def text(self, limit: int | None = None) -> str:
        """The body (its first ``limit`` bytes) as text."""
        return self.body[:limit].decode(self.charset(), errors="replace")

    def describe(self) -> str:
        """``answered HTTP 404``, ``did not answer: <why>``, or ``not fetched: <why>``."""
        if self.error.startswith("not fetched"):
            return self.error
        return f"did not answer: {self.error}" if self.error else f"answered HTTP {self.status}"


class Refused(Exception):
    """A URL the doctor does not fetch, or an answer it cannot use: the message is the one line to show."""


def browser_url(url: str) -> str:
    """``url`` as a browser's URL parser leaves it: surrounding C0 controls and spaces stripped, tabs and
    line breaks removed, other controls, spaces and non-ASCII percent-encoded in path and query, and an
    internationalized host in its ASCII form."""
    url = url.strip("".join(map(chr, range(0x21)))).translate({9: None, 10: None, 13: None})
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise Refused(f"{host!r} is not a host name a browser can look up") from None
    netloc = parts.netloc.rpartition("@")[2]
    if host != ascii_host:
        netloc = netloc.lower().replace(host, ascii_host)
    safe = "".join(chr(c) for c in range(0x21, 0x7F))
    path, query = quote(parts.path, safe=safe), quote(parts.query, safe=safe)
    return f"{parts.scheme}://{netloc}{path or '/'}" + (f"?{query}" if parts.query else "")


def _resolve(host: str, port: int, seconds: float) -> list[str]:
    """The host's addresses, within ``seconds`` (the system resolver has no timeout of its own)."""
    try:
        return [str(addresses.parse(host))]
    except ValueError:
        pass
    answer: queue.Queue = queue.Queue()

    def lookup() -> None:
        try:
            answer.put([info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)])
        except (OSError, UnicodeError) as error:
            answer.put(error)

    threading.Thread(target=lookup, daemon=True, name="doctor-dns").start()
    try:
        found = answer.get(timeout=max(seconds, 0.01))
    except queue.Empty:
        raise TimeoutError from None
    if isinstance(found, Exception):
        raise Refused(f"cannot connect: cannot look up {host} ({getattr(found, 'strerror', None) or found})")
    return list(dict.fromkeys(found))


class _Watchdog:
    """Shuts the connection down at the deadline, whatever call is waiting on it."""

    def __init__(self, deadline: float) -> None:
        self.deadline, self.fired, self._sock = deadline, False, None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.fired and sock is not None:
                self._shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._sock is not None:
                self._shut(self._sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:  # the plain socket's shutdown, also under TLS (SSLSocket's own would drop its state mid-read)
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def _connect(scheme: str, host: str, port: int, initiator: str | None, deadline: float,
             dog: _Watchdog) -> tuple[socket.socket, str]:
    found = _resolve(host, port, deadline - time.monotonic())
    allowed = [a for a in found if not addresses.refusal(addresses.parse(a), initiator)]
    if not allowed:
        raise Refused(f"not fetched: {host} resolves to " + addresses.refusal(addresses.parse(found[0]), initiator))
    error: OSError | None = None
    for address in allowed:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            raw = socket.create_connection((address, port), timeout=remaining)
        except OSError as failure:
            error = failure
            continue
        dog.watch(raw)
        if scheme == "https":
            raw.settimeout(max(deadline - time.monotonic(), 0.01))
            raw = ssl.create_default_context().wrap_socket(raw, server_hostname=host)
            dog.watch(raw)
        return raw, addresses.space(addresses.parse(address))
    assert error is not None
    raise error


def _get(url: str, initiator: str | None, deadline: float, dog: _Watchdog, body: bytes | None = None) -> Fetched:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused(f"not fetched: only http and https URLs are checked, not {scheme or 'relative'} ones")
    host = parts.hostname
    if not host:
        raise Refused("not fetched: the URL has no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise Refused("not fetched: the URL's port is not a port number") from None
    sock, space = _connect(scheme, host, port, initiator, deadline, dog)
    connection = (http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection)(host, port)
    connection.sock = sock
    try:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {"User-Agent": f"rumcfn-doctor/{__version__}", "Accept": "*/*", "Accept-Encoding": "identity"}
        if body is not None:
            sent["Content-Type"] = "application/json"
        connection.request("GET" if body is None else "POST", target or "/", body=body, headers=sent)
        response = connection.getresponse()
        headers: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            headers.setdefault(name.lower(), []).append(value)
        answer = b"" if response.status in REDIRECTS else response.read(LIMIT)
        if dog.fired:  # a body read until the connection closed: the watchdog closed it
            raise TimeoutError
        if len(answer) < LIMIT and response.length:  # Content-Length promised more than came
            raise http.client.IncompleteRead(answer, response.length)
        return Fetched(url, response.status, headers, answer, space=space)
    finally:
        connection.close()


def fetch(url: str, timeout: float, initiator: str | None = None, *, json_body: bytes | None = None) -> Fetched:
    """GET ``url`` as a page in address space ``initiator`` would (None: the URL the user or the stack gave),
    following redirects; the whole answer within ``timeout`` seconds. With ``json_body``, POST it as
    ``application/json``; as the Fetch Standard's "HTTP-redirect fetch" does, a 307 or 308 keeps the POST and any
    other redirect becomes a GET."""
    deadline = time.monotonic() + timeout
    dog = _Watchdog(deadline)
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            current = browser_url(current)
            fetched = _get(current, initiator, deadline, dog, json_body)
            location = fetched.header("location")
            if fetched.status not in REDIRECTS or not location:
                return fetched
            current = urljoin(current, location[0])
            if fetched.status not in (307, 308):
                json_body = None
        return Fetched(url, error=f"more than {MAX_REDIRECTS} redirects (last to {current})")
    except Refused as refused:
        return Fetched(current, error=str(refused))
    except (OSError, http.client.HTTPException, ssl.SSLError, ValueError, UnicodeError) as error:
        if dog.fired or isinstance(error, TimeoutError) or time.monotonic() >= deadline:
            return Fetched(current, error=f"no complete answer within {timeout:g} s")
        return Fetched(current, error=_reason(error))
    finally:
        dog.cancel()


def _reason(error: Exception) -> str:
    """One line for what ``http.client`` or the network refused."""
    if isinstance(error, http.client.BadStatusLine):
        return "it did not answer in HTTP"
    if isinstance(error, http.client.IncompleteRead):
        return "its body ended early or is malformed"
    if isinstance(error, http.client.HTTPException):
        return f"the answer is not valid HTTP ({type(error).__name__}: {error})"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed ({error.reason or error})"
    if isinstance(error, ValueError):
        return f"the answer is not valid HTTP ({error})"
    return f"cannot connect: {getattr(error, 'strerror', None) or error}"
