"""Whether pre-pulling an image fits under the node's image garbage-collection line.

kubelet deletes unused images once the image filesystem passes
`imageGCHighThresholdPercent` (85 % by default). A pre-pull that crosses that
line only makes kubelet evict an image, perhaps the one just pulled, so the
agent pulls only while the filesystem stays at or below the line with the
image's bytes added. An image whose size is unknown counts as the estimate's
unknown-image size, the same figure the start-time estimate assumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warmstart.estimate.defaults import GLOBAL_DEFAULTS

KUBELET_DEFAULT_HIGH_THRESHOLD_PERCENT = 85


@dataclass(frozen=True, slots=True)
class FsUsage:
    used_bytes: int
    capacity_bytes: int


@dataclass(frozen=True, slots=True)
class PullDecision:
    image: str
    pull: bool
    reason: str


def decide_pulls(images: Sequence[str], present: frozenset[str], fs: FsUsage | None, *,
                 high_threshold_percent: int = KUBELET_DEFAULT_HIGH_THRESHOLD_PERCENT,
                 image_bytes: int = GLOBAL_DEFAULTS.unknown_image_bytes,
                 ) -> tuple[PullDecision, ...]:
    """One decision per image, in order; each accepted pull uses up room for the next."""
    decisions = []
    used = fs.used_bytes if fs else 0
    for image in images:
        if image in present:
            decisions.append(PullDecision(image, False, "already held by the runtime"))
            continue
        if fs is None or fs.capacity_bytes <= 0:
            decisions.append(PullDecision(image, False, "image filesystem usage unknown: "
                                          "not pulling past a GC threshold we cannot see"))
            continue
        line = fs.capacity_bytes * high_threshold_percent // 100
        after = used + image_bytes
        percent = 100 * after // fs.capacity_bytes
        if after > line:
            decisions.append(PullDecision(
                image, False, f"would fill the image filesystem to {percent} %, past kubelet's "
                f"image GC threshold of {high_threshold_percent} %"))
            continue
        used = after
        decisions.append(PullDecision(image, True, f"fits: {percent} % after the pull, "
                                      f"GC threshold {high_threshold_percent} %"))
    return tuple(decisions)
