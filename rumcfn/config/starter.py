"""``rumcfn init``'s settings file: a commented rumcfn.toml for the user's own site, each setting above its doc.

The answers go through :func:`rumcfn.config.from_mapping`, the same rules every settings file meets; the file
written parses back to exactly those settings.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from rumcfn.config.loading import from_mapping
from rumcfn.config.settings import Settings, setting_field
from rumcfn.version import __version__

#: What a site's first file sets, table by table (the rest keeps its default: see the settings reference).
LAYOUT = {
    "monitor": ("name", "domains", "session_sample_rate", "allow_cookies"),
    "auth": ("mode",),
    "script": ("bucket",),
    "budgets": ("lcp", "inp", "cls"),
}
#: One line each on what two defaults mean. The first from the RUM API reference (botocore's model of
#: AppMonitorConfiguration.SessionSampleRate: "Choosing a higher portion gives you more data but also incurs more
#: costs ... If you omit this parameter, the default of 0.1 is used"); the second from AllowCookies ("the RUM web
#: client sets two cookies, a session cookie and a user cookie") and AWS's "CloudWatch RUM privacy" page (cookie use
#: is subject to data privacy law in some jurisdictions, including any consent it requires).
NOTES = {
    "monitor.session_sample_rate": "cost: session_sample_rate {value} records {share} of sessions; a higher rate "
                                   "gives more data and costs more (RUM's own API default is 0.1)",
    "monitor.allow_cookies": "consent: allow_cookies = {value} {what}; where privacy law asks consent for such "
                             "cookies, get it first or set false",
}


def toml_value(value: Any) -> str:
    """A TOML value: strings as basic strings (JSON's escapes are TOML's), lists inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if value is None:
        return '"off"'
    return json.dumps(value) if isinstance(value, str) else repr(value)


def notes(settings: Settings) -> list[str]:
    """The one-line notes on the sample rate (cost) and the cookies (consent), with these settings' values."""
    rate, cookies = settings.monitor.session_sample_rate, settings.monitor.allow_cookies
    return [
        NOTES["monitor.session_sample_rate"].format(value=rate, share=f"{float(rate):.0%}"),
        NOTES["monitor.allow_cookies"].format(
            value=toml_value(cookies),
            what="sets a session cookie and a user cookie" if cookies else "sets no cookies (no users or journeys)",
        ),
    ]


def stack_name(monitor: str) -> str:
    """A stack name for the monitor: CloudFormation's 1-128 letters, digits and hyphens, starting with a letter."""
    name = re.sub(r"[^A-Za-z0-9-]+", "-", monitor).strip("-")
    name = name if name[:1].isalpha() else f"rum-{name}"
    return f"{name[:124].rstrip('-')}-rum"


def starter(answers: Mapping[str, Mapping[str, Any]], region: str | None = None) -> tuple[Settings, str]:
    """The settings the answers make (checked by every rule), and the commented file that holds them."""
    settings = from_mapping(answers)
    name, domains = settings.monitor.name, settings.monitor.domains
    stack = stack_name(name)
    lines = [
        f"# rumcfn settings for {', '.join(domains)}, written by `rumcfn init` (rumcfn {__version__}).",
        "# Every setting, its default and its rule: docs/configuration.md (or rumcfn.config.reference()).",
        "# Check it:  rumcfn synth -o template.json && rumcfn lint template.json",
        f"# Deploy it: rumcfn deploy --stack-name {stack}" + (f" --region {region}" if region else ""),
    ]
    cost, consent = notes(settings)
    for table, keys in LAYOUT.items():
        lines += ["", f"[{table}]"]
        section = getattr(settings, table)
        for key in keys:
            dotted = f"{table}.{key}"
            if dotted == "monitor.session_sample_rate":
                lines.append(f"# {cost}")
            elif dotted == "monitor.allow_cookies":
                lines.append(f"# {consent}")
            else:
                lines.append(f"# {setting_field(dotted).metadata['doc']}")
            lines.append(f"{key} = {toml_value(getattr(section, key))}")
    return settings, "\n".join(lines) + "\n"
