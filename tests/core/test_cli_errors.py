"""Every entry point turns bad input into one line on stderr and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from warmstart.cli.main import main, one_line

REPO = Path(__file__).resolve().parents[2]
SETTINGS = (REPO / "deploy" / "kustomize" / "overlays" / "karpenter" / "provisioner"
            / "settings.yaml")


@pytest.fixture(autouse=True)
def no_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No in-cluster account and a kubeconfig path that does not exist."""
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent-kubeconfig"))
    return tmp_path


def _cases(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """Case name -> (argv, text the error line must name); `bad.yaml` is unparsable YAML."""
    absent, bad_yaml = str(tmp / "absent.yaml"), str(tmp / "bad.yaml")
    cache = ["--cache-dir", str(tmp)]
    return {
        "extender serve, no kubeconfig": (["extender", "serve"], "absent-kubeconfig"),
        "extender serve, missing inventory": (
            ["extender", "serve", "--inventory", absent], "absent.yaml"),
        "extender serve, bad port": (["extender", "serve", "--port", "x"], "invalid int"),
        "provisioner run, missing settings": (["provisioner", "run", "--settings", absent],
                                              "absent.yaml"),
        "provisioner run, no kubeconfig": (["provisioner", "run", "--settings", str(SETTINGS)],
                                           "absent-kubeconfig"),
        "provisioner plan, bad YAML": (["provisioner", "plan", "--settings", bad_yaml],
                                       "bad.yaml"),
        "provisioner expander, missing settings": (
            ["provisioner", "expander", "--settings", absent], "absent.yaml"),
        "agent run, no kubeconfig": (["agent", "run", *cache, "--listen", "127.0.0.1:0"],
                                     "absent-kubeconfig"),
        "agent scan, bad quota": (["agent", "scan", *cache, "--quota", "NaN"], "'NaN'"),
        "agent waterfall, missing file": (["agent", "waterfall", "--pods", absent], "absent"),
        "forecast backtest, missing trace": (["forecast", "backtest", "--trace", absent],
                                             "absent.yaml"),
        "forecast predict, missing model": (["forecast", "predict", "--model-file", absent],
                                            "absent.yaml"),
        "forecast fit, bad horizon": (
            ["forecast", "fit", "--out", absent, "--trace", "sample", "--horizon", "soon"],
            "--horizon"),
        "simulate, missing cluster": (["simulate", "--trace", "sample", "--cluster", absent],
                                      "absent.yaml"),
        "simulate, unknown option": (["simulate", "--trace", "sample", "--fast"], "--fast"),
        "demo, unexpected argument": (["demo", "extra"], "extra"),
    }


@pytest.mark.parametrize("case", list(_cases(Path("."))))
def test_bad_input_is_one_line_on_stderr_and_exit_2(case: str, no_cluster: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (no_cluster / "bad.yaml").write_text("policy: [unclosed\n")
    argv, named = _cases(no_cluster)[case]
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's own usage errors
        code = int(stop.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("warmstart")
    assert named in err and "Traceback" not in err


def test_a_process_without_kubeconfig_prints_no_traceback(no_cluster: Path) -> None:
    env = {**os.environ, "KUBECONFIG": str(no_cluster / "absent-kubeconfig")}
    env.pop("KUBERNETES_SERVICE_HOST", None)
    done = subprocess.run([sys.executable, "-m", "warmstart.cli.main", "extender", "serve"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"warmstart extender serve: kubeconfig {no_cluster / 'absent-kubeconfig'}: "
        "Invalid kube-config file. No configuration found."]


def test_validation_errors_become_field_and_problem() -> None:
    from pydantic import BaseModel, ValidationError

    class Knob(BaseModel):
        size: int

    with pytest.raises(ValidationError) as caught:
        Knob.model_validate({"size": "big"})
    assert one_line(caught.value) == (
        "size: Input should be a valid integer, unable to parse string as an integer")


@pytest.mark.parametrize("argv", [["forecast", "backtest", "--trace", "servegen"],
                                  ["forecast", "fit", "--out", "m.bin", "--trace", "servegen"],
                                  ["simulate", "--trace", "servegen"]])
def test_traces_dir_is_one_option_that_every_trace_reader_honours(
        argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--traces-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"not found in {tmp_path}" in err and err.count("\n") == 1
