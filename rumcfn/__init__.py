"""rumcfn: one CloudFormation template for end-to-end CloudWatch RUM monitoring of a website.

The public API: settings (:mod:`rumcfn.config`), the stack builder (:mod:`rumcfn.stack`) and the
template's text (:mod:`rumcfn.template.output`)."""

from rumcfn.config import Settings, SettingsError, from_mapping, load, with_overrides  # noqa: E402
from rumcfn.stack.assemble import Stack, build_stack, build_template  # noqa: E402
from rumcfn.template.output import to_json, to_yaml  # noqa: E402
from rumcfn.version import __version__

__all__ = ["Settings", "SettingsError", "load", "from_mapping", "with_overrides", "Stack", "build_stack",
           "build_template", "to_json", "to_yaml", "__version__"]
