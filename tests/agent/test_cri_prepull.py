"""Image pre-pulls through a real containerd's CRI socket from a local registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.cri import CriError, CriImages
from agent.image_gc import FsUsage
from agent.image_prepull import ImagePrepuller
from tests.cri_runtime import Runtime, running_runtime

IMAGES = {"serving/vllm:v1": b"weights-free serving image\n" * 4096,
          "serving/tgi:v2": b"another image\n" * 1024}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    with running_runtime(tmp_path_factory.mktemp("cri"), IMAGES) as rt:
        yield rt


@pytest.fixture
def cri(runtime: Runtime) -> Iterator[CriImages]:
    client = CriImages(runtime.socket)
    yield client
    client.close()


def roomy(_mountpoint: str) -> FsUsage:
    return FsUsage(used_bytes=10 * 10**9, capacity_bytes=1000 * 10**9)


def test_a_prefetch_image_is_pulled_then_reported_present(runtime: Runtime, cri: CriImages):
    image = runtime.image("serving/vllm:v1")
    puller = ImagePrepuller(cri, 85, usage=roomy)

    (first,) = puller.pull([image])
    assert first.phase == "Pulled" and first.message.startswith("sha256:")
    assert image in puller.held()
    (again,) = puller.pull([image])
    assert again.phase == "Present"
    assert puller.staged([image, runtime.image("serving/tgi:v2")]) == (image,)


def test_a_full_image_filesystem_stops_the_pull(runtime: Runtime, cri: CriImages):
    image = runtime.image("serving/tgi:v2")
    nearly_full = ImagePrepuller(cri, 85, usage=lambda _: FsUsage(84 * 10**9, 100 * 10**9))

    (outcome,) = nearly_full.pull([image])
    assert outcome.phase == "Skipped" and "image GC threshold" in outcome.message
    assert image not in nearly_full.held()


def test_the_runtime_reports_the_filesystem_the_gc_line_is_read_from(cri: CriImages):
    fs = cri.image_fs()
    assert fs is not None and Path(fs.mountpoint).is_dir()


def test_a_missing_image_fails_with_the_runtimes_reason(runtime: Runtime, cri: CriImages):
    (outcome,) = ImagePrepuller(cri, 85, usage=roomy).pull([runtime.image("nope/missing:0")])
    assert outcome.phase == "Failed" and "PullImage" in outcome.message


def test_no_runtime_is_an_error_not_a_crash(tmp_path: Path):
    client = CriImages(tmp_path / "absent.sock")
    with pytest.raises(CriError, match="ListImages"):
        client.images()
    client.close()
