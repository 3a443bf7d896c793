"""`warmstart simulate` end to end: JSON, plots, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warmstart.cli.main import main
from warmstart.traces import write_canonical


@pytest.fixture
def trace_file(tmp_path: Path, bursty_trace) -> Path:
    path = tmp_path / "trace.csv"
    write_canonical(bursty_trace, path)
    return path


def test_json_has_every_policy_and_section(trace_file: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "--trace", str(trace_file), "--policies", "reactive,warmstart",
                 "--json", "--plot", str(tmp_path / "plots"), "--seed", "4"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["policies"]) == {"reactive", "warmstart"}
    assert data["trace"]["models"] == 3
    assert data["cluster"]["pools"][0]["name"] == "gpu-a100"
    for name in ("stage_waterfall.png", "cost_vs_cold_starts.png"):
        assert (tmp_path / "plots" / name).read_bytes()[:4] == b"\x89PNG"


def test_table_is_the_default(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--trace", str(trace_file), "--policies", "keepalive"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:5] == ["policy", "spells", "wait", "p50", "p95"]
    assert "keepalive" in out


def test_bad_cluster_field_is_named(trace_file: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("pools:\n  - name: p\n    gpus_per_node: zero\n"
                       "models:\n  - {name: m, model_bytes: 1, image: i, image_bytes: 1,"
                       " requests_per_s: 1}\n")
    assert main(["simulate", "--trace", str(trace_file), "--cluster", str(cluster)]) == 2
    assert "pools.0.gpus_per_node" in capsys.readouterr().err


def test_unknown_trace_and_policy_are_clear_errors(trace_file: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--trace", "nope"]) == 2
    assert "neither a file nor one of" in capsys.readouterr().err
    assert main(["simulate", "--trace", str(trace_file), "--policies", "fast"]) == 2
    assert "unknown policy 'fast'" in capsys.readouterr().err
