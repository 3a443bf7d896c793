"""`warmstart agent ...` end to end, in process, on generated files and a loopback server."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.agent.cachegen import write_gguf, write_safetensors
from tests.agent.fileserver import Served, serving
from tests.agent.podstory import already_present, condition, event, node, pod, running
from warmstart.cli.main import main
from warmstart.domain import CacheTier, NodeInventory

FIXTURES = Path(__file__).parent.parent / "fixtures"



def test_scan_json_prints_a_valid_nodecache_status(tmp_path, capsys):
    write_safetensors(tmp_path / "llama" / "model.safetensors", {"w": ("BF16", [512, 512])})
    write_gguf(tmp_path / "phi.gguf", 4096)

    code = main(
        [
            "agent",
            "scan",
            "--cache-dir",
            str(tmp_path),
            "--json",
            "--node-name",
            "n1",
            "--nvml-replay",
            str(FIXTURES / "nvml-h100.json"),
        ]
    )

    status = NodeInventory.model_validate(json.loads(capsys.readouterr().out))
    assert code == 0 and status.node_name == "n1"
    assert status.gpus[0].uuid == "GPU-cf2decf6-6311-26f2-d791-923c74679012"
    assert status.warm.persistence_mode  # the recorded H100 runs in persistence mode
    llama = (tmp_path / "llama").as_uri()
    assert (
        status.cached(llama)[CacheTier.LOCAL_DISK]
        == (tmp_path / "llama" / "model.safetensors").stat().st_size
    )
    assert status.cached(llama)[CacheTier.HOST_MEMORY] > 0  # just written: in the page cache


def test_scan_without_a_gpu_says_why_and_reports_none(tmp_path, capsys):
    code = main(["agent", "scan", "--cache-dir", str(tmp_path), "--node-name", "n1"])

    out = capsys.readouterr().out
    if "no GPU:" not in out:
        return  # a machine with a driver: nothing to check here
    assert code == 0 and "driver" in out.split("no GPU:")[1]


def test_prefetch_command_fetches_and_reports(tmp_path, capsys):
    data = os.urandom(10_000)
    with serving(Served({"/w.gguf": data})) as srv:
        code = main(["agent", "prefetch", f"{srv.url}/w.gguf", "--cache-dir", str(tmp_path)])
        refused = main(
            [
                "agent",
                "prefetch",
                f"{srv.url}/w.gguf?again",
                "--sha256",
                "1" * 64,
                "--cache-dir",
                str(tmp_path),
            ]
        )

    captured = capsys.readouterr()
    assert (code, refused) == (0, 2)
    assert "fetched 10000 bytes" in captured.out and "sha256" in captured.err


def test_waterfall_command_reads_kubectl_json(tmp_path, capsys):
    the_pod = pod([condition("PodScheduled", 1), condition("Ready", 30)], running(3))
    (tmp_path / "pods.json").write_text(json.dumps({"kind": "PodList", "items": [the_pod]}))
    events = [already_present(2), event("Started", "Started container vllm", 3)]
    (tmp_path / "events.json").write_text(json.dumps({"kind": "EventList", "items": events}))
    (tmp_path / "nodes.json").write_text(
        json.dumps({"kind": "NodeList", "items": [node(-60, -30)]})
    )

    code = main(
        [
            "agent",
            "waterfall",
            "--pods",
            str(tmp_path / "pods.json"),
            "--events",
            str(tmp_path / "events.json"),
            "--nodes",
            str(tmp_path / "nodes.json"),
        ]
    )

    (record,) = json.loads(capsys.readouterr().out)["items"]
    assert code == 0 and record["stages"] == {"node": 1.0, "image": 0.0}
    assert record["times"]["nodeReady"] == "2026-11-28T00:59:30Z"
