"""rumcfn: one CloudFormation template for end-to-end CloudWatch RUM monitoring of a website."""

__version__ = "0.1.0"

from rumcfn.config.settings import Settings, SettingsError, load  # noqa: E402
from rumcfn.build.stack import Stack, build_stack, build_template  # noqa: E402

__all__ = ["Settings", "SettingsError", "load", "Stack", "build_stack", "build_template", "__version__"]
