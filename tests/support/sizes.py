"""Sizes that have limits, measured from the code: the Limits table of docs/configuration.md (``make readme`` writes it,
tests/integration/test_readme.py checks it) and the benchmarks' size section both come from here."""

from __future__ import annotations

import gzip
import json
from typing import Any

from rumcfn.config import Settings, from_mapping
from rumcfn.facts import INLINE_LIMIT
from tests.support.variants import FULL, OVER_INLINE_LIMIT

MONITOR_ID = "2f1c4e1a-6f0b-4d3c-9a55-7f2e8b1c0d9e"
POOL_ID = "us-east-1:0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"


def template_json(settings: Settings) -> str:
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    return to_json(build_template(settings))


def size(settings: Settings) -> int:
    return len(template_json(settings).encode())


def zipfiles(template: dict) -> dict[str, int]:
    """Logical id -> bytes of ``Code.ZipFile`` for every inline Lambda function (none: empty)."""
    found = {}
    for lid, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        body = ((resource.get("Properties") or {}).get("Code") or {}).get("ZipFile")
        if body is not None:
            found[lid] = len((body if isinstance(body, str) else json.dumps(body)).encode())
    return found


def canary_script_bytes(template: dict) -> int:
    scripts = [r["Properties"]["Code"]["Script"] for r in template["Resources"].values()
               if r.get("Type") == "AWS::Synthetics::Canary"]
    return sum(len((s if isinstance(s, str) else json.dumps(s)).encode()) for s in scripts)


def snippet_sizes() -> list[dict[str, Any]]:
    """``rum.js`` as ``rumcfn snippet`` renders it: raw and gzip -9 bytes."""
    from rumcfn.client.snippet import render_concrete

    cases = {"unsigned (resource-policy)": dict(unsigned=True), "Cognito identity pool": dict(identity_pool_id=POOL_ID)}
    rows = []
    for name, kwargs in cases.items():
        text = render_concrete(app_monitor_id=MONITOR_ID, region="us-east-1", **kwargs).encode()
        rows.append({"variant": name, "raw": len(text), "gzip": len(gzip.compress(text, 9))})
    return rows


def load_sizes_table() -> str:
    """rum.js's raw bytes for each ``snippet.load``, unsigned and with a Cognito identity pool (Markdown)."""
    from rumcfn.client.snippet import render_concrete
    from rumcfn.config.delivery import LOAD_STRATEGIES

    lines = ["| `load` | unsigned (resource policy) | Cognito identity pool |", "| --- | ---: | ---: |"]
    for load in LOAD_STRATEGIES:
        sizes = [len(render_concrete(app_monitor_id=MONITOR_ID, region="us-east-1", load=load, **kwargs).encode())
                 for kwargs in (dict(unsigned=True), dict(identity_pool_id=POOL_ID))]
        lines.append(f"| `{load}` | " + " | ".join(f"{n:,} B" for n in sizes) + " |")
    return "\n".join(lines) + "\n"


#: A site's entry point importing the module (its default export: the client, or a Promise of it).
MODULE_ENTRY = "import awsRum from './rum-module.js';\nPromise.resolve(awsRum).then((c) => { window.__rum = c; });\n"


def module_bytes_table() -> str:
    """What ``rumcfn snippet --format module`` (default load, first-party) adds to a site's bundle: bundled and
    minified by the project's esbuild from the project's node_modules, raw and gzip -6 bytes (Markdown)."""
    import os
    import subprocess
    import tempfile
    from pathlib import Path

    from rumcfn.client.module import FULL, SLIM, render_module
    from rumcfn.client.snippet import concrete

    root = Path(__file__).resolve().parents[2]
    esbuild = str(root / "node_modules/.bin/esbuild")
    version = lambda package: json.loads((root / "node_modules" / package / "package.json").read_text())["version"]  # noqa: E731
    client = concrete(app_monitor_id=MONITOR_ID, region="us-east-1", unsigned=True, first_party="/rum")
    rows = []
    for package, what in ((SLIM, "+ the three telemetries' plugins"), (FULL, "(Cognito needs it)")):
        with tempfile.TemporaryDirectory(prefix="rumcfn-module-") as work:
            Path(work, "rum-module.js").write_text(render_module(client, package))
            Path(work, "entry.js").write_text(MODULE_ENTRY)
            bundle = subprocess.run([esbuild, str(Path(work, "entry.js")), "--bundle", "--format=esm", "--minify",
                                     "--log-level=error"], capture_output=True, check=True, timeout=120,
                                    env=dict(os.environ, NODE_PATH=str(root / "node_modules"))).stdout
        rows.append(f"| `{package}` {version(package)} {what} | {len(bundle):,} B | "
                    f"{len(gzip.compress(bundle, 6)):,} B |")
    built = subprocess.run([esbuild, "--version"], capture_output=True, text=True, check=True, timeout=60).stdout
    head = (f"| `--format module`, `snippet.first_party = \"/rum\"`, bundled by esbuild {built.strip()} (`--minify`) "
            "| minified | gzipped |")
    return "\n".join([head, "| --- | ---: | ---: |", *rows]) + "\n"


def with_locations(count: int) -> Settings:
    """Every option on, the canary in ``count`` other Regions."""
    regions = OVER_INLINE_LIMIT["canary"]["locations"]
    return from_mapping({**FULL, "canary": {**FULL["canary"], "locations": regions[:count]}})


def location_growth() -> tuple[float, int]:
    """Bytes each further canary location adds (the mean over the Regions of OVER_INLINE_LIMIT), and how many
    locations every option on fits inline."""
    most = len(OVER_INLINE_LIMIT["canary"]["locations"])
    sizes = [size(with_locations(n)) for n in range(1, most + 1)]
    per_location = (sizes[-1] - sizes[0]) / (most - 1)
    fitting = max((n for n, s in enumerate(sizes, start=1) if s <= INLINE_LIMIT), default=0)
    return per_location, fitting


def limits_table() -> str:
    """The Limits table (docs/configuration.md): AWS's limit next to what rumcfn produces, measured now."""
    example = json.loads(template_json(Settings()))
    full = json.loads(template_json(from_mapping(FULL)))
    per_location, fitting = location_growth()
    code = zipfiles(example)
    snippet = max(snippet_sizes(), key=lambda row: row["raw"])
    rows = [
        (
            "template passed inline (`aws cloudformation deploy` without `--s3-bucket`)",
            f"{INLINE_LIMIT:,} bytes",
            f"the built-in example {size(Settings()):,} bytes; every option on (one canary location) "
            f"{size(from_mapping(FULL)):,}; `--parameters` {size(Settings(parameters=True)):,}; each further canary "
            f"location adds about {per_location / 1000:.1f} KB, "
            f"so every option on fits with up to {fitting} locations. "
            "Over the limit, `rumcfn synth` and `rumcfn lint` warn and `rumcfn deploy` needs `--s3-bucket`",
        ),
        (
            "resources per stack",
            "500",
            f"{len(example['Resources'])} for the example, {len(full['Resources'])} with every option on",
        ),
        (
            "inline Lambda code (`Code.ZipFile`)",
            "none since 2022 (was 4,096 characters)",
            f"{sum(code.values()):,} bytes: `handlers/rum_script.py` without comments",
        ),
        ("canary script (`Code.Script`)", "—", f"{canary_script_bytes(example):,} bytes"),
        (
            "canary locations (`Replicas`)",
            "1–50, commercial Regions where Synthetics runs, other than the stack's",
            "checked at synth time (botocore's partitions, cfn-lint's region data); the stack's own Region by a "
            "template rule",
        ),
        (
            "canary retries (`Schedule.RetryConfig.MaxRetries`)",
            "0–2; 2 needs a run timeout below 600 s",
            "checked at synth time",
        ),
        (
            "rum.js snippet",
            "— (rumcfn's target: under 1 KB)",
            f"{snippet['raw']:,} bytes raw, {snippet['gzip']:,} gzipped (with a Cognito identity pool)",
        ),
        (
            "Synthetics canary name",
            "1–255 of `a-z 0-9 _ -` (log group uses the first 21)",
            "derived from the monitor name",
        ),
        ("app monitor domains", "1–5", "checked at synth time"),
    ]
    lines = ["| what | limit | rumcfn |", "| --- | --- | --- |"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines) + "\n"
