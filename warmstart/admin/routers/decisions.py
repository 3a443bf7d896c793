"""`/v1/decisions` and `/v1/forecasts`: why warmstart acted, and what it expects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from warmstart.admin.decisions import DecisionQuery
from warmstart.admin.deps import Caller, ServicesDep
from warmstart.admin.schemas import DecisionPage, ForecastOut

router = APIRouter(prefix="/v1", tags=["decisions"])
Text = Annotated[str | None, Query(max_length=1000)]


@router.get("/decisions")
def list_decisions(svc: ServicesDep, _: Caller, pool: Text = None, model: Text = None,
                   kind: Text = None, source: Text = None,
                   since: Annotated[float | None, Query(description="epoch seconds")] = None,
                   until: Annotated[float | None, Query(description="epoch seconds")] = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> DecisionPage:
    query = DecisionQuery(pool=pool, model=model, kind=kind, source=source, since=since,
                          until=until, limit=limit)
    return svc.source.decisions(query)


@router.get("/forecasts")
def list_forecasts(svc: ServicesDep, _: Caller, pool: Text = None,
                   model: Text = None) -> list[ForecastOut]:
    return [f for f in svc.source.forecasts()
            if (pool is None or f.pool == pool) and (model is None or f.model == model)]
