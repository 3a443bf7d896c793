"""Pre-pull the images a Prefetch names through the node's container runtime (CRI).

The image pull is the waterfall's second stage (30-60 s for 5-15 GB); done
ahead of demand it costs nothing at start time. The runtime's own view decides
what is present; `agent.image_gc` decides what fits; each outcome is reported
on the Prefetch's status, and the images stay in the NodeCache while the
runtime holds them (kubelet lists at most 50 images on the Node).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from agent.cri import CriError, CriImages
from agent.image_gc import FsUsage, decide_pulls
from warmstart.images import canonical_image

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImageOutcome:
    image: str
    phase: str  # Pulled | Present | Skipped | Failed
    message: str

    def status(self) -> dict[str, Any]:
        return {"name": self.image, "phase": self.phase, "message": self.message[:512]}


def statvfs_usage(mountpoint: str) -> FsUsage | None:
    """The filesystem's use as kubelet's GC sees it (capacity minus available)."""
    try:
        st = os.statvfs(mountpoint)
    except OSError:
        return None
    capacity = st.f_blocks * st.f_frsize
    return FsUsage(used_bytes=capacity - st.f_bavail * st.f_frsize, capacity_bytes=capacity)


class ImagePrepuller:
    def __init__(self, cri: CriImages, high_threshold_percent: int,
                 usage: Callable[[str], FsUsage | None] = statvfs_usage) -> None:
        self._cri, self._high, self._usage = cri, high_threshold_percent, usage

    def held(self) -> frozenset[str]:
        return frozenset(name for image in self._cri.images() for name in image.names)

    def pull(self, images: Sequence[str]) -> tuple[ImageOutcome, ...]:
        wanted = [canonical_image(i) for i in images]
        try:
            present, fs_info = self.held(), self._cri.image_fs()
        except CriError as exc:
            return tuple(ImageOutcome(i, "Failed", str(exc)) for i in wanted)
        fs = self._usage(fs_info.mountpoint) if fs_info else None
        outcomes = []
        for decision in decide_pulls(wanted, present, fs, high_threshold_percent=self._high):
            if not decision.pull:
                phase = "Present" if decision.image in present else "Skipped"
                outcomes.append(ImageOutcome(decision.image, phase, decision.reason))
                continue
            try:
                ref = self._cri.pull(decision.image)
            except CriError as exc:
                log.warning("pre-pull of %s failed: %s", decision.image, exc)
                outcomes.append(ImageOutcome(decision.image, "Failed", str(exc)))
                continue
            outcomes.append(ImageOutcome(decision.image, "Pulled", f"{ref}; {decision.reason}"))
        return tuple(outcomes)

    def staged(self, requested: Iterable[str]) -> tuple[str, ...]:
        """The requested images the runtime holds now: what the NodeCache reports."""
        held = self.held()
        return tuple(sorted({canonical_image(i) for i in requested} & held))
