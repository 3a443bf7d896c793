"""Values parsed from API objects, kept while an object's resourceVersion holds.

Every plan snapshots the whole cluster; most objects have not changed since
the last one, so their parsed form is reused. Call `sweep` once per snapshot:
entries of objects no longer seen are dropped, so memory tracks the cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Key = tuple[str, str]


def _key(obj: dict[str, Any]) -> Key | None:
    meta = obj.get("metadata") or {}
    version = meta.get("resourceVersion")
    if not version:
        return None  # an object without a version cannot be known unchanged
    ident = meta.get("uid") or f"{meta.get('namespace', '')}/{meta.get('name', '')}"
    return str(ident), str(version)


class VersionMemo(Generic[T]):
    def __init__(self) -> None:
        self._previous: dict[Key, T] = {}
        self._current: dict[Key, T] = {}

    def get(self, obj: dict[str, Any], compute: Callable[[dict[str, Any]], T]) -> T:
        key = _key(obj)
        if key is None:
            return compute(obj)
        if key in self._current:
            return self._current[key]
        value = self._previous[key] if key in self._previous else compute(obj)
        self._current[key] = value
        return value

    def sweep(self) -> None:
        self._previous, self._current = self._current, {}


@dataclass
class SnapshotMemo:
    """The memos one controller keeps across its snapshots."""

    pending: VersionMemo[Any] = field(default_factory=VersionMemo)
    requests: VersionMemo[Any] = field(default_factory=VersionMemo)
    nodes: VersionMemo[Any] = field(default_factory=VersionMemo)

    def sweep(self) -> None:
        for memo in (self.pending, self.requests, self.nodes):
            memo.sweep()
