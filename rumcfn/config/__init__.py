"""The one place that knows what a valid setting is: section models whose fields declare default,
doc and rule together; the rule primitives; loading from TOML, mappings and overrides."""

from rumcfn.config.settings import (SECTIONS, AlarmSettings, AuthSettings, BudgetSettings, CanarySettings,
                                    MonitorSettings, ScriptSettings, Settings, SettingsError, SnippetSettings,
                                    from_mapping, is_literal, load, reference, with_overrides)

__all__ = ["SECTIONS", "AlarmSettings", "AuthSettings", "BudgetSettings", "CanarySettings", "MonitorSettings",
           "ScriptSettings", "Settings", "SettingsError", "SnippetSettings", "from_mapping", "is_literal", "load",
           "reference", "with_overrides"]
