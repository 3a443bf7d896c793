"""Carry out this node's Prefetch resources, one at a time, off the scan loop.

Each pass lists the Prefetches, takes the oldest one for this node that is not
finished and, if no download is running, starts it on the worker (or inline,
when no executor is given: tests). Outcomes are written to the resource's
status; a transient failure returns it to Pending so a later pass resumes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from datetime import UTC, datetime
from typing import Any

import httpx

from agent.download import ChecksumError, DownloadError
from agent.prefetch import InsufficientSpace, prefetch
from agent.prefetch_resource import (
    PREFETCHES,
    PrefetchSpecError,
    mine_to_do,
    request_of,
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
    ) -> None:
        self._client, self._settings, self._http, self._clock = client, settings, http, clock
        self._in_use = in_use
        self._executor = executor
        self._running: Future[None] | None = None

    def poll(self) -> None:
        if self._running is not None and not self._running.done():
            return
        todo = mine_to_do(self._client.list_all(PREFETCHES).items, self._settings.node_name)
        if not todo:
            return
        if self._executor is None:
            self.handle(todo[0])
        else:
            self._running = self._executor.submit(self.handle, todo[0])

    def handle(self, obj: dict[str, Any]) -> None:
        name = obj["metadata"]["name"]
        try:
            self._status(name, status_started(self._clock.now()))
            result = prefetch(
                request_of(obj),
                self._settings.cache_dir,
                self._http,
                datetime.fromtimestamp(self._clock.now(), UTC),
                quota_bytes=self._settings.quota_bytes,
                protected=self._in_use(),
            )
            self._status(name, status_succeeded(result, self._clock.now()))
        except _FINAL as exc:
            log.warning("prefetch %s failed: %s", name, exc)
            self._status(name, status_failed(exc, self._clock.now()))
        except (DownloadError, httpx.HTTPError, OSError) as exc:
            log.warning("prefetch %s interrupted, will resume: %s", name, exc)
            self._status(name, status_retrying(exc))
        except KubeError as exc:
            log.warning("prefetch %s: status not written: %s", name, exc)

    def _status(self, name: str, patch: dict[str, Any]) -> None:
        self._client.patch_status(PREFETCHES, name, patch)
