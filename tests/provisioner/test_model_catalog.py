"""Served model names to Model URIs: a forecast's series named the way serving
stacks label them reach the Model catalog."""

from __future__ import annotations

from typing import Any

from provisioner.model_catalog import SERVED_NAMES, aliases, by_uri
from warmstart.domain import DemandForecast, ModelDemand

QWEN = "hf://Qwen/Qwen2.5-7B-Instruct"


def _model(name: str, uri: str | None, served: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if served is not None:
        meta["annotations"] = {SERVED_NAMES: served}
    return {"metadata": meta, "spec": {"uri": uri} if uri else {}}


def _demand(model: str, rate: float, pool: str | None = None) -> ModelDemand:
    return ModelDemand(model=model, pool=pool, quantile=0.9, requests_per_s=rate,
                       replicas=1, gpus=1)


def test_a_model_answers_to_its_served_names_and_its_object_name() -> None:
    found = aliases([_model("qwen-7b", QWEN + "/", "Qwen/Qwen2.5-7B-Instruct, qwen"),
                     _model("no-uri", None, "ghost")])
    assert found == {"qwen-7b": QWEN, "Qwen/Qwen2.5-7B-Instruct": QWEN, "qwen": QWEN}


def test_an_explicit_name_wins_and_of_two_claims_the_first_model_by_name() -> None:
    found = aliases([_model("b", "hf://b", "shared"), _model("a", "hf://a", "shared"),
                     _model("c", "hf://c", "a")])
    assert found["shared"] == "hf://a" and found["a"] == "hf://c"


def test_the_forecast_is_renamed_and_two_names_of_one_model_add_up() -> None:
    forecast = DemandForecast(issued_at=0, horizon_s=600, models=(
        _demand("qwen", 0.5), _demand("qwen-7b", 0.25), _demand("hf://other", 1.0)))
    renamed = by_uri(forecast, {"qwen": QWEN, "qwen-7b": QWEN})
    assert renamed is not None
    assert [(m.model, m.requests_per_s, m.replicas) for m in renamed.models] == [
        (QWEN, 0.75, 2), ("hf://other", 1.0, 1)]
    assert by_uri(None, {"qwen": QWEN}) is None and by_uri(forecast, {}) is forecast
