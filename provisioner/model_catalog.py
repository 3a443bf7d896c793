"""The Model catalog as the provisioner reads it: Model objects by URI, and
served model names to Model URIs. Serving stacks label their metrics with
the name they serve a model under (vLLM's `model_name`, `--served-model-name`),
not the URI its weights come from, so the forecast's series reach the Model
catalog through this map. A Model answers to the names in its
`warmstart.io/served-names` annotation (comma-separated) and to its own
object name; an explicit name wins over an object name, and of two Models
claiming one name the first by object name wins. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from warmstart.domain import DemandForecast, ModelRef
from warmstart.domain.forecast import ModelDemand
from warmstart.inventory import InventoryError, model_from_object

SERVED_NAMES = "warmstart.io/served-names"


def models_catalog(objs: list[dict[str, Any]]) -> dict[str, ModelRef]:
    """Model objects by URI (as `warmstart.podspec` looks them up); a malformed
    one is left out, the way the extender's index leaves it out."""
    catalog = {}
    for obj in objs:
        try:
            ref = model_from_object(obj)
        except InventoryError:
            continue
        catalog[ref.uri.rstrip("/")] = ref
    return catalog


def _uri(obj: Mapping[str, Any]) -> str | None:
    uri = (obj.get("spec") or {}).get("uri")
    return uri.rstrip("/") if isinstance(uri, str) and uri.strip("/") else None


def aliases(models: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Served name -> Model URI, for every Model with a URI."""
    explicit: dict[str, str] = {}
    named: dict[str, str] = {}
    ordered = sorted(models, key=lambda o: str((o.get("metadata") or {}).get("name", "")))
    for obj in ordered:
        uri = _uri(obj)
        meta = obj.get("metadata") or {}
        if uri is None:
            continue
        named.setdefault(str(meta.get("name", "")), uri)
        listed = str((meta.get("annotations") or {}).get(SERVED_NAMES, ""))
        for name in filter(None, (n.strip() for n in listed.split(","))):
            explicit.setdefault(name, uri)
    return {**named, **explicit}


def by_uri(forecast: DemandForecast | None, names: Mapping[str, str]
           ) -> DemandForecast | None:
    """The forecast with each series named by its Model's URI where a Model
    answers to its name; two series that become one model's (served under two
    names) add up."""
    if forecast is None or not names:
        return forecast
    merged: dict[tuple[str, str | None], ModelDemand] = {}
    for md in forecast.models:
        uri = names.get(md.model.rstrip("/"), md.model)
        key = (uri, md.pool)
        held = merged.get(key)
        merged[key] = md.model_copy(update={"model": uri}) if held is None else \
            held.model_copy(update={"requests_per_s": held.requests_per_s + md.requests_per_s,
                                    "replicas": held.replicas + md.replicas,
                                    "gpus": held.gpus + md.gpus})
    return forecast.model_copy(update={"models": tuple(merged.values())})
