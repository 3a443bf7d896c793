"""Reading a pod's model, images and GPUs from real kube-scheduler payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from warmstart.domain import GpuRequest, ModelFormat, ModelRef
from warmstart.podspec import PodSpecError, pod_demand

CAPTURES = Path(__file__).parent.parent / "fixtures" / "k8s-captures"


def captured_pod(name: str) -> dict[str, Any]:
    pod: dict[str, Any] = json.loads((CAPTURES / name).read_text())["Pod"]
    return pod


def test_annotated_model_pod_from_capture():
    demand = pod_demand(captured_pod("filter-nodenames-annotated-model.json"))
    assert demand.model == ModelRef(
        uri="hf://meta-llama/Llama-3.1-8B-Instruct@0e9e39f", bytes=16060522496
    )
    # spelled as kubelet reports images in a Node's status.images
    assert demand.images == ("docker.io/vllm/vllm-openai:v0.11.0",)
    assert demand.gpu == GpuRequest(gpus=1, tensor_parallel=1)


def test_kserve_predictor_names_its_model_through_the_storage_initializer():
    demand = pod_demand(captured_pod("filter-nodenames-kserve-predictor.json"))
    assert demand.model is not None and demand.model.uri == "hf://Qwen/Qwen2.5-7B-Instruct"
    assert demand.model.bytes is None
    assert demand.images == (
        "docker.io/kserve/storage-initializer:v0.15.0",
        "docker.io/kserve/huggingfaceserver:v0.15.0",
    )


def test_catalog_fills_in_what_the_pod_did_not_say():
    catalog = {
        "hf://Qwen/Qwen2.5-7B-Instruct": ModelRef(
            uri="hf://Qwen/Qwen2.5-7B-Instruct",
            bytes=15_231_233_024,
            format=ModelFormat.SAFETENSORS,
            quantization="bf16",
        )
    }
    demand = pod_demand(captured_pod("filter-nodenames-kserve-predictor.json"), catalog)
    assert demand.model is not None
    assert (demand.model.bytes, demand.model.format, demand.model.quantization) == (
        15_231_233_024,
        ModelFormat.SAFETENSORS,
        "bf16",
    )


def pod_with(annotations: dict[str, str], resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"annotations": annotations},
        "spec": {"containers": [{"name": "c", "image": "i", "resources": resources}]},
    }


def test_storage_uri_env_alone_names_the_model():
    pod = {
        "metadata": {},
        "spec": {
            "containers": [
                {"name": "c", "image": "i", "env": [{"name": "STORAGE_URI", "value": "s3://b/m"}]}
            ]
        },
    }
    demand = pod_demand(pod)
    assert demand.model is not None and demand.model.uri == "s3://b/m"


def test_mig_and_tensor_parallel_requests():
    pod = pod_with(
        {"warmstart.io/tensor-parallel": "2"}, {"limits": {"nvidia.com/mig-1g.5gb": "2"}}
    )
    assert pod_demand(pod).gpu == GpuRequest(
        gpus=0, mig={"nvidia.com/mig-1g.5gb": 2}, tensor_parallel=2
    )


def test_model_bytes_accept_kubernetes_quantities():
    pod = pod_with({"warmstart.io/model": "s3://b/m", "warmstart.io/model-bytes": "14Gi"}, {})
    demand = pod_demand(pod)
    assert demand.model is not None and demand.model.bytes == 14 * 1024**3


@pytest.mark.parametrize(
    ("pod", "field"),
    [
        (
            pod_with({"warmstart.io/model": "s3://b/m", "warmstart.io/model-bytes": "lots"}, {}),
            'annotations["warmstart.io/model-bytes"]',
        ),
        (
            pod_with({"warmstart.io/model": "s3://b/m", "warmstart.io/model-format": "zip"}, {}),
            'annotations["warmstart.io/model-format"]',
        ),
        (
            pod_with({}, {"requests": {"nvidia.com/gpu": "two"}}),
            'containers[0].resources["nvidia.com/gpu"]',
        ),
        ({"metadata": {}}, "Pod.spec"),
        ({"metadata": "x", "spec": {}}, "Pod.metadata"),
        ({"metadata": {"annotations": ["a"]}, "spec": {}}, "Pod.metadata.annotations"),
    ],
)
def test_malformed_fields_are_named(pod, field):
    with pytest.raises(PodSpecError, match=field.replace("[", r"\[").replace("]", r"\]")):
        pod_demand(pod)
