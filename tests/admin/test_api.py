"""Every /v1 path over a live simulation, through the real app over HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.admin.conftest import HOURS
from warmstart.traces import SAMPLE, load_trace

POOL = "gpu-a100"
PATHS = ["/v1/nodes", "/v1/models", "/v1/decisions", "/v1/forecasts", "/v1/policies",
         f"/v1/policies/{POOL}", "/v1/dashboard"]


@pytest.mark.parametrize("path", PATHS)
def test_no_token_is_401(anonymous: httpx.Client, path: str) -> None:
    reply = anonymous.get(path)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_is_401(base_url: str) -> None:
    reply = httpx.get(f"{base_url}/v1/nodes", headers={"Authorization": "Bearer nope"})
    assert reply.status_code == 401


def test_nodes_list_what_each_node_holds_by_tier(reader: httpx.Client) -> None:
    nodes = reader.get("/v1/nodes").json()
    assert nodes, "the simulation created nodes"
    node = nodes[0]
    assert node["pool"] == POOL and node["gpus"] == 8
    tiers = {m["tier"] for n in nodes for m in n["models"]}
    assert {"host-memory", "local-disk"} <= tiers


def test_a_node_estimates_a_model_stage_by_stage(reader: httpx.Client) -> None:
    node = reader.get("/v1/nodes").json()[0]
    held = next(m for m in node["models"] if m["tier"] == "local-disk")
    cold_model = "s3://models/none/unknown"
    reply = reader.get(f"/v1/nodes/{node['name']}", params={"model": held["uri"]})
    assert reply.status_code == 200, reply.text
    estimate = reply.json()["estimate"]
    assert set(estimate["stages"]) == {"node", "image", "model", "cuda", "h2d"}
    assert estimate["totalS"] == pytest.approx(sum(estimate["stages"].values()), abs=0.01)
    assert estimate["tier"] in ("host-memory", "local-disk")
    assert reader.get(f"/v1/nodes/{node['name']}",
                      params={"model": cold_model}).status_code == 404
    assert reader.get("/v1/nodes/no-such-node").status_code == 404


def test_models_show_residency_forecast_and_cold_starts(reader: httpx.Client) -> None:
    models = reader.get("/v1/models").json()
    trace = load_trace(SAMPLE, duration_s=HOURS * 3600)
    assert sorted(m["name"] for m in models) == sorted(trace["model"].unique())
    warm = [m for m in models if m["resident"] or m["staged"]]
    assert warm, "some model is resident or staged"
    with_cold = None
    for m in models:
        detail = reader.get(f"/v1/models/{m['name']}").json()
        if detail["coldStarts"]:
            with_cold = detail
            break
    assert with_cold is not None
    cold = with_cold["coldStarts"][0]
    assert cold["readyAt"] > cold["startedAt"]
    assert sum(cold["measured"].values()) == pytest.approx(
        cold["readyAt"] - cold["startedAt"], rel=1e-3)
    assert cold["estimated"] is not None
    assert any(m["forecast"] for m in models)


def test_decisions_filter_by_kind_model_and_time(reader: httpx.Client) -> None:
    everything = reader.get("/v1/decisions", params={"limit": 1000}).json()
    assert everything["total"] > 0
    first = everything["items"][-1]
    by_model = reader.get("/v1/decisions", params={"model": first["model"]}).json()
    assert by_model["items"] and all(d["model"] == first["model"] for d in by_model["items"])
    warm = reader.get("/v1/decisions", params={"kind": "warm"}).json()
    assert all(d["kind"] == "warm" for d in warm["items"])
    late = reader.get("/v1/decisions", params={"since": first["at"] + 1}).json()
    assert late["total"] < everything["total"]
    assert reader.get("/v1/decisions", params={"limit": 0}).status_code == 422


def test_the_warmth_planners_choices_are_decisions(reader: httpx.Client) -> None:
    items = reader.get("/v1/decisions", params={"source": "warmth", "limit": 1000}).json()["items"]
    kinds = {d["kind"] for d in items}
    assert {"warm", "stage"} <= kinds, kinds
    stage = next(d for d in items if d["kind"] == "stage")
    assert stage["pool"] == POOL and stage["model"] and f"{stage['model']} -> " in stage["reason"]
    assert "P(request in" in stage["reason"]  # the planner's own reason, carried through


def test_forecasts_carry_quantiles_and_a_backtest(reader: httpx.Client) -> None:
    forecasts = reader.get("/v1/forecasts").json()
    assert forecasts
    f = forecasts[0]
    assert set(f["band"]["quantiles"]) == {"0.1", "0.5", "0.9"}
    assert f["band"]["lo"] <= f["band"]["mid"] <= f["band"]["hi"]
    assert f["backtest"]["points"] > 0 and 0 <= f["backtest"]["coverage"] <= 1
    one = reader.get("/v1/forecasts", params={"model": f["model"]}).json()
    assert [x["model"] for x in one] == [f["model"]]


def test_a_reader_cannot_write(reader: httpx.Client) -> None:
    assert reader.put(f"/v1/policies/{POOL}", json={"shadow": True}).status_code == 403
    assert reader.post("/v1/prefetch", json={"pool": POOL, "model": "x"}).status_code == 403
    assert reader.post("/v1/simulate", json={"trace": "sample"}).status_code == 403


def test_a_bad_policy_is_422_naming_the_field_and_the_old_one_stays(
        admin: httpx.Client) -> None:
    good = {"coldStartValue": 2.0, "budgetDollarsPerHour": 100.0, "minWarmNodes": 1,
            "overrides": [{"model": "m-large/client-1", "days": ["Mon", "Fri"],
                           "start": "08:00", "end": "18:00", "timezone": "Europe/Berlin"}]}
    stored = admin.put(f"/v1/policies/{POOL}", json=good)
    assert stored.status_code == 200, stored.text
    for bad, field in (({"coldStartValue": -1}, "coldStartValue"),
                       ({"minWarmNodes": 3, "maxWarmNodes": 1}, "maxWarmNodes"),
                       ({"overrides": [{"model": "m", "start": "18:00", "end": "08:00"}]}, "end"),
                       ({"overrides": [{"model": "m", "start": "08:00", "end": "09:00",
                                        "timezone": "Mars/Olympus"}]}, "timezone"),
                       ({"budget": 5}, "budget")):
        reply = admin.put(f"/v1/policies/{POOL}", json=bad)
        assert reply.status_code == 422, bad
        assert reply.json()["detail"][0]["loc"][-1] == field
    assert admin.get(f"/v1/policies/{POOL}").json() == stored.json()
    assert admin.put("/v1/policies/Not_A_Pool", json=good).status_code == 422


def test_prefetch_stages_the_model_and_is_recorded(admin: httpx.Client) -> None:
    model = admin.get("/v1/models").json()[0]["name"]
    reply = admin.post("/v1/prefetch", json={"pool": POOL, "model": model})
    assert reply.status_code == 202 and reply.json()["objects"]
    kinds = admin.get("/v1/decisions", params={"kind": "prefetch"}).json()["items"]
    assert kinds[0]["model"] == model and kinds[0]["source"] == "admin"
    assert admin.post("/v1/prefetch", json={"pool": "nope", "model": model}).status_code == 404


def test_simulate_runs_in_the_background_with_progress_and_a_result(
        admin: httpx.Client) -> None:
    reply = admin.post("/v1/simulate", json={"trace": "sample", "hours": 4,
                                             "policy": {"coldStartValue": 0.5}})
    assert reply.status_code == 202, reply.text
    job = reply.json()
    assert job["state"] == "running" and job["resultUrl"] == f"/v1/simulate/{job['id']}"
    busy = admin.post("/v1/simulate", json={"trace": "sample", "hours": 4})
    deadline = time.monotonic() + 120
    while job["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
        job = admin.get(job["resultUrl"]).json()
    assert job["state"] == "done", job["error"]
    assert job["progress"] == 1.0
    assert set(job["result"]["policies"]) == {"reactive", "warmstart"}
    # the second job was refused while the first ran (or, if the first was already
    # done, accepted): never a 500
    assert busy.status_code in (202, 429)


def test_simulate_limits(admin: httpx.Client) -> None:
    assert admin.post("/v1/simulate", json={"trace": "/etc/passwd"}).status_code == 422
    assert admin.post("/v1/simulate", json={"trace": "sample", "hours": 10_000}).status_code \
        == 422
    assert admin.post("/v1/simulate", json={}).status_code == 422
    no_pool = admin.post("/v1/simulate", json={"trace": "sample", "pool": "nope"})
    assert no_pool.status_code == 422 and no_pool.json()["detail"][0]["loc"] == ["body", "pool"]
    bad_csv = admin.post("/v1/simulate", json={"csv": "model,ts\nm,not-a-time\n"})
    assert bad_csv.status_code == 422 and bad_csv.json()["detail"][0]["loc"] == ["body", "csv"]
    too_big = admin.post("/v1/simulate", content=b"{" + b" " * 70_000 + b"}",
                         headers={"Content-Type": "application/json"})
    assert too_big.status_code == 413
    assert admin.get("/v1/simulate/sim-999").status_code == 404


def test_openapi_docs_health_and_metrics(anonymous: httpx.Client) -> None:
    spec = anonymous.get("/openapi.json").json()
    assert {"/v1/nodes", "/v1/policies/{pool}", "/v1/simulate", "/v1/prefetch"} <= set(
        spec["paths"])
    assert anonymous.get("/docs").status_code == 200
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    assert anonymous.get("/readyz").status_code == 200
    assert "warmstart_admin_requests" in anonymous.get("/metrics").text


def test_cors_is_off_by_default(anonymous: httpx.Client) -> None:
    reply = anonymous.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in reply.headers
