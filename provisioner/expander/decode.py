"""Serialized Kubernetes Nodes and Pods (protobuf) to the dicts the core reads.

cluster-autoscaler sends each node group's template Node and the pods of each
option as protobuf bytes; we decode only the fields in `k8s_subset.proto` and
shape them like API JSON, so `warmstart.podspec` and the planner's
constraint checks read them unchanged.
"""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf.message import DecodeError, Message

from provisioner.expander.protos import k8s_subset_pb2 as k8s

Obj = dict[str, Any]
M = TypeVar("M", bound=Message)


class DecodeFailure(ValueError):
    """A Node or Pod that is not valid protobuf; the message names which."""


def _quantities(m: Any) -> dict[str, str]:
    return {k: v.string for k, v in m.items()}


def _parse(message: M, raw: bytes, what: str) -> M:
    try:
        message.ParseFromString(raw)
    except DecodeError as exc:
        kind = type(message).__name__
        raise DecodeFailure(f"{what}: not a serialized v1.{kind} ({exc})") from exc
    return message


def node_dict(raw: bytes, what: str) -> Obj:
    node = _parse(k8s.Node(), raw, what)
    return {
        "metadata": {"name": node.metadata.name, "labels": dict(node.metadata.labels)},
        "spec": {"taints": [{"key": t.key, "value": t.value, "effect": t.effect}
                            for t in node.spec.taints]},
        "status": {
            "allocatable": _quantities(node.status.allocatable)
            or _quantities(node.status.capacity),
            "images": [{"names": list(i.names), "sizeBytes": i.sizeBytes}
                       for i in node.status.images],
        },
    }


def _container(c: Any) -> Obj:
    # args and env carry KServe's storage URI (storage-initializer's first argument,
    # or STORAGE_URI), which is how `warmstart.podspec` recognises a KServe pod.
    return {"name": c.name, "image": c.image, "args": list(c.args),
            "env": [{"name": e.name, "value": e.value} for e in c.env],
            "resources": {"limits": _quantities(c.resources.limits),
                          "requests": _quantities(c.resources.requests)}}


def pod_dict(raw: bytes, what: str) -> Obj:
    pod = _parse(k8s.Pod(), raw, what)
    return {
        "metadata": {"name": pod.metadata.name, "namespace": pod.metadata.namespace,
                     "annotations": dict(pod.metadata.annotations)},
        "spec": {"containers": [_container(c) for c in pod.spec.containers],
                 "initContainers": [_container(c) for c in pod.spec.initContainers]},
    }
