"""Backoff delays are jittered as client-go's are; the random draws are injected."""

from __future__ import annotations

import random

import httpx
import pytest

from warmstart.kube import Backoff, ServerError, TooManyRequests
from warmstart.kube.errors import error_from_status
from warmstart.kube.retry import jittered

FAILED = ServerError(503, "ServiceUnavailable", "etcd leader changed")


def test_each_delay_is_drawn_from_d_to_2d() -> None:
    draws = iter([0.0, 0.5, 0.999, 0.25])
    backoff = Backoff(delays=(1.0, 4.0), rand=draws.__next__)
    assert [backoff.delay(retry, FAILED) for retry in range(4)] == pytest.approx(
        [1.0, 6.0, 7.996, 5.0])  # past the last delay, the last one repeats


def test_jitter_zero_keeps_the_delays_as_written() -> None:
    backoff = Backoff(delays=(0.5, 2.0), jitter=0.0, rand=lambda: 0.9)
    assert [backoff.delay(r, FAILED) for r in range(2)] == [0.5, 2.0]


def test_a_servers_retry_after_is_obeyed_as_given_within_the_cap() -> None:
    backoff = Backoff(delays=(1.0,), rand=lambda: 0.9, max_retry_after=30.0)
    assert backoff.delay(0, TooManyRequests(429, "TooManyRequests", "", 7.0)) == 7.0
    assert backoff.delay(0, TooManyRequests(429, "TooManyRequests", "", 600.0)) == 30.0


def test_clients_that_failed_together_come_back_spread_out() -> None:
    # 1,000 agents whose API calls failed in the same instant: their first retries,
    # drawn from [0.5, 1.0) s, fall in many different 10 ms slots, not one.
    firsts = [Backoff(delays=(0.5,), rand=random.Random(seed).random).delay(0, FAILED)
              for seed in range(1000)]
    assert min(firsts) >= 0.5 and max(firsts) < 1.0
    assert len({int(f * 100) for f in firsts}) == 50  # every 10 ms slot of the range is used


def test_jittered_stretches_by_the_draw() -> None:
    assert jittered(2.0, 1.2, lambda: 0.5) == pytest.approx(3.2)


@pytest.mark.parametrize(("header", "seconds"), [("3", 3.0), ("0", 0.0), ("NaN", None),
                                                 ("inf", None), ("1.5", None), ("-1", None),
                                                 ("Wed, 21 Oct 2026 07:28:00 GMT", None)])
def test_retry_after_is_read_as_delay_seconds_only(header: str, seconds: float | None) -> None:
    error = error_from_status(429, {}, httpx.Headers({"Retry-After": header}))
    assert isinstance(error, TooManyRequests) and error.retry_after == seconds
