"""The admin API over a cluster: Nodes and their NodeCaches, the Model catalog,
the decision journals, and the forecast file the provisioner reads.

Read on request (the admin API is not on a hot path), so every answer is as
current as the API server. What only the node agents hold (measured cold-start
waterfalls) is not fetched from here: cold starts list empty in this mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from warmstart.admin.dashboard_schemas import DashboardOut, WarmthMap
from warmstart.admin.dashboard_view import warmth
from warmstart.admin.decision_journal import read_all
from warmstart.admin.decisions import DecisionQuery, page
from warmstart.admin.prefetch import stage
from warmstart.admin.schemas import (
    Band,
    DecisionPage,
    ForecastOut,
    ModelDetailOut,
    ModelOut,
    NodeDetailOut,
    NodeOut,
    PrefetchOut,
)
from warmstart.admin.source import UnknownName
from warmstart.admin.views import best_tiers, estimate_out, node_out
from warmstart.clock import Clock
from warmstart.domain import DemandForecast
from warmstart.domain.model_ref import ModelRef
from warmstart.domain.node import NodeInventory
from warmstart.domain.pod import PodDemand
from warmstart.estimate import NodeView
from warmstart.kube.client import KubeClient
from warmstart.kube.errors import KubeError
from warmstart.kube.resources import MODELS, NODECACHES, NODES
from warmstart.quantity import parse_size

POOL_LABELS = ("warmstart.io/pool", "karpenter.sh/nodepool", "cloud.google.com/gke-nodepool",
               "eks.amazonaws.com/nodegroup")


def pool_of(node: dict[str, Any]) -> str:
    labels = (node.get("metadata") or {}).get("labels") or {}
    return next((labels[k] for k in POOL_LABELS if k in labels), "")


def gpus_of(node: dict[str, Any]) -> int:
    raw = ((node.get("status") or {}).get("allocatable") or {}).get("nvidia.com/gpu", 0)
    try:
        return parse_size(raw)
    except ValueError:
        return 0


class ClusterSource:
    def __init__(self, client: KubeClient, namespace: str, clock: Clock,
                 forecast: Callable[[], DemandForecast | None] = lambda: None,
                 stale_after_s: float = 300.0) -> None:
        self.client, self.namespace, self.clock = client, namespace, clock
        self.forecast, self.stale_after_s = forecast, stale_after_s

    def ready(self) -> bool:
        try:
            self.client.request("GET", "/version")
        except KubeError:
            return False
        return True

    def _inventories(self) -> dict[str, NodeInventory]:
        out = {}
        for obj in self.client.list_all(NODECACHES).items:
            try:
                inv = NodeInventory.model_validate(obj.get("status") or {})
            except ValidationError:
                continue  # a NodeCache the agent has not written yet, or a bad one
            out[inv.node_name] = inv
        return out

    def _nodes(self) -> list[tuple[dict[str, Any], NodeOut]]:
        inventories, now = self._inventories(), self.clock.now()
        return [(n, node_out(n["metadata"]["name"], pool_of(n), gpus_of(n),
                             inventories.get(n["metadata"]["name"]), now, self.stale_after_s))
                for n in self.client.list_all(NODES).items]

    def pools(self) -> list[str]:
        return sorted({out.pool for _, out in self._nodes() if out.pool})

    def nodes(self) -> list[NodeOut]:
        return [out for _, out in self._nodes()]

    def node(self, name: str, model: str | None) -> NodeDetailOut:
        found = next(((n, o) for n, o in self._nodes() if o.name == name), None)
        if found is None:
            raise UnknownName(f"no node named {name!r}")
        obj, out = found
        estimate = None
        if model is not None:
            ref = self._model_ref(model)
            images = frozenset(i for img in (obj.get("status") or {}).get("images") or []
                               for i in img.get("names") or [])
            inv = self._inventories().get(name)
            view = NodeView(name, images=images, inventory=inv)
            estimate = estimate_out(model, PodDemand(model=ref), view, {})
        return NodeDetailOut(**out.model_dump(), estimate=estimate)

    def _catalog(self) -> dict[str, ModelRef]:
        out = {}
        for obj in self.client.list_all(MODELS).items:
            spec = obj.get("spec") or {}
            try:
                size = parse_size(spec["bytes"]) if spec.get("bytes") is not None else None
                out[obj["metadata"]["name"]] = ModelRef(uri=spec["uri"], bytes=size)
            except (KeyError, ValueError, ValidationError):
                continue
        return out

    def _model_ref(self, name_or_uri: str) -> ModelRef:
        catalog = self._catalog()
        if name_or_uri in catalog:
            return catalog[name_or_uri]
        if "://" in name_or_uri:
            return ModelRef(uri=name_or_uri)
        raise UnknownName(f"no model named {name_or_uri!r}")

    def models(self) -> list[ModelOut]:
        nodes = self.nodes()
        tiers = best_tiers(nodes)
        catalog = self._catalog()
        named = {ref.uri: name for name, ref in catalog.items()}
        bands = {f.model: f for f in self.forecasts()}
        out = []
        for uri in sorted(set(tiers) | set(named)):
            held = tiers.get(uri, {})
            staged: dict[str, list[str]] = {}
            for node, tier in sorted(held.items()):
                if tier != "gpu-resident":
                    staged.setdefault(tier, []).append(node)
            name = named.get(uri, uri)
            f = bands.get(name) or bands.get(uri)
            out.append(ModelOut(name=name, uri=uri, pool=f.pool if f else "",
                                resident=sorted(n for n, t in held.items() if t == "gpu-resident"),
                                staged=staged, forecast=f.band if f else None))
        return out

    def model(self, name: str) -> ModelDetailOut:
        found = next((m for m in self.models() if name in (m.name, m.uri)), None)
        if found is None:
            raise UnknownName(f"no model named {name!r}")
        return ModelDetailOut(**found.model_dump())

    def decisions(self, query: DecisionQuery) -> DecisionPage:
        return page(read_all(self.client, self.namespace), query)

    def forecasts(self) -> list[ForecastOut]:
        forecast = self.forecast()
        if forecast is None:
            return []
        return [ForecastOut(model=m.model, pool=m.pool or "", issued_at=forecast.issued_at,
                            horizon_s=forecast.horizon_s,
                            band=Band(quantiles={f"{m.quantile:g}": m.requests_per_s},
                                      lo=m.requests_per_s, mid=m.requests_per_s,
                                      hi=m.requests_per_s))
                for m in forecast.models]

    def prefetch(self, pool: str, model: str) -> PrefetchOut:
        """One Prefetch per node of the pool (create-or-get: asking twice is harmless)."""
        ref = self._model_ref(model)
        targets = [o.name for _, o in self._nodes() if o.pool == pool]
        if not targets:
            raise UnknownName(f"no nodes in pool {pool!r}")
        return PrefetchOut(pool=pool, model=model,
                           objects=stage(self.client, ref, targets))

    def dashboard(self) -> DashboardOut:
        nodes = self.nodes()
        models = self.models()
        decisions = self.decisions(DecisionQuery(limit=20)).items
        return DashboardOut(now=self.clock.now(), progress=1.0, waterfall=[], series=[],
                            warmth=warmth(nodes, models) if nodes else WarmthMap(
                                nodes=[], models=[], cells=[]),
                            decisions=decisions, frontier=[], frontier_state="cluster mode")
