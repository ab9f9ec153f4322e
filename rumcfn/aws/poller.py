"""Waiting for CloudFormation: a polling loop with bounded sleeps, and how long botocore's own waiters wait.

Clock and sleep are injectable so tests never sleep. Only the standard library and rumcfn's errors: the session
makes pollers without importing what reads stacks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from rumcfn.errors import OperationFailed


class WaitTimedOut(OperationFailed):
    """A wait gave up at its bound; the operation may still be running."""


@dataclass
class Poller:
    """Sleeps between polls: starts at ``first`` seconds, grows by ``factor`` while nothing changes, never more
    than ``most``. A wait is bounded by ``timeout`` (seconds) when given, else by the ``bound`` its
    :meth:`start` names (see :func:`waiter_bound`)."""

    first: float = 1.0
    most: float = 10.0
    factor: float = 1.5
    timeout: float | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _delay: float = field(default=0.0, init=False)
    _started: float | None = field(default=None, init=False)
    _bound: float | None = field(default=None, init=False)

    def start(self, bound: float | None = None) -> None:
        self._started = self.clock()
        self._delay = self.first
        self._bound = self.timeout if self.timeout is not None else bound

    def elapsed(self) -> float:
        return self.clock() - (self._started if self._started is not None else self.clock())

    def wait(self, progressed: bool = False, what: str = "the operation", hint: str = "") -> None:
        """Sleep until the next poll; past the bound, give up with one line (``hint``: how to follow it)."""
        if self._started is None:
            self.start()
        if progressed:
            self._delay = self.first
        if self._bound is not None and self.elapsed() + self._delay > self._bound:
            raise WaitTimedOut(f"gave up waiting for {what} after {self.elapsed():.0f} s"
                               + (f"; {hint}" if hint else ""))
        self.sleep(self._delay)
        self._delay = min(self.most, self._delay * self.factor)


def waiter_bound(client: Any, waiter: str) -> float:
    """How long botocore's own ``waiter`` waits at most: delay x max attempts from the service's waiter model
    (CloudFormation's stack and change-set waiters: 30 s x 120, one hour)."""
    config = client.get_waiter(waiter).config
    return float(config.delay * config.max_attempts)
