"""Carry out this node's Prefetch resources, one at a time, off the scan loop.

Each pass lists the Prefetches, takes the oldest one for this node that is not
finished and, if no download is running, starts it on the worker (or inline,
when no executor is given: tests): the model download, then the image pre-pulls
through the container runtime. Outcomes are written to the resource's status;
a transient failure returns it to Pending so a later pass resumes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from datetime import UTC, datetime
from typing import Any

import httpx

from agent.download import ChecksumError, DownloadError
from agent.image_prepull import ImageOutcome, ImagePrepuller
from agent.prefetch import InsufficientSpace, prefetch
from agent.prefetch_resource import (
    PREFETCHES,
    PrefetchSpecError,
    images_of,
    mine_to_do,
    request_of,
    requested_images,
    status_failed,
    status_retrying,
    status_started,
    status_succeeded,
)
from agent.settings import AgentSettings
from agent.sources import SourceError
from warmstart.clock import Clock
from warmstart.kube import KubeClient, KubeError

log = logging.getLogger(__name__)
_FINAL = (ChecksumError, InsufficientSpace, SourceError, PrefetchSpecError)


class PrefetchWorker:
    def __init__(
        self,
        client: KubeClient,
        settings: AgentSettings,
        http: httpx.Client,
        clock: Clock,
        in_use: Callable[[], frozenset[str]],
        executor: Executor | None = None,
        images: ImagePrepuller | None = None,
    ) -> None:
        self._client, self._settings, self._http, self._clock = client, settings, http, clock
        self._in_use = in_use
        self._executor = executor
        self._images = images
        self._requested: tuple[str, ...] = ()
        self._running: Future[None] | None = None

    def poll(self) -> None:
        if self._running is not None and not self._running.done():
            return
        objects = self._client.list_all(PREFETCHES).items
        self._requested = requested_images(objects, self._settings.node_name)
        todo = mine_to_do(objects, self._settings.node_name)
        if not todo:
            return
        if self._executor is None:
            self.handle(todo[0])
        else:
            self._running = self._executor.submit(self.handle, todo[0])

    def handle(self, obj: dict[str, Any]) -> None:
        name = obj["metadata"]["name"]
        try:
            request, images = request_of(obj), images_of(obj)
            self._status(name, status_started(self._clock.now()))
            result = None if request is None else prefetch(
                request,
                self._settings.cache_dir,
                self._http,
                datetime.fromtimestamp(self._clock.now(), UTC),
                quota_bytes=self._settings.quota_bytes,
                protected=self._in_use(),
            )
            pulled = self._pull(images)
            self._status(name, status_succeeded(result, pulled, self._clock.now()))
        except _FINAL as exc:
            log.warning("prefetch %s failed: %s", name, exc)
            self._status(name, status_failed(exc, self._clock.now()))
        except (DownloadError, httpx.HTTPError, OSError) as exc:
            log.warning("prefetch %s interrupted, will resume: %s", name, exc)
            self._status(name, status_retrying(exc))
        except KubeError as exc:
            log.warning("prefetch %s: status not written: %s", name, exc)

    def _pull(self, images: tuple[str, ...]) -> tuple[ImageOutcome, ...]:
        if not images:
            return ()
        if self._images is None:
            return tuple(ImageOutcome(i, "Skipped", "no container runtime socket configured")
                         for i in images)
        return self._images.pull(images)

    def staged_images(self) -> tuple[str, ...]:
        """Images this node's Prefetches asked for that the runtime holds now."""
        if self._images is None or not self._requested:
            return ()
        return self._images.staged(self._requested)

    def _status(self, name: str, patch: dict[str, Any]) -> None:
        self._client.patch_status(PREFETCHES, name, patch)
