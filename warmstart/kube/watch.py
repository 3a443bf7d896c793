"""One watch request as an iterator of events that another thread can cut short.

Kubernetes streams one JSON object per line: ADDED / MODIFIED / DELETED /
BOOKMARK with an `object`, or ERROR with a Status (410 Gone when our
resourceVersion is too old). ERROR becomes the classed exception.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from warmstart.kube.errors import ApiUnreachable, error_from_status, raise_for_response


@dataclass(frozen=True)
class WatchEvent:
    type: str  # ADDED | MODIFIED | DELETED | BOOKMARK
    object: dict[str, Any]

    @property
    def resource_version(self) -> str:
        return str((self.object.get("metadata") or {}).get("resourceVersion", ""))


class WatchStream:
    """Iterate once; `close()` from any thread ends the iteration quietly."""

    def __init__(self, http: httpx.Client, request: httpx.Request) -> None:
        self._http = http
        self._request = request
        self._response: httpx.Response | None = None
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()
        if self._response is not None:
            # Closing the response does not wake a thread blocked in recv(); shutting the
            # socket down does, so stop() returns now rather than at the watch timeout.
            stream = self._response.extensions.get("network_stream")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def __iter__(self) -> Iterator[WatchEvent]:
        if self._closed.is_set():
            return
        try:
            self._response = self._http.send(self._request, stream=True)
        except httpx.TransportError as exc:
            raise ApiUnreachable(0, type(exc).__name__, str(exc) or repr(exc)) from exc
        try:
            if not self._response.is_success:
                self._response.read()
                raise_for_response(self._response)
            yield from self._events(self._response)
        except (httpx.TransportError, httpx.StreamError) as exc:
            if not self._closed.is_set():
                raise ApiUnreachable(0, type(exc).__name__, str(exc) or repr(exc)) from exc
        finally:
            self._response.close()

    def _events(self, response: httpx.Response) -> Iterator[WatchEvent]:
        for line in response.iter_lines():
            if self._closed.is_set():
                return
            if not line.strip():
                continue
            raw = orjson.loads(line)
            obj = raw.get("object") or {}
            if raw.get("type") == "ERROR":
                raise error_from_status(int(obj.get("code") or 500), obj, response.headers)
            yield WatchEvent(type=str(raw.get("type")), object=obj)
