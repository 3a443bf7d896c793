"""The extender verbs as plain functions of (parsed call, index): what to
answer, including the fail-open answers. No HTTP here; `extender.app` wires
these to routes and timing.

A call only reads the index. With `nodeCacheCapable: false` the body carries
whole Node objects, but only their names are used: the index is written by
the API server's watch alone, so no client that can reach the extender can
change what it tells kube-scheduler about any node (and the watched Nodes
say everything the body's copies would).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from extender.explain import explain_nodes
from extender.filtering import short_nodes
from extender.index import NodeIndex
from extender.ranking import ScoreMemo, rank
from extender.survivors import Survivors
from extender.wire import ExtenderArgs, filter_reply, prioritize_reply
from warmstart.domain import PodDemand
from warmstart.podspec import pod_demand
from warmstart.scoring import MAX_SCORE


class IndexNotReady(Exception):
    """The index has not synced (or lost the API server): answer fail-open."""


def read_demand(index: NodeIndex, pod: Mapping[str, Any]) -> PodDemand:
    """The pod's demand, its model's size filled in from the index's catalog."""
    return pod_demand(pod, index.catalog)


def _require_ready(index: NodeIndex) -> None:
    if not index.ready():
        raise IndexNotReady


def candidates(index: NodeIndex, args: ExtenderArgs) -> npt.NDArray[np.int64]:
    """Index slots of the call's nodes (those the index knows; by name only)."""
    return index.slots.lookup(args.names)


def do_filter(
    index: NodeIndex, args: ExtenderArgs, demand: PodDemand, passed: Survivors
) -> tuple[bytes, int]:
    _require_ready(index)
    slots = candidates(index, args)
    shortfall = short_nodes(index, demand, slots)
    failed = shortfall.reasons
    if args.nodes is not None or len(slots) != len(args.names):  # Node objects, or unknown names
        return filter_reply(args, failed), len(failed)
    names: list[str] = args.names
    if failed:
        slots = slots[~shortfall.short]
        names = index.slots.names[slots].tolist()
    kept = orjson.dumps(names)
    passed.keep(kept, index.slots.version, slots)
    return filter_reply(args, failed, kept), len(failed)


def do_prioritize(
    index: NodeIndex,
    args: ExtenderArgs,
    demand: PodDemand,
    deadline: float,
    memo: ScoreMemo,
    passed: Survivors,
) -> tuple[bytes, int]:
    _require_ready(index)
    slots = None
    if args.nodes is None:  # our filter's survivors come back byte for byte
        slots = passed.find(orjson.dumps(args.names), index.slots.version)
    if slots is None:
        slots = candidates(index, args)
    ranked = rank(index, demand, slots, deadline, memo)
    order = np.argsort(ranked.scores, kind="stable")
    entries = index.slots.entries[ranked.slots[order]].tolist()
    ends = np.cumsum(np.bincount(ranked.scores, minlength=MAX_SCORE + 1)).tolist()
    groups = [(score, entries[ends[score - 1] : ends[score]]) for score in range(1, MAX_SCORE + 1)]
    return prioritize_reply(groups), len(ranked.slots)


def do_explain(index: NodeIndex, args: ExtenderArgs, demand: PodDemand) -> bytes:
    return orjson.dumps(explain_nodes(index, demand, args.names))


def fail_open(verb: str, args: ExtenderArgs) -> bytes:
    """Every node passes the filter; prioritize gives no scores."""
    return filter_reply(args, {}) if verb == "filter" else prioritize_reply(())


def echo(args: ExtenderArgs) -> bytes:
    """The framework floor: parse the call, echo the node names."""
    return orjson.dumps({"NodeNames": args.names})
