"""What the extender reads from a Node object: image locality and pool.

Runs on every Node watch event (never on the Node objects inside scheduler
requests: those are not trusted), so it reads only `metadata.name`,
`metadata.labels` and `status.images`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warmstart.images import ImageListError, node_images


class NodeObjectError(ValueError):
    """A Node object lacks a field the extender reads; the message names it."""


@dataclass(frozen=True, slots=True)
class NodeObjectFacts:
    name: str
    pool: str | None
    images: frozenset[str] = frozenset()


def node_object_facts(
    node: Mapping[str, Any], pool_labels: Sequence[str], where: str = "Node"
) -> tuple[NodeObjectFacts, Mapping[str, int]]:
    """Facts of one Node object (API JSON), and the sizes of its images.
    Raises NodeObjectError naming the field.

    Image names and the pool are interned: thousands of nodes report the same
    few, and each parsed copy would otherwise be kept per node.
    """
    metadata = node.get("metadata")
    if not isinstance(metadata, Mapping) or not isinstance(metadata.get("name"), str):
        raise NodeObjectError(f"{where}.metadata.name: missing or not a string")
    labels = metadata.get("labels") or {}
    pool = next((labels[k] for k in pool_labels if k in labels), None)
    try:
        images, sizes = node_images(node, where)
    except ImageListError as exc:
        raise NodeObjectError(str(exc)) from exc
    facts = NodeObjectFacts(
        name=metadata["name"],
        pool=sys.intern(pool) if isinstance(pool, str) else pool,
        images=frozenset(map(sys.intern, images)),
    )
    return facts, sizes
