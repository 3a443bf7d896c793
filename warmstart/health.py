"""`/healthz`, `/readyz` and `/metrics` for a service that has no web framework
(the provisioner, the agent): a WSGI app on the standard library's server, so
each service is probed and scraped like the extender."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

WsgiApp = Callable[..., Iterable[bytes]]


def health_app(registry: CollectorRegistry, ready: Callable[[], bool],
               routes: dict[str, WsgiApp] | None = None) -> WsgiApp:
    """Health, readiness (200 when `ready()`, else 503), metrics, and any `routes`."""
    metrics = make_wsgi_app(registry)
    extra = dict(routes or {})

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            served: Iterable[bytes] = metrics(environ, start_response)
            return served
        if path in extra:
            return extra[path](environ, start_response)
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if path == "/readyz":
            ok = ready()
            start_response("200 OK" if ok else "503 Service Unavailable",
                           [("Content-Type", "text/plain")])
            return [b"ready\n" if ok else b"not ready\n"]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    return app


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # a probe every few seconds would flood the service's log


def serve(app: WsgiApp, host: str, port: int, name: str = "health"
          ) -> tuple[WSGIServer, threading.Thread]:
    server = make_server(host, port, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name=name)
    thread.start()
    return server, thread
