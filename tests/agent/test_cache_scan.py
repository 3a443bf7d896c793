"""Scanning a generated cache tree: formats, sizes, digests, URIs, broken files."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.cache_scan import scan_cache
from agent.formats import FormatError, read_gguf, read_safetensors
from agent.manifest import Manifest, ManifestFile, content_digest, write_manifest
from tests.agent.cachegen import (
    safetensors_bytes,
    sha256_of,
    write_gguf,
    write_hf_repo,
    write_safetensors,
)
from warmstart.domain import ModelFormat

REV = "0e9e39f249a16976918f6564b8830bc894c89659"


def test_safetensors_header_gives_tensor_bytes_and_dtypes(tmp_path: Path):
    path = tmp_path / "m.safetensors"
    # 64x64 F16 = 8192 bytes, 64 F32 = 256 bytes
    data = write_safetensors(path, {"w": ("F16", [64, 64]), "b": ("F32", [64])})

    info = read_safetensors(path)

    assert data == info.tensor_bytes == 8192 + 256
    assert info.tensors == 2 and info.dtypes == {"F16", "F32"}
    assert info.bytes == path.stat().st_size > info.tensor_bytes


def test_truncated_safetensors_is_refused_naming_the_file(tmp_path: Path):
    path = tmp_path / "cut.safetensors"
    write_safetensors(path, {"w": ("F16", [64, 64])})
    path.write_bytes(path.read_bytes()[:-100])

    with pytest.raises(FormatError, match=r"cut\.safetensors: tensors end at"):
        read_safetensors(path)


def test_gguf_magic_and_counts(tmp_path: Path):
    write_gguf(tmp_path / "m.gguf", 1000, tensors=7)
    (tmp_path / "fake.gguf").write_bytes(b"NOPE" + bytes(100))

    assert read_gguf(tmp_path / "m.gguf").tensors == 7
    with pytest.raises(FormatError, match="no GGUF magic"):
        read_gguf(tmp_path / "fake.gguf")


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    root = tmp_path / "cache"
    write_safetensors(
        root / "mistral" / "model-00001-of-00002.safetensors", {"a": ("BF16", [512, 512])}
    )
    write_safetensors(
        root / "mistral" / "model-00002-of-00002.safetensors", {"b": ("BF16", [256, 512])}
    )
    (root / "mistral" / "config.json").write_text("{}")
    write_gguf(root / "phi.Q4_K_M.gguf", 50_000)
    weights = safetensors_bytes(tmp_path, {"x": ("F16", [128, 128])})
    write_hf_repo(
        root / "hub",
        "meta-llama/Llama-3.1-8B-Instruct",
        REV,
        {"config.json": b"{}", "model.safetensors": weights},
    )
    fetched = root / "prefetched"
    write_safetensors(fetched / "w.safetensors", {"x": ("F16", [16, 16])})
    sha = sha256_of(fetched / "w.safetensors")
    size = (fetched / "w.safetensors").stat().st_size
    write_manifest(
        fetched,
        Manifest(
            uri="s3://models/tiny",
            fetched_at=datetime.now(UTC),
            files=(ManifestFile(path="w.safetensors", bytes=size, sha256=sha),),
        ),
    )
    (root / ".warmstart-staging" / "half").mkdir(parents=True)
    (root / ".warmstart-staging" / "half" / "x.safetensors.part").write_bytes(b"x" * 10)
    return root


def test_scan_finds_each_layout_with_its_bytes_and_format(cache: Path):
    scan = scan_cache(cache)
    by_uri = {e.uri: e for e in scan.entries}

    assert scan.problems == ()
    mistral = by_uri[(cache / "mistral").as_uri()]
    assert mistral.format is ModelFormat.SAFETENSORS
    assert mistral.bytes == sum(p.stat().st_size for p in (cache / "mistral").iterdir())
    assert by_uri[(cache / "phi.Q4_K_M.gguf").as_uri()].format is ModelFormat.GGUF
    hf = by_uri[f"hf://meta-llama/Llama-3.1-8B-Instruct@{REV}"]
    assert set(hf.aliases) == {
        "hf://meta-llama/Llama-3.1-8B-Instruct",
        "hf://meta-llama/Llama-3.1-8B-Instruct@main",
        "hf://meta-llama/Llama-3.1-8B-Instruct@0e9e39f",  # as the captured pods name it
    }
    assert all(p.parent.name == "blobs" for p in hf.files)  # links resolved to blobs
    assert hf.digest is not None and hf.digest.startswith("sha256:")
    fetched = by_uri["s3://models/tiny"]
    assert fetched.digest == content_digest(
        [("w.safetensors", sha256_of(cache / "prefetched" / "w.safetensors"))]
    )
    assert not any(".warmstart-staging" in str(p) for e in scan.entries for p in e.files)


def test_last_used_follows_file_access_time(cache: Path):
    target = cache / "phi.Q4_K_M.gguf"
    os.utime(target, (1_700_000_000, 1_600_000_000))

    (entry,) = [e for e in scan_cache(cache).entries if e.uri == target.as_uri()]

    assert entry.last_used == datetime.fromtimestamp(1_700_000_000, UTC)


def test_broken_file_and_missing_dir_are_problems_not_crashes(cache: Path, tmp_path: Path):
    (cache / "broken").mkdir()
    (cache / "broken" / "w.safetensors").write_bytes(b"\xff" * 4)

    scan = scan_cache(cache)

    assert any("broken/w.safetensors" in p for p in scan.problems)
    assert (cache / "broken").as_uri() in {e.uri for e in scan.entries}
    assert scan_cache(tmp_path / "absent").problems[0].endswith("does not exist")
