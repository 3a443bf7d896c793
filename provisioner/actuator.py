"""Apply a plan through one backend: idempotent, guarded, and recorded.

Only the leader acts; shadow mode records every decision and writes nothing;
state older than the bound is never acted on; after an API error the actuator
backs off before it writes again. Writes are create-or-get on deterministic
names, so re-applying a plan after a restart finds the objects already there
instead of duplicating them. Every outcome goes to the decisions log, and the
pods concerned get an Event.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from provisioner.backends.base import Backend, Write
from provisioner.decisions import DecisionLog, DecisionRecord
from provisioner.metrics import ProvisionerMetrics
from provisioner.plan_types import NewNode, Plan, Release
from warmstart.clock import Clock
from warmstart.kube.client import KubeClient
from warmstart.kube.errors import KubeError, NotFound

RATE_WINDOW_S = 60.0


class EventSink(Protocol):
    def pod_event(self, pod_ref: str, uid: str, reason: str, message: str,
                  warning: bool = False) -> None: ...


@dataclass
class ActResult:
    created: list[str] = field(default_factory=list)
    existed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: str = ""


@dataclass
class ActuatorSettings:
    shadow: bool = False
    max_state_age_s: float = 30.0
    backoff_s: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0)


class Actuator:
    def __init__(self, client: KubeClient, backend: Backend, log: DecisionLog,
                 events: EventSink, clock: Clock, settings: ActuatorSettings,
                 is_leader: Callable[[], bool] = lambda: True,
                 metrics: ProvisionerMetrics | None = None) -> None:
        self.client, self.backend, self.log, self.events = client, backend, log, events
        self.clock, self.settings, self.is_leader = clock, settings, is_leader
        self.metrics = metrics if metrics is not None else ProvisionerMetrics()
        self._reported: dict[str, str] = {}  # pod UID -> the error last reported for it
        self._created_at: deque[float] = deque()
        self._failures = 0
        self._not_before = 0.0
        self._set_up = False

    def recent_creations(self) -> tuple[float, ...]:
        now = self.clock.now()
        while self._created_at and now - self._created_at[0] >= RATE_WINDOW_S:
            self._created_at.popleft()
        return tuple(self._created_at)

    def act(self, plan: Plan, observed_at: float,
            shadow_pools: frozenset[str] = frozenset()) -> ActResult:
        """Carry out `plan`; the actions of pools in `shadow_pools` are only recorded."""
        now = self.clock.now()
        self._record_plan(plan, now)
        plan = self._shadowed(plan, shadow_pools, now)
        why = self._why_not(plan, observed_at, now)
        if why:
            if not plan.empty:
                self._note(now, "skipped", "plan", why)
            return ActResult(skipped=why)
        result = ActResult()
        try:
            self._setup()
            for node in plan.creates:
                self._create(node, now, result)
            for release in plan.releases:
                self._release(release, now, result)
        except KubeError as exc:
            self._failed(now, exc, result)
        else:
            self._failures = 0
        return result

    def _shadowed(self, plan: Plan, pools: frozenset[str], now: float) -> Plan:
        """The plan less the actions of shadowed pools, each recorded as a decision."""
        if not pools or not self.is_leader():
            return plan
        for node in plan.creates:
            if node.template.pool in pools:
                self._note(now, "shadow", node.name, node.reason, "skipped (pool shadow)", node)
        for release in plan.releases:
            if release.pool in pools:
                self._note(now, "shadow", release.name, release.reason, "skipped (pool shadow)")
        return replace(plan,
                       creates=tuple(n for n in plan.creates if n.template.pool not in pools),
                       releases=tuple(r for r in plan.releases if r.pool not in pools))

    def _why_not(self, plan: Plan, observed_at: float, now: float) -> str:
        if plan.empty:
            return "nothing to do"
        if not self.is_leader():
            return "not the leader"
        if now - observed_at > self.settings.max_state_age_s:
            return f"state is {now - observed_at:.1f} s old"
        if now < self._not_before:
            return f"backing off after an API error until {self._not_before - now:.1f} s from now"
        if self.settings.shadow:
            for node in plan.creates:
                self._note(now, "shadow", node.name, node.reason, "skipped (shadow)", node)
            for release in plan.releases:
                self._note(now, "shadow", release.name, release.reason, "skipped (shadow)")
            return "shadow mode"
        return ""

    def _setup(self) -> None:
        if not self._set_up:
            for write in self.backend.setup():
                self.client.create_or_get(write.resource, write.body)
            self._set_up = True

    def _create(self, node: NewNode, now: float, result: ActResult) -> None:
        created = False
        for write in self.backend.render(node, now):
            if write.patch:
                self._patch(write)
                continue
            _, made = self.client.create_or_get(write.resource, write.body)
            created = made if write.resource == self.backend.primary else created
        outcome = "created" if created else "existed"
        (result.created if created else result.existed).append(node.name)
        if created:
            self._created_at.append(now)
        self._note(now, "create", node.name, node.reason, outcome, node)
        for uid, ref in zip(node.pods, node.pod_refs, strict=True):
            self.events.pod_event(ref, uid, "WarmstartProvisioning",
                                  f"{self.backend.kind} {node.name} ({outcome}): {node.reason}")

    def _patch(self, write: Write) -> None:
        meta = write.body["metadata"]
        with contextlib.suppress(NotFound):  # the pod went away: nothing left to annotate
            self.client.patch(write.resource, meta["name"], write.body, meta.get("namespace"))

    def _release(self, release: Release, now: float, result: ActResult) -> None:
        for removal in self.backend.release(release.name, release.namespace):
            self.client.delete(removal.resource, removal.name, removal.namespace)
        result.deleted.append(release.name)
        self._note(now, "release", release.name, release.reason, "deleted")

    def _failed(self, now: float, exc: KubeError, result: ActResult) -> None:
        delays = self.settings.backoff_s
        delay = delays[min(self._failures, len(delays) - 1)]
        self._failures += 1
        self._not_before = now + delay
        result.failed.append(str(exc))
        self._note(now, "failed", "api", f"{exc}; backing off {delay:g} s", str(exc))

    def _record_plan(self, plan: Plan, now: float) -> None:
        for d in plan.decisions:
            self._note(now, d.kind, d.subject, d.reason)
        reported = {}
        for err in plan.pod_errors:
            self._note(now, "pod-error", err.pod_ref, err.reason, pods=(err.pod_ref,))
            reported[err.pod] = err.reason
            if self._reported.get(err.pod) == err.reason:
                continue  # told once per pod and reason, not at every plan
            self.metrics.pod_errors.labels(err.kind).inc()
            if err.pod:
                self.events.pod_event(err.pod_ref, err.pod, "WarmstartCannotProvision",
                                      err.reason, warning=True)
        self._reported = reported

    def _note(self, now: float, kind: str, subject: str, reason: str, outcome: str = "",
              node: NewNode | None = None, pods: tuple[str, ...] = ()) -> None:
        estimate = node.estimate if node is not None else None
        self.log.add(DecisionRecord(
            at=now, kind=kind, subject=subject, reason=reason, outcome=outcome,
            pods=node.pod_refs if node is not None else pods,
            estimate_s=estimate.total_s if estimate else None,
            stages=tuple(estimate.stages().items()) if estimate else (),
        ))
