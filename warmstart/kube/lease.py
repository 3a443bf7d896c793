"""Leader election over a coordination.k8s.io/v1 Lease, so only one provisioner acts.

`decide` is the pure state machine (create, renew, take over, or wait, with the
reason); `LeaderElector` applies it with optimistic concurrency: every write
carries the resourceVersion it read, so of two candidates racing for one Lease
exactly one wins and the other gets 409. Like client-go, expiry is judged by
*our* clock from when we first saw the current record, not by the holder's
timestamps, so clock skew between nodes cannot hand the lease to two holders.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any, Literal

from warmstart.kube.client import KubeClient
from warmstart.kube.errors import Conflict, KubeError, NotFound
from warmstart.kube.resources import LEASES
from warmstart.kube.timefmt import k8s_micro_time

log = logging.getLogger(__name__)
Obj = dict[str, Any]
Action = Literal["create", "renew", "takeover", "wait"]


@dataclass(frozen=True)
class LeaseDecision:
    action: Action
    reason: str
    lease: Obj | None = None  # the Lease to write; None for "wait"


def decide(current: Obj | None, identity: str, now: float, duration_s: int,
           observed_at: float) -> LeaseDecision:
    """What `identity` should do about the Lease `current` at `now`.

    `observed_at` is when we first saw `current`'s (holder, renewTime) unchanged.
    """
    if current is None:
        return LeaseDecision("create", "no lease yet", _written(None, identity, now, duration_s))
    spec = current.get("spec") or {}
    holder = spec.get("holderIdentity") or ""
    if holder == identity:
        return LeaseDecision("renew", "we hold it", _written(current, identity, now, duration_s))
    if not holder:
        return LeaseDecision("takeover", "released by its last holder",
                             _written(current, identity, now, duration_s))
    expires = observed_at + int(spec.get("leaseDurationSeconds") or duration_s)
    if now >= expires:
        return LeaseDecision("takeover", f"{holder} stopped renewing ({now - expires:.1f} s ago)",
                             _written(current, identity, now, duration_s))
    return LeaseDecision("wait", f"held by {holder} for {expires - now:.1f} s more")


def _written(current: Obj | None, identity: str, now: float, duration_s: int) -> Obj:
    lease: Obj = copy.deepcopy(current) if current else {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {}, "spec": {}}
    spec: Obj = lease.setdefault("spec", {})
    stamp = k8s_micro_time(now)
    if spec.get("holderIdentity") != identity:
        spec["acquireTime"] = stamp
        if current is not None:
            spec["leaseTransitions"] = int(spec.get("leaseTransitions") or 0) + 1
    spec.setdefault("leaseTransitions", 0)
    spec.update(holderIdentity=identity, leaseDurationSeconds=duration_s, renewTime=stamp)
    return lease


class LeaderElector:
    """Holds the election state of one candidate; call `try_acquire_or_renew` every few s."""

    def __init__(self, client: KubeClient, *, namespace: str, name: str, identity: str,
                 lease_duration_s: int = 15, renew_deadline_s: float = 10.0) -> None:
        if renew_deadline_s >= lease_duration_s:
            raise ValueError("renew_deadline_s must be shorter than lease_duration_s, so a "
                             "leader steps down before anyone else may take over")
        self.client, self.namespace, self.name = client, namespace, name
        self.identity = identity
        self.lease_duration_s, self.renew_deadline_s = lease_duration_s, renew_deadline_s
        self._seen: tuple[str, str] | None = None  # (holder, renewTime) last observed
        self._seen_at = 0.0
        self._renewed_at: float | None = None  # our last successful write

    def is_leader(self, now: float) -> bool:
        return self._renewed_at is not None and now < self._renewed_at + self.renew_deadline_s

    def try_acquire_or_renew(self, now: float) -> LeaseDecision:
        """One round: read, decide, write. Returns the decision (action "wait" if we lost)."""
        try:
            current: Obj | None = self.client.get(LEASES, self.name, self.namespace)
        except NotFound:
            current = None
        except KubeError as error:
            return LeaseDecision("wait", f"cannot read the lease: {error}")
        decision = decide(current, self.identity, now, self.lease_duration_s,
                          self._observe(current, now))
        if decision.lease is None:
            return decision
        return self._write(decision, now)

    def _observe(self, current: Obj | None, now: float) -> float:
        spec = (current or {}).get("spec") or {}
        record = (str(spec.get("holderIdentity") or ""), str(spec.get("renewTime") or ""))
        if record != self._seen:
            self._seen, self._seen_at = record, now
        return self._seen_at

    def _write(self, decision: LeaseDecision, now: float) -> LeaseDecision:
        assert decision.lease is not None
        lease = decision.lease
        lease["metadata"].update(name=self.name, namespace=self.namespace)
        try:
            if decision.action == "create":
                self.client.create(LEASES, lease)
            else:
                self.client.replace(LEASES, lease)  # carries the resourceVersion we read
        except Conflict:
            return LeaseDecision("wait", "another candidate wrote the lease first")
        except KubeError as error:
            log.warning("lease %s/%s: %s failed: %s", self.namespace, self.name,
                        decision.action, error)
            return LeaseDecision("wait", f"{decision.action} failed: {error}")
        if decision.action != "renew":
            log.info("lease %s/%s: %s is now leader (%s)", self.namespace, self.name,
                     self.identity, decision.reason)
        self._renewed_at = now
        return decision

    def release(self, now: float) -> None:
        """Give the lease up (holder cleared) so a successor need not wait for expiry."""
        if not self.is_leader(now):
            return
        self._renewed_at = None
        try:
            lease = self.client.get(LEASES, self.name, self.namespace)
            if (lease.get("spec") or {}).get("holderIdentity") == self.identity:
                lease["spec"]["holderIdentity"] = ""
                self.client.replace(LEASES, lease)
        except KubeError as error:
            log.warning("lease %s/%s: release failed (%s); it will expire", self.namespace,
                        self.name, error)
