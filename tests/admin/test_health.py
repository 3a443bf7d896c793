"""`warmstart.health`: the provisioner's and agent's /healthz, /readyz, /metrics, served
on a real socket."""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry, Counter

from warmstart.health import health_app, serve


def test_readiness_follows_the_check_and_metrics_are_scraped() -> None:
    registry = CollectorRegistry()
    Counter("warmstart_test_things", "things", registry=registry).inc(3)
    ready = {"now": False}
    server, thread = serve(health_app(registry, lambda: ready["now"]), "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert httpx.get(f"{url}/healthz").text == "ok\n"
        assert httpx.get(f"{url}/readyz").status_code == 503
        ready["now"] = True
        assert httpx.get(f"{url}/readyz").status_code == 200
        assert "warmstart_test_things_total 3.0" in httpx.get(f"{url}/metrics").text
        assert httpx.get(f"{url}/nope").status_code == 404
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
