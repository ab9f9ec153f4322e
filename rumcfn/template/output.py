"""Deterministic template text, and files that are never left half-written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from troposphere import Template

#: CloudFormation's limit for a template passed inline (``--template-body``); larger ones need S3.
INLINE_LIMIT = 51_200


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


def write_atomic(path: str | os.PathLike, content: str | bytes) -> None:
    """Write via a temporary file in the same directory, then rename: readers see old or new, never half."""
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
