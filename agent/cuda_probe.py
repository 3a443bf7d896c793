"""Measure how long CUDA takes to start on this node, and host-to-device bandwidth.

Runs in a child process of its own (`python -m agent.cuda_probe`), because a
CUDA context can only be timed cold once per process and must not linger in
the agent holding GPU memory. Talks to the driver API (libcuda) through ctypes,
so it needs no framework; it prints one JSON object.
"""

from __future__ import annotations

import ctypes
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

_MIB = 1024**2


class CudaError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class CudaProbe:
    init_s: float
    """cuInit: loading and attaching the driver."""
    context_s: float
    """Creating the primary context on device 0."""
    pinned_h2d_bps: float
    pageable_h2d_bps: float
    copy_bytes: int

    @property
    def cold_start_s(self) -> float:
        return self.init_s + self.context_s


def _check(lib: ctypes.CDLL, status: int, what: str) -> None:
    if status != 0:
        name = ctypes.c_char_p()
        lib.cuGetErrorName(status, ctypes.byref(name))
        raise CudaError(f"{what} failed: {(name.value or b'?').decode()} ({status})")


def _copy_rate(lib: ctypes.CDLL, dst: ctypes.c_uint64, src: int, size: int, repeat: int) -> float:
    _check(lib, lib.cuMemcpyHtoD_v2(dst, ctypes.c_void_p(src), ctypes.c_size_t(size)), "warm-up")
    _check(lib, lib.cuCtxSynchronize(), "cuCtxSynchronize")
    start = time.perf_counter()
    for _ in range(repeat):
        _check(lib, lib.cuMemcpyHtoD_v2(dst, ctypes.c_void_p(src), ctypes.c_size_t(size)), "copy")
    _check(lib, lib.cuCtxSynchronize(), "cuCtxSynchronize")
    return size * repeat / (time.perf_counter() - start)


def probe(copy_mib: int = 256, repeat: int = 8, library: str = "libcuda.so.1") -> CudaProbe:
    """Time cuInit and the first context, then copy `copy_mib` MiB host->GPU `repeat` times."""
    lib = ctypes.CDLL(library)
    start = time.perf_counter()
    _check(lib, lib.cuInit(0), "cuInit")
    inited = time.perf_counter()
    device, ctx = ctypes.c_int(), ctypes.c_void_p()
    _check(lib, lib.cuDeviceGet(ctypes.byref(device), 0), "cuDeviceGet")
    _check(lib, lib.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), device), "context")
    _check(lib, lib.cuCtxSetCurrent(ctx), "cuCtxSetCurrent")
    ready = time.perf_counter()
    size = copy_mib * _MIB
    pinned, dptr = ctypes.c_void_p(), ctypes.c_uint64()
    _check(lib, lib.cuMemAllocHost_v2(ctypes.byref(pinned), ctypes.c_size_t(size)), "pinned alloc")
    _check(lib, lib.cuMemAlloc_v2(ctypes.byref(dptr), ctypes.c_size_t(size)), "device alloc")
    pageable = (ctypes.c_char * size)()
    try:
        pinned_bps = _copy_rate(lib, dptr, int(pinned.value or 0), size, repeat)
        pageable_bps = _copy_rate(lib, dptr, ctypes.addressof(pageable), size, repeat)
    finally:
        lib.cuMemFree_v2(dptr)
        lib.cuMemFreeHost(pinned)
        lib.cuDevicePrimaryCtxRelease(device)
    return CudaProbe(inited - start, ready - inited, pinned_bps, pageable_bps, size)


def run_in_child(timeout_s: float = 120.0) -> tuple[CudaProbe | None, str]:
    """The probe in a fresh process (a cold context each time), or None and why not."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", __name__], capture_output=True, text=True, timeout=timeout_s
        )
        answer = json.loads(done.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        return None, f"CUDA probe did not answer: {exc}"
    if "error" in answer:
        return None, f"CUDA probe: {answer['error']}"
    answer.pop("cold_start_s", None)
    return CudaProbe(**answer), ""


def main() -> int:
    try:
        result = probe()
    except (OSError, CudaError) as exc:
        print(json.dumps({"error": str(exc)}))
        return 1
    print(json.dumps({**asdict(result), "cold_start_s": result.cold_start_s}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
