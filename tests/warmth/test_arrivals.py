"""P(a request within h): the forecast's rate read as Poisson, the learned
keep-alive's idle-time histogram conditioned on the spell so far, and the
long-run spell rate as a floor; the most alarming wins."""

from __future__ import annotations

import math

import numpy as np
import pytest

from warmstart.hybrid_histogram import MIN_SAMPLES
from warmstart.warmth import Outlook, idle_cdf, p_arrival
from warmstart.warmth.arrivals import poisson_p, spell_p

# half the idle times end in the first minute, half in the third
HALVES = (0.5, 0.5, 1.0)


def test_poisson() -> None:
    assert poisson_p(0.001, 600) == pytest.approx(1 - math.exp(-0.6))
    assert poisson_p(0.0, 600) == 0.0


def test_a_spell_conditioned_on_its_length() -> None:
    assert spell_p(Outlook(idle_s=0.0, idle_cdf=HALVES), 60) == pytest.approx(0.5)
    # 60 s in, the first half is ruled out: nothing ends in the second minute ...
    assert spell_p(Outlook(idle_s=60.0, idle_cdf=HALVES), 60) == 0.0
    # ... and the rest end in the third
    assert spell_p(Outlook(idle_s=60.0, idle_cdf=HALVES), 120) == pytest.approx(1.0)
    # within a bin the shares are spread evenly: half of the third minute
    assert spell_p(Outlook(idle_s=120.0, idle_cdf=HALVES), 30) == pytest.approx(0.5)


def test_the_histogram_is_silent_beyond_its_range_or_without_data() -> None:
    assert spell_p(Outlook(idle_s=200.0, idle_cdf=HALVES), 600) == 0.0
    assert spell_p(Outlook(idle_s=10.0), 600) == 0.0
    assert spell_p(Outlook(idle_s=None, idle_cdf=HALVES), 600) == 0.0


def test_idle_times_beyond_the_range_keep_the_spell_open() -> None:
    # 10 idle times: 5 in the first minute, 5 beyond the range
    counts = np.zeros(3, dtype=np.int64)
    counts[0] = 5
    cdf = idle_cdf(counts, beyond=5)
    assert cdf == (0.5, 0.5, 0.5)
    assert spell_p(Outlook(idle_s=60.0, idle_cdf=cdf), 120) == 0.0


def test_too_few_idle_times_say_nothing() -> None:
    counts = np.zeros(3, dtype=np.int64)
    counts[0] = MIN_SAMPLES - 1
    assert idle_cdf(counts, beyond=0) == ()


def test_the_most_alarming_source_wins() -> None:
    both = Outlook(rate_per_s=0.001, idle_s=60.0, idle_cdf=HALVES)
    assert p_arrival(both, 120) == pytest.approx(1.0)  # the histogram
    assert p_arrival(both, 60) == pytest.approx(poisson_p(0.001, 60))  # the forecast
    floor = Outlook(rate_per_s=0.0, spells_per_s=0.002)
    assert p_arrival(floor, 600) == pytest.approx(poisson_p(0.002, 600))
