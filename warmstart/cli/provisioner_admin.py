"""What the admin API needs from a running provisioner, wired in at the
composition root: pool policies read from `WarmthPolicy` objects, decisions
journaled durably, and `/healthz`, `/readyz`, `/metrics`.

* Policies: an informer on WarmthPolicy objects; on every change the
  controller's settings are replaced with the pools' budgets and GPU caps
  merged in, so the next planning step applies them. An object that does not
  validate is skipped (the last good policy of that pool stays).
* Decisions: every record the actuator logs is also buffered to the
  `warmstart-decisions-provisioner` ConfigMap, flushed every few seconds.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter

from provisioner import naming
from provisioner.controller import Controller
from provisioner.decisions import DecisionLog, DecisionRecord
from provisioner.policy import PoolLimits
from provisioner.settings import ProvisionerSettings
from warmstart.admin.decision_journal import DecisionJournal
from warmstart.admin.decisions import DecisionBuffer
from warmstart.admin.policy import StoredPolicy
from warmstart.admin.policy_store import WARMTHPOLICIES, PolicyInvalid, from_object
from warmstart.admin.schemas import DecisionOut
from warmstart.clock import Clock
from warmstart.health import health_app, serve
from warmstart.kube.client import KubeClient
from warmstart.kube.informer import Informer

FLUSH_S = 2.0


def with_policies(base: ProvisionerSettings, policies: Iterable[StoredPolicy]
                  ) -> ProvisionerSettings:
    """`base` with each pool's budget, GPU cap and shadow flag from its policy (the
    policy wins)."""
    pools = dict(base.policy.pools)
    for p in policies:
        pools[p.pool] = PoolLimits(max_gpus=p.spec.max_gpus,
                                   max_dollars_per_hour=p.spec.budget_dollars_per_hour,
                                   shadow=p.spec.shadow)
    return base.model_copy(update={"policy": base.policy.model_copy(update={"pools": pools})})


def pool_of(subject: str, pools: Iterable[str]) -> str:
    """The pool in a deterministic object name (`ws-<pool>-...`), if one matches."""
    for pool in sorted(pools, key=len, reverse=True):
        if subject.startswith(f"{naming.PREFIX}-{naming.dns_label(pool)}-"):
            return pool
    return ""


class JournaledLog(DecisionLog):
    """The actuator's decisions log, also journaled and counted by kind."""

    def __init__(self, capacity: int, journal: DecisionJournal, pools: Iterable[str],
                 registry: CollectorRegistry) -> None:
        super().__init__(capacity)
        self.journal, self.pools = journal, tuple(pools)
        self.unfolded = DecisionBuffer(capacity)
        self.counts = Counter("warmstart_provisioner_decisions", "decisions by kind",
                              ["kind"], registry=registry)

    def add(self, record: DecisionRecord) -> None:
        super().add(record)
        self.counts.labels(record.kind).inc()
        out = DecisionOut(
            at=record.at, source="provisioner", kind=record.kind,
            pool=record.pool or pool_of(record.subject, self.pools), subject=record.subject,
            reason=record.reason, outcome=record.outcome, estimate_s=record.estimate_s,
            stages=dict(record.stages))
        if self.unfolded.add(out):  # a decision re-made every step is journaled once a while
            self.journal.record(out)


class PolicyFollower:
    def __init__(self, client: KubeClient, controller: Controller, base: ProvisionerSettings,
                 clock: Clock) -> None:
        self.controller, self.base = controller, base
        self.good: dict[str, StoredPolicy] = {}
        self.informer = Informer(client, WARMTHPOLICIES, clock=clock, watch_timeout_s=20)
        self.informer.add_handler(self._changed)

    def _changed(self, kind: str, obj: dict[str, Any], previous: dict[str, Any] | None) -> None:
        name = str((obj.get("metadata") or {}).get("name", ""))
        if kind == "DELETED":
            self.good.pop(name, None)
        else:
            with contextlib.suppress(PolicyInvalid):  # keep the pool's last good policy
                self.good[name] = from_object(obj)
        self.apply()

    def apply(self) -> None:
        self.controller.settings = with_policies(self.base, self.good.values())


def flush_every(journal: DecisionJournal, stop: threading.Event, period_s: float = FLUSH_S
                ) -> threading.Thread:
    def loop() -> None:
        while not stop.wait(period_s):
            journal.flush()
        journal.flush()

    thread = threading.Thread(target=loop, daemon=True, name="decision-journal")
    thread.start()
    return thread


def journaled_log(client: KubeClient, settings: ProvisionerSettings,
                  registry: CollectorRegistry) -> tuple[JournaledLog, DecisionJournal]:
    journal = DecisionJournal(client, settings.namespace, "provisioner")
    pools = {t.pool for t in settings.templates}
    return JournaledLog(settings.decisions_kept, journal, pools, registry), journal


def serve_admin_side(client: KubeClient, ctl: Controller, settings: ProvisionerSettings,
                     clock: Clock, stop: threading.Event, journal: DecisionJournal,
                     registry: CollectorRegistry, http_port: int) -> PolicyFollower:
    """Follow WarmthPolicies, flush the journal, serve health; the policy follower
    (its informer for the caller to start and stop with the others)."""
    follower = PolicyFollower(client, ctl, settings, clock)
    flush_every(journal, stop)
    if http_port:
        def ready() -> bool:
            return all(i.has_synced for i in ctl.informers.required())

        serve(health_app(registry, ready), "0.0.0.0", http_port, "provisioner-http")
    return follower
