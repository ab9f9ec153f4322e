"""Bytes that have limits: the template (51,200 inline), the inline handler, the snippet."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.support: the variants and measurements the tests (and the README) use

from tests.support.sizes import snippet_sizes, zipfiles  # noqa: E402,F401 - measured as for the README's Limits table
from tests.support.variants import VARIANTS  # noqa: E402 - the variants the tests lint and size-check


def variants() -> dict[str, Any]:
    """Named settings: the built-in example, the two auth modes, everything on, Service Catalog mode."""
    from rumcfn.config import Settings, from_mapping

    return {
        "default (built-in example)": Settings(),
        "resource-policy auth": from_mapping({"auth": {"mode": "resource-policy"}}),
        "full-featured (every option on)": VARIANTS["all-on"],
        "--parameters (Service Catalog)": Settings(parameters=True),
    }


def template_sizes() -> list[dict[str, Any]]:
    from rumcfn.facts import INLINE_LIMIT
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json, to_yaml

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
