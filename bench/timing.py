"""Repeated measurements and their summary: median and spread, never a single run."""

from __future__ import annotations

import statistics
import subprocess
import time
from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class Stats:
    """Summary of repeated samples (seconds unless said otherwise)."""

    samples: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    @property
    def iqr(self) -> tuple[float, float]:
        """25th and 75th percentiles (inclusive method; equals min/max for tiny samples)."""
        if self.n < 4:
            return self.low, self.high
        q = statistics.quantiles(self.samples, n=4, method="inclusive")
        return q[0], q[2]

    @property
    def stdev(self) -> float:
        return statistics.stdev(self.samples) if self.n > 1 else 0.0

    def ms(self, digits: int = 1) -> str:
        """``median ms (IQR a–b, min–max c–d, n=N)`` for a table cell."""
        q1, q3 = self.iqr
        f = f"{{:.{digits}f}}"
        return (f"{f.format(self.median * 1e3)} ms (IQR {f.format(q1 * 1e3)}–{f.format(q3 * 1e3)}, "
                f"range {f.format(self.low * 1e3)}–{f.format(self.high * 1e3)}, n={self.n})")

    def scaled(self, factor: float) -> "Stats":
        return Stats(tuple(s * factor for s in self.samples))


def repeat(fn: Callable[[], object], runs: int, warmup: int = 0, budget: float | None = None,
           min_runs: int = 3) -> Stats:
    """Wall-clock time of ``fn()`` over ``runs`` runs after ``warmup`` untimed ones; with ``budget``
    (seconds), stop early once that much time is spent and at least ``min_runs`` are done."""
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    spent = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        spent += samples[-1]
        if budget is not None and spent > budget and len(samples) >= min_runs:
            break
    return Stats(tuple(samples))


def process(argv: Sequence[str], runs: int, warmup: int = 1, **kwargs) -> Stats:
    """Wall-clock time of a whole process, start to exit; a non-zero exit is an error."""
    def once():
        done = subprocess.run(list(argv), capture_output=True, **kwargs)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-500:]!r}")

    return repeat(once, runs, warmup)


def ratio_stats(a: Sequence[float], b: Sequence[float]) -> float:
    """Ratio of medians ``median(a) / median(b)``."""
    return statistics.median(a) / statistics.median(b)
