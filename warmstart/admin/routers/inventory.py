"""`/v1/nodes` and `/v1/models`: what each node holds and where each model is warm."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from warmstart.admin.deps import Caller, ServicesDep
from warmstart.admin.schemas import ModelDetailOut, ModelOut, NodeDetailOut, NodeOut

router = APIRouter(prefix="/v1", tags=["inventory"])


@router.get("/nodes")
def list_nodes(svc: ServicesDep, _: Caller) -> list[NodeOut]:
    return svc.source.nodes()


@router.get("/nodes/{name}")
def get_node(name: str, svc: ServicesDep, _: Caller,
             model: Annotated[str | None, Query(max_length=1000,
                                                description="estimate this model's start")]
             = None) -> NodeDetailOut:
    return svc.source.node(name, model)


@router.get("/models")
def list_models(svc: ServicesDep, _: Caller) -> list[ModelOut]:
    return svc.source.models()


@router.get("/models/{name:path}")
def get_model(name: str, svc: ServicesDep, _: Caller) -> ModelDetailOut:
    return svc.source.model(name)
