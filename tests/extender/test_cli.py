"""The commands a user types: `warmstart demo`, `warmstart extender serve`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from warmstart.cli.demo_cmd import run_demo
from warmstart.cli.main import main


def test_demo_prints_rankings_with_reasons_and_exits_0():
    out = io.StringIO()
    assert run_demo(None, out) == 0  # type: ignore[arg-type]
    text = out.getvalue()
    assert "Pod default/llama-annot-true" in text and "Pod default/kserve-predictor-true" in text
    assert '{"Host":"gpu-h100-1","Score":10}' in text
    assert "gpu-h100-2 removed: warmstart: the model needs 15.0 GiB" in text
    assert "is cached in host-memory" in text and "inventory is stale" in text


def test_demo_is_a_registered_command():
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--help"])
    assert exit_.value.code == 0


def test_serve_refuses_a_bad_inventory(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    bad = tmp_path / "cluster.yaml"
    bad.write_text("kind: NodeCache\nmetadata: {name: n}\nstatus: {gpus: [{uuid: 1}]}\n")
    assert main(["extender", "serve", "--inventory", str(bad)]) == 2
    assert "cluster.yaml[0].status.gpus.0" in capsys.readouterr().err
