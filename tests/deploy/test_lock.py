"""requirements.lock (the image's dependencies) is in step with pyproject.toml.

The lock is pip-compile's output (`make lock`): every package pinned with its
hashes, each annotated with what pulled it in (`# via`). In step means: the
packages the lock says pyproject.toml asked for are exactly its dependencies,
each pinned inside its range; every other pin is pulled in by one of them; the
build backend is locked too (the image builds the project without fetching).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "requirements.lock"
PYPROJECT = "warmstart (pyproject.toml)"
BUILD = "warmstart (pyproject.toml::build-system.requires)"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ \\]+)")


@dataclass
class Pin:
    version: Version
    hashes: int = 0
    via: set[str] = field(default_factory=set)


def parse_lock(text: str) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not raw.startswith(" "):  # a section comment or a blank line ends a pin's block
            current = None
        if match := PIN.match(raw):
            current = pins.setdefault(canonicalize_name(match[1]), Pin(Version(match[2])))
        elif current is not None and line.startswith("--hash=sha256:"):
            current.hashes += 1
        elif current is not None and line.startswith("#"):
            parent = line.lstrip("#").strip().removeprefix("via").strip()
            if parent and not parent.startswith("-r"):
                current.via.add(parent if parent.startswith("warmstart") else
                                canonicalize_name(parent))
    return pins


def project() -> dict[str, object]:
    loaded: dict[str, object] = tomllib.loads((REPO / "pyproject.toml").read_text())
    return loaded


def _requirements(key: str) -> dict[str, Requirement]:
    data = project()
    section = data["build-system"] if key == "build" else data["project"]
    names = "requires" if key == "build" else "dependencies"
    reqs = [Requirement(r) for r in section[names]]  # type: ignore[index]
    return {canonicalize_name(r.name): r for r in reqs}


def test_the_lock_pins_exactly_pyprojects_dependencies_inside_their_ranges() -> None:
    pins = parse_lock(LOCK.read_text())
    wanted = _requirements("project")
    direct = {name for name, pin in pins.items() if PYPROJECT in pin.via}
    assert direct == set(wanted), "run `make lock` after changing pyproject.toml"
    outside = {n: str(pins[n].version) for n, r in wanted.items()
               if not r.specifier.contains(pins[n].version, prereleases=True)}
    assert outside == {}


def test_the_build_backend_is_locked_for_the_image() -> None:
    pins = parse_lock(LOCK.read_text())
    for name, req in _requirements("build").items():
        assert BUILD in pins[name].via and req.specifier.contains(pins[name].version)


def test_every_pin_has_hashes_and_a_reason() -> None:
    pins = parse_lock(LOCK.read_text())
    assert all(pin.hashes for pin in pins.values())
    orphans = {n for n, pin in pins.items() if not pin.via or not pin.via <= set(pins) | {
        PYPROJECT, BUILD}}
    assert orphans == set()


def test_the_parser_sees_a_stale_lock() -> None:
    lock = ("fastapi==0.1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n"
            "    # via warmstart (pyproject.toml)\n"
            "starlette==0.40.0 \\\n    --hash=sha256:" + "1" * 64 + "\n    # via fastapi\n")
    pins = parse_lock(lock)
    assert pins["starlette"].via == {"fastapi"} and pins["fastapi"].hashes == 1
    assert not _requirements("project")["fastapi"].specifier.contains(pins["fastapi"].version)


def test_the_lock_says_how_to_remake_it() -> None:
    header = LOCK.read_text().split("\n\n", 1)[0]
    assert "#    make lock" in header
    assert re.search(r"^lock:", (REPO / "Makefile").read_text(), re.M)
