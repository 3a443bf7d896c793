"""`POST /v1/simulate` (what-if jobs) and `POST /v1/prefetch` (stage a model now)."""

from __future__ import annotations

from fastapi import APIRouter

from warmstart.admin.deps import Caller, ServicesDep
from warmstart.admin.jobs import JobOut
from warmstart.admin.requests import PrefetchRequest, SimulateRequest
from warmstart.admin.schemas import PrefetchOut

router = APIRouter(prefix="/v1", tags=["actions"])


@router.post("/simulate", status_code=202)
def start_simulation(body: SimulateRequest, svc: ServicesDep, _: Caller) -> JobOut:
    """Start a what-if; poll `resultUrl` for progress and the report."""
    return svc.jobs.submit(body)


@router.get("/simulate/{job_id}")
def get_simulation(job_id: str, svc: ServicesDep, _: Caller) -> JobOut:
    return svc.jobs.get(job_id)


@router.post("/prefetch", status_code=202)
def prefetch(body: PrefetchRequest, svc: ServicesDep, _: Caller) -> PrefetchOut:
    return svc.source.prefetch(body.pool, body.model)
