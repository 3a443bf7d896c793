"""What the extender decodes of each listed Node and NodeCache: the fields it
reads, not the whole object.

At 15,000 nodes the first list is tens of megabytes of JSON, most of it what
the index never reads (a Node's conditions, capacity and managedFields; a
NodeCache's managedFields). msgspec skips those without building them. A
listed object that does not have the expected shape is decoded whole instead,
so the feed's own checks name the field at fault.
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec

from warmstart.kube.informer import Obj, whole


class _Metadata(TypedDict, total=False):
    name: Any
    namespace: Any
    resourceVersion: Any
    labels: Any


class _NodeStatus(TypedDict, total=False):
    images: Any


class _Node(TypedDict, total=False):
    metadata: _Metadata
    status: _NodeStatus


class _NodeCache(TypedDict, total=False):
    metadata: _Metadata
    status: Any


def _decoder(shape: type[Any]) -> Any:
    decoder = msgspec.json.Decoder(shape)

    def decode(raw: msgspec.Raw) -> Obj:
        try:
            obj: Obj = decoder.decode(raw)
        except msgspec.ValidationError:
            return whole(raw)
        return obj

    return decode


node = _decoder(_Node)
node_cache = _decoder(_NodeCache)
