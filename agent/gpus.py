"""Turn NVML answers into the GpuDevice objects of the NodeCache status.

Never crashes: no driver, no library or a GPU that fell off the bus each
become a `reason` or a `problem` in the report, and the node is published with
the GPUs that did answer. With MIG on, the allocatable units are the MIG
instances, so those are reported in place of their parent GPU.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from agent.nvml import Nvml, NvmlError
from warmstart.domain import GpuDevice

_NO_GPU_REASONS = {
    "LibraryNotFound": "no NVIDIA driver library (libnvidia-ml.so) on this node",
    "DriverNotLoaded": "the NVIDIA kernel driver is not loaded",
    "NoPermission": "no permission to open the NVIDIA devices",
}


@dataclass(frozen=True, slots=True)
class GpuUtilization:
    uuid: str
    gpu_percent: int
    memory_percent: int
    memory_used_bytes: int


@dataclass(frozen=True, slots=True)
class GpuReport:
    devices: tuple[GpuDevice, ...] = ()
    utilization: tuple[GpuUtilization, ...] = ()
    driver_version: str | None = None
    reason: str | None = None
    """Why no GPU is reported, when none is."""
    problems: tuple[str, ...] = ()
    """Devices that failed to answer, each with NVML's error."""


def _flag(nvml: Nvml, attr: str, device: str) -> bool:
    """A yes/no feature; NotSupported (e.g. MIG on a consumer GPU) means no."""
    try:
        return bool(getattr(nvml, attr)(device))
    except NvmlError as exc:
        if exc.kind == "NotSupported":
            return False
        raise


def _device(nvml: Nvml, key: str, persistent: bool, mig: bool) -> GpuDevice:
    total, _used, free = nvml.memory(key)
    return GpuDevice(
        uuid=nvml.uuid(key),
        name=nvml.name(key),
        memory_total_bytes=total,
        memory_free_bytes=free,
        persistence_mode=persistent,
        mig_mode=mig,
    )


def _utilization(nvml: Nvml, device: GpuDevice, key: str) -> GpuUtilization | None:
    try:
        gpu, mem = nvml.utilization(key)
        _total, used, _free = nvml.memory(key)
    except NvmlError:
        return None  # MIG instances and some boards do not report it
    return GpuUtilization(device.uuid, gpu, mem, used)


def _mig_instances(nvml: Nvml, key: str, persistent: bool) -> list[GpuDevice]:
    instances = []
    for slot in range(nvml.mig_slots(key)):
        mig_key = nvml.mig_device(key, slot)
        if mig_key is not None:
            instances.append(_device(nvml, mig_key, persistent, mig=True))
    return instances


def _read_one(nvml: Nvml, key: str) -> tuple[list[GpuDevice], GpuUtilization | None]:
    persistent = _flag(nvml, "persistence_mode", key)
    mig = _flag(nvml, "mig_mode", key)
    whole = _device(nvml, key, persistent, mig)
    usage = _utilization(nvml, whole, key)
    instances = _mig_instances(nvml, key, persistent) if mig else []
    return (instances or [whole]), usage


def read_gpus(nvml: Nvml) -> GpuReport:
    """Every GPU the node's driver shows, or none with the reason why."""
    try:
        nvml.init()
    except NvmlError as exc:
        reason = _NO_GPU_REASONS.get(exc.kind, f"NVML failed to start ({exc})")
        return GpuReport(reason=reason)
    try:
        driver = nvml.driver_version()
        devices: list[GpuDevice] = []
        usage: list[GpuUtilization] = []
        problems: list[str] = []
        for index in range(nvml.device_count()):
            try:
                found, used = _read_one(nvml, str(index))
            except NvmlError as exc:
                problems.append(f"GPU {index}: {exc}")
                continue
            devices.extend(found)
            usage.extend([used] if used is not None else [])
    except NvmlError as exc:
        return GpuReport(reason=f"NVML failed while listing GPUs ({exc})")
    finally:
        _shutdown_quietly(nvml)
    none = None if devices or problems else "the NVIDIA driver shows no GPU on this node"
    return GpuReport(tuple(devices), tuple(usage), driver, none, tuple(problems))


def _shutdown_quietly(nvml: Nvml) -> None:
    # Nothing to release if it never fully started.
    with contextlib.suppress(NvmlError):
        nvml.shutdown()
