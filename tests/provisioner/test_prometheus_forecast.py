"""The provisioner's forecast refitted from a real Prometheus on a schedule: vLLM's
request counter backfilled for two hours, an EWMA refit when due (not at every
plan), and the last good forecast kept when Prometheus cannot be reached."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.forecaster.prometheus_server import exposition, family, running_prometheus
from warmstart.cli.main import main
from warmstart.cli.provisioner_forecast import PrometheusForecast, prometheus_forecast
from warmstart.clock import ManualClock

START, SPAN_S, SCRAPE_S = 1_700_000_040, 2 * 3_600, 15
LLAMA, QWEN = "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct"
RATES = {LLAMA: 2.0, QWEN: 0.25}


def _vllm_counter() -> str:
    samples = [({"model_name": m, "pod": f"{m[:4].lower()}-0"}, float(t), 10.0 + r * (t - START))
               for m, r in RATES.items() for t in range(START, START + SPAN_S + 1, SCRAPE_S)]
    return exposition([family("vllm:request_success_total", samples, "counter")])


def test_the_forecast_is_refitted_from_prometheus_when_due(tmp_path: Path) -> None:
    clock = ManualClock(START + SPAN_S + 30)
    with running_prometheus(tmp_path, _vllm_counter()) as url:
        source = prometheus_forecast(url, "vllm", clock, 3_600, 86_400, 60)
        first = source()
        assert first is not None and first.issued_at == clock.now()
        rates = {m.model: m.requests_per_s for m in first.models}
        assert rates.keys() == RATES.keys()
        for model, rate in RATES.items():  # q0.9 of a steady rate: the rate itself
            assert rates[model] == pytest.approx(rate, rel=0.05), rates
        clock.advance(600)
        assert source() is first  # not due: no query, the same forecast
        clock.advance(3_000)
        second = source()
        assert second is not None and second is not first
        assert second.issued_at == clock.now()
    clock.advance(3_600)  # due again, and Prometheus is gone
    assert source() is second


def test_bad_refit_options_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match="vllm"):
        prometheus_forecast("http://127.0.0.1:9", "no-such-preset", ManualClock(), 3_600,
                            86_400, 60)
    with pytest.raises(ValueError, match="two steps"):
        prometheus_forecast("http://127.0.0.1:9", "vllm", ManualClock(), 3_600, 60, 60)
    assert isinstance(prometheus_forecast("http://x", "vllm", ManualClock(), 1, 600, 60),
                      PrometheusForecast)


def test_provisioner_run_refuses_two_forecasts(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("templates: []\n")
    code = main(["provisioner", "run", "--settings", str(settings), "--forecast-file",
                 str(tmp_path / "f.json"), "--prometheus-url", "http://127.0.0.1:9"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "one forecast" in err, err
