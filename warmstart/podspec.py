"""Read what a pod needs from its raw API JSON: images, model, GPUs.

Works on the plain dict kube-scheduler sends (no full Pod model on the hot
path). How a pod names its model, first match wins:
  1. annotation `warmstart.io/model` (URI), with optional
     `warmstart.io/model-bytes`, `warmstart.io/model-format`,
     `warmstart.io/model-quantization`;
  2. KServe: the `storage-initializer` init container's first argument, else a
     container's `STORAGE_URI` environment variable;
  3. either way, a `Model` catalog entry for the same URI fills in what the
     pod did not say (bytes, format, quantization).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from warmstart.domain.gpu import GPU_RESOURCE, MIG_RESOURCE_PREFIX, GpuRequest
from warmstart.domain.model_ref import ModelFormat, ModelRef
from warmstart.domain.pod import PodDemand
from warmstart.images import canonical_image
from warmstart.quantity import QuantityError, parse_size

ANNOTATION_PREFIX = "warmstart.io/"
MODEL = ANNOTATION_PREFIX + "model"
MODEL_BYTES = ANNOTATION_PREFIX + "model-bytes"
MODEL_FORMAT = ANNOTATION_PREFIX + "model-format"
MODEL_QUANTIZATION = ANNOTATION_PREFIX + "model-quantization"
TENSOR_PARALLEL = ANNOTATION_PREFIX + "tensor-parallel"
STREAMING_LOAD = ANNOTATION_PREFIX + "streaming-load"
STORAGE_INITIALIZER = "storage-initializer"
STORAGE_URI_ENV = "STORAGE_URI"

ModelCatalog = Mapping[str, ModelRef]


class PodSpecError(ValueError):
    """A pod field we read is malformed; the message names the field."""


def _annotation_int(annotations: Mapping[str, str], key: str) -> int | None:
    raw = annotations.get(key)
    if raw is None:
        return None
    try:
        return parse_size(raw)
    except QuantityError as exc:
        raise PodSpecError(f'Pod.metadata.annotations["{key}"]: {exc}') from exc


def _kserve_uri(spec: Mapping[str, Any]) -> str | None:
    for init in spec.get("initContainers") or ():
        args = init.get("args") or ()
        if init.get("name") == STORAGE_INITIALIZER and args:
            return str(args[0])
    for container in spec.get("containers") or ():
        for env in container.get("env") or ():
            if env.get("name") == STORAGE_URI_ENV and env.get("value"):
                return str(env["value"])
    return None


def _model(
    annotations: Mapping[str, str], spec: Mapping[str, Any], catalog: ModelCatalog
) -> ModelRef | None:
    uri = annotations.get(MODEL) or _kserve_uri(spec)
    if not uri:
        return None
    known = catalog.get(uri.rstrip("/"))
    size = _annotation_int(annotations, MODEL_BYTES)
    fmt = annotations.get(MODEL_FORMAT)
    try:
        return ModelRef(
            uri=uri,
            bytes=size if size is not None else (known.bytes if known else None),
            format=ModelFormat(fmt) if fmt else (known.format if known else ModelFormat.UNKNOWN),
            quantization=annotations.get(MODEL_QUANTIZATION)
            or (known.quantization if known else None),
        )
    except ValueError as exc:
        raise PodSpecError(f'Pod.metadata.annotations["{MODEL_FORMAT}"]: {exc}') from exc


def _container_requests(container: Mapping[str, Any]) -> Mapping[str, Any]:
    resources = container.get("resources") or {}
    # The API server defaults requests from limits; extended resources must match.
    return {**(resources.get("limits") or {}), **(resources.get("requests") or {})}


def gpu_request(spec: Mapping[str, Any], annotations: Mapping[str, str]) -> GpuRequest:
    """Sum of app containers' GPU requests (init containers run before, one at a time)."""
    gpus = 0
    mig: dict[str, int] = {}
    for i, container in enumerate(spec.get("containers") or ()):
        for name, raw in _container_requests(container).items():
            if name != GPU_RESOURCE and not name.startswith(MIG_RESOURCE_PREFIX):
                continue
            try:
                count = parse_size(raw)
            except QuantityError as exc:
                raise PodSpecError(f'Pod.spec.containers[{i}].resources["{name}"]: {exc}') from exc
            if name == GPU_RESOURCE:
                gpus += count
            else:
                mig[name] = mig.get(name, 0) + count
    tp = _annotation_int(annotations, TENSOR_PARALLEL)
    try:
        return GpuRequest(gpus=gpus, mig=mig, tensor_parallel=tp or max(gpus, 1))
    except ValidationError as exc:
        raise PodSpecError(f"Pod GPU request: {exc.errors()[0]['msg']}") from exc


def pod_images(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """Init and app container images, spelled as kubelet reports them on nodes."""
    seen: dict[str, None] = {}
    for key in ("initContainers", "containers"):
        for container in spec.get(key) or ():
            image = container.get("image")
            if image:
                seen[canonical_image(str(image))] = None
    return tuple(seen)


def pod_demand(pod: Mapping[str, Any], catalog: ModelCatalog | None = None) -> PodDemand:
    """Parse the facts the estimate needs. Raises PodSpecError naming the bad field."""
    if not isinstance(pod, Mapping):
        raise PodSpecError("Pod: expected an object")
    metadata = pod.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise PodSpecError("Pod.metadata: not an object")
    spec = pod.get("spec")
    if not isinstance(spec, Mapping):
        raise PodSpecError("Pod.spec: missing or not an object")
    annotations = metadata.get("annotations") or {}
    if not isinstance(annotations, Mapping):
        raise PodSpecError("Pod.metadata.annotations: not an object")
    streaming = annotations.get(STREAMING_LOAD, "").lower() in ("true", "1", "yes")
    return PodDemand(
        images=pod_images(spec),
        model=_model(annotations, spec, catalog or {}),
        gpu=gpu_request(spec, annotations),
        streaming_load=streaming,
    )
