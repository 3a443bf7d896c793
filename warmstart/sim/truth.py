"""What really happens when a replica starts, kept apart from the estimate the
policies decide with, so that placement is not graded by its own yardstick.

Each node gets its own bandwidths once, when it is created: its pool's nominal
figure times a factor drawn from the truth's spread. Each start draws its CUDA
factor. Transfers queue on the node's one NIC (image pulls, model downloads,
staging) and one disk (model reads), first come, first served: two loads at
once take as long in all as they would with fair sharing. A pull already in
flight for the same image is joined, as kubelet does. With the truth off,
what happens is the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from warmstart.domain.node import CacheTier
from warmstart.estimate import StartupEstimate
from warmstart.sim.config import Spread, TruthSpec


@dataclass(slots=True)
class NodeTruth:
    """One node's real speeds (time factors: 1 is nominal) and its busy links."""

    pull: float = 1.0
    download: float = 1.0
    disk: float = 1.0
    h2d: float = 1.0
    nic_free_at: float = -math.inf
    disk_free_at: float = -math.inf
    pulls: dict[str, float] = field(default_factory=dict)  # image -> its pull here ends
    copies: dict[str, float] = field(default_factory=dict)  # staging cache key -> it lands

    def on_nic(self, begin: float, seconds: float) -> float:
        """Queue a transfer of `seconds` (at this node's speed) on the NIC; its end."""
        self.nic_free_at = max(begin, self.nic_free_at) + seconds
        return self.nic_free_at

    def on_disk(self, begin: float, seconds: float) -> float:
        self.disk_free_at = max(begin, self.disk_free_at) + seconds
        return self.disk_free_at


# Uniforms drawn from the generator at a time: one call per draw costs more
# than the rest of a replica start's truth.
BATCH = 4096


class GroundTruth:
    def __init__(self, spec: TruthSpec, rng: np.random.Generator) -> None:
        self.spec, self.rng = spec, rng
        self._units: list[float] = []

    def _draw(self, spread: Spread) -> float:
        """Uniform over `spread`: the very numbers `rng.uniform` would give one by one."""
        if not self.spec.enabled:
            return 1.0
        if not self._units:
            self._units = self.rng.random(BATCH).tolist()[::-1]
        low, high = spread
        return low + (high - low) * self._units.pop()

    def node(self) -> NodeTruth:
        s = self.spec
        return NodeTruth(self._draw(s.image_pull), self._draw(s.model_download),
                         self._draw(s.disk_read), self._draw(s.host_to_device))

    def start(self, nominal: StartupEstimate, node: NodeTruth, image: str,
              at: float) -> dict[str, float]:
        """Stage times of a start at `at`, from the estimate on the node as it
        really is (`nominal`): node speeds, queues and spreads applied."""
        if not self.spec.enabled:
            return nominal.stages()
        begin = at + nominal.node_s
        image_end = begin
        if nominal.image_s > 0:
            pulling = node.pulls.get(image)
            if pulling is None:
                pulling = node.pulls[image] = node.on_nic(begin, nominal.image_s * node.pull)
            image_end = max(begin, pulling)
        model_end = image_end
        if nominal.model_tier == "remote":
            model_end = node.on_nic(image_end, nominal.model_s * node.download)
        elif nominal.model_tier in (CacheTier.LOCAL_DISK, CacheTier.SHARED_FS):
            model_end = node.on_disk(image_end, nominal.model_s * node.disk)
        else:
            model_end = image_end + nominal.model_s
        return {"node": nominal.node_s, "image": image_end - begin,
                "model": model_end - image_end,
                "cuda": nominal.cuda_s * self._draw(self.spec.cuda),
                "h2d": nominal.h2d_s * node.h2d}
