"""Leader election over a real Lease on the fake API server, on a manual clock."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.kubemock import KubeMock
from warmstart.clock import ManualClock, SystemClock
from warmstart.kube import KubeClient, from_url
from warmstart.kube.leader import LeaderRunner
from warmstart.kube.lease import LeaderElector, decide
from warmstart.kube.resources import LEASES

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def _elector(client: KubeClient, identity: str) -> LeaderElector:
    return LeaderElector(client, namespace="warmstart", name="provisioner", identity=identity,
                         lease_duration_s=15, renew_deadline_s=10)


def _spec(kube: KubeMock) -> dict[str, Any]:
    lease = kube.object(LEASES, "provisioner", "warmstart")
    assert lease is not None
    spec: dict[str, Any] = lease["spec"]
    return spec


def test_first_candidate_creates_the_lease_and_leads(client: KubeClient, kube: KubeMock) -> None:
    a = _elector(client, "a")
    assert a.try_acquire_or_renew(T0).action == "create"
    assert a.is_leader(T0)
    assert _spec(kube) == {"holderIdentity": "a", "leaseDurationSeconds": 15,
                           "acquireTime": "2026-01-01T00:00:00.000000Z",
                           "renewTime": "2026-01-01T00:00:00.000000Z", "leaseTransitions": 0}


def test_holder_renews_and_keeps_its_acquire_time(client, kube: KubeMock) -> None:
    a = _elector(client, "a")
    a.try_acquire_or_renew(T0)
    assert a.try_acquire_or_renew(T0 + 2.5).action == "renew"
    spec = _spec(kube)
    assert spec["renewTime"] == "2026-01-01T00:00:02.500000Z"
    assert (spec["acquireTime"], spec["leaseTransitions"]) == ("2026-01-01T00:00:00.000000Z", 0)
    assert a.is_leader(T0 + 12) and not a.is_leader(T0 + 12.5)  # renew deadline 10 s


def test_a_held_lease_is_not_taken(client, kube: KubeMock) -> None:
    a, b = _elector(client, "a"), _elector(client, "b")
    a.try_acquire_or_renew(T0)
    decision = b.try_acquire_or_renew(T0 + 1)
    assert decision.action == "wait" and "held by a" in decision.reason
    assert not b.is_leader(T0 + 1) and _spec(kube)["holderIdentity"] == "a"


def test_takeover_after_the_holder_stops_renewing(client, kube: KubeMock) -> None:
    a, b = _elector(client, "a"), _elector(client, "b")
    a.try_acquire_or_renew(T0)
    b.try_acquire_or_renew(T0 + 1)               # b first sees a's record at T0+1
    assert b.try_acquire_or_renew(T0 + 15.9).action == "wait"  # 1 + 15 = 16 not reached
    decision = b.try_acquire_or_renew(T0 + 16)
    assert decision.action == "takeover" and "a stopped renewing" in decision.reason
    assert b.is_leader(T0 + 16) and not a.is_leader(T0 + 16)
    spec = _spec(kube)
    assert (spec["holderIdentity"], spec["leaseTransitions"]) == ("b", 1)
    assert spec["acquireTime"] == "2026-01-01T00:00:16.000000Z"
    assert a.try_acquire_or_renew(T0 + 17).action == "wait"  # a comes back: too late


def test_expiry_is_judged_by_our_clock_not_the_holders(client, kube: KubeMock) -> None:
    a, b = _elector(client, "a"), _elector(client, "b")
    a.try_acquire_or_renew(T0 - 3600)  # a's clock is an hour behind b's
    assert b.try_acquire_or_renew(T0).action == "wait"  # fresh to b: seen just now


class RivalFirst(KubeClient):
    """A real client that lets a rival write the Lease between our read and our write."""

    rival: LeaderElector | None = None
    at: float = 0.0

    def get(self, res: Any, name: str, namespace: str | None = None) -> dict[str, Any]:
        current = super().get(res, name, namespace)
        rival, self.rival = self.rival, None
        if rival is not None:
            rival.try_acquire_or_renew(self.at)
        return current


def test_losing_a_race_is_a_409_and_not_leadership(kube: KubeMock, client) -> None:
    a = _elector(client, "a")
    a.try_acquire_or_renew(T0)
    racing = RivalFirst(from_url(kube.url))
    b = _elector(racing, "b")
    b.try_acquire_or_renew(T0 + 1)
    racing.rival, racing.at = a, T0 + 16   # a renews right after b read the old record
    decision = b.try_acquire_or_renew(T0 + 16)
    assert decision.action == "wait" and "first" in decision.reason
    assert not b.is_leader(T0 + 16) and _spec(kube)["holderIdentity"] == "a"
    assert kube.requests_to("PUT", "/leases/provisioner")[-1].body["spec"]["holderIdentity"] == "b"
    racing.close()


def test_release_lets_a_successor_in_at_once(client, kube: KubeMock) -> None:
    a, b = _elector(client, "a"), _elector(client, "b")
    a.try_acquire_or_renew(T0)
    a.release(T0 + 1)
    assert not a.is_leader(T0 + 1)
    decision = b.try_acquire_or_renew(T0 + 2)
    assert decision.action == "takeover" and "released" in decision.reason


def test_decide_on_a_missing_lease_is_pure() -> None:
    decision = decide(None, "a", T0, 15, observed_at=T0)
    assert decision.action == "create" and decision.lease is not None
    assert decision.lease["spec"]["holderIdentity"] == "a"


def test_renew_deadline_must_be_shorter_than_the_lease(client) -> None:
    with pytest.raises(ValueError, match="renew_deadline_s"):
        LeaderElector(client, namespace="w", name="p", identity="a", lease_duration_s=10,
                      renew_deadline_s=10)


def test_runner_reports_gained_and_lost_leadership(client, kube: KubeMock) -> None:
    clock = ManualClock(T0)
    log: list[str] = []
    runner = LeaderRunner(_elector(client, "a"), clock, on_started=lambda: log.append("start"),
                          on_stopped=lambda: log.append("stop"))
    runner.tick()
    b = _elector(client, "b")
    b.try_acquire_or_renew(clock.now())
    clock.advance(15)
    b.try_acquire_or_renew(clock.now())          # a renewed nothing: b takes over at T0+15
    runner.tick()
    assert log == ["start", "stop"] and not runner.is_leader


def test_runner_thread_leads_then_releases_on_stop(client, kube: KubeMock) -> None:
    runner = LeaderRunner(_elector(client, "a"), SystemClock(), retry_period_s=0.01)
    runner.start()
    deadline = time.monotonic() + 5
    while not runner.is_leader:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    runner.stop()
    assert _spec(kube)["holderIdentity"] == ""
