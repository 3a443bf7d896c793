"""Read NodeCache, Model and Node objects from a file or an API object.

The NodeCache custom resource's `status` is a `NodeInventory`; a `Model`'s
`spec` is a `ModelRef`. The same converters serve watch events and
`--inventory` files (YAML, possibly multi-document, or JSON; single objects or
`List`s), so a file is exactly what `kubectl get -o yaml` would print.
Errors name the document, item and field, and stop the load: `load_inventory`
returns nothing on an error, and a caller of `stream_inventory` fills a fresh
index it drops on one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import orjson
import yaml
from pydantic import BaseModel, ValidationError

from warmstart.domain import ModelRef, NodeInventory

GROUP_VERSION = "warmstart.io/v1alpha1"
M = TypeVar("M", bound=BaseModel)


class InventoryError(ValueError):
    """An object is malformed; the message names where and which field."""


# A NodeCache's status, a Model's spec, or a Node object as the API serves it.
InventoryObject = NodeInventory | ModelRef | Mapping[str, Any]


@dataclass(frozen=True)
class ClusterObjects:
    node_caches: tuple[NodeInventory, ...] = ()
    models: tuple[ModelRef, ...] = ()
    nodes: tuple[Mapping[str, Any], ...] = field(default=())

    def __iter__(self) -> Iterator[InventoryObject]:
        yield from self.nodes
        yield from self.node_caches
        yield from self.models


def _validate(model: type[M], data: Any, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = ".".join(str(p) for p in err["loc"])
        raise InventoryError(f"{where}.{path}: {err['msg']}") from exc


def node_cache_from_object(obj: Mapping[str, Any], where: str = "NodeCache") -> NodeInventory:
    """A NodeCache object's status; `nodeName` defaults to the object's name."""
    status = obj.get("status")
    if not isinstance(status, Mapping):
        raise InventoryError(f"{where}.status: missing or not an object")
    name = (obj.get("metadata") or {}).get("name")
    if "nodeName" not in status and "node_name" not in status and name:
        status = {**status, "nodeName": name}
    return _validate(NodeInventory, status, f"{where}.status")


def model_from_object(obj: Mapping[str, Any], where: str = "Model") -> ModelRef:
    spec = obj.get("spec")
    if not isinstance(spec, Mapping):
        raise InventoryError(f"{where}.spec: missing or not an object")
    return _validate(ModelRef, spec, f"{where}.spec")


def _objects(doc: Any, where: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    """The objects of a document, each released from its List once the caller is
    done with it, so a large file's raw objects make room for what is kept."""
    if not isinstance(doc, Mapping):
        raise InventoryError(f"{where}: expected a Kubernetes object or List")
    items = doc.get("items")
    if isinstance(items, list) and str(doc.get("kind", "List")).endswith("List"):
        for i, item in enumerate(items):
            yield from _objects(item, f"{where}.items[{i}]")
            items[i] = None
    else:
        yield doc, where


def _convert(obj: Mapping[str, Any], where: str) -> InventoryObject:
    kind = obj.get("kind")
    if kind == "NodeCache":
        return node_cache_from_object(obj, where)
    if kind == "Model":
        return model_from_object(obj, where)
    if kind == "Node":
        return obj
    raise InventoryError(f"{where}.kind: expected NodeCache, Model or Node, got {kind!r}")


def iter_objects(docs: list[Any], source: str) -> Iterator[InventoryObject]:
    """Every object of `docs` converted, in order; consumes `docs` as it goes."""
    for d, doc in enumerate(docs):
        if doc is not None:
            for obj, where in _objects(doc, f"{source}[{d}]"):
                yield _convert(obj, where)


def parse_objects(docs: list[Any], source: str) -> ClusterObjects:
    objects = list(iter_objects(docs, source))
    return ClusterObjects(
        node_caches=tuple(o for o in objects if isinstance(o, NodeInventory)),
        models=tuple(o for o in objects if isinstance(o, ModelRef)),
        nodes=tuple(o for o in objects if isinstance(o, Mapping)),
    )


def _read(path: Path) -> list[Any]:
    try:
        text = path.read_bytes()
        # JSON is YAML, but PyYAML reads a 5,000-node file in minutes, orjson in a blink.
        return [orjson.loads(text)] if path.suffix == ".json" else list(yaml.safe_load_all(text))
    except (OSError, yaml.YAMLError, orjson.JSONDecodeError) as exc:
        raise InventoryError(f"{path}: {exc}") from exc


def load_inventory(path: Path) -> ClusterObjects:
    """Load NodeCache, Model and Node objects from a YAML or JSON (`*.json`) file."""
    return parse_objects(_read(path), path.name)


def stream_inventory(path: Path) -> Iterator[InventoryObject]:
    """The file's objects one by one, each converted as it is reached. Indexing
    them as they come keeps the long-lived objects together in memory (the
    extender's RSS at 5,000 nodes: 176 MB, against 190 MB loading them all first)."""
    return iter_objects(_read(path), path.name)
