"""Retrying API calls that failed for reasons that pass: 429, 5xx, no connection.

One policy object, one loop; the sleep is injected so tests never wait. Delays
are jittered as client-go's `wait.Jitter` does (each drawn from [d, 2d) by
default): after an API-server blip, thousands of clients that failed together
must not all come back in the same instant. The random source is injected, so
tests choose the draws.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from warmstart.kube.errors import ApiUnreachable, KubeError, ServerError, TooManyRequests

T = TypeVar("T")
log = logging.getLogger(__name__)

Sleep = Callable[[float], None]
Random = Callable[[], float]  # a draw, uniform in [0, 1)


def jittered(base: float, jitter: float, rand: Random) -> float:
    """`base` stretched by up to `jitter` times itself: a draw from [base, base*(1+jitter))."""
    return base * (1.0 + jitter * rand())


@dataclass(frozen=True)
class Backoff:
    """Delays before each retry (before jitter); its length is the number of retries."""

    delays: Sequence[float] = (0.1, 0.5, 1.0, 2.0, 5.0)
    max_retry_after: float = 60.0  # never trust a Retry-After beyond this
    jitter: float = 1.0  # client-go's reflector backoff uses 1.0
    rand: Random = random.random

    @property
    def attempts(self) -> int:
        return len(self.delays) + 1

    def delay(self, retry: int, error: Exception) -> float:
        # The server's own Retry-After is obeyed as given: it already spreads its clients.
        if isinstance(error, TooManyRequests) and error.retry_after is not None:
            return min(error.retry_after, self.max_retry_after)
        if not self.delays:
            return 0.0
        return jittered(self.delays[min(retry, len(self.delays) - 1)], self.jitter, self.rand)


NO_RETRY = Backoff(delays=())


def is_transient(error: KubeError) -> bool:
    return isinstance(error, TooManyRequests | ServerError | ApiUnreachable)


def retrying(call: Callable[[], T], what: str, backoff: Backoff, sleep: Sleep = time.sleep) -> T:
    """Run `call`, retrying transient errors along `backoff`; re-raise the last one."""
    for attempt in range(1, backoff.attempts + 1):
        try:
            return call()
        except KubeError as error:
            if not is_transient(error) or attempt == backoff.attempts:
                raise
            pause = backoff.delay(attempt - 1, error)
            log.warning("%s failed (%s); attempt %d of %d, retrying in %.2f s",
                        what, error, attempt, backoff.attempts, pause)
            sleep(pause)
    raise AssertionError("unreachable: the loop returns or raises")
