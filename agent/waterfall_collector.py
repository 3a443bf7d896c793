"""Gather the pods on this node, their Events and the app's marks; update the store.

Polls (a list per pass, served from the API server's cache) rather than
watching: the timestamps come from the objects themselves, so a 30 s poll
loses no precision, and an agent per node keeps no cluster-wide watch open.
A pod's Events are read only while its record can still change.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from agent.app_contract import METRICS_PATH, METRICS_PORT, ContractError
from agent.waterfall import derive_waterfall
from agent.waterfall_store import WaterfallStore
from warmstart.kube import KubeClient, KubeError
from warmstart.kube.resources import EVENTS, NODES, PODS
from warmstart.podspec import PodSpecError, pod_demand

log = logging.getLogger(__name__)


def _scrape(http: httpx.Client, pod: dict[str, Any]) -> str | None:
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    port, ip = annotations.get(METRICS_PORT), (pod.get("status") or {}).get("podIP")
    if not port or not ip:
        return None
    path = annotations.get(METRICS_PATH, "/metrics")
    try:
        response = http.get(f"http://{ip}:{port}{path}", timeout=2.0)
    except httpx.HTTPError as exc:
        log.info("app metrics of %s: %s", pod["metadata"].get("name"), exc)
        return None
    return response.text if response.status_code == 200 else None


def _model_uri(pod: dict[str, Any]) -> str | None:
    try:
        model = pod_demand(pod, {}).model
    except PodSpecError:
        return None
    return model.uri if model else None


class WaterfallCollector:
    def __init__(
        self,
        client: KubeClient,
        node_name: str,
        store: WaterfallStore,
        http: httpx.Client | None = None,
    ) -> None:
        self._client, self._node, self._store, self._http = client, node_name, store, http
        self._seen: dict[str, str] = {}  # uid -> resourceVersion of a finished record
        self._models: frozenset[str] = frozenset()

    def models_in_use(self) -> frozenset[str]:
        """Models named by the pods on this node: eviction must leave them alone."""
        return self._models

    def collect(self) -> None:
        listed = self._client.list(
            PODS, field_selector=f"spec.nodeName={self._node}", resource_version="0"
        ).items
        pods = [p for p in listed if (p.get("spec") or {}).get("nodeName") == self._node]
        try:
            node: dict[str, Any] | None = self._client.get(NODES, self._node)
        except KubeError as exc:
            log.warning("node %s: %s", self._node, exc)
            node = None
        for pod in pods:
            self._update(pod, node)
        self._models = frozenset(uri for uri in map(_model_uri, pods) if uri)
        present = {p["metadata"]["uid"] for p in pods}
        for uid in [u for u in self._seen if u not in present]:
            del self._seen[uid]
        for record in self._store.records():
            if record.uid not in present:
                self._store.forget(record.uid)

    def _update(self, pod: dict[str, Any], node: dict[str, Any] | None) -> None:
        meta = pod["metadata"]
        if self._seen.get(meta["uid"]) == meta.get("resourceVersion"):
            return
        events = self._client.list(
            EVENTS, meta.get("namespace"), field_selector=f"involvedObject.uid={meta['uid']}"
        ).items
        metrics = _scrape(self._http, pod) if self._http is not None else None
        try:
            record = derive_waterfall(pod, events, node, metrics)
        except ContractError as exc:
            log.warning("%s/%s: %s; app marks ignored", meta.get("namespace"), meta["name"], exc)
            without = {**pod, "metadata": {**meta, "annotations": {}}}
            record = derive_waterfall(without, events, node, metrics)
        self._store.update(record)
        if record.complete:
            self._seen[meta["uid"]] = str(meta.get("resourceVersion"))
