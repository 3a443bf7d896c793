"""Kubernetes RFC 3339 timestamps to epoch seconds and back."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_time(raw: object, default: float = 0.0) -> float:
    """Epoch seconds of "2026-11-28T01:02:03Z"; `default` when absent or unreadable."""
    if not isinstance(raw, str) or not raw:
        return default
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return default


def format_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
