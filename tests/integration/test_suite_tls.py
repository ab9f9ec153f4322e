"""The suite's own TLS servers are trusted on every Python rumcfn supports (``python_requires >= 3.10``).

Python 3.13's ``ssl.create_default_context()`` adds ``VERIFY_X509_STRICT`` and ``VERIFY_X509_PARTIAL_CHAIN`` to
its verify flags (the ssl module's documentation, "Changed in version 3.13"); under the strict checks OpenSSL wants,
among others, a Subject Key Identifier on an authority and an Authority Key Identifier on what it signs. Certificates
that miss them pass on 3.11 and fail every HTTPS test on 3.13, so this test asks for those flags on any Python.
"""

from __future__ import annotations

import socket
import ssl

from tests.support.http import QuietHandler, Server
from tests.support.tls import make_certificates


def strict_client(ca) -> ssl.SSLContext:
    """What Python 3.13's default client context checks, on whichever Python runs the suite."""
    context = ssl.create_default_context(cafile=str(ca))
    context.verify_flags |= ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


class Nothing(Server):
    """An HTTPS server that only shakes hands: the test reads what the handshake agreed."""

    handler = QuietHandler


def handshake(certificates, client: ssl.SSLContext) -> str:
    """Connect to a TLS server on 127.0.0.1 with the test's server certificate; the version agreed."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certificates.chain, certificates.key)
    site = Nothing(server)
    try:
        with socket.create_connection(("127.0.0.1", site.port), timeout=5) as raw, \
                client.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.version()
    finally:
        site.close()


def test_the_test_certificates_pass_the_strict_checks_of_python_3_13(tmp_path):
    certificates = make_certificates(tmp_path)
    assert handshake(certificates, strict_client(certificates.ca)).startswith("TLS")


def test_a_server_the_client_does_not_trust_is_still_refused(tmp_path):
    """The strict client is not merely accepting anything: another authority's server fails verification."""
    for name in ("ours", "theirs"):
        (tmp_path / name).mkdir()
    ours, theirs = make_certificates(tmp_path / "ours"), make_certificates(tmp_path / "theirs")
    try:
        handshake(theirs, strict_client(ours.ca))
    except ssl.SSLCertVerificationError as error:
        assert error.verify_message in ("unable to get local issuer certificate", "self-signed certificate in "
                                        "certificate chain")
    else:
        raise AssertionError("a server signed by another authority was trusted")
