"""The NVML calls the agent makes, behind one small interface.

Real nodes answer through pynvml; tests replay answers recorded on a real GPU
(`tests/fixtures/`), so the code that turns answers into `GpuDevice` objects
(`agent.gpus`) is the same either way. Devices are named by key: "0" for the
first GPU, "0:3" for MIG slot 3 on it.
"""

from __future__ import annotations

from typing import Any, Protocol

import pynvml


class NvmlError(Exception):
    """An NVML call failed; `kind` is NVML's error name (NotSupported, DriverNotLoaded...)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


class Nvml(Protocol):
    def init(self) -> None: ...
    def shutdown(self) -> None: ...
    def driver_version(self) -> str: ...
    def device_count(self) -> int: ...
    def name(self, device: str) -> str: ...
    def uuid(self, device: str) -> str: ...
    def memory(self, device: str) -> tuple[int, int, int]:
        """Total, used and free bytes."""
        ...

    def persistence_mode(self, device: str) -> bool: ...
    def mig_mode(self, device: str) -> bool:
        """The MIG mode in force now (not the pending one)."""
        ...

    def utilization(self, device: str) -> tuple[int, int]:
        """Percent of time the GPU, and its memory, were busy over the last sample."""
        ...

    def mig_slots(self, device: str) -> int: ...
    def mig_device(self, device: str, slot: int) -> str | None:
        """The key of the MIG device in `slot`, or None when the slot is empty."""
        ...


def _kind(exc: pynvml.NVMLError) -> str:
    return type(exc).__name__.removeprefix("NVMLError_").removeprefix("NVMLError") or "Unknown"


class PynvmlNvml:
    """The real thing: pynvml (from nvidia-ml-py), errors turned into NvmlError."""

    def __init__(self) -> None:
        self._handles: dict[str, Any] = {}

    def _call(self, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except pynvml.NVMLError as exc:
            raise NvmlError(_kind(exc), str(exc)) from exc

    def _handle(self, device: str) -> Any:
        if device not in self._handles:
            self._handles[device] = self._call(pynvml.nvmlDeviceGetHandleByIndex, int(device))
        return self._handles[device]

    def init(self) -> None:
        self._call(pynvml.nvmlInit)

    def shutdown(self) -> None:
        self._handles.clear()
        self._call(pynvml.nvmlShutdown)

    def driver_version(self) -> str:
        return str(self._call(pynvml.nvmlSystemGetDriverVersion))

    def device_count(self) -> int:
        return int(self._call(pynvml.nvmlDeviceGetCount))

    def name(self, device: str) -> str:
        return str(self._call(pynvml.nvmlDeviceGetName, self._handle(device)))

    def uuid(self, device: str) -> str:
        return str(self._call(pynvml.nvmlDeviceGetUUID, self._handle(device)))

    def memory(self, device: str) -> tuple[int, int, int]:
        info = self._call(pynvml.nvmlDeviceGetMemoryInfo, self._handle(device))
        return int(info.total), int(info.used), int(info.free)

    def persistence_mode(self, device: str) -> bool:
        mode = self._call(pynvml.nvmlDeviceGetPersistenceMode, self._handle(device))
        return bool(mode == pynvml.NVML_FEATURE_ENABLED)

    def mig_mode(self, device: str) -> bool:
        current, _pending = self._call(pynvml.nvmlDeviceGetMigMode, self._handle(device))
        return bool(current == pynvml.NVML_DEVICE_MIG_ENABLE)

    def utilization(self, device: str) -> tuple[int, int]:
        rates = self._call(pynvml.nvmlDeviceGetUtilizationRates, self._handle(device))
        return int(rates.gpu), int(rates.memory)

    def mig_slots(self, device: str) -> int:
        return int(self._call(pynvml.nvmlDeviceGetMaxMigDeviceCount, self._handle(device)))

    def mig_device(self, device: str, slot: int) -> str | None:
        parent = self._handle(device)
        try:
            handle = self._call(pynvml.nvmlDeviceGetMigDeviceHandleByIndex, parent, slot)
        except NvmlError as exc:
            if exc.kind == "NotFound":
                return None
            raise
        key = f"{device}:{slot}"
        self._handles[key] = handle
        return key
