"""The expander reads what cluster-autoscaler sends: KServe pods and unpriced groups."""

from __future__ import annotations

from provisioner.expander.decode import pod_dict
from provisioner.expander.protos import expander_pb2
from warmstart.podspec import pod_demand

from .test_expander_grpc import _field, hand_encoded_node, pod_bytes, request, stub

__all__ = ["stub"]  # the served expander, shared with test_expander_grpc


def _container(name: str, *, args: tuple[str, ...] = (),
               env: dict[str, str] | None = None) -> bytes:
    """A v1.Container by generated.proto's numbers: name 1, image 2, args 4, env 7
    (EnvVar name 1, value 2), plus command 3, a field our reader skips."""
    out = _field(1, name.encode()) + _field(2, b"kserve/storage-initializer:v0.14")
    out += _field(3, b"/storage-initializer/scripts/initializer-entrypoint")
    for arg in args:
        out += _field(4, arg.encode())
    for k, v in (env or {}).items():
        out += _field(7, _field(1, k.encode()) + _field(2, v.encode()))
    return out


def kserve_pod(*, init_args: tuple[str, ...] = (), env: dict[str, str] | None = None) -> bytes:
    """A v1.Pod (metadata 1, spec 2) whose PodSpec has containers = 2 and
    initContainers = 20, as KServe's webhook shapes a predictor pod."""
    meta = _field(1, b"isvc-predictor-0") + _field(3, b"serving")
    spec = _field(2, _container("kserve-container", env=env))
    if init_args:
        spec += _field(20, _container("storage-initializer", args=init_args))
    return _field(1, meta) + _field(2, spec)


def test_storage_initializer_args_name_the_model():
    pod = pod_dict(kserve_pod(init_args=("s3://models/llama-3-8b", "/mnt/models")), "pod")
    assert pod["spec"]["initContainers"][0]["args"] == ["s3://models/llama-3-8b", "/mnt/models"]
    model = pod_demand(pod).model
    assert model is not None and model.uri == "s3://models/llama-3-8b"


def test_storage_uri_env_names_the_model():
    pod = pod_dict(kserve_pod(env={"STORAGE_URI": "gs://models/mistral-7b"}), "pod")
    model = pod_demand(pod).model
    assert model is not None and model.uri == "gs://models/mistral-7b"


def test_a_group_of_unknown_price_never_beats_a_priced_one(stub):
    req = request({"ng-a100": "p4d.24xlarge"})
    # a group no template prices: at $0 it used to win every time
    req.options.add(nodeGroupId="ng-mystery", nodeCount=1, podBytes=[pod_bytes(1)])
    req.nodeBytesMap["ng-mystery"] = hand_encoded_node(
        "template-mystery", {"node.kubernetes.io/instance-type": "x9.mystery"})
    [chosen] = stub.BestOptions(req, timeout=5).options
    assert chosen.nodeGroupId == "ng-a100"


def test_unknown_price_groups_alone_are_ranked_by_wait_and_say_so(stub):
    req = expander_pb2.BestOptionsRequest()
    req.options.add(nodeGroupId="ng-mystery", nodeCount=1, podBytes=[pod_bytes(1)])
    req.nodeBytesMap["ng-mystery"] = hand_encoded_node(
        "template-mystery", {"node.kubernetes.io/instance-type": "x9.mystery"})
    [chosen] = stub.BestOptions(req, timeout=5).options
    assert chosen.nodeGroupId == "ng-mystery"
    assert "price unknown: ranked after priced groups" in chosen.debug
