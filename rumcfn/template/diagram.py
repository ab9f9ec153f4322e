"""A picture of the stack: resources and their references as Graphviz DOT.

Edges come from the template itself: ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` placeholders
(``${X}`` and ``${X.Attr}``) and ``DependsOn``. Resources are grouped by concern into clusters.
DOT is generated here without any dependency and is deterministic (sorted nodes and edges);
SVG/PNG are rendered by Graphviz's ``dot`` when it is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from rumcfn.contract import CustomResources
from rumcfn.errors import OperationFailed

#: Cluster id -> (label, fill colour), in drawing order.
CLUSTERS = {
    "monitor": ("RUM app monitor", "#e8f1fb"),
    "auth": ("Browser authorization", "#eef7ea"),
    "snippet": ("Snippet (custom resource)", "#fdf3e3"),
    "canary": ("Synthetics canary", "#f3ecfa"),
    "alarms": ("Alarms and notifications", "#fde9e9"),
    "dashboard": ("Dashboard", "#eaf6f6"),
    "other": ("Other", "#f2f2f2"),
}

#: Resource type prefixes that decide the cluster on their own (first match wins).
TYPE_CLUSTERS = (
    ("AWS::RUM::", "monitor"),
    ("AWS::Cognito::", "auth"),
    ("AWS::Synthetics::", "canary"),
    ("AWS::CloudWatch::Alarm", "alarms"),
    ("AWS::CloudWatch::CompositeAlarm", "alarms"),
    ("AWS::SNS::", "alarms"),
    ("AWS::CloudWatch::Dashboard", "dashboard"),
    (CustomResources.EMPTY_BUCKET, "canary"),  # empties the canary's artifacts bucket
    ("AWS::Lambda::", "snippet"),
    ("AWS::CloudFormation::CustomResource", "snippet"),
    ("Custom::", "snippet"),
)

#: For generic types (roles, buckets, log groups, keys): words in the logical id, first match wins.
NAME_CLUSTERS = (
    ("canary", "canary"),
    ("artifact", "canary"),
    ("alarm", "alarms"),
    ("alert", "alarms"),
    ("topic", "alarms"),
    ("notif", "alarms"),
    ("dashboard", "dashboard"),
    ("guest", "auth"),
    ("identity", "auth"),
    ("cognito", "auth"),
    ("script", "snippet"),
    ("snippet", "snippet"),
    ("handler", "snippet"),
    ("function", "snippet"),
    ("website", "snippet"),
    ("site", "snippet"),
    ("monitor", "monitor"),
    ("rum", "monitor"),
    ("sourcemap", "monitor"),
)

EDGE_STYLES = {
    "Ref": 'color="#1f5fa8"',
    "GetAtt": 'color="#2e7d32"',
    "Sub": 'color="#b26a00", style=dashed',
    "DependsOn": 'color="#777777", style=dotted',
}

LEGEND = "arrows point at what a resource references: Ref (blue), GetAtt (green), Sub (dashed), DependsOn (dotted)"

_SUB = re.compile(r"\$\{([^!}][^}]*)\}")


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    kind: str  # Ref, GetAtt, Sub or DependsOn
    attribute: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} {self.attribute}".strip()


def classify(logical_id: str, resource_type: str) -> str | None:
    """The cluster a resource belongs to from its type, else its logical id; ``None`` if unsure."""
    for prefix, cluster in TYPE_CLUSTERS:
        if resource_type.startswith(prefix):
            return cluster
    lowered = logical_id.lower()
    for word, cluster in NAME_CLUSTERS:
        if word in lowered:
            return cluster
    return None


def _walk(value: Any) -> Iterator[tuple[str, str, str]]:
    """Yield (kind, target, attribute) for every reference inside a template value."""
    if isinstance(value, Mapping):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and isinstance(arg, str):
                yield "Ref", arg, ""
                return
            if key == "Fn::GetAtt":
                if isinstance(arg, str):
                    target, _, attribute = arg.partition(".")
                    yield "GetAtt", target, attribute
                elif isinstance(arg, list) and arg and isinstance(arg[0], str):
                    yield "GetAtt", arg[0], str(arg[1]) if len(arg) > 1 and isinstance(arg[1], str) else ""
                    yield from _walk(arg[1:])
                return
            if key == "Fn::Sub":
                body, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
                local = set(variables) if isinstance(variables, Mapping) else set()
                if isinstance(body, str):
                    for name in _SUB.findall(body):
                        target, _, attribute = name.partition(".")
                        if target not in local:
                            yield "Sub", target, attribute
                yield from _walk(variables)
                return
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def references(template: Mapping[str, Any]) -> list[Edge]:
    """Every reference from one resource to another (parameters and pseudo parameters left out)."""
    resources = template.get("Resources") or {}
    edges = set()
    for source, resource in resources.items():
        for kind, target, attribute in _walk({k: v for k, v in resource.items() if k != "DependsOn"}):
            if target in resources and target != source:
                edges.add(Edge(source, target, kind, attribute))
        depends = resource.get("DependsOn") or []
        for target in [depends] if isinstance(depends, str) else depends:
            if target in resources:
                edges.add(Edge(source, target, "DependsOn"))
    return sorted(edges)


def clusters(template: Mapping[str, Any], edges: list[Edge] | None = None) -> dict[str, str]:
    """Logical id -> cluster. Resources the rules cannot place join the cluster of their neighbours."""
    resources = template.get("Resources") or {}
    edges = references(template) if edges is None else edges
    placed = {lid: classify(lid, str(res.get("Type", ""))) for lid, res in sorted(resources.items())}
    for _ in range(3):  # a few rounds lets a role next to a function next to a custom resource settle
        for lid in sorted(placed):
            if placed[lid] is not None:
                continue
            votes: dict[str, int] = {}
            for edge in edges:
                other = edge.target if edge.source == lid else edge.source if edge.target == lid else None
                if other and placed.get(other):
                    votes[placed[other]] = votes.get(placed[other], 0) + 1
            if votes:
                placed[lid] = sorted(votes.items(), key=lambda kv: (-kv[1], list(CLUSTERS).index(kv[0])))[0][0]
    return {lid: cluster or "other" for lid, cluster in placed.items()}


def _quote(*lines: str) -> str:
    """A DOT string; several lines are joined with DOT's ``\\n``."""
    return '"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines) + '"'


def to_dot(template: Mapping[str, Any], title: str | None = None) -> str:
    """The template as a DOT digraph: one node per resource, one edge per distinct reference."""
    resources = template.get("Resources") or {}
    edges = references(template)
    placement = clusters(template, edges)
    lines = ["digraph rumcfn {",
             "  graph [rankdir=LR, fontname=Helvetica, fontsize=12, nodesep=0.3, ranksep=0.6, compound=true"
             + (f", label={_quote(title, LEGEND)}, labelloc=t" if title else "") + "];",
             '  node [shape=box, style="rounded,filled", fillcolor=white, fontname=Helvetica, fontsize=10];',
             "  edge [fontname=Helvetica, fontsize=8, arrowsize=0.6];"]
    for index, (cluster, (label, colour)) in enumerate(CLUSTERS.items()):
        members = sorted(lid for lid, c in placement.items() if c == cluster)
        if not members:
            continue
        lines.append(f"  subgraph cluster_{index}_{cluster} {{")
        lines.append(f'    label={_quote(label)}; style="rounded,filled"; fillcolor={_quote(colour)}; color="#999999";')
        for lid in members:
            kind = str(resources[lid].get("Type", "?"))
            lines.append(f"    {_quote(lid)} [label={_quote(lid, kind)}];")
        lines.append("  }")
    for edge in edges:
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [label={_quote(edge.label)}, "
                     f"{EDGE_STYLES[edge.kind]}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


FORMATS = ("dot", "svg", "png")


def format_of(path: str | None, fmt: str | None = None) -> str:
    """The output format: explicit, else the file suffix, else DOT."""
    if fmt:
        return fmt
    suffix = (path or "").rsplit(".", 1)[-1].lower() if path and "." in path else "dot"
    if suffix in ("dot", "gv"):
        return "dot"
    if suffix not in FORMATS:
        raise OperationFailed(f"cannot tell the format of {path!r}: use a .dot, .svg or .png file or --format")
    return suffix


def render(dot: str, fmt: str, dot_binary: str = "dot") -> bytes:
    """DOT text as ``fmt`` bytes; SVG and PNG need Graphviz's ``dot`` on PATH."""
    if fmt == "dot":
        return dot.encode()
    binary = shutil.which(dot_binary)
    if binary is None:
        raise OperationFailed(f"Graphviz 'dot' is not installed, so {fmt.upper()} cannot be drawn: install graphviz "
                           "(apt-get install graphviz, brew install graphviz) or write a .dot file")
    done = subprocess.run([binary, f"-T{fmt}"], input=dot.encode(), capture_output=True, timeout=120)
    if done.returncode != 0:
        first = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[0]
        raise OperationFailed(f"dot -T{fmt} failed (exit {done.returncode}): {first}")
    return done.stdout


__all__ = ["Edge", "references", "clusters", "classify", "to_dot", "render", "format_of", "CLUSTERS"]
