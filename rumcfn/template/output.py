"""Deterministic template text: JSON (one-space indent, sections in reading order) and YAML (cfn-flip)."""

from __future__ import annotations

import json

from troposphere import Template



#: Sections in the order people read them (the order of the template anatomy in the CloudFormation User Guide).
SECTION_ORDER = ("AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
                 "Conditions", "Resources", "Outputs")


def to_dict(template: Template) -> dict:
    data = template.to_dict()
    return {key: data[key] for key in SECTION_ORDER if key in data}


def to_json(template: Template) -> str:
    """Compact-but-readable JSON (one-space indent keeps the full template well under the inline limit)."""
    return json.dumps(to_dict(template), indent=1, ensure_ascii=False) + "\n"


def to_yaml(template: Template) -> str:
    import cfn_flip

    return cfn_flip.to_yaml(to_json(template))


def render(template: Template, fmt: str = "json") -> str:
    return to_yaml(template) if fmt == "yaml" else to_json(template)
