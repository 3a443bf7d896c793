"""Decisions that survive a restart of any process: a bounded journal in one
ConfigMap per source (`warmstart-decisions-<source>`), newest last.

Why a ConfigMap and not one custom object per decision: a decision is small
and frequent; one object per decision would need our own garbage collection
and a write per record. The journal batches: `record` only buffers, `flush`
(every few seconds, from the owner's thread) does one read-modify-write with
the resourceVersion, retrying on conflict. The bound (records and bytes)
keeps the object well under etcd's 1.5 MiB limit.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from pydantic import ValidationError

from warmstart.admin.schemas import DecisionOut
from warmstart.kube.client import KubeClient
from warmstart.kube.errors import Conflict, KubeError, NotFound
from warmstart.kube.resources import Resource

CONFIGMAPS = Resource("", "v1", "configmaps", True, "ConfigMap")
KEY = "decisions.jsonl"
COMPONENT = "app.kubernetes.io/component"
LABELS = {"app.kubernetes.io/part-of": "warmstart", COMPONENT: "decisions"}
MAX_BYTES = 512 * 1024
log = logging.getLogger(__name__)


def journal_name(source: str) -> str:
    return f"warmstart-decisions-{source}"


def decode(text: str) -> list[DecisionOut]:
    """Every line that still parses; a damaged line is skipped, never fatal."""
    out = []
    for line in text.splitlines():
        try:
            out.append(DecisionOut.model_validate_json(line))
        except ValidationError:
            continue
    return out


def encode(items: list[DecisionOut], keep: int) -> str:
    lines = [d.model_dump_json(by_alias=True) for d in items[-keep:]]
    while lines and sum(len(x) + 1 for x in lines) > MAX_BYTES:
        lines = lines[len(lines) // 10 + 1:]
    return "\n".join(lines)


def read_all(client: KubeClient, namespace: str) -> list[DecisionOut]:
    selector = f"{COMPONENT}={LABELS[COMPONENT]}"
    items = client.list_all(CONFIGMAPS, namespace, label_selector=selector).items
    return [d for cm in items for d in decode((cm.get("data") or {}).get(KEY, ""))]


class DecisionJournal:
    def __init__(self, client: KubeClient, namespace: str, source: str, keep: int = 500) -> None:
        self.client, self.namespace, self.source, self.keep = client, namespace, source, keep
        self._pending: list[DecisionOut] = []
        self._lock = threading.Lock()

    def record(self, decision: DecisionOut) -> None:
        with self._lock:
            self._pending.append(decision)

    def flush(self) -> int:
        """Write what is buffered; the count written (0 and kept on an API error)."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        for _ in range(5):
            try:
                self._append(batch)
                return len(batch)
            except Conflict:
                continue
            except KubeError as exc:
                log.warning("decision journal %s: %s; keeping %d for the next flush",
                            self.source, exc, len(batch))
                break
        with self._lock:
            self._pending = (batch + self._pending)[-self.keep:]
        return 0

    def _append(self, batch: list[DecisionOut]) -> None:
        name = journal_name(self.source)
        try:
            current: dict[str, Any] | None = self.client.get(CONFIGMAPS, name, self.namespace)
        except NotFound:
            current = None
        old = decode(((current or {}).get("data") or {}).get(KEY, ""))
        body: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": self.namespace, "labels": LABELS},
                "data": {KEY: encode(old + batch, self.keep)}}
        if current is None:
            self.client.create(CONFIGMAPS, body, self.namespace)
        else:
            body["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            self.client.replace(CONFIGMAPS, body, self.namespace)
