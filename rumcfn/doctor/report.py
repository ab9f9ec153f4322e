"""One record per check, and the report: a line per check (a mark, the finding, the fix), or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from rumcfn.text import printable

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
MARKS = {OK: "ok  ", FAILED: "FAIL", SKIPPED: "skip"}


@dataclass(frozen=True)
class Check:
    """What one check found: ``detail`` says it in one line; ``fix`` is what to do when it failed."""

    name: str
    status: str
    detail: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        return self.status == FAILED


def ok(name: str, detail: str) -> Check:
    return Check(name, OK, detail)


def failed(name: str, detail: str, fix: str = "") -> Check:
    return Check(name, FAILED, detail, fix)


def skipped(name: str, detail: str) -> Check:
    return Check(name, SKIPPED, detail)


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when nothing failed (skipped checks do not fail), 1 otherwise."""
        return 1 if any(c.failed for c in self.checks) else 0

    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.failed]

    def text(self) -> str:
        width = max((len(c.name) for c in self.checks), default=0)
        lines = []
        for check in self.checks:
            lines.append(f"{MARKS[check.status]}  {check.name:<{width}}  {printable(check.detail)}")
            if check.fix:
                lines.append(f"{'':4}  {'':<{width}}  fix: {printable(check.fix)}")
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        bad = self.failures()
        if not bad:
            return f"all {len(self.checks)} checks passed or were skipped"
        return f"{len(bad)} of {len(self.checks)} checks failed: {', '.join(c.name for c in bad)}"

    def json(self) -> str:
        return json.dumps({"status": "failed" if self.exit_code else "ok",
                           "checks": [asdict(c) for c in self.checks]}, indent=2) + "\n"
