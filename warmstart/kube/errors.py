"""API failures as exceptions classed by HTTP status, so callers branch on meaning.

Each carries the status code and the `reason`/`message` of the Kubernetes
Status body; `raise_for_response` turns an error reply into the right class.
"""

from __future__ import annotations

from typing import Any

import httpx


class KubeError(Exception):
    """Any failure talking to the Kubernetes API."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message


class ApiUnreachable(KubeError):
    """No HTTP answer at all (refused, reset, timed out) after every retry."""


class ClientError(KubeError):
    """A 4xx: the request is wrong and repeating it will not help."""


class NotFound(ClientError):
    """404: the object (or its resource type) does not exist."""


class Conflict(ClientError):
    """409: a stale resourceVersion, or the name is already taken."""


class AlreadyExists(Conflict):
    """409 with reason AlreadyExists: a create found the name taken."""


class Gone(ClientError):
    """410: the resourceVersion is too old to list or watch from; relist."""


class TooManyRequests(ClientError):
    """429: the server sheds load; wait `retry_after` seconds (if it said)."""

    def __init__(self, status: int, reason: str, message: str, retry_after: float | None) -> None:
        super().__init__(status, reason, message)
        self.retry_after = retry_after


class ServerError(KubeError):
    """A 5xx: the server failed; the same request may succeed later."""


def _retry_after(headers: httpx.Headers) -> float | None:
    raw = headers.get("Retry-After")
    # Delay-seconds is digits only (RFC 9110); float() would also take "NaN" or "inf".
    # An HTTP-date is rare from the API server: fall back to our own backoff.
    return float(raw) if raw is not None and raw.isascii() and raw.isdigit() else None


def error_from_status(status: int, body: dict[str, Any], headers: httpx.Headers) -> KubeError:
    """The exception for an error reply; `body` is the Status object (or {})."""
    reason = str(body.get("reason") or httpx.codes.get_reason_phrase(status) or "Unknown")
    message = str(body.get("message") or "")
    if status == 404:
        return NotFound(status, reason, message)
    if status == 409:
        cls = AlreadyExists if reason == "AlreadyExists" else Conflict
        return cls(status, reason, message)
    if status == 410:
        return Gone(status, reason, message)
    if status == 429:
        return TooManyRequests(status, reason, message, _retry_after(headers))
    if status >= 500:
        return ServerError(status, reason, message)
    return ClientError(status, reason, message)


def raise_for_response(response: httpx.Response) -> None:
    """Raise the classed error for a non-2xx reply; return quietly on success."""
    if response.is_success:
        return
    try:
        body = response.json()
    except ValueError:
        body = {"message": response.text[:500]}
    if not isinstance(body, dict):
        body = {}
    raise error_from_status(response.status_code, body, response.headers)
