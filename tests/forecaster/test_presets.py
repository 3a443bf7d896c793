"""Each exporter preset against a real Prometheus holding series shaped like that exporter's.

Metric names, label names and the labels that ride along (engine, finished
reason, version, response codes, GPU ids) are the exporters' own; counters
grow at known rates per pod and gauges hold known levels, so every preset's
per-model answer is known exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from forecaster.presets import PRESETS, preset_series
from forecaster.prometheus import PrometheusSource
from tests.forecaster.prometheus_server import Sample, exposition, family, running_prometheus
from warmstart.cli.main import main

pytestmark = [pytest.mark.prometheus, pytest.mark.timeout(900)]  # apt-get may take minutes

START = 1_700_000_040  # on the 60-s grid
SCRAPE_S = 15
SPAN_S = 2 * 3_600
STEP_S = 60
LLAMA, QWEN = "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct"

Series = list[tuple[dict[str, str], float]]
"""(labels, rate per second for a counter or level for a gauge) per exported series."""


def _scrapes() -> range:
    return range(START, START + SPAN_S + 1, SCRAPE_S)


def _samples(series: Series, counter: bool) -> Iterator[Sample]:
    for labels, value in series:
        for t in _scrapes():
            yield labels, float(t), 100.0 + value * (t - START) if counter else value


def _vllm(values: dict[tuple[str, str], float], **extra: str) -> Series:
    return [
        ({"model_name": m, "pod": p, "engine": "0", "namespace": "llm", **extra}, v)
        for (m, p), v in values.items()
    ]


VLLM_PODS = {(LLAMA, "llama-5d8f9c7b6d-x2b4k"): 1.0, (LLAMA, "llama-5d8f9c7b6d-q9z8w"): 2.0}
VLLM_PODS[(QWEN, "qwen-7c9d8e6f5a-m3n4p")] = 0.5
TGI_PODS = {("mistral-tgi", "mistral-tgi-0"): 3.0, ("phi-tgi", "phi-tgi-0"): 0.25}

EXPORTED: dict[str, tuple[str, list[str]]] = {}
"""metric -> (type, OpenMetrics lines)."""


def _export(metric: str, kind: str, series: Series) -> None:
    counter = kind == "counter"
    previous = EXPORTED.get(metric, (kind, []))[1]
    lines = family(metric, _samples(series, counter), kind)
    EXPORTED[metric] = (kind, [*(previous or lines[:1]), *lines[1:]])


# vLLM: completions per finished reason, and running/waiting gauges, by model_name.
_export("vllm:request_success_total", "counter", _vllm(VLLM_PODS, finished_reason="stop"))
_export(
    "vllm:request_success_total",
    "counter",
    _vllm({k: v / 4 for k, v in VLLM_PODS.items()}, finished_reason="length"),
)
_export("vllm:num_requests_running", "gauge", _vllm(VLLM_PODS))
_export("vllm:num_requests_waiting", "gauge", _vllm({k: 3 * v for k, v in VLLM_PODS.items()}))
# TGI: one model per server, no model label; the scrape adds the Kubernetes service.
_tgi = [({"service": s, "pod": p, "namespace": "llm"}, v) for (s, p), v in TGI_PODS.items()]
_export("tgi_request_count", "counter", _tgi)
_export("tgi_batch_current_size", "gauge", [(labels, 2 * v) for labels, v in _tgi])
_export("tgi_queue_size", "gauge", [(labels, v + 1) for labels, v in _tgi])
# Triton: by model and version.
_triton = [
    ({"model": "resnet50", "version": "1", "pod": "triton-0"}, 4.0),
    ({"model": "resnet50", "version": "2", "pod": "triton-0"}, 1.0),
    ({"model": "bert", "version": "1", "pod": "triton-0"}, 0.75),
]
_export("nv_inference_request_success", "counter", _triton)
_export("nv_inference_pending_request_count", "gauge", _triton)
# KServe ModelServer: the predict-latency histogram's count, by model_name.
_kserve = [({"model_name": "sklearn-iris", "pod": "iris-predictor-6b7c8d9e5f-abcde"}, 0.4)]
_export("request_predict_seconds_count", "counter", _kserve)
# Knative queue-proxy, OpenCensus names (Knative <= 1.18).
_knative = [
    (
        {
            "namespace_name": "kserve-test",
            "service_name": "iris-predictor",
            "configuration_name": "iris-predictor",
            "revision_name": f"iris-predictor-{rev}",
            "pod_name": f"iris-predictor-{rev}-deployment-7d9f8c6b5a-{pod}",
            "container_name": "queue-proxy",
            "response_code": code,
            "response_code_class": code[0] + "xx",
        },
        value,
    )
    for rev, pod, code, value in (
        ("00001", "k2j3h", "200", 1.25),
        ("00002", "p0o9i", "200", 0.5),
        ("00002", "p0o9i", "503", 0.125),
    )
]
_export("revision_app_request_count", "counter", _knative)
_export("revision_queue_depth", "gauge", _knative)
# DCGM exporter with pod mapping: GPU utilisation 0-100 per GPU, and the pod using it.
_dcgm = [
    (
        {
            "gpu": gpu,
            "UUID": f"GPU-{gpu}1f4d06-07fd",
            "device": f"nvidia{gpu}",
            "modelName": "NVIDIA H100 80GB HBM3",
            "Hostname": "gpu-node-1",
            "container": container,
            "namespace": namespace,
            "pod": pod,
        },
        util,
    )
    for gpu, pod, namespace, container, util in (
        ("0", "llama-5d8f9c7b6d-x2b4k", "llm", "vllm", 80.0),
        ("1", "llama-5d8f9c7b6d-q9z8w", "llm", "vllm", 40.0),
        ("2", "whisper-0", "audio", "server", 25.0),
        ("3", "", "", "", 0.0),  # no pod on this GPU
    )
]
_export("DCGM_FI_DEV_GPU_UTIL", "gauge", _dcgm)

EXPECTED: dict[str, dict[str, float]] = {
    "vllm": {LLAMA: 3.75, QWEN: 0.625},
    "vllm-inflight": {LLAMA: 12.0, QWEN: 2.0},
    "tgi": {"mistral-tgi": 3.0, "phi-tgi": 0.25},
    "tgi-inflight": {"mistral-tgi": 10.0, "phi-tgi": 1.75},
    "triton": {"resnet50": 5.0, "bert": 0.75},
    "triton-pending": {"resnet50": 5.0, "bert": 0.75},
    "kserve": {"sklearn-iris": 0.4},
    "knative": {"iris-predictor": 1.875},
    "knative-inflight": {"iris-predictor": 1.875},
    "dcgm": {"llm/llama": 1.2, "audio/whisper-0": 0.25},
}


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    text = exposition(lines for _, lines in EXPORTED.values())
    with running_prometheus(tmp_path_factory.mktemp("presets"), text) as url:
        yield url


def test_every_preset_is_checked() -> None:
    assert set(EXPECTED) == set(PRESETS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_preset_reads_each_model_from_its_exporter(prometheus: str, name: str) -> None:
    source = PrometheusSource(prometheus, [preset_series(name, STEP_S)], STEP_S, retries=1)
    # From the second step on, every rate window holds a full minute of scrapes.
    table = source.history(START + 2 * STEP_S, START + SPAN_S)
    got = table.groupby("series")["y"].agg(["min", "max", "count"])
    assert set(got.index) == set(EXPECTED[name])
    for series, value in EXPECTED[name].items():
        assert got.loc[series, "count"] == SPAN_S // STEP_S - 1
        assert np.allclose([got.loc[series, "min"], got.loc[series, "max"]], value, rtol=1e-9)


def test_one_setting_picks_the_preset_from_the_command_line(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["fit", "--model", "EWMA", "--prometheus", prometheus, "--preset", "vllm"]
    argv += ["--start", str(START + STEP_S), "--end", str(START + SPAN_S), "--step", "1m"]
    assert main(["forecast", *argv, "--out", str(tmp_path / "m.wsf")]) == 0
    assert "saved EWMA (2 series, 120 steps)" in capsys.readouterr().out
