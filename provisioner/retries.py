"""Failed requests: retried under a new name after a backoff, and cleaned up.

An object whose autoscaler will bring nothing (a ProvisioningRequest that
ended `Failed` or `BookingExpired`, a buffer it refused) is no capacity, so
its pods are packed again and the planner asks for the same node, under the
same name. That name is held by the failed object until its backoff
(`retryBaseSeconds` x 2^attempt, at most `retryMaxSeconds`, from the failure's
condition time) has passed; then the node is asked for as `<name>-r<n>` and
the failed object is deleted. A failed object no plan wants any more is
deleted at once. Every input is in the API objects (attempt annotation,
condition times), so a restart keeps the count. Pure.
"""

from __future__ import annotations

import math
from dataclasses import replace

from provisioner.plan_types import Decision, NewNode, Release
from provisioner.policy import ProvisionerPolicy
from provisioner.state import Failed


def retry_delay(attempt: int, policy: ProvisionerPolicy) -> float:
    return float(min(policy.retry_base_s * 2 ** min(attempt, 30), policy.retry_max_s))


def _latest(failed: tuple[Failed, ...]) -> dict[str, Failed]:
    latest: dict[str, Failed] = {}
    for f in failed:
        if f.base not in latest or f.attempt > latest[f.base].attempt:
            latest[f.base] = f
    return latest


def hold_back(creates: list[NewNode], failed: tuple[Failed, ...], policy: ProvisionerPolicy,
              now: float) -> tuple[list[NewNode], list[Decision], set[str]]:
    """Creates that may go ahead (retries renamed), backoff decisions, and the
    base names whose failed object must stay (its backoff still runs)."""
    latest = _latest(failed)
    kept: list[NewNode] = []
    decisions: list[Decision] = []
    waiting: set[str] = set()
    for node in creates:
        prior = latest.get(node.name)
        if prior is None:
            kept.append(node)
            continue
        left = prior.since + retry_delay(prior.attempt, policy) - now
        if left > 0:
            waiting.add(prior.base)
            decisions.append(Decision(
                "backoff", node.name,
                f"{prior.name} failed ({prior.reason}); retry {prior.attempt + 1} in "
                f"{math.ceil(left)} s"))
            continue
        n = prior.attempt + 1
        kept.append(replace(node, name=f"{prior.base}-r{n}", attempt=n,
                            reason=f"{node.reason}; retry {n} after {prior.name} failed "
                                   f"({prior.reason})"))
    return kept, decisions, waiting


def clean_up(failed: tuple[Failed, ...], waiting: set[str],
             capped: set[str]) -> list[Release]:
    """Delete every failed object but those holding a name through its backoff, or
    whose retry a guardrail held back this time (it keeps the attempt count)."""
    return [Release(f.name, f.pool, f"{f.reason}; replaced or no longer wanted", f.namespace)
            for f in failed if f.base not in waiting and f.base not in capped]
