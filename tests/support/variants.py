"""Named settings variants that every template-level test runs over."""

from __future__ import annotations

import itertools
import json

from rumcfn.config import Settings, from_mapping

POOL = "us-east-1:11111111-2222-3333-4444-555555555555"
ROLE = "arn:aws:iam::123456789012:role/rum-guest"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"

FULL = {
    "monitor": {
        "name": "shop.example-prod#1",
        "domains": ["www.example.com", "*.example.org", "example.net"],
        "enable_xray": True,
        "cw_log_enabled": True,
        "log_retention_days": 180,
        "excluded_pages": ["https://www.example.com/admin"],
        "favorite_pages": ["https://www.example.com/"],
        "custom_events": True,
        "source_maps_s3_uri": "s3://maps-bucket/app/",
        "extended_metrics": ["WebVitalsLargestContentfulPaint", "WebVitalsInteractionToNextPaint",
                             "Http5xxCount", "PerformanceNavigationDuration"],
        "extended_metric_dimensions": ["PageId", "BrowserName", "DeviceType", "CountryCode"],
        "tags": {"team": "web", "env": "prod"},
    },
    "canary": {"name": "shop-prod", "locations": ["ap-southeast-2"], "retries": 2, "empty_artifacts_on_delete": True},
    "budgets": {"fid": 100, "navigation": 3000, "js_errors": 0.5, "http_5xx": 0.1, "two_levels": True},
    "alarms": {"email": "ops@example.com"},
    "script": {"create_bucket": True, "bucket": "shop-example-site"},
    "snippet": {"dispatch_interval": 10000, "app_version": "2.4.1"},
}

#: Segment budgets (two of them over two dimensions, one over one), levels, and per-release metrics.
SEGMENTS = {
    "monitor": {"name": "shop", "extended_metrics": ["WebVitalsLargestContentfulPaint"],
                "extended_metric_dimensions": ["DeviceType"]},
    "snippet": {"release_id": "2026.12.02-1"},
    "budgets": {
        "warn": ["inp"], "release_namespace": "shop/releases",
        "segments": [
            {"page": "/checkout", "device": "mobile", "lcp": 3000, "inp": 300, "cls": 0.15},
            {"page": "/", "device": "desktop", "lcp": 2000, "warn": ["lcp"]},
            {"device": "tablet", "lcp": 2800},
            {"name": "germany", "country": "DE", "navigation": 4000},
        ],
    },
}

#: Every web client option group, a source-map bucket and an alias condition (resource-policy mode).
WEB_CLIENT = {
    "monitor": {"enable_xray": True, "source_maps_bucket": True, "cw_log_enabled": True, "log_retention_days": 365},
    "auth": {"mode": "resource-policy", "restrict_referer": True},
    "snippet": {
        "release_id": "2026.12.02-1",
        "config": {
            "alias": "prod",
            "pageIdFormat": "PATH_AND_HASH",
            "sessionEventLimit": 0,
            "batchLimit": 50,
            "cookieAttributes": {"sameSite": "Lax", "path": "/"},
            "sessionAttributes": {"tenant": "acme", "plan:tier": 2},
            "recordResourceUrl": False,
            "enableW3CTraceId": True,
            "errors": {"stackTraceLength": 500, "ignore": ["^Warning:"]},
            "performance": {"eventLimit": 20, "ignore": ["/beacon/"], "reportAllCLS": True},
            "http": {"urlsToExclude": ["/health$"], "recordAllRequests": True},
            "interaction": {"events": [{"event": "click", "cssLocator": "[data-rum]"}]},
        },
    },
}

OFF = {
    "monitor": {"telemetries": ["errors"], "allow_cookies": False, "extended_metric_dimensions": []},
    "canary": {"enabled": False},
    "budgets": {"lcp": "off", "cls": "off", "inp": "off"},
    "alarms": {"composite": False, "notify_ok": False},
    "dashboard": False,
}

LAB = {
    "canary": {"lab_vitals": True},
    "snippet": {"routes": ["/products/new", "/products/:id", "/blog/*"]},
    "budgets": {"two_levels": True, "navigation": 3000,
                "segments": [{"page": "/products/:id", "device": "mobile", "lcp": 3000}]},
}

VARIANTS: dict[str, Settings] = {
    "defaults": Settings(),
    "resource-policy": from_mapping({"auth": {"mode": "resource-policy"}}),
    "resource-policy-referer": from_mapping(
        {
            "auth": {"mode": "resource-policy", "restrict_referer": True},
            "monitor": {"domains": ["www.example.com", "*.example.com"]},
        }
    ),
    "existing-pool": from_mapping({"auth": {"identity_pool_id": POOL, "guest_role_arn": ROLE}}),
    "parameters": Settings(parameters=True),
    "parameters-existing-topic": from_mapping({"parameters": True, "alarms": {"topic_arn": TOPIC}}),
    "existing-topic-email": from_mapping(
        {
            "alarms": {"topic_arn": TOPIC, "email": "ops@example.com"},
            "canary": {"schedule": "cron(0/10 8-20 ? * MON-FRI *)"},
        }
    ),
    "parameters-no-canary": from_mapping({"parameters": True, "canary": {"enabled": False}}),
    "first-party": from_mapping(
        {
            "auth": {"mode": "resource-policy", "restrict_referer": True},
            "snippet": {"first_party": "/rum", "load": "idle"},
            "monitor": {"domains": ["www.example.com"]},
        }
    ),
    "all-on": from_mapping(FULL),
    "web-client": from_mapping(WEB_CLIENT),
    "all-off": from_mapping(OFF),
    "segments": from_mapping(SEGMENTS),
    # The canary's lab vitals (alarms at both levels, navigation too) and routes, literal and as parameters.
    "lab-routes": from_mapping(LAB),
    "lab-parameters-warn": from_mapping({**LAB, "parameters": True, "canary": {"lab_vitals": True, "lab_level": "warn",
                                                                              "tag_key": "site"}}),
    "segments-app-version": from_mapping(
        {**SEGMENTS, "budgets": {**SEGMENTS["budgets"], "release_source": "app_version"}, "parameters": True}
    ),
}

#: Every combination of the alarm-related switches.
MATRIX: dict[str, Settings] = {
    f"canary={canary} levels={2 if two else 1} notify={notify} parameters={params}": from_mapping(
        {
            "canary": {"enabled": canary},
            "budgets": {"two_levels": two, "fid": 100, "navigation": 3000, "js_errors": 0.5, "http_5xx": 0.1},
            "alarms": {"email": "ops@example.com"} if notify == "email" else {"topic_arn": TOPIC},
            "parameters": params,
        }
    )
    for canary, two, notify, params in itertools.product(
        (True, False), (False, True), ("email", "topic"), (False, True)
    )
}


def template_dict(settings=None) -> dict:
    """The template built from ``settings`` as the JSON data a user gets."""
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    return json.loads(to_json(build_template(settings)))


def snippet_body(settings) -> str:
    """The text of the stack's snippet (its Fn::Sub body) for ``settings``."""
    from rumcfn.stack.assemble import build_stack

    return build_stack(settings).snippet.to_dict()["Fn::Sub"][0]


def snippet_variables(settings) -> dict:
    """The Fn::Sub variables of the stack's snippet for ``settings``."""
    from rumcfn.stack.assemble import build_stack

    return build_stack(settings).snippet.to_dict()["Fn::Sub"][1]


#: Every option on and the canary in ten more Regions: over CloudFormation's inline limit (for the size warning).
OVER_INLINE_LIMIT = {
    **FULL,
    "canary": {
        **FULL["canary"],
        "locations": [
            "ap-southeast-2",
            "eu-west-1",
            "eu-central-1",
            "ap-northeast-1",
            "sa-east-1",
            "ca-central-1",
            "eu-north-1",
            "ap-south-1",
            "us-west-2",
            "us-east-2",
        ],
    },
}


def to_toml(data: dict) -> str:
    """A settings mapping as a rumcfn.toml (sections of scalars and lists, and tables such as tags)."""
    lines: list[str] = []
    tables: list[tuple[str, dict]] = []
    for section, values in data.items():
        if not isinstance(values, dict):
            lines.insert(0, f"{section} = {json.dumps(values)}")
            continue
        lines.append(f"[{section}]")
        for key, value in values.items():
            if isinstance(value, dict):
                tables.append((f"{section}.{key}", value))
            else:
                lines.append(f"{key} = {json.dumps(value)}")
    for name, table in tables:
        lines.append(f"[{name}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"
