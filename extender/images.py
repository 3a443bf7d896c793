"""One spelling per container image, so a pod's `vllm/vllm-openai:v0.11.0` meets
the kubelet's `docker.io/vllm/vllm-openai:v0.11.0` in `status.images`.

Docker's reference rules (distribution/reference `ParseNormalizedNamed`): a
first path component without a dot or colon (and not `localhost`) is a Docker
Hub repository; a one-component Hub name lives under `library/`; a name
without tag or digest means `:latest`.
"""

from __future__ import annotations

from functools import lru_cache

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
