"""What the budget gate judges: the monitor, its budgets and its per-release metrics, from settings or from a
deployed stack's ``Metadata.rumcfn`` (:class:`rumcfn.contract.StackMetadata`: what a stack built from the same
settings records, so a stack can be judged without its settings file)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rumcfn.contract import Budget, Releases, StackMetadata


@dataclass(frozen=True)
class Target:
    """What the gate judges: the monitor, its budgets (the site's, then each segment's), its release metrics."""

    app_monitor: str
    budgets: list[Budget] = field(default_factory=list)
    releases: Releases | None = None

    @classmethod
    def of(cls, app_monitor: str, recorded: StackMetadata) -> Target:
        return cls(app_monitor, recorded.all_budgets(), recorded.releases)


def from_settings(settings) -> Target:
    """The monitor of ``settings`` and its budgets exactly as a stack built from them records them."""
    return Target.of(settings.monitor.name, settings.budgets.recorded())
