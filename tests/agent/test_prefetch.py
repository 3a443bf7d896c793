"""Prefetch against a real HTTP server on loopback: resume, checksums, layouts, room."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from agent.cache_scan import scan_cache
from agent.download import ChecksumError, DownloadError, RemoteFile, download, part_path
from agent.prefetch import STAGING, InsufficientSpace, prefetch
from agent.sources import PrefetchRequest
from tests.agent.cachegen import write_gguf
from tests.agent.fileserver import Served, serving

NOW = datetime(2026, 11, 28, tzinfo=UTC)
SIZE = 3 * 1024 * 1024
COMMIT = "c0ffee" + "0" * 34


@pytest.fixture
def payload() -> bytes:
    return os.urandom(SIZE)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _leftovers(cache: Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())


def test_http_file_lands_verified_with_a_manifest_the_scan_reads(tmp_path, client, payload):
    with serving(Served({"/m/model.gguf": payload})) as srv:
        uri = f"{srv.url}/m/model.gguf"
        result = prefetch(PrefetchRequest(uri=uri, sha256=_sha(payload)), tmp_path, client, NOW)

    assert (result.path / "model.gguf").read_bytes() == payload
    assert result.fetched_bytes == result.bytes == SIZE
    (entry,) = scan_cache(tmp_path).entries
    assert entry.uri == uri and entry.digest is not None
    assert not (tmp_path / STAGING).exists() or not any((tmp_path / STAGING).iterdir())


def test_a_dropped_connection_resumes_with_a_range_request(tmp_path, client, payload):
    cut = SIZE // 3
    served = Served({"/m/w.bin": payload}, drop_after={"/m/w.bin": cut})
    with serving(served) as srv:
        result = prefetch(
            PrefetchRequest(uri=f"{srv.url}/m/w.bin", sha256=_sha(payload)), tmp_path, client, NOW
        )

    assert [r[2] for r in served.requests if r[0] == "GET"] == [None, f"bytes={cut}-"]
    assert (result.path / "w.bin").read_bytes() == payload


def test_a_part_left_by_an_earlier_run_is_resumed_not_refetched(tmp_path, client, payload):
    cut = SIZE // 2
    served = Served({"/w.bin": payload}, drop_after={"/w.bin": cut})
    dest = tmp_path / "w.bin"
    with serving(served) as srv:
        remote = RemoteFile(f"{srv.url}/w.bin", "w.bin", _sha(payload), SIZE)
        with pytest.raises(DownloadError, match="after 1 attempts"):
            download(client, remote, dest, attempts=1)
        assert part_path(dest).stat().st_size == cut  # kept for the next run

        fetched = download(client, remote, dest)

    assert fetched.fetched_bytes == SIZE - cut
    assert dest.read_bytes() == payload and not part_path(dest).exists()


def test_checksum_mismatch_is_refused_and_leaves_nothing_behind(tmp_path, client, payload):
    with serving(Served({"/m/w.bin": payload})) as srv:
        request = PrefetchRequest(uri=f"{srv.url}/m/w.bin", sha256="0" * 64)
        with pytest.raises(ChecksumError, match=r"w\.bin: sha256 .* expected 0000"):
            prefetch(request, tmp_path, client, NOW)

    assert _leftovers(tmp_path) == []
    assert scan_cache(tmp_path).entries == ()


def test_s3_prefix_fetches_every_object_under_it(tmp_path, client, payload, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)  # anonymous: requests go unsigned
    files = {
        "/models/llama/config.json": b"{}",
        "/models/llama/w.bin": payload,
        "/models/other/x.bin": b"x",
    }
    with serving(served := Served(files)) as srv:
        request = PrefetchRequest(uri="s3://models/llama/", endpoint=srv.url)
        result = prefetch(request, tmp_path, client, NOW)

    assert sorted(p.name for p in result.path.iterdir()) == [
        ".warmstart-manifest.json",
        "config.json",
        "w.bin",
    ]
    (entry,) = scan_cache(tmp_path).entries
    assert entry.uri == "s3://models/llama/" and entry.bytes == SIZE + 2
    assert all(auth is None for *_, auth in served.requests)


def test_hf_layout_becomes_a_hub_cache_the_scan_recognises(tmp_path, client, payload):
    base = f"/org/tiny/resolve/{COMMIT}/"
    files = {base + "config.json": b"{}", base + "model.safetensors": payload}
    with serving(Served(files, hf_commits={"org/tiny@main": COMMIT})) as srv:
        result = prefetch(
            PrefetchRequest(uri="hf://org/tiny@main", endpoint=srv.url), tmp_path, client, NOW
        )

    assert result.path == tmp_path / "models--org--tiny" / "snapshots" / COMMIT
    assert (result.path / "model.safetensors").read_bytes() == payload
    (entry,) = scan_cache(tmp_path).entries
    assert entry.uri == f"hf://org/tiny@{COMMIT}"
    assert {"hf://org/tiny", "hf://org/tiny@main"} <= set(entry.aliases)


def test_hf_lfs_file_with_wrong_bytes_is_refused(tmp_path, client, payload):
    path = f"/org/tiny/resolve/{COMMIT}/model.safetensors"
    served = Served(
        {path: payload}, tampered={path: payload[::-1]}, hf_commits={"org/tiny@main": COMMIT}
    )
    with serving(served) as srv, pytest.raises(ChecksumError, match=r"model\.safetensors"):
        prefetch(PrefetchRequest(uri="hf://org/tiny@main", endpoint=srv.url), tmp_path, client, NOW)

    assert _leftovers(tmp_path) == []


def test_quota_evicts_the_least_recently_used_model_first(tmp_path, client, payload):
    write_gguf(tmp_path / "old" / "w.gguf", SIZE)
    os.utime(tmp_path / "old" / "w.gguf", (1_000, 1_000))
    write_gguf(tmp_path / "recent" / "w.gguf", 1000)
    with serving(Served({"/w.bin": payload})) as srv:
        result = prefetch(
            PrefetchRequest(uri=f"{srv.url}/w.bin"),
            tmp_path,
            client,
            NOW,
            quota_bytes=SIZE + 10_000,
        )

    assert result.evicted == ((tmp_path / "old").resolve().as_uri(),)
    assert not (tmp_path / "old").exists() and (tmp_path / "recent").exists()


def test_no_room_even_after_eviction_fetches_nothing(tmp_path, client, payload):
    served = Served({"/w.bin": payload})
    with serving(served) as srv:
        request = PrefetchRequest(uri=f"{srv.url}/w.bin", bytes=SIZE)
        with pytest.raises(InsufficientSpace, match="exceed the quota"):
            prefetch(request, tmp_path, client, NOW, quota_bytes=SIZE // 2)

    assert [r[0] for r in served.requests] == [] and _leftovers(tmp_path) == []


def test_a_cached_model_is_not_fetched_again(tmp_path, client, payload):
    served = Served({"/w.bin": payload})
    with serving(served) as srv:
        request = PrefetchRequest(uri=f"{srv.url}/w.bin")
        prefetch(request, tmp_path, client, NOW)
        again = prefetch(request, tmp_path, client, NOW)

    assert again.already_cached and again.fetched_bytes == 0
    assert [r[0] for r in served.requests] == ["HEAD", "GET", "HEAD"]  # sized, fetched, sized


def test_s3_requests_are_signed_when_credentials_are_set(tmp_path, client, payload, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    cut = SIZE // 4
    served = Served({"/models/llama/w.bin": payload}, drop_after={"/models/llama/w.bin": cut})
    with serving(served) as srv:
        request = PrefetchRequest(uri="s3://models/llama/", endpoint=srv.url, region="eu-west-1")
        prefetch(request, tmp_path, client, NOW)

    # the listing, the first GET and the resumed GET, each signed afresh
    assert [(m, r) for m, _p, r, _a in served.requests] == [
        ("GET", None),
        ("GET", None),
        ("GET", f"bytes={cut}-"),
    ]
    for *_, auth in served.requests:
        assert auth is not None and auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        assert "/eu-west-1/s3/aws4_request" in auth and "Signature=" in auth
