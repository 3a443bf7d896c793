"""The agent's small HTTP surface: /metrics for Prometheus, /waterfalls for the admin API.

`GET /waterfalls` returns the per-pod records (camelCase JSON, newest last);
`?namespace=` and `?pod=` narrow it. `/healthz`, `/readyz` and `/metrics` come
from `warmstart.health`, shared with the provisioner: a plain WSGI app on the
standard library's server, since the agent needs no framework.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from prometheus_client import CollectorRegistry

from agent.waterfall_store import WaterfallStore
from warmstart.health import WsgiApp, health_app, serve

__all__ = ["make_app", "serve"]

StartResponse = Callable[..., Any]


def make_app(store: WaterfallStore, registry: CollectorRegistry,
             ready: Callable[[], bool] = lambda: True) -> WsgiApp:
    def waterfalls(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        records = [
            r.model_dump(by_alias=True, mode="json")
            for r in store.records()
            if r.namespace in query.get("namespace", [r.namespace])
            and r.name in query.get("pod", [r.name])
        ]
        body = json.dumps({"items": records}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    return health_app(registry, ready, {"/waterfalls": waterfalls})
