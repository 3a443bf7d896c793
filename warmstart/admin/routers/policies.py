"""`/v1/policies/{pool}`: read and replace a pool's warmth policy (stored as the
`WarmthPolicy` custom resource). A body that does not validate gets 422
naming the field, and nothing is written."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from warmstart.admin.deps import Caller, ServicesDep
from warmstart.admin.policy import StoredPolicy, WarmthPolicySpec

router = APIRouter(prefix="/v1", tags=["policies"])
Pool = Annotated[str, Path(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63,
                           description="the pool, as a DNS label")]


@router.get("/policies")
def list_policies(svc: ServicesDep, _: Caller) -> list[StoredPolicy]:
    return svc.policies.all()


@router.get("/policies/{pool}")
def get_policy(pool: Pool, svc: ServicesDep, _: Caller) -> StoredPolicy:
    """The stored policy; a pool without one gets the defaults (generation 0)."""
    stored = svc.policies.get(pool)
    return stored or StoredPolicy(pool=pool, spec=WarmthPolicySpec())


@router.put("/policies/{pool}")
def put_policy(pool: Pool, spec: WarmthPolicySpec, svc: ServicesDep, _: Caller) -> StoredPolicy:
    return svc.policies.put(pool, spec)
