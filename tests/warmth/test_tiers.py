"""Each tier's start time is the shared estimate on the pool's node as its
agent reports one, worked out here by hand from the documented defaults."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.warmth.conftest import GB, IMAGES, pod, template
from warmstart.domain.node import CachedModel, CacheTier
from warmstart.warmth import tier_times


def test_a_7b_model_per_tier() -> None:
    times = tier_times(pod(size=15 * GB), 15 * GB, template(), IMAGES)
    cuda, h2d = 8.0, 15 / 25  # persistence mode; 15 GB over 25 GB/s PCIe
    assert times.host == pytest.approx(cuda + 15 / 20 + h2d)  # page cache at 20 GB/s
    assert times.disk == pytest.approx(cuda + 15 / 3 + h2d)  # NVMe at 3 GB/s
    assert times.warm == pytest.approx(cuda + 15e9 / 150e6 + h2d)  # object store
    # a new node boots (90 s) and pulls the 10 GB image at 80 MB/s first
    assert times.new == pytest.approx(90 + 10e9 / 80e6 + times.warm)


def test_what_the_template_holds_does_not_count() -> None:
    held = template()
    assert held.inventory is not None
    staged = held.inventory.model_copy(update={"models": (
        CachedModel(uri="s3://models/m", tier=CacheTier.HOST_MEMORY, bytes=15 * GB),)})
    full = replace(held, inventory=staged, images=frozenset(IMAGES))
    assert tier_times(pod(), 15 * GB, full, IMAGES) == tier_times(pod(), 15 * GB, held, IMAGES)
