"""The gRPC expander over loopback, called the way cluster-autoscaler calls it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import grpc
import pytest

from provisioner.expander import ExpanderService, TlsFiles, serve
from provisioner.expander.protos import expander_pb2, expander_pb2_grpc, k8s_subset_pb2
from provisioner.settings import ProvisionerSettings

from .conftest import TEMPLATES

SETTINGS = ProvisionerSettings.model_validate({"templates": TEMPLATES})


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def hand_encoded_node(name: str, labels: dict[str, str]) -> bytes:
    """A v1.Node as Kubernetes' generated.proto numbers it, written byte by byte:
    Node.metadata = 1; ObjectMeta.name = 1, ObjectMeta.labels = 11 (map entry:
    key = 1, value = 2); plus ObjectMeta.uid = 5, a field our reader skips."""
    meta = _field(1, name.encode()) + _field(5, b"0f3c-uid")
    for k, v in labels.items():
        meta += _field(11, _field(1, k.encode()) + _field(2, v.encode()))
    return _field(1, meta)


def pod_bytes(gpus: int, image: str = "vllm/vllm-openai:v0.6.0") -> bytes:
    pod = k8s_subset_pb2.Pod()
    pod.metadata.name = "llm-0"
    pod.metadata.annotations["warmstart.io/model"] = "hf://meta/llama-3-8b"
    container = pod.spec.containers.add(name="server", image=image)
    container.resources.limits["nvidia.com/gpu"].string = str(gpus)
    return pod.SerializeToString()


@pytest.fixture
def stub():
    server, port = serve(ExpanderService(SETTINGS.node_templates()), "127.0.0.1:0")
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield expander_pb2_grpc.ExpanderStub(channel)
    finally:
        channel.close()
        server.stop(grace=None)


def request(groups: dict[str, str]) -> expander_pb2.BestOptionsRequest:
    req = expander_pb2.BestOptionsRequest()
    for group, itype in groups.items():
        req.options.add(nodeGroupId=group, nodeCount=1, podBytes=[pod_bytes(1)])
        req.nodeBytesMap[group] = hand_encoded_node(
            f"template-{group}", {"node.kubernetes.io/instance-type": itype})
    return req


def test_the_cheaper_group_wins_when_startup_is_the_same(stub):
    reply = stub.BestOptions(request({"ng-a100": "p4d.24xlarge", "ng-h100": "p5.48xlarge"}),
                             timeout=5)
    [chosen] = reply.options
    # same image pull and model fetch on both; boot 90 s vs 120 s and $32 vs $98 an hour
    assert chosen.nodeGroupId == "ng-a100" and chosen.nodeCount == 1
    assert "$32.00/h x 1" in chosen.debug


def test_a_template_with_the_image_already_on_it_wins(stub):
    req = request({"ng-a100": "p4d.24xlarge"})
    baked = k8s_subset_pb2.Node()
    baked.metadata.labels["node.kubernetes.io/instance-type"] = "p4d.24xlarge"
    baked.status.images.add(names=["vllm/vllm-openai:v0.6.0"], sizeBytes=10_000_000_000)
    req.options.add(nodeGroupId="ng-a100-baked", nodeCount=1, podBytes=[pod_bytes(1)])
    req.nodeBytesMap["ng-a100-baked"] = baked.SerializeToString()
    [chosen] = stub.BestOptions(req, timeout=5).options
    assert chosen.nodeGroupId == "ng-a100-baked"


def test_a_malformed_node_is_refused_naming_it(stub):
    req = request({"ng-a100": "p4d.24xlarge"})
    req.nodeBytesMap["ng-a100"] = b"\xff\xff\xff"
    with pytest.raises(grpc.RpcError) as err:
        stub.BestOptions(req, timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "nodeBytesMap['ng-a100']: not a serialized v1.Node" in err.value.details()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
def test_tls_as_cluster_autoscaler_requires(tmp_path: Path):
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server, port = serve(ExpanderService(SETTINGS.node_templates()), "127.0.0.1:0",
                         TlsFiles(cert, key))
    creds = grpc.ssl_channel_credentials(root_certificates=cert.read_bytes())
    channel = grpc.secure_channel(f"localhost:{port}", creds)
    try:
        reply = expander_pb2_grpc.ExpanderStub(channel).BestOptions(
            request({"ng-a100": "p4d.24xlarge"}), timeout=5)
        assert [o.nodeGroupId for o in reply.options] == ["ng-a100"]
    finally:
        channel.close()
        server.stop(grace=None)
