"""The extender's HTTP app: `create_app(settings, index, clock)`.

Routes time themselves server-side (exposed as a `Server-Timing` header and a
histogram), answer 400 naming the field for a malformed call, and fail open —
filter passes every node, prioritize gives no scores — on an internal error,
an index that is not synced, or a spent time budget, counting each case.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from extender import handlers
from extender.handlers import IndexNotReady
from extender.index import NodeIndex
from extender.metrics import ExtenderMetrics
from extender.ranking import BudgetExceeded, ScoreMemo
from extender.settings import ExtenderSettings
from extender.survivors import Survivors
from extender.wire import ExtenderArgs, WireError, error_reply, parse_args
from warmstart.clock import Clock
from warmstart.domain import PodDemand
from warmstart.podspec import PodSpecError

log = logging.getLogger(__name__)
JSON = "application/json"

# (index, parsed call, demand, deadline) -> (reply body, nodes failed or scored)
Verb = Callable[[NodeIndex, ExtenderArgs, PodDemand, float], tuple[bytes, int]]


def _timed(body: bytes, started: float, status: int = 200) -> Response:
    ms = (time.perf_counter() - started) * 1000
    return Response(body, status, {"Server-Timing": f"handler;dur={ms:.3f}"}, JSON)


class _Routes:
    def __init__(self, settings: ExtenderSettings, index: NodeIndex) -> None:
        self.settings, self.index = settings, index
        self.memo = ScoreMemo()
        self.passed = Survivors()
        self.metrics = ExtenderMetrics(index, self.passed)

    def call(self, name: str, body: bytes, verb: Verb) -> Response:
        started = time.perf_counter()
        try:
            args = parse_args(body)
        except WireError as exc:
            return self._bad_request(name, exc, started)
        try:
            with self.index.lock:
                demand = handlers.read_demand(self.index, args.pod)
                reply, count = verb(self.index, args, demand, started + self.settings.budget_s)
            self._count(name, len(args.names), count)
        except (WireError, PodSpecError) as exc:
            return self._bad_request(name, exc, started)
        except (BudgetExceeded, IndexNotReady) as exc:
            why = "budget" if isinstance(exc, BudgetExceeded) else "not-ready"
            reply = self._fail_open(name, args, why)
        except Exception:  # ours, not the caller's: never fail the scheduling cycle
            log.exception("extender %s failed; answering fail-open", name)
            reply = self._fail_open(name, args, "error")
        response = _timed(reply, started)
        self.metrics.timers[name].observe(time.perf_counter() - started)
        return response

    def _bad_request(self, verb: str, error: Exception, started: float) -> Response:
        self.metrics.bad_requests.labels(verb).inc()
        return _timed(error_reply(str(error)), started, 400)

    def _count(self, verb: str, nodes: int, count: int) -> None:
        good, bad = ("failed", "passed") if verb == "filter" else ("scored", "unscored")
        self.metrics.decisions.labels(verb, good).inc(count)
        self.metrics.decisions.labels(verb, bad).inc(nodes - count)

    def _fail_open(self, verb: str, args: ExtenderArgs, reason: str) -> bytes:
        self.metrics.fail_open.labels(verb, reason).inc()
        return handlers.fail_open(verb, args)

    def filter(
        self, index: NodeIndex, args: ExtenderArgs, demand: PodDemand, _: float
    ) -> tuple[bytes, int]:
        return handlers.do_filter(index, args, demand, self.passed)

    def prioritize(
        self, index: NodeIndex, args: ExtenderArgs, demand: PodDemand, deadline: float
    ) -> tuple[bytes, int]:
        return handlers.do_prioritize(index, args, demand, deadline, self.memo, self.passed)

    def floor(self, body: bytes) -> Response:
        started = time.perf_counter()
        try:
            reply = handlers.echo(parse_args(body))
        except WireError as exc:
            return _timed(error_reply(str(exc)), started, 400)
        self.metrics.timers["floor"].observe(time.perf_counter() - started)
        return _timed(reply, started)


def _explain(
    index: NodeIndex, args: ExtenderArgs, demand: PodDemand, _: float
) -> tuple[bytes, int]:
    return handlers.do_explain(index, args, demand), 0


def create_app(settings: ExtenderSettings, index: NodeIndex, clock: Clock) -> FastAPI:
    app = FastAPI(title="warmstart extender", docs_url=None, redoc_url=None, openapi_url=None)
    # Time is read through the index's clock (staleness, readiness); `clock` is the
    # same object, taken so callers build every part from one set of arguments.
    del clock
    routes = _Routes(settings, index)
    app.state.routes = routes

    @app.post("/filter")
    async def filter_(request: Request) -> Response:
        return routes.call("filter", await request.body(), routes.filter)

    @app.post("/prioritize")
    async def prioritize(request: Request) -> Response:
        return routes.call("prioritize", await request.body(), routes.prioritize)

    @app.post("/explain")
    async def explain(request: Request) -> Response:
        return routes.call("explain", await request.body(), _explain)

    if settings.floor_endpoint:

        @app.post("/floor")
        async def floor(request: Request) -> Response:
            return routes.floor(await request.body())

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', 200, media_type=JSON)

    @app.get("/readyz")
    async def readyz() -> Response:
        ready = index.ready()
        body = b'{"status":"ready"}' if ready else b'{"status":"index not synced"}'
        return Response(body, 200 if ready else 503, media_type=JSON)

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(routes.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
