"""One spelling per container image, so a pod's `vllm/vllm-openai:v0.11.0` meets
the kubelet's `docker.io/vllm/vllm-openai:v0.11.0` in `status.images`.

Pod parsing and every reader of a Node's `status.images` go through here, so
the extender, the provisioner, the expander and the simulator compare images
spelled the same way.

Docker's reference rules (distribution/reference `ParseNormalizedNamed`): a
first path component without a dot or colon (and not `localhost`) is a Docker
Hub repository; a one-component Hub name lives under `library/`; a name
without tag or digest means `:latest`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

DOCKER_HUB = "docker.io"
LEGACY_HUB = "index.docker.io"


@lru_cache(maxsize=65536)
def canonical_image(ref: str) -> str:
    """`nginx` -> `docker.io/library/nginx:latest`; digests and registries kept."""
    name, at, digest = ref.partition("@")
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = (DOCKER_HUB if first == LEGACY_HUB else first), rest
    else:
        registry, path = DOCKER_HUB, name
    if registry == DOCKER_HUB and "/" not in path:
        path = "library/" + path
    last = path.rsplit("/", 1)[-1]
    if ":" not in last and not at:
        path += ":latest"
    return f"{registry}/{path}{at}{digest}"


class ImageListError(ValueError):
    """A Node's `status.images` is malformed; the message names the field."""


def node_images(
    node: Mapping[str, Any], where: str = "Node"
) -> tuple[frozenset[str], dict[str, int]]:
    """A Node's images (canonical names) and the sizes kubelet reports for them."""
    images: set[str] = set()
    sizes: dict[str, int] = {}
    for i, entry in enumerate((node.get("status") or {}).get("images") or ()):
        size = entry.get("sizeBytes") if isinstance(entry, Mapping) else None
        names = entry.get("names") if isinstance(entry, Mapping) else None
        if not isinstance(names, list):
            raise ImageListError(f"{where}.status.images[{i}].names: expected a list")
        for raw in names:
            image = canonical_image(str(raw))
            images.add(image)
            if isinstance(size, int) and size >= 0:
                sizes[image] = size
    return frozenset(images), sizes
