"""What an inference server may report about its own start-up (optional).

Kubernetes sees a pod scheduled, its image pulled and its container started;
only the server knows when its weights were local, its CUDA context was up,
its weights were on the GPU and it answered its first request. It may say so
in either of two ways, each a wall-clock instant:

  pod annotations (RFC 3339, e.g. "2026-11-28T01:02:03.456Z"):
    warmstart.io/model-ready-at      weights present locally (downloaded / found in cache)
    warmstart.io/cuda-ready-at       CUDA context created
    warmstart.io/weights-loaded-at   weights copied to the GPU
    warmstart.io/first-inference-at  first request answered
  or a Prometheus gauge on the pod's metrics endpoint (port in the pod
  annotation `warmstart.io/metrics-port`, path `warmstart.io/metrics-path`,
  default /metrics), in seconds since the epoch:
    warmstart_startup_mark_timestamp_seconds{mark="model_ready|cuda_ready|weights_loaded|first_inference"}

Annotations win over metrics when both name the same mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

MARKS = ("model_ready", "cuda_ready", "weights_loaded", "first_inference")
ANNOTATIONS = {mark: f"warmstart.io/{mark.replace('_', '-')}-at" for mark in MARKS}
METRIC = "warmstart_startup_mark_timestamp_seconds"
METRICS_PORT = "warmstart.io/metrics-port"
METRICS_PATH = "warmstart.io/metrics-path"


class ContractError(ValueError):
    """An app-reported mark that does not parse; the message names the annotation."""


def marks_from_annotations(annotations: Mapping[str, str]) -> dict[str, datetime]:
    marks: dict[str, datetime] = {}
    for mark, key in ANNOTATIONS.items():
        raw = annotations.get(key)
        if raw is None:
            continue
        try:
            when = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise ContractError(
                f'Pod.metadata.annotations["{key}"]: not RFC 3339: {raw!r}'
            ) from exc
        marks[mark] = when if when.tzinfo else when.replace(tzinfo=UTC)
    return marks


def marks_from_metrics(text: str) -> dict[str, datetime]:
    """Marks from a Prometheus text exposition; unknown marks are ignored."""
    marks: dict[str, datetime] = {}
    for family in text_string_to_metric_families(text):
        if family.name != METRIC:
            continue
        for sample in family.samples:
            mark = sample.labels.get("mark", "")
            if mark in MARKS and sample.value > 0:
                marks[mark] = datetime.fromtimestamp(sample.value, UTC)
    return marks


def app_marks(
    annotations: Mapping[str, str], metrics_text: str | None = None
) -> dict[str, datetime]:
    from_metrics = marks_from_metrics(metrics_text) if metrics_text else {}
    return from_metrics | marks_from_annotations(annotations)
