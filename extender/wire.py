"""kube-scheduler's extender wire format: ExtenderArgs in, PascalCase out.

Field names are Go's (`Pod`, `Nodes`, `NodeNames`, `FailedNodes`, `Host`,
`Score`); embedded Pod and Node objects are ordinary camelCase API JSON. Only
the fields we need are read from the body, straight from orjson's dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson


class WireError(ValueError):
    """A malformed extender call; the message names the field (HTTP 400)."""


@dataclass(frozen=True, slots=True)
class ExtenderArgs:
    pod: Mapping[str, Any]
    names: list[str]
    # Full Node objects, set when kube-scheduler is not nodeCacheCapable.
    nodes: list[dict[str, Any]] | None = None


def _node_items(nodes: Any) -> tuple[list[dict[str, Any]], list[str]]:
    items = nodes.get("items") if isinstance(nodes, dict) else None
    if not isinstance(items, list):
        raise WireError("Nodes.items: expected a list of Node objects")
    names: list[str] = []
    for i, item in enumerate(items):
        name = (item.get("metadata") or {}).get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            raise WireError(f"Nodes.items[{i}].metadata.name: missing or not a string")
        names.append(name)
    return items, names


def parse_args(body: bytes) -> ExtenderArgs:
    """Decode an ExtenderArgs body. Raises WireError naming the bad field."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise WireError(f"request body: not valid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise WireError("request body: expected an ExtenderArgs object")
    pod = doc.get("Pod")
    if not isinstance(pod, dict):
        raise WireError("Pod: missing or not an object")
    names = doc.get("NodeNames")
    if names is not None:
        if not isinstance(names, list) or not all(map(str.__instancecheck__, names)):
            raise WireError("NodeNames: expected a list of node names (strings)")
        return ExtenderArgs(pod=pod, names=names)
    nodes = doc.get("Nodes")
    if nodes is None:
        raise WireError("NodeNames, Nodes: one of them must be set")
    items, names = _node_items(nodes)
    return ExtenderArgs(pod=pod, names=names, nodes=items)


def filter_reply(
    args: ExtenderArgs, failed: Mapping[str, str], kept: list[str] | None = None
) -> bytes:
    """ExtenderFilterResult: survivors in the form they came, a reason per failure.

    `kept`, when the caller already knows the survivors' names, saves a pass
    over every name.
    """
    result: dict[str, Any]
    if args.nodes is None:
        if kept is None:
            kept = [n for n in args.names if n not in failed] if failed else args.names
        result = {"NodeNames": kept}
    else:
        items = [i for i, n in zip(args.nodes, args.names, strict=True) if n not in failed]
        result = {"Nodes": {"metadata": {}, "items": items}}
    result.update(FailedNodes=failed, FailedAndUnresolvableNodes={}, Error="")
    return orjson.dumps(result)


def prioritize_reply(groups: Iterable[tuple[int, list[bytes]]]) -> bytes:
    """HostPriorityList `[{"Host": name, "Score": n}, ...]` from pre-encoded entries.

    `groups` pairs a score with the entries `{"Host":"<name>","Score":` (each
    JSON-encoded once, when the index learned the node) of the nodes given it;
    a group is one `join`, with no Python work per node.
    """
    parts = [
        (b"%d}," % score).join(entries) + b"%d}" % score for score, entries in groups if entries
    ]
    return b"[" + b",".join(parts) + b"]"


def error_reply(message: str) -> bytes:
    return orjson.dumps({"Error": message})
