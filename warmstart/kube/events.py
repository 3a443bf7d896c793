"""Decision logs where operators look: core/v1 Events on the pod (or node) concerned.

`kubectl describe pod` shows why warmstart scored, provisioned or held back.
The Event name is derived from (object, reason, message), so a repeated
decision bumps `count` on one Event instead of flooding the namespace.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from warmstart.clock import Clock
from warmstart.kube.client import KubeClient
from warmstart.kube.errors import NotFound
from warmstart.kube.resources import EVENTS
from warmstart.kube.timefmt import k8s_time

Obj = dict[str, Any]
EVENT_TYPES = ("Normal", "Warning")
MAX_MESSAGE = 1024  # the API server rejects longer Event messages


@dataclass
class EventRecorder:
    client: KubeClient
    component: str  # e.g. "warmstart-provisioner"; shown as the Event's source
    clock: Clock
    host: str | None = None  # the reporting instance (pod or node name)

    def record(self, involved: Obj, reason: str, message: str,
               event_type: str = "Normal") -> Obj:
        """Create the Event, or bump the count of the identical one already there."""
        if event_type not in EVENT_TYPES:
            raise ValueError(f"type: must be one of {EVENT_TYPES}, got {event_type!r}")
        if not reason:
            raise ValueError("reason: required (a short CamelCase word, e.g. ModelCached)")
        meta = involved.get("metadata") or {}
        if not meta.get("name"):
            raise ValueError("involvedObject.metadata.name: required")
        # Cluster-scoped objects (Nodes, NodeClaims) get their Events in "default", as kubelet does.
        namespace = meta.get("namespace") or "default"
        now = k8s_time(self.clock.now())
        body = self._event(involved, namespace, reason, message[:MAX_MESSAGE], event_type, now)
        event, created = self.client.create_or_get(EVENTS, body)
        if created:
            return event
        patch = {"count": int(event.get("count") or 1) + 1, "lastTimestamp": now}
        try:
            return self.client.patch(EVENTS, event["metadata"]["name"], patch, namespace)
        except NotFound:  # expired (Events have a TTL) between our get and patch
            return self.client.create(EVENTS, body)

    def _event(self, involved: Obj, namespace: str, reason: str, message: str,
               event_type: str, now: str) -> Obj:
        meta = involved.get("metadata") or {}
        digest = hashlib.sha256(
            f"{meta.get('uid', '')}|{involved.get('kind', '')}|{reason}|{message}".encode()
        ).hexdigest()[:16]
        source = {"component": self.component, **({"host": self.host} if self.host else {})}
        return {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{meta['name']}.{digest}", "namespace": namespace},
            "involvedObject": {k: v for k, v in {
                "apiVersion": involved.get("apiVersion"), "kind": involved.get("kind"),
                "name": meta["name"], "namespace": meta.get("namespace"),
                "uid": meta.get("uid"), "resourceVersion": meta.get("resourceVersion"),
            }.items() if v},
            "reason": reason, "message": message, "type": event_type, "count": 1,
            "firstTimestamp": now, "lastTimestamp": now, "source": source,
            "reportingComponent": self.component, "reportingInstance": self.host or "",
        }
