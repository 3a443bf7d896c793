"""The dashboard: a static page and script (no front-end build) and the one
data route its charts read."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from warmstart.admin.dashboard_schemas import DashboardOut
from warmstart.admin.deps import Caller, ServicesDep

router = APIRouter(tags=["dashboard"])
_STATIC = resources.files("warmstart.admin") / "static"
_TYPES = {"index.html": "text/html; charset=utf-8", "dashboard.js": "text/javascript",
          "dashboard.css": "text/css"}


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/dashboard/")


@router.get("/dashboard/", include_in_schema=False)
def page() -> Response:
    return _static("index.html")


@router.get("/dashboard/{name}", include_in_schema=False)
def asset(name: str) -> Response:
    if name not in _TYPES:
        return Response(status_code=404)
    return _static(name)


def _static(name: str) -> Response:
    return Response((_STATIC / name).read_bytes(), media_type=_TYPES[name],
                    headers={"Cache-Control": "no-cache"})


@router.get("/v1/dashboard")
def dashboard_data(svc: ServicesDep, _: Caller) -> DashboardOut:
    return svc.source.dashboard()
