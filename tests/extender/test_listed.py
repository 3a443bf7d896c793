"""The feed's decoders for listed Nodes and NodeCaches: the fields the index
reads, nothing else; an object of another shape comes whole, for the feed's
checks to name the field at fault."""

from __future__ import annotations

import msgspec
import orjson

from extender import listed

NODE = {
    "apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "n1", "resourceVersion": "7", "labels": {"pool": "a"},
                 "managedFields": [{"manager": "kubelet", "fieldsV1": {"f:status": {}}}]},
    "spec": {"podCIDR": "10.0.0.0/24"},
    "status": {"conditions": [{"type": "Ready", "status": "True"}],
               "capacity": {"nvidia.com/gpu": "8"},
               "images": [{"names": ["vllm/vllm-openai:v0.11.0"], "sizeBytes": 10}]},
}
CACHE = {
    "apiVersion": "warmstart.io/v1alpha1", "kind": "NodeCache",
    "metadata": {"name": "n1", "resourceVersion": "9", "managedFields": [{"manager": "agent"}]},
    "status": {"nodeName": "n1", "gpus": [{"uuid": "GPU-1", "memoryFreeBytes": 5}]},
}


def _raw(obj: object) -> msgspec.Raw:
    return msgspec.Raw(orjson.dumps(obj))


def test_a_listed_node_keeps_name_version_labels_and_images_only() -> None:
    got = listed.node(_raw(NODE))
    assert got == {"metadata": {"name": "n1", "resourceVersion": "7", "labels": {"pool": "a"}},
                   "status": {"images": NODE["status"]["images"]}}  # type: ignore[index]


def test_a_listed_node_cache_keeps_its_whole_status_but_not_managed_fields() -> None:
    got = listed.node_cache(_raw(CACHE))
    assert got == {"metadata": {"name": "n1", "resourceVersion": "9"}, "status": CACHE["status"]}


def test_an_object_of_another_shape_comes_whole() -> None:
    odd = {"metadata": ["not", "an", "object"], "status": {"images": "none"}}
    assert listed.node(_raw(odd)) == odd
    assert listed.node_cache(_raw({"metadata": 3})) == {"metadata": 3}
