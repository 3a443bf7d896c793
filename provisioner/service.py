"""Assemble a running provisioner from settings and one API client.

Used by the CLI and by the tests alike, so the tests exercise the wiring that
ships. Informer watches end every `WATCH_S` so each store proves its freshness
well inside the policy's stale-state bound.
"""

from __future__ import annotations

from collections.abc import Callable

from provisioner import naming
from provisioner.actuator import Actuator, ActuatorSettings, EventSink
from provisioner.controller import Controller, ForecastSource, Informers, WarmthHook
from provisioner.decisions import DecisionLog
from provisioner.events import PodEvents
from provisioner.metrics import ProvisionerMetrics
from provisioner.settings import ProvisionerSettings
from warmstart.clock import Clock
from warmstart.kube.client import KubeClient
from warmstart.kube.events import EventRecorder
from warmstart.kube.informer import Informer
from warmstart.kube.resources import MODELS, NODECACHES, NODEPOOLS, NODES, PODS, Resource

WATCH_S = 20


def informers(client: KubeClient, settings: ProvisionerSettings, clock: Clock,
              optional: bool = True) -> Informers:
    backend = settings.make_backend()
    # Our namespaced objects live in our namespace, except requests written beside
    # the pods they serve: watch only as wide as the backend writes (least privilege).
    where = None if backend.per_namespace or not backend.primary.namespaced \
        else settings.namespace

    def make(res: Resource, label_selector: str | None = None,
             namespace: str | None = None) -> Informer:
        return Informer(client, res, clock=clock, watch_timeout_s=WATCH_S,
                        label_selector=label_selector, namespace=namespace)

    return Informers(
        pods=make(PODS),
        nodes=make(NODES),
        owned=make(backend.primary, f"{naming.MANAGED_BY}={naming.MANAGER}", where),
        nodecaches=make(NODECACHES) if optional else None,
        nodepools=make(NODEPOOLS) if optional and settings.backend == "karpenter" else None,
        models=make(MODELS) if optional else None,
    )


def build(client: KubeClient, settings: ProvisionerSettings, clock: Clock, *,
          forecast: ForecastSource = lambda: None, is_leader: Callable[[], bool] = lambda: True,
          events: EventSink | None = None, log: DecisionLog | None = None,
          sources: Informers | None = None, metrics: ProvisionerMetrics | None = None,
          warmth: WarmthHook | None = None) -> Controller:
    backend = settings.make_backend()
    if events is None:
        events = PodEvents(EventRecorder(client, naming.MANAGER, clock))
    actuator = Actuator(
        client, backend, DecisionLog(settings.decisions_kept) if log is None else log,
        events, clock,
        ActuatorSettings(shadow=settings.shadow,
                         max_state_age_s=settings.policy.max_state_age_s),
        is_leader, metrics,
    )
    sources = informers(client, settings, clock) if sources is None else sources
    return Controller(sources, settings, backend, actuator, clock, forecast, warmth=warmth)
