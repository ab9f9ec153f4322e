"""cfn-lint through its Python API. Rules and schemas load once per :class:`Linter`, so a fleet of
templates costs one start-up, not one per template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

DEFAULT_REGIONS = ("us-east-1",)


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str  # "error", "warning" or "informational"
    message: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.rule} [{self.level}] {self.path} (line {self.line}): {self.message}"


class Linter:
    """All cfn-lint rules, including informational ones, over the given regions."""

    def __init__(self, regions: Iterable[str] = DEFAULT_REGIONS):
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner.cli import Runner

        self.config = ConfigMixIn(regions=list(regions), include_checks=["I"])
        self.runner = Runner(self.config)

    def lint(self, text: str) -> list[Finding]:
        from cfnlint.decode.decode import decode_str

        template, matches = decode_str(text)
        if not matches and template is not None:
            matches = list(self.runner.validate_template(template))
        return [_finding(m) for m in matches]


_LEVELS = {"E": "error", "W": "warning", "I": "informational"}


def _finding(match) -> Finding:
    rule_id = match.rule.id
    path = "/".join(str(p) for p in (getattr(match, "path", None) or []))
    return Finding(rule_id, _LEVELS.get(rule_id[:1], "error"), match.message, path, match.linenumber)
