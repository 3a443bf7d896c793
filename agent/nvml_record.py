"""Record NVML answers on a real node, and replay them where there is no GPU.

A recording is plain JSON: `{"calls": {"memory('0')": [total, used, free],
"mig_mode('0')": {"error": "NotSupported"}, ...}}`. `python -m agent.nvml_record
OUT.json` writes one from the node it runs on (operators can attach it to a bug
report); tests replay it through `ReplayNvml`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from agent.gpus import read_gpus
from agent.nvml import Nvml, NvmlError, PynvmlNvml

T = TypeVar("T")
Recording = dict[str, Any]


def _key(method: str, args: tuple[Any, ...]) -> str:
    return f"{method}({', '.join(repr(a) for a in args)})"


class RecordingNvml:
    """Passes every call to `inner` and keeps its answer (or its error)."""

    def __init__(self, inner: Nvml) -> None:
        self._inner = inner
        self.calls: dict[str, Any] = {}

    def _record(self, method: str, fn: Callable[..., T], *args: Any) -> T:
        try:
            answer = fn(*args)
        except NvmlError as exc:
            self.calls[_key(method, args)] = {"error": exc.kind, "detail": exc.detail}
            raise
        self.calls[_key(method, args)] = answer
        return answer

    def init(self) -> None:
        self._record("init", self._inner.init)

    def shutdown(self) -> None:
        self._record("shutdown", self._inner.shutdown)

    def driver_version(self) -> str:
        return self._record("driver_version", self._inner.driver_version)

    def device_count(self) -> int:
        return self._record("device_count", self._inner.device_count)

    def name(self, device: str) -> str:
        return self._record("name", self._inner.name, device)

    def uuid(self, device: str) -> str:
        return self._record("uuid", self._inner.uuid, device)

    def memory(self, device: str) -> tuple[int, int, int]:
        return self._record("memory", self._inner.memory, device)

    def persistence_mode(self, device: str) -> bool:
        return self._record("persistence_mode", self._inner.persistence_mode, device)

    def mig_mode(self, device: str) -> bool:
        return self._record("mig_mode", self._inner.mig_mode, device)

    def utilization(self, device: str) -> tuple[int, int]:
        return self._record("utilization", self._inner.utilization, device)

    def mig_slots(self, device: str) -> int:
        return self._record("mig_slots", self._inner.mig_slots, device)

    def mig_device(self, device: str, slot: int) -> str | None:
        return self._record("mig_device", self._inner.mig_device, device, slot)


class ReplayNvml:
    """Answers from a recording; a call it never saw fails as NVML's NotFound would."""

    def __init__(self, recording: Recording) -> None:
        calls = recording.get("calls")
        if not isinstance(calls, dict):
            raise ValueError("NVML recording: 'calls' must be an object of call -> answer")
        self._calls: dict[str, Any] = calls

    @classmethod
    def from_file(cls, path: Path) -> ReplayNvml:
        return cls(json.loads(path.read_text()))

    def _answer(self, method: str, *args: Any) -> Any:
        key = _key(method, args)
        if key not in self._calls:
            raise NvmlError("NotFound", f"not in the recording: {key}")
        answer = self._calls[key]
        if isinstance(answer, dict) and "error" in answer:
            raise NvmlError(str(answer["error"]), str(answer.get("detail", "")))
        return answer

    def init(self) -> None:
        self._answer("init")

    def shutdown(self) -> None:
        self._answer("shutdown")

    def driver_version(self) -> str:
        return str(self._answer("driver_version"))

    def device_count(self) -> int:
        return int(self._answer("device_count"))

    def name(self, device: str) -> str:
        return str(self._answer("name", device))

    def uuid(self, device: str) -> str:
        return str(self._answer("uuid", device))

    def memory(self, device: str) -> tuple[int, int, int]:
        total, used, free = self._answer("memory", device)
        return int(total), int(used), int(free)

    def persistence_mode(self, device: str) -> bool:
        return bool(self._answer("persistence_mode", device))

    def mig_mode(self, device: str) -> bool:
        return bool(self._answer("mig_mode", device))

    def utilization(self, device: str) -> tuple[int, int]:
        gpu, mem = self._answer("utilization", device)
        return int(gpu), int(mem)

    def mig_slots(self, device: str) -> int:
        return int(self._answer("mig_slots", device))

    def mig_device(self, device: str, slot: int) -> str | None:
        key = self._answer("mig_device", device, slot)
        return None if key is None else str(key)


def record(nvml: Nvml, read: Callable[[Nvml], Any]) -> Recording:
    """Run `read` against `nvml` and return every call it made with its answer."""
    recorder = RecordingNvml(nvml)
    read(recorder)
    return {"calls": recorder.calls}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m agent.nvml_record OUT.json", file=sys.stderr)
        return 2
    recording = record(PynvmlNvml(), read_gpus)
    Path(args[0]).write_text(json.dumps(recording, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
