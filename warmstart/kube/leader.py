"""Runs a LeaderElector in the background and tells the service when it leads.

The loop renews every `retry_period_s` by an injected clock, stretched by a
random share as client-go's leader election does (`JitterFactor` 1.2), so
candidates that start together do not keep colliding; the callbacks fire on
each change of leadership, so a provisioner starts acting only while it is
leader and stops the moment it is not.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from warmstart.clock import Clock
from warmstart.kube.lease import LeaderElector
from warmstart.kube.retry import Random, jittered

log = logging.getLogger(__name__)
JITTER = 1.2  # client-go's leaderelection JitterFactor


def _nothing() -> None:
    return None


class LeaderRunner:
    def __init__(self, elector: LeaderElector, clock: Clock, *, retry_period_s: float = 2.0,
                 on_started: Callable[[], None] = _nothing,
                 on_stopped: Callable[[], None] = _nothing, rand: Random = random.random) -> None:
        self.elector, self.clock, self.retry_period_s = elector, clock, retry_period_s
        self._rand = rand
        self.on_started, self.on_stopped = on_started, on_stopped
        self._leading = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        return self.elector.is_leader(self.clock.now())

    def tick(self) -> None:
        """One round: try to acquire or renew, then report any change of leadership."""
        now = self.clock.now()
        decision = self.elector.try_acquire_or_renew(now)
        leading = self.elector.is_leader(now)
        if leading != self._leading:
            log.info("leadership %s: %s", "gained" if leading else "lost", decision.reason)
            self._leading = leading
            (self.on_started if leading else self.on_stopped)()

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, daemon=True, name="leader-election")
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop campaigning and release the lease so a successor takes over at once."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self.elector.release(self.clock.now())
        if self._leading:
            self._leading = False
            self.on_stopped()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.tick()
            except Exception:  # keep campaigning; a lost round only delays us
                log.exception("leader election round failed")
            self._stopping.wait(jittered(self.retry_period_s, JITTER, self._rand))
