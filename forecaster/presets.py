"""What serving stacks and GPU exporters really export, as ready-made history queries.

One setting (`--preset NAME`) picks the PromQL for a stack, so a cluster's
forecaster reads demand without anyone writing queries. Names and labels are
the exporters' own (see docs/forecaster.md for the sources):

- vLLM: `vllm:request_success_total` (counter), `vllm:num_requests_running`
  and `vllm:num_requests_waiting` (gauges), all labelled `model_name`.
- TGI: `tgi_request_count` (counter), `tgi_queue_size` and
  `tgi_batch_current_size` (gauges). One model per server and no model label,
  so series are named by the scrape's Kubernetes `service` label.
- Triton: `nv_inference_request_success` (counter) and
  `nv_inference_pending_request_count` (gauge), labelled `model` and `version`.
- KServe ModelServer: the `request_predict_seconds` histogram's `_count`,
  labelled `model_name`.
- Knative (KServe serverless) queue-proxy: `revision_app_request_count`
  (counter) and `revision_queue_depth` (gauge), labelled `service_name`.
- NVIDIA DCGM exporter: `DCGM_FI_DEV_GPU_UTIL` (0-100, a gauge per GPU)
  with the `pod` and `namespace` of the workload using it.

Every preset yields one value per series and step: requests/s for counters,
mean requests in flight for gauges, busy GPUs for DCGM; `requests_per_replica`
is then per-replica throughput, concurrency or busy GPUs respectively.
"""

from __future__ import annotations

from dataclasses import dataclass

from forecaster.prometheus import PromSeries

MIN_WINDOW_S = 60
"""Rates need two samples in their window; a minute holds them at 30-s scrapes."""
WORKLOAD = "(.+?)(?:-[a-z0-9]{5,10}-[a-z0-9]{5})?"
"""A Deployment's pod is `<workload>-<pod-template hash>-<5 chars>`; other pods keep their name."""


@dataclass(frozen=True)
class Preset:
    """A query (`{w}` stands for the window) and the label that names each series."""

    query: str
    label: str
    unit: str


def _rate(metric: str, by: str) -> str:
    return f"sum by ({by}) (rate({metric}[{{w}}]))"


def _mean(metric: str, by: str) -> str:
    return f"sum by ({by}) (avg_over_time({metric}[{{w}}]))"


_DCGM_BUSY = (
    'sum by (workload) (label_join(label_replace(avg_over_time(DCGM_FI_DEV_GPU_UTIL{pod!=""}[{w}]),'
    f' "workload", "$1", "pod", "{WORKLOAD}"), "workload", "/", "namespace", "workload")) / 100'
)

PRESETS: dict[str, Preset] = {
    "vllm": Preset(_rate("vllm:request_success_total", "model_name"), "model_name", "requests/s"),
    "vllm-inflight": Preset(
        _mean("vllm:num_requests_running", "model_name")
        + " + "
        + _mean("vllm:num_requests_waiting", "model_name"),
        "model_name",
        "requests in flight",
    ),
    "tgi": Preset(_rate("tgi_request_count", "service"), "service", "requests/s"),
    "tgi-inflight": Preset(
        _mean("tgi_batch_current_size", "service") + " + " + _mean("tgi_queue_size", "service"),
        "service",
        "requests in flight",
    ),
    "triton": Preset(_rate("nv_inference_request_success", "model"), "model", "requests/s"),
    "triton-pending": Preset(
        _mean("nv_inference_pending_request_count", "model"), "model", "requests waiting"
    ),
    "kserve": Preset(
        _rate("request_predict_seconds_count", "model_name"), "model_name", "requests/s"
    ),
    "knative": Preset(
        _rate("revision_app_request_count", "service_name"), "service_name", "requests/s"
    ),
    "knative-inflight": Preset(
        _mean("revision_queue_depth", "service_name"), "service_name", "requests in flight"
    ),
    "dcgm": Preset(_DCGM_BUSY, "workload", "busy GPUs"),
}


def preset_series(name: str, step_s: int) -> PromSeries:
    """The preset's query for a history at `step_s`; series are named by the label's value."""
    if name not in PRESETS:
        raise ValueError(f"--preset: {name!r} is not one of {', '.join(sorted(PRESETS))}")
    preset = PRESETS[name]
    window = f"{max(step_s, MIN_WINDOW_S)}s"
    return PromSeries("", preset.query.replace("{w}", window), preset.label)
