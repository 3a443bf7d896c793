"""One spelling per image: pods and Node.status.images meet wherever they are compared."""

from __future__ import annotations

import pytest

from warmstart.estimate import NodeView, estimate_startup
from warmstart.images import ImageListError, canonical_image, node_images
from warmstart.podspec import pod_demand

NODE = {
    "metadata": {"name": "n"},
    "status": {
        "images": [
            {"names": ["docker.io/vllm/vllm-openai:v0.6.0"], "sizeBytes": 10_000_000_000},
            {
                "names": [
                    "nvcr.io/nvidia/tritonserver@sha256:ab",
                    "nvcr.io/nvidia/tritonserver:25.01",
                ]
            },
        ]
    },
}


@pytest.mark.parametrize(
    ("ref", "canonical"),
    [
        ("nginx", "docker.io/library/nginx:latest"),
        ("vllm/vllm-openai:v0.11.0", "docker.io/vllm/vllm-openai:v0.11.0"),
        ("docker.io/vllm/vllm-openai:v0.11.0", "docker.io/vllm/vllm-openai:v0.11.0"),
        ("index.docker.io/library/nginx:1", "docker.io/library/nginx:1"),
        ("nvcr.io/nvidia/tritonserver:25.01-py3", "nvcr.io/nvidia/tritonserver:25.01-py3"),
        ("localhost:5000/x", "localhost:5000/x:latest"),
        ("repo/app@sha256:abc", "docker.io/repo/app@sha256:abc"),
    ],
)
def test_image_references_are_normalised_like_docker_does(ref: str, canonical: str):
    assert canonical_image(ref) == canonical


def test_node_images_and_sizes_in_canonical_spelling():
    images, sizes = node_images(NODE)
    assert images == {
        "docker.io/vllm/vllm-openai:v0.6.0",
        "nvcr.io/nvidia/tritonserver@sha256:ab",
        "nvcr.io/nvidia/tritonserver:25.01",
    }
    assert sizes == {"docker.io/vllm/vllm-openai:v0.6.0": 10_000_000_000}


def test_a_pods_short_image_name_finds_the_image_on_the_node():
    pod = {
        "metadata": {},
        "spec": {"containers": [{"name": "c", "image": "vllm/vllm-openai:v0.6.0"}]},
    }
    images, sizes = node_images(NODE)
    estimate = estimate_startup(pod_demand(pod), NodeView(name="n", images=images), sizes)
    assert estimate.image_s == 0.0


def test_malformed_image_list_names_the_field():
    with pytest.raises(ImageListError, match=r"Node\.status\.images\[0\]\.names"):
        node_images({"status": {"images": [{"names": "x"}]}})
