"""The CRDs in deploy/crds/ describe exactly the pydantic models the code reads,
and the scheduler configuration wires the extender the way docs/protocols.md says."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from warmstart.domain import ModelRef, NodeInventory

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
JSON_TYPES = {int: "integer", float: "number", bool: "boolean", str: "string", datetime: "string"}


def _schema(crd: str) -> dict[str, Any]:
    doc = yaml.safe_load((DEPLOY / "crds" / crd).read_text())
    schema: dict[str, Any] = doc["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(inner type, is a list) with Optional removed."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return _unwrap(args[0])
    if origin is tuple:
        return args[0], True
    return annotation, False


def assert_matches(model: type[BaseModel], schema: dict[str, Any], path: str) -> None:
    props = schema["properties"]
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    assert set(props) == set(fields), path
    for key, field in fields.items():
        inner, is_list = _unwrap(field.annotation)
        prop = props[key]
        if is_list:
            assert prop["type"] == "array", f"{path}.{key}"
            prop = prop["items"]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            assert_matches(inner, prop, f"{path}.{key}")
        elif isinstance(inner, type) and issubclass(inner, Enum):
            assert prop["enum"] == [e.value for e in inner], f"{path}.{key}"
        else:
            assert prop["type"] == JSON_TYPES[inner], f"{path}.{key}"
        required = field.is_required()
        assert (key in schema.get("required", [])) == required, f"{path}.{key} required"


@pytest.mark.parametrize(
    ("crd", "part", "model"),
    [("nodecache.yaml", "status", NodeInventory), ("model.yaml", "spec", ModelRef)],
)
def test_crd_schema_is_the_domain_model(crd: str, part: str, model: type[BaseModel]):
    assert_matches(model, _schema(crd)["properties"][part], part)


def test_scheduler_profile_uses_the_extender_as_protocols_say():
    config = yaml.safe_load((DEPLOY / "scheduler" / "scheduler-config.yaml").read_text())
    assert config["apiVersion"] == "kubescheduler.config.k8s.io/v1"
    gpu_profile = next(p for p in config["profiles"] if p["schedulerName"] != "default-scheduler")
    assert gpu_profile["percentageOfNodesToScore"] == 100
    (extender,) = config["extenders"]
    assert extender["nodeCacheCapable"] is True and extender["ignorable"] is True
    assert extender["filterVerb"] == "filter" and extender["prioritizeVerb"] == "prioritize"
    resources = {r["name"]: r["ignoredByScheduler"] for r in extender["managedResources"]}
    assert resources["nvidia.com/gpu"] is False
