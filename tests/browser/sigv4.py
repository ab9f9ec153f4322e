"""Check an AWS Signature Version 4 the way the data plane would (stdlib only).

Written from the published algorithm (canonical request -> string to sign -> HMAC chain), not
from the client's code, so a request that passes here is one AWS would accept for these
credentials.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import quote

AUTHORIZATION = re.compile(r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<scope>[^,]+), "
                           r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signature(secret: str, scope: str, amz_date: str, canonical_request: str) -> str:
    date, region, service, terminator = scope.split("/")
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode(), date), region), service), terminator)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def canonical_request(method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
                      signed: list[str], payload_hash: str) -> str:
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                               for k in sorted(query) for v in sorted(query[k]))
    canonical_headers = "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in signed)
    return "\n".join([method, quote(path, safe="/-_.~"), canonical_query, canonical_headers, ";".join(signed),
                      payload_hash])


def check_header_signature(method: str, path: str, headers: dict[str, str], body: bytes, secret: str) -> dict:
    """Verify an ``Authorization: AWS4-HMAC-SHA256 ...`` request; return the parsed credential parts.
    ``headers`` are lower-case; raises AssertionError on any mismatch."""
    match = AUTHORIZATION.fullmatch(headers.get("authorization", ""))
    assert match, f"not a SigV4 Authorization header: {headers.get('authorization')!r}"
    payload_hash = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    assert payload_hash == hashlib.sha256(body).hexdigest(), "x-amz-content-sha256 is not the body's hash"
    signed = match["signed"].split(";")
    assert "host" in signed and all(name in headers for name in signed), (signed, sorted(headers))
    expected = signature(secret, match["scope"], headers["x-amz-date"],
                         canonical_request(method, path, {}, headers, signed, payload_hash))
    assert match["signature"] == expected, "the SigV4 signature does not verify"
    date, region, service, _ = match["scope"].split("/")
    return {"access_key": match["key"], "date": date, "region": region, "service": service, "signed": signed}


def check_presigned(method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes,
                    secret: str) -> dict:
    """Verify a query-string (presigned) SigV4 request, as sendBeacon sends it."""
    q = {k: v[0] for k, v in query.items()}
    assert q.get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256", query
    key, _, scope = q["X-Amz-Credential"].partition("/")
    signed = q["X-Amz-SignedHeaders"].split(";")
    rest = {k: v for k, v in query.items() if k != "X-Amz-Signature"}
    # The signer hoists X-Amz-Content-Sha256 into the query (a beacon cannot send headers) and signs that hash.
    payload_hash = q.get("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
    if payload_hash != "UNSIGNED-PAYLOAD":
        assert payload_hash == hashlib.sha256(body).hexdigest(), "X-Amz-Content-Sha256 is not the body's hash"
    sent = dict(headers)
    assert all(name in sent for name in signed), (signed, sorted(headers))
    expected = signature(
        secret, scope, q["X-Amz-Date"], canonical_request(method, path, rest, sent, signed, payload_hash)
    )
    assert q["X-Amz-Signature"] == expected, "the presigned SigV4 signature does not verify"
    date, region, service, _ = scope.split("/")
    return {"access_key": key, "date": date, "region": region, "service": service, "signed": signed}
