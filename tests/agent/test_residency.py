"""Page-cache residency of a real file, by cachestat and by mmap + mincore."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.residency import PAGE, resident_bytes

SIZE = 16 * 1024 * 1024


def _drop_from_page_cache(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())
        os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


@pytest.fixture
def written(tmp_path: Path) -> Path:
    path = tmp_path / "weights.bin"
    path.write_bytes(os.urandom(SIZE))
    return path


BOTH = pytest.mark.parametrize("cachestat", [True, False], ids=["cachestat", "mincore"])


@BOTH
def test_a_file_just_written_is_resident(written: Path, cachestat: bool):
    # dirty pages sit in the page cache
    assert resident_bytes(written, use_cachestat=cachestat) >= 0.9 * SIZE


@BOTH
def test_dropped_then_half_read_is_about_half_resident(written: Path, cachestat: bool):
    _drop_from_page_cache(written)
    dropped = resident_bytes(written, use_cachestat=cachestat)
    if dropped > 0.5 * SIZE:
        pytest.skip(f"this filesystem ignores POSIX_FADV_DONTNEED ({dropped} bytes stayed)")
    with written.open("rb") as f:
        f.read(SIZE // 2)

    resident = resident_bytes(written, use_cachestat=cachestat)

    # The first half, plus whatever readahead pulled in beyond it (bounded by the file).
    assert SIZE // 2 <= resident <= SIZE
    assert dropped <= 0.1 * SIZE


def test_an_empty_file_and_page_rounding(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    tiny = tmp_path / "tiny"
    tiny.write_bytes(b"x" * 10)

    assert resident_bytes(empty) == 0
    assert resident_bytes(tiny) == 10 < PAGE  # a whole page, capped at the file size


def test_a_missing_file_raises_an_os_error_naming_it(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="nope"):
        resident_bytes(tmp_path / "nope")
