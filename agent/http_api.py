"""The agent's small HTTP surface: /metrics for Prometheus, /waterfalls for the admin API.

`GET /waterfalls` returns the per-pod records (camelCase JSON, newest last);
`?namespace=` and `?pod=` narrow it. `GET /healthz` answers 200. A plain WSGI
app on the standard library's server: the agent needs no framework.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

from agent.waterfall_store import WaterfallStore

StartResponse = Callable[..., Any]


def make_app(store: WaterfallStore, registry: CollectorRegistry) -> Callable[..., Iterable[bytes]]:
    metrics = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            served: Iterable[bytes] = metrics(environ, start_response)
            return served
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if path == "/waterfalls":
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
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    return app


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # scrapes every 15 s would flood the agent's log


def serve(
    app: Callable[..., Iterable[bytes]], host: str, port: int
) -> tuple[WSGIServer, threading.Thread]:
    server = make_server(host, port, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="agent-http")
    thread.start()
    return server, thread
