"""GPUs from NVML: a real H100's recorded answers, MIG, a lost GPU, and no GPU at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.gpus import read_gpus
from agent.nvml import PynvmlNvml
from agent.nvml_record import ReplayNvml, record

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_recorded_h100_becomes_one_persistent_gpu_with_its_free_memory():
    report = read_gpus(ReplayNvml.from_file(FIXTURES / "nvml-h100.json"))

    assert report.reason is None and report.problems == ()
    assert report.driver_version == "580.159.04"
    (gpu,) = report.devices
    assert gpu.name == "NVIDIA H100 80GB HBM3"
    assert gpu.uuid == "GPU-cf2decf6-6311-26f2-d791-923c74679012"
    # NVML: total 85,520,809,984 = used 503,316,480 + free 85,017,493,504
    assert gpu.memory_total_bytes == 85_520_809_984
    assert gpu.memory_free_bytes == 85_017_493_504
    assert gpu.persistence_mode and not gpu.mig_mode
    (usage,) = report.utilization
    assert (usage.gpu_percent, usage.memory_used_bytes) == (0, 503_316_480)


def test_replaying_a_recording_asks_nvml_the_same_calls_again():
    original = json.loads((FIXTURES / "nvml-h100.json").read_text())
    recording = record(ReplayNvml(original), read_gpus)

    assert json.loads(json.dumps(recording)) == original


def test_this_machine_without_a_driver_reports_no_gpu_and_says_why():
    report = read_gpus(PynvmlNvml())

    if report.devices:
        pytest.skip("this machine has an NVIDIA driver and GPUs")
    assert report.devices == ()
    assert report.reason is not None and "driver" in report.reason


def _calls(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "init()": None,
        "shutdown()": None,
        "driver_version()": "580.1",
        "device_count()": 1,
        "name('0')": "NVIDIA A100-SXM4-40GB",
        "uuid('0')": "GPU-a",
        "memory('0')": [42_949_672_960, 0, 42_949_672_960],
        "persistence_mode('0')": False,
        "mig_mode('0')": {"error": "NotSupported"},
        "utilization('0')": [5, 1],
    }
    return {"calls": base | extra}


def test_driver_not_loaded_is_a_reason_not_a_crash():
    report = read_gpus(ReplayNvml({"calls": {"init()": {"error": "DriverNotLoaded"}}}))

    assert report.devices == ()
    assert report.reason == "the NVIDIA kernel driver is not loaded"


def test_mig_not_supported_means_no_mig():
    (gpu,) = read_gpus(ReplayNvml(_calls())).devices

    assert not gpu.mig_mode and gpu.memory_free_bytes == 42_949_672_960


def test_with_mig_on_the_instances_replace_their_parent():
    mig = _calls(
        **{
            "mig_mode('0')": True,
            "persistence_mode('0')": True,
            "mig_slots('0')": 3,
            "mig_device('0', 0)": "0:0",
            "mig_device('0', 1)": None,
            "mig_device('0', 2)": "0:2",
            "name('0:0')": "NVIDIA A100-SXM4-40GB MIG 3g.20gb",
            "uuid('0:0')": "MIG-x",
            "memory('0:0')": [20_000_000_000, 0, 19_000_000_000],
            "name('0:2')": "NVIDIA A100-SXM4-40GB MIG 2g.10gb",
            "uuid('0:2')": "MIG-y",
            "memory('0:2')": [10_000_000_000, 0, 10_000_000_000],
        }
    )
    devices = read_gpus(ReplayNvml(mig)).devices

    assert [d.uuid for d in devices] == ["MIG-x", "MIG-y"]
    assert all(d.mig_mode and d.persistence_mode for d in devices)
    assert [d.memory_free_bytes for d in devices] == [19_000_000_000, 10_000_000_000]


def test_a_lost_gpu_is_skipped_and_named_while_the_others_are_reported():
    calls = _calls(**{"device_count()": 2, "persistence_mode('1')": {"error": "GpuIsLost"}})
    report = read_gpus(ReplayNvml(calls))

    assert [d.uuid for d in report.devices] == ["GPU-a"]
    assert report.problems == ("GPU 1: GpuIsLost",)
    assert report.reason is None
