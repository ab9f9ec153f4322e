"""Bytes that have limits: the template (51,200 inline), the inline handler, the snippet."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent



def variants() -> dict[str, Any]:
    """Named settings: the built-in example, the two auth modes, everything on, Service Catalog mode."""
    from rumcfn.config import Settings, from_mapping

    sys.path.insert(0, str(ROOT))
    try:
        from tests.support.variants import VARIANTS  # the variants the tests lint and size-check
    finally:
        sys.path.remove(str(ROOT))
    return {
        "default (built-in example)": Settings(),
        "resource-policy auth": from_mapping({"auth": {"mode": "resource-policy"}}),
        "full-featured (every option on)": VARIANTS["all-on"],
        "--parameters (Service Catalog)": Settings(parameters=True),
    }


def template_sizes() -> list[dict[str, Any]]:
    from rumcfn.facts import INLINE_LIMIT
    from rumcfn.template.output import to_json, to_yaml
    from rumcfn.build.stack import build_template

    rows = []
    for name, settings in variants().items():
        try:
            template = build_template(settings)
            text = to_json(template)
            data = json.loads(text)
            rows.append({"variant": name, "json": len(text.encode()), "yaml": len(to_yaml(template).encode()),
                         "minified": len(json.dumps(data, separators=(",", ":")).encode()),
                         "resources": len(data.get("Resources", {})), "limit": INLINE_LIMIT,
                         "zipfiles": zipfiles(data)})
        except Exception as error:  # noqa: BLE001 - report, don't crash the whole bench
            rows.append({"variant": name, "error": f"{type(error).__name__}: {error}"})
    return rows


def zipfiles(template: dict) -> dict[str, int]:
    """Logical id -> bytes of ``Code.ZipFile`` for every inline Lambda function (none: empty)."""
    found = {}
    for lid, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        code = (resource.get("Properties") or {}).get("Code") or {}
        body = code.get("ZipFile")
        if body is None:
            continue
        found[lid] = len((body if isinstance(body, str) else json.dumps(body)).encode())
    return found


def snippet_sizes() -> list[dict[str, Any]]:
    """``rum.js`` as ``rumcfn snippet`` renders it: raw and gzip -9 bytes."""
    from rumcfn.build.snippet import render_concrete

    monitor = "2f1c4e1a-6f0b-4d3c-9a55-7f2e8b1c0d9e"
    cases = {
        "unsigned (resource-policy)": dict(unsigned=True),
        "Cognito identity pool": dict(identity_pool_id="us-east-1:0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"),
    }
    rows = []
    for name, kwargs in cases.items():
        text = render_concrete(app_monitor_id=monitor, region="us-east-1", **kwargs).encode()
        rows.append({"variant": name, "raw": len(text), "gzip": len(gzip.compress(text, 9))})
    return rows
