"""Recognise model weight files by their headers: safetensors and GGUF.

Only the header is read (a few kilobytes at most), never the weights, so a
scan of a large cache stays cheap. A file that claims a format but has a
broken header is reported as a `FormatError` naming the file and the fault.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from warmstart.domain import ModelFormat

GGUF_MAGIC = b"GGUF"
# A safetensors header is JSON metadata; 100 MB is the format's own upper bound.
_MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024
_SUFFIXES = {
    ".safetensors": ModelFormat.SAFETENSORS,
    ".gguf": ModelFormat.GGUF,
    ".bin": ModelFormat.PYTORCH,
    ".pt": ModelFormat.PYTORCH,
    ".pth": ModelFormat.PYTORCH,
    ".onnx": ModelFormat.ONNX,
    ".engine": ModelFormat.TENSORRT,
    ".plan": ModelFormat.TENSORRT,
}


class FormatError(ValueError):
    """A weights file whose header does not parse; the message names the file."""


@dataclass(frozen=True, slots=True)
class WeightsFile:
    path: Path
    format: ModelFormat
    bytes: int
    tensors: int
    tensor_bytes: int
    """Bytes of tensor data the header declares (GGUF: unknown without a full parse, 0)."""
    dtypes: frozenset[str] = frozenset()


def open_quietly(path: Path, flags: int = 0) -> int:
    """Open for reading without touching the access time: a scan must not look
    like a use, or the LRU eviction would keep whatever was scanned last."""
    try:
        return os.open(path, os.O_RDONLY | os.O_NOATIME | flags)
    except PermissionError:  # O_NOATIME needs the file's owner (or CAP_FOWNER)
        return os.open(path, os.O_RDONLY | flags)


def weights_format(path: Path) -> ModelFormat | None:
    """The format a file's name says it holds, or None for a non-weights file."""
    return _SUFFIXES.get(path.suffix.lower())


def read_safetensors(path: Path) -> WeightsFile:
    size = path.stat().st_size
    with os.fdopen(open_quietly(path), "rb") as f:
        raw = f.read(8)
        if len(raw) < 8:
            raise FormatError(f"{path}: safetensors file shorter than its 8-byte header length")
        (length,) = struct.unpack("<Q", raw)
        if length > min(_MAX_SAFETENSORS_HEADER, size - 8):
            raise FormatError(f"{path}: safetensors header length {length} exceeds the file")
        try:
            header = json.loads(f.read(length))
        except ValueError as exc:
            raise FormatError(f"{path}: safetensors header is not JSON ({exc})") from exc
    if not isinstance(header, dict):
        raise FormatError(f"{path}: safetensors header is not a JSON object")
    tensors = {k: v for k, v in header.items() if k != "__metadata__"}
    total, dtypes, end = 0, set(), 0
    for name, info in tensors.items():
        try:
            begin, stop = info["data_offsets"]
            dtypes.add(str(info["dtype"]))
        except (TypeError, KeyError, ValueError) as exc:
            raise FormatError(f"{path}: tensor {name!r} lacks dtype/data_offsets") from exc
        total += int(stop) - int(begin)
        end = max(end, int(stop))
    if 8 + length + end > size:
        raise FormatError(f"{path}: tensors end at {8 + length + end} bytes, file has {size}")
    return WeightsFile(path, ModelFormat.SAFETENSORS, size, len(tensors), total, frozenset(dtypes))


def read_gguf(path: Path) -> WeightsFile:
    size = path.stat().st_size
    with os.fdopen(open_quietly(path), "rb") as f:
        head = f.read(24)
    if len(head) < 8 or head[:4] != GGUF_MAGIC:
        raise FormatError(f"{path}: no GGUF magic at the start of the file")
    (version,) = struct.unpack("<I", head[4:8])
    if version == 1:  # v1 stored the counts as 32-bit integers
        tensors, _kv = struct.unpack("<II", head[8:16])
    elif version in (2, 3) and len(head) == 24:
        tensors, _kv = struct.unpack("<QQ", head[8:24])
    else:
        raise FormatError(f"{path}: unsupported GGUF version {version}")
    return WeightsFile(path, ModelFormat.GGUF, size, int(tensors), 0)


def read_weights(path: Path) -> WeightsFile:
    """Header facts of a weights file; formats without a cheap header give size only."""
    fmt = weights_format(path)
    if fmt is ModelFormat.SAFETENSORS:
        return read_safetensors(path)
    if fmt is ModelFormat.GGUF:
        return read_gguf(path)
    return WeightsFile(path, fmt or ModelFormat.UNKNOWN, path.stat().st_size, 0, 0)
