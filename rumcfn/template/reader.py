"""The one template reader: a template synthesized from settings or read from a file (``-``: standard
input), as text and as data, with what CloudFormation needs to know about it (size, parameters,
capabilities). lint, diagram, deploy, diff, StackSets and Service Catalog all read through here."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

from rumcfn.errors import UsageError
from rumcfn.facts import INLINE_LIMIT, S3_TEMPLATE_LIMIT

#: Resource types whose explicit name property makes CloudFormation require CAPABILITY_NAMED_IAM.
IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}


#: The origin of a template built from settings, as errors and lint findings name it.
SYNTHESIZED = "<synthesized>"

#: How deep a template read from a file may nest (each mapping and list is a level). rumcfn's own bound, not
#: AWS's: far deeper than any template needs (rumcfn's own nest 12 deep), far shallower than what makes the
#: JSON and YAML parsers, cfn-lint or the diagram run out of stack.
MAX_NESTING = 100
#: JSON strings (skipped whole, even unterminated) and brackets.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


class TemplateUnreadable(UsageError):
    """The file is no template rumcfn can read (not JSON or YAML, too deep, no Resources)."""


class TemplateTooLarge(UsageError):
    """Over CloudFormation's limit for an inline template, with no bucket to upload it to."""

    def __init__(self, origin: str, size: int) -> None:
        super().__init__(f"{origin} is {size:,} bytes, over CloudFormation's {INLINE_LIMIT:,}-byte limit for an "
                         "inline template; pass --s3-bucket BUCKET to upload it to S3 first")


def inline_warning(size: int, origin: str) -> str | None:
    """What to tell the user about a template of ``size`` bytes that is over the inline limit (None when it fits)."""
    if size <= INLINE_LIMIT:
        return None
    return (f"{origin} is {size:,} bytes, over CloudFormation's {INLINE_LIMIT:,}-byte limit for a template passed "
            "inline (aws cloudformation deploy without --s3-bucket); deploy it through S3: rumcfn deploy --s3-bucket "
            "BUCKET, or aws cloudformation deploy --s3-bucket BUCKET")


class UnknownParameter(UsageError):
    def __init__(self, key: str, known: list[str]) -> None:
        super().__init__(f"--parameter-overrides {key}: the template has no such parameter "
                         f"(it has: {', '.join(known) or 'none'})")


@dataclass(frozen=True)
class TemplateSource:
    body: str
    origin: str  # a path, or "<synthesized>"

    @cached_property
    def data(self) -> dict[str, Any]:
        import cfn_flip

        try:
            data, _fmt = cfn_flip.load(self.body)
        except Exception as error:  # cfn_flip raises json/yaml errors of several kinds
            raise TemplateUnreadable(f"{self.origin}: not a JSON or YAML template ({error})".splitlines()[0]) from None
        if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
            raise TemplateUnreadable(f"{self.origin}: not a CloudFormation template (no Resources section)")
        return data

    @property
    def size(self) -> int:
        return len(self.body.encode("utf-8"))

    def fits_inline(self) -> bool:
        return self.size <= INLINE_LIMIT

    def check_inline(self) -> None:
        if not self.fits_inline():
            raise TemplateTooLarge(self.origin, self.size)

    def check_deployable(self, overrides: dict[str, str], s3_bucket: str | None, regions: Iterable[str] = ()) -> None:
        """Fail before any AWS call: an override the template lacks, too big to send inline, or a Region that
        lacks one of its resource types."""
        from rumcfn.template.regions import check_regions

        self.check_overrides(overrides)
        if not s3_bucket:
            self.check_inline()
        check_regions(self.data, regions)

    @property
    def parameter_keys(self) -> list[str]:
        return list(self.data.get("Parameters") or {})

    def check_overrides(self, overrides: dict[str, str]) -> None:
        for key in overrides:
            if key not in self.parameter_keys:
                raise UnknownParameter(key, self.parameter_keys)

    @property
    def capabilities(self) -> list[str]:
        """What CloudFormation must be told the template does: IAM resources, named ones, macros."""
        caps = []
        iam = named = False
        for resource in self.data["Resources"].values():
            kind = resource.get("Type", "") if isinstance(resource, dict) else ""
            if kind.startswith("AWS::IAM::"):
                iam = True
                if IAM_NAME_PROPERTIES.get(kind) in (resource.get("Properties") or {}):
                    named = True
        if named:
            caps.append("CAPABILITY_NAMED_IAM")
        elif iam:
            caps.append("CAPABILITY_IAM")
        if "Transform" in self.data or _uses_fn_transform(self.data):
            caps.append("CAPABILITY_AUTO_EXPAND")
        return caps


def _uses_fn_transform(node: Any) -> bool:
    if isinstance(node, dict):
        return "Fn::Transform" in node or any(_uses_fn_transform(v) for v in node.values())
    if isinstance(node, list):
        return any(_uses_fn_transform(v) for v in node)
    return False


def _json_too_deep(text: str) -> bool:
    """Whether JSON text nests deeper than :data:`MAX_NESTING` (its brackets outside strings, counted)."""
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def _yaml_too_deep(text: str, origin: str) -> bool:
    """Whether YAML text nests deeper than :data:`MAX_NESTING`, from PyYAML's event stream (read without
    recursion and without building anything); an alias is refused outright."""
    import yaml

    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_NESTING:
                    return True
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):  # "Template formats": CloudFormation doesn't support aliases
                raise TemplateUnreadable(f"{origin}: line {event.start_mark.line + 1}: uses a YAML alias "
                                         f"(*{event.anchor}), which CloudFormation does not support")
    except yaml.YAMLError:
        pass  # not YAML either: the parser that reads it says so
    return False


def check_shape(text: str, origin: str) -> None:
    """Refuse, before any parser or cfn-lint sees it, text nested deeper than :data:`MAX_NESTING` or using YAML
    aliases (an alias bomb keeps whoever walks the template busy for ever). JSON is scanned by its brackets;
    text that is not valid JSON is scanned as the YAML the parsers fall back to."""
    if text.lstrip()[:1] in ("{", "["):
        too_deep = _json_too_deep(text)
        if not too_deep:
            try:
                json.loads(text)  # safe now: no deeper than MAX_NESTING
                return
            except ValueError:
                too_deep = _yaml_too_deep(text, origin)
    else:
        too_deep = _yaml_too_deep(text, origin)
    if too_deep:
        raise TemplateUnreadable(f"{origin}: nested more than {MAX_NESTING} levels deep; a CloudFormation template "
                                 "needs far fewer, and rumcfn reads no deeper")


def from_file(path: str, flag: str = "TEMPLATE_FILE") -> TemplateSource:
    """The template in ``path`` (``-``: standard input); ``flag`` names where the path came from in errors."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(S3_TEMPLATE_LIMIT + 1)
        else:
            with open(path, "rb") as handle:  # at most one byte past the limit: a device or pipe may never end
                data = handle.read(S3_TEMPLATE_LIMIT + 1)
        if len(data) > S3_TEMPLATE_LIMIT:
            raise TemplateUnreadable(f"{flag} {path}: cannot read it (more than {S3_TEMPLATE_LIMIT:,} bytes, the most "
                                     "CloudFormation takes even from S3)")
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateUnreadable(f"{flag} {path}: cannot read it (not UTF-8 text)") from None
    except OSError as error:
        raise TemplateUnreadable(f"{flag} {path}: cannot read it ({error.strerror or error})") from None
    origin = "<stdin>" if path == "-" else path
    check_shape(text, origin)
    return TemplateSource(text, origin)


def from_settings(settings: Any) -> TemplateSource:
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    return TemplateSource(to_json(build_template(settings)), SYNTHESIZED)


def source(template_file: str | None, settings: Any, flag: str = "TEMPLATE_FILE") -> TemplateSource:
    """The file when one is named, else the template built from ``settings``."""
    return from_file(template_file, flag) if template_file else from_settings(settings)
