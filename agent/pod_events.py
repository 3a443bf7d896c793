"""Read what kubelet's Events say about a pod's images and containers.

Kubelet reports `Pulling`, `Pulled` (either "Successfully pulled image ... in
1m2.5s ..." or "Container image ... already present on machine"), `Created`
and `Started` per container, as core/v1 Events whose `involvedObject` is the
pod and whose `fieldPath` names the container. Repeated events are folded
into one with a `count`; the first occurrence is `firstTimestamp`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)")
_PULLED_IN = re.compile(r"Successfully pulled image \"[^\"]+\" in ([0-9.hmsuµn]+)")
_UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_CONTAINER = re.compile(r"spec\.(?:init)?[cC]ontainers\{([^}]+)\}")


def parse_time(raw: str | None) -> datetime | None:
    """metav1.Time / MicroTime (RFC 3339); None for absent or empty."""
    return datetime.fromisoformat(raw) if raw else None


def go_duration_s(text: str) -> float | None:
    """Seconds in a Go duration string such as "1m2.5s" or "850ms"."""
    parts = _GO_DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNIT_S[u] for n, u in parts)


@dataclass(frozen=True, slots=True)
class PodEvent:
    reason: str
    container: str | None
    first: datetime
    last: datetime
    count: int
    message: str

    @property
    def already_present(self) -> bool:
        return self.reason == "Pulled" and "already present on machine" in self.message

    @property
    def pull_seconds(self) -> float | None:
        """Kubelet's own measure of the pull (millisecond precision, unlike the timestamps)."""
        match = _PULLED_IN.search(self.message)
        return go_duration_s(match.group(1)) if match else None


def _event(raw: Mapping[str, Any]) -> PodEvent | None:
    first = parse_time(raw.get("firstTimestamp") or raw.get("eventTime"))
    if first is None:
        return None
    last = parse_time(raw.get("lastTimestamp")) or first
    field = _CONTAINER.fullmatch((raw.get("involvedObject") or {}).get("fieldPath") or "")
    return PodEvent(
        reason=str(raw.get("reason", "")),
        container=field.group(1) if field else None,
        first=first,
        last=max(last, first),
        count=int(raw.get("count") or 1),
        message=str(raw.get("message", "")),
    )


def events_of(pod: Mapping[str, Any], events: Iterable[Mapping[str, Any]]) -> list[PodEvent]:
    """The events about this pod (by UID, else by namespace and name), oldest first."""
    meta = pod.get("metadata") or {}
    uid, name, namespace = meta.get("uid"), meta.get("name"), meta.get("namespace")
    mine = []
    for raw in events:
        involved = raw.get("involvedObject") or {}
        if involved.get("kind") != "Pod":
            continue
        same_uid = uid and involved.get("uid") == uid
        same_name = not involved.get("uid") and (
            involved.get("name"),
            involved.get("namespace"),
        ) == (name, namespace)
        if same_uid or same_name:
            event = _event(raw)
            if event is not None:
                mine.append(event)
    return sorted(mine, key=lambda e: e.first)
