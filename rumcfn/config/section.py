"""How a settings section is declared: each field carries its default, its doc and its rule together.

A section's ``__post_init__`` normalizes each field (lists become tuples), checks it by its rule,
then runs the section's own rules between fields (:meth:`Section.check`).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from rumcfn.config.rules import Rule


def setting(default: Any, doc: str, rule: Rule | None = None, *, factory: bool = False):
    """A dataclass field whose default, meaning and rule are declared in one place."""
    metadata = {"doc": doc, "rule": rule}
    if factory:
        return dataclasses.field(default_factory=default, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


class Section:
    """Base of the settings sections (``[monitor]``, ``[auth]`` ...); ``section`` is the table's name."""

    section: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            rule = f.metadata.get("rule")
            if rule is None:
                continue
            value = rule.normalize(getattr(self, f.name))
            object.__setattr__(self, f.name, value)
            rule.check(self.qualified(f.name), value)
        self.check()

    def check(self) -> None:
        """Rules between this section's fields (each field's own rule has passed)."""

    @classmethod
    def qualified(cls, field_name: str) -> str:
        return f"{cls.section}.{field_name}" if cls.section else field_name

    @classmethod
    def rule(cls, field_name: str) -> Rule:
        """The rule declared for a field (``--parameters`` mode builds its constraints from it)."""
        return {f.name: f for f in dataclasses.fields(cls)}[field_name].metadata["rule"]  # type: ignore[arg-type]
