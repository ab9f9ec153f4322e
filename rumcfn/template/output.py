"""Deterministic template text: JSON (sections in reading order) and YAML (cfn-flip).

JSON is indented for people while that fits CloudFormation's inline limit; a template that would
only be deployable inline without the indentation is written compact instead (the same data).
Numbers that JSON cannot hold (infinity, NaN) are refused rather than written.
"""

from __future__ import annotations

import json

from troposphere import Template

from rumcfn.facts import INLINE_LIMIT

#: Sections in the order people read them (the order of the template anatomy in the CloudFormation User Guide).
SECTION_ORDER = ("AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
                 "Conditions", "Resources", "Outputs")


def to_dict(template: Template) -> dict:
    data = template.to_dict()
    return {key: data[key] for key in SECTION_ORDER if key in data}


def to_json(template: Template) -> str:
    """One-space-indented JSON, or compact JSON when the indented text would exceed the inline limit."""
    data = to_dict(template)
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    if len(text.encode("utf-8")) > INLINE_LIMIT:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"
    return text


def to_yaml(template: Template) -> str:
    import cfn_flip

    return cfn_flip.to_yaml(to_json(template))


def render(template: Template, fmt: str = "json") -> str:
    return to_yaml(template) if fmt == "yaml" else to_json(template)
