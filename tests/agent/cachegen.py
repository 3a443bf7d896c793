"""Generate real model files and cache layouts for the agent's tests.

The files are valid in their formats (a safetensors header with offsets that
match the data, a GGUF v3 header) so the scanner reads them as it would real
weights; the tensor data is filler.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path

DTYPE_BYTES = {"F16": 2, "BF16": 2, "F32": 4, "I8": 1}


def write_safetensors(path: Path, tensors: dict[str, tuple[str, list[int]]]) -> int:
    """Write a safetensors file; returns the tensor data bytes."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, (dtype, shape) in tensors.items():
        size = DTYPE_BYTES[dtype]
        for dim in shape:
            size *= dim
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)  # the format pads the header to 8 bytes
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        remaining = offset
        while remaining:
            chunk = min(remaining, 1 << 22)
            f.write(os.urandom(chunk))
            remaining -= chunk
    return offset


def write_gguf(path: Path, payload_bytes: int, tensors: int = 3) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.write(b"GGUF" + struct.pack("<IQQ", 3, tensors, 0) + os.urandom(payload_bytes))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_hf_repo(hub: Path, repo: str, rev: str, files: dict[str, bytes]) -> Path:
    """A Hugging Face hub cache repo: blobs by sha256, snapshot links, refs/main."""
    root = hub / ("models--" + repo.replace("/", "--"))
    (root / "blobs").mkdir(parents=True, exist_ok=True)
    (root / "refs").mkdir(exist_ok=True)
    (root / "refs" / "main").write_text(rev)
    snap = root / "snapshots" / rev
    for name, data in files.items():
        blob = root / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        link = snap / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    return snap


def safetensors_bytes(tmp: Path, tensors: dict[str, tuple[str, list[int]]]) -> bytes:
    path = tmp / ".gen.safetensors"
    write_safetensors(path, tensors)
    data = path.read_bytes()
    path.unlink()
    return data
