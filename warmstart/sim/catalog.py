"""Which deployment serves each trace series: a template drawn by weight with a
seeded generator, and the pod the deployment would create, parsed by the
product's own pod parser so the estimate sees what the extender would see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from warmstart.domain.pod import PodDemand
from warmstart.images import canonical_image
from warmstart.podspec import MODEL, MODEL_BYTES, pod_demand
from warmstart.sim.config import ClusterSpec, ModelTemplate


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    template: str
    pool: str
    uri: str
    model_bytes: int
    image: str
    gpus: int
    requests_per_s: float
    pod: PodDemand


def deployment_pod(name: str, uri: str, template: ModelTemplate) -> dict[str, Any]:
    """The pod template a model's Deployment would stamp out, in API shape."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{name}-replica",
            "annotations": {MODEL: uri, MODEL_BYTES: str(template.model_bytes)},
        },
        "spec": {
            "containers": [{
                "name": "server",
                "image": template.image,
                "resources": {"limits": {"nvidia.com/gpu": str(template.gpus)}},
            }]
        },
    }


def build_catalog(names: Sequence[str], cluster: ClusterSpec, seed: int) -> list[ModelSpec]:
    """One ModelSpec per series name, in the given order."""
    rng = np.random.default_rng(seed)
    weights = np.array([t.weight for t in cluster.models])
    picks = rng.choice(len(cluster.models), size=len(names), p=weights / weights.sum())
    specs = []
    for name, pick in zip(names, picks, strict=True):
        template = cluster.models[int(pick)]
        uri = f"s3://models/{template.name}/{name}"
        specs.append(ModelSpec(
            name=name,
            template=template.name,
            pool=cluster.pool(template.pool).name,
            uri=uri,
            model_bytes=template.model_bytes,
            image=canonical_image(template.image),
            gpus=template.gpus,
            requests_per_s=template.requests_per_s,
            pod=pod_demand(deployment_pod(name, uri, template)),
        ))
    return specs


def image_sizes(cluster: ClusterSpec) -> dict[str, int]:
    return {canonical_image(t.image): t.image_bytes for t in cluster.models}
