"""The one place that knows what a valid setting is: section models whose fields declare default,
doc and rule together (:mod:`.section`, :mod:`.rules`); the sections (:mod:`.monitor`,
:mod:`.delivery`, :mod:`.canary`, :mod:`.budgets`, :mod:`.settings`); loading from TOML, mappings
and overrides (:mod:`.loading`); the settings reference (:mod:`.reference`)."""

from rumcfn.config.budgets import AlarmSettings, Budget, BudgetSettings, Level
from rumcfn.config.canary import CanarySettings, schedule_interval
from rumcfn.config.delivery import ScriptSettings, SnippetSettings
from rumcfn.config.loading import budget_override, from_mapping, load, split_list, with_overrides
from rumcfn.config.monitor import AuthSettings, MonitorSettings
from rumcfn.config.reference import reference
from rumcfn.config.rules import Value, is_literal
from rumcfn.config.segments import Segment
from rumcfn.config.settings import SECTIONS, Settings
from rumcfn.errors import SettingsError

__all__ = ["SECTIONS", "AlarmSettings", "AuthSettings", "Budget", "BudgetSettings", "CanarySettings", "Level",
           "MonitorSettings", "ScriptSettings", "Segment", "Settings", "SettingsError", "SnippetSettings", "Value",
           "budget_override", "from_mapping", "is_literal", "load", "reference", "schedule_interval",
           "split_list", "with_overrides"]
