"""How much of a file sits in the page cache: cachestat, else mmap + mincore, via ctypes.

Python has neither call, so libc's are used directly. For mincore the file is
mapped a window at a time, so a 140 GB model needs only a small residency
vector, and mapping a file reads none of it (mincore never faults pages in).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
from pathlib import Path

from agent.formats import open_quietly

PAGE = os.sysconf("SC_PAGE_SIZE")
# 1 GiB per window: a 256 KiB vector with 4 KiB pages.
_WINDOW = 1024**3
_MAP_FAILED = ctypes.c_void_p(-1).value
_LOW_BIT = bytes(b & 1 for b in range(256))
# cachestat(2) has the same number on every architecture (the generic syscall table).
_SYS_CACHESTAT = 451


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    return libc


_LIBC = _libc()


def _os_error(what: str, path: Path) -> OSError:
    err = ctypes.get_errno()
    return OSError(err, f"{what} of {path}: {os.strerror(err)}")


def _resident_pages(fd: int, path: Path, offset: int, length: int) -> int:
    addr = _LIBC.mmap(None, length, mmap.PROT_READ, mmap.MAP_SHARED, fd, offset)
    if addr in (None, _MAP_FAILED):
        raise _os_error("mmap", path)
    try:
        pages = (length + PAGE - 1) // PAGE
        vec = (ctypes.c_ubyte * pages)()
        if _LIBC.mincore(ctypes.c_void_p(addr), length, vec) != 0:
            raise _os_error("mincore", path)
        # Only the low bit of each entry is defined; count them at C speed.
        return bytes(vec).translate(_LOW_BIT).count(1)
    finally:
        _LIBC.munmap(ctypes.c_void_p(addr), length)


class _CachestatRange(ctypes.Structure):
    _fields_ = [("off", ctypes.c_uint64), ("len", ctypes.c_uint64)]


class _Cachestat(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_uint64)
        for name in ("nr_cache", "nr_dirty", "nr_writeback", "nr_evicted", "nr_recently_evicted")
    ]


def _cachestat_pages(fd: int) -> int | None:
    """Pages of the file in the page cache by cachestat(2) (Linux 6.5+), or None where
    the kernel or the container's seccomp profile refuses it."""
    whole, stat = _CachestatRange(0, 0), _Cachestat()
    if _LIBC.syscall(_SYS_CACHESTAT, fd, ctypes.byref(whole), ctypes.byref(stat), 0) != 0:
        return None
    return int(stat.nr_cache)


def _mincore_pages(fd: int, path: Path, size: int) -> int:
    return sum(
        _resident_pages(fd, path, offset, min(_WINDOW, size - offset))
        for offset in range(0, size, _WINDOW)
    )


def resident_bytes(path: Path, use_cachestat: bool = True) -> int:
    """Bytes of `path` now in the page cache (whole pages, capped at the file size).

    cachestat answers in one call; mincore walks every page of a mapping
    (about 25 ms per GiB), so it is the fallback.
    """
    fd = open_quietly(path)
    try:
        size = os.fstat(fd).st_size
        pages = _cachestat_pages(fd) if use_cachestat else None
        if pages is None:
            pages = _mincore_pages(fd, path, size)
    finally:
        os.close(fd)
    return min(pages * PAGE, size)
