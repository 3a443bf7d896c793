"""The admin API's app factory: `create_app(settings, services)`.

Routers per surface (`routers/`); errors of the layers below become HTTP
answers here, once: unknown name 404, stored policy invalid 409, busy 429,
rejected trace 422 naming the field, API server unreachable 503. Health,
readiness and metrics are open; everything under /v1 needs a token.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client import Histogram as PromHistogram

from warmstart import __version__
from warmstart.admin.body_limit import BodyLimit
from warmstart.admin.deps import Services
from warmstart.admin.jobs import Busy, Rejected
from warmstart.admin.policy_store import PolicyInvalid
from warmstart.admin.routers import actions, dashboard, decisions, inventory, policies
from warmstart.admin.source import SourceUnavailable, UnknownName
from warmstart.kube.errors import KubeError


@dataclass(frozen=True)
class AdminSettings:
    max_body_bytes: int = 2 * 1024 * 1024
    cors_origins: tuple[str, ...] = ()  # none: CORS off, the dashboard is same-origin


def _json(status: int, detail: object) -> JSONResponse:
    return JSONResponse({"detail": detail}, status)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(UnknownName)
    async def unknown(_: Request, exc: UnknownName) -> JSONResponse:
        return _json(404, str(exc).strip("'\""))

    @app.exception_handler(PolicyInvalid)
    async def invalid(_: Request, exc: PolicyInvalid) -> JSONResponse:
        return _json(409, str(exc))

    @app.exception_handler(Busy)
    async def busy(_: Request, exc: Busy) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, 429, headers={"Retry-After": "30"})

    @app.exception_handler(Rejected)
    async def rejected(_: Request, exc: Rejected) -> JSONResponse:
        return _json(422, [{"loc": ["body", exc.field], "msg": str(exc), "type": "value_error"}])

    @app.exception_handler(SourceUnavailable)
    async def unavailable(_: Request, exc: SourceUnavailable) -> JSONResponse:
        return _json(503, str(exc))

    @app.exception_handler(KubeError)
    async def kube(_: Request, exc: KubeError) -> JSONResponse:
        return _json(503, f"Kubernetes API: {exc}")


def _observability(app: FastAPI, svc: Services) -> None:
    registry = CollectorRegistry()
    calls = Counter("warmstart_admin_requests", "admin API requests",
                    ["method", "route", "code"], registry=registry)
    seconds = PromHistogram("warmstart_admin_request_seconds", "admin API handler time",
                            ["route"], registry=registry)

    @app.middleware("http")
    async def measure(request: Request,
                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        calls.labels(request.method, route, str(response.status_code)).inc()
        seconds.labels(route).observe(time.perf_counter() - started)
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        ready = svc.source.ready()
        return JSONResponse({"status": "ready" if ready else "not ready"}, 200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: AdminSettings, svc: Services) -> FastAPI:
    app = FastAPI(title="warmstart admin API", version=__version__,
                  description="What warmstart holds, why it acted, and its policies.")
    app.state.services = svc
    for module in (inventory, decisions, policies, actions, dashboard):
        app.include_router(module.router)
    _errors(app)
    _observability(app, svc)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "PUT", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
