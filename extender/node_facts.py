"""What the extender reads from a Node object: image locality and pool.

Runs on every Node watch event (never on the Node objects inside scheduler
requests: those are not trusted), so it reads only `metadata.name`,
`metadata.labels` and `status.images`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from warmstart.images import ImageListError, node_images


class NodeObjectError(ValueError):
    """A Node object lacks a field the extender reads; the message names it."""


@dataclass(frozen=True, slots=True)
class NodeObjectFacts:
    name: str
    pool: str | None
    images: frozenset[str] = frozenset()
    image_sizes: Mapping[str, int] = field(default_factory=dict)


def node_object_facts(
    node: Mapping[str, Any], pool_labels: Sequence[str], where: str = "Node"
) -> NodeObjectFacts:
    """Facts of one Node object (API JSON). Raises NodeObjectError naming the field."""
    metadata = node.get("metadata")
    if not isinstance(metadata, Mapping) or not isinstance(metadata.get("name"), str):
        raise NodeObjectError(f"{where}.metadata.name: missing or not a string")
    labels = metadata.get("labels") or {}
    pool = next((labels[k] for k in pool_labels if k in labels), None)
    try:
        images, sizes = node_images(node, where)
    except ImageListError as exc:
        raise NodeObjectError(str(exc)) from exc
    return NodeObjectFacts(
        name=metadata["name"],
        pool=pool,
        images=images,
        image_sizes=sizes,
    )
