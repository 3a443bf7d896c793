"""A client of the CRI ImageService on the runtime's socket (containerd, CRI-O).

The same three calls `crictl pull`, `crictl images` and `crictl imagefsinfo`
make, over gRPC on the unix socket kubelet uses. Errors become `CriError` with
the gRPC status, so a caller reports them instead of crashing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import grpc

from agent.cri import cri_subset_pb2 as pb
from agent.cri import cri_subset_pb2_grpc as rpc
from warmstart.images import canonical_image

T = TypeVar("T")
# Pulls of 5-15 GB images take minutes; listing and fs info answer at once.
PULL_TIMEOUT_S = 1800.0
CALL_TIMEOUT_S = 10.0


class CriError(RuntimeError):
    """A CRI call failed; the message names the call and the runtime's reason."""


@dataclass(frozen=True, slots=True)
class RuntimeImage:
    id: str
    names: tuple[str, ...]  # canonical repo tags
    bytes: int


@dataclass(frozen=True, slots=True)
class ImageFs:
    mountpoint: str
    used_bytes: int


class CriImages:
    """One channel per agent; thread-safe like every gRPC channel."""

    def __init__(self, socket: Path, *, pull_timeout_s: float = PULL_TIMEOUT_S) -> None:
        self._channel = grpc.insecure_channel(f"unix://{socket}")
        self._stub = rpc.ImageServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._pull_timeout_s = pull_timeout_s

    def close(self) -> None:
        self._channel.close()

    def pull(self, image: str) -> str:
        """Pull `image`; the runtime's image reference (its id) once it is there."""
        request = pb.PullImageRequest(image=pb.ImageSpec(image=image))
        reply = self._call("PullImage", image, lambda: self._stub.PullImage(
            request, timeout=self._pull_timeout_s))
        return str(reply.image_ref)

    def images(self) -> tuple[RuntimeImage, ...]:
        reply = self._call("ListImages", "", lambda: self._stub.ListImages(
            pb.ListImagesRequest(), timeout=CALL_TIMEOUT_S))
        return tuple(
            RuntimeImage(id=i.id, names=tuple(canonical_image(t) for t in i.repo_tags),
                         bytes=int(i.size))
            for i in reply.images)

    def image_fs(self) -> ImageFs | None:
        """The filesystem images live on, as the runtime reports it (None if it does not)."""
        reply = self._call("ImageFsInfo", "", lambda: self._stub.ImageFsInfo(
            pb.ImageFsInfoRequest(), timeout=CALL_TIMEOUT_S))
        for fs in reply.image_filesystems:
            if fs.fs_id.mountpoint:
                return ImageFs(mountpoint=fs.fs_id.mountpoint, used_bytes=int(fs.used_bytes.value))
        return None

    @staticmethod
    def _call(name: str, subject: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except grpc.RpcError as exc:
            code = exc.code() if isinstance(exc, grpc.Call) else None
            detail = exc.details() if isinstance(exc, grpc.Call) else str(exc)
            what = f"{name} {subject}".strip()
            raise CriError(f"CRI {what}: {code.name if code else 'error'}: {detail}") from exc
