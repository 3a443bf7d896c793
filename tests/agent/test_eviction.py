"""LRU eviction within a quota, on a generated cache tree."""

from __future__ import annotations

import os
from pathlib import Path

from agent.cache_scan import scan_cache
from agent.eviction import apply_eviction, cache_bytes, plan_eviction
from tests.agent.cachegen import write_gguf, write_hf_repo

MB = 1_000_000


def _model(root: Path, name: str, size: int, used_at: int) -> None:
    write_gguf(root / name / "w.gguf", size - 24)  # 24-byte GGUF header + payload
    os.utime(root / name / "w.gguf", (used_at, used_at))


def _cache(tmp_path: Path) -> Path:
    root = tmp_path / "cache"
    _model(root, "old", 3 * MB, 1_000)
    _model(root, "mid", 2 * MB, 2_000)
    _model(root, "new", 1 * MB, 3_000)
    return root


def test_fits_without_eviction_when_under_quota_and_disk(tmp_path: Path):
    plan = plan_eviction(
        scan_cache(_cache(tmp_path)).entries, MB, free_bytes=10 * MB, quota_bytes=7 * MB
    )

    assert plan.fits and plan.evict == ()


def test_quota_evicts_least_recently_used_first(tmp_path: Path):
    root = _cache(tmp_path)
    entries = scan_cache(root).entries
    assert cache_bytes(entries) == 6 * MB

    # 6 MB used + 2 MB incoming - 6 MB quota = 2 MB to free: "old" (3 MB) alone does it.
    plan = plan_eviction(entries, 2 * MB, free_bytes=100 * MB, quota_bytes=6 * MB)

    assert plan.fits
    assert [e.entry.root.name for e in plan.evict] == ["old"]
    assert "least recently used" in plan.evict[0].reason
    apply_eviction(plan)
    assert sorted(p.name for p in root.iterdir()) == ["mid", "new"]


def test_disk_space_and_protection_are_respected(tmp_path: Path):
    entries = scan_cache(_cache(tmp_path)).entries
    old_uri = next(e.uri for e in entries if e.root.name == "old")

    # 1 MB free, 3 MB incoming + 1 MB reserve: 3 MB to free; "old" is in use by a pod.
    plan = plan_eviction(
        entries, 3 * MB, free_bytes=MB, reserve_bytes=MB, protected=frozenset({old_uri})
    )

    assert [e.entry.root.name for e in plan.evict] == ["mid", "new"]


def test_refuses_when_nothing_evictable_would_make_room(tmp_path: Path):
    entries = scan_cache(_cache(tmp_path)).entries

    too_big = plan_eviction(entries, 8 * MB, free_bytes=100 * MB, quota_bytes=7 * MB)
    not_enough = plan_eviction(entries, 10 * MB, free_bytes=2 * MB)

    assert not too_big.fits and "exceed the quota" in too_big.reason
    assert not not_enough.fits and too_big.evict == not_enough.evict == ()


def test_evicting_an_hf_revision_keeps_blobs_another_revision_shares(tmp_path: Path):
    hub = tmp_path / "cache"
    shared, only_old = b"s" * 1000, b"o" * 500
    write_hf_repo(hub, "org/m", "a" * 40, {"shared.bin": shared, "old.bin": only_old})
    write_hf_repo(hub, "org/m", "b" * 40, {"shared.bin": shared})
    repo = hub / "models--org--m"
    keep = frozenset({f"hf://org/m@{'b' * 40}"})

    apply_eviction(plan_eviction(scan_cache(hub).entries, 1, free_bytes=0, protected=keep))

    assert [p.name for p in (repo / "snapshots").iterdir()] == ["b" * 40]
    assert sorted(p.stat().st_size for p in (repo / "blobs").iterdir()) == [1000]
    assert (repo / "refs" / "main").read_text() == "b" * 40
