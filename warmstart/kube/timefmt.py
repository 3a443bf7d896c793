"""Kubernetes timestamp formats: Time (RFC 3339, seconds) and MicroTime (microseconds)."""

from __future__ import annotations

from datetime import UTC, datetime


def k8s_time(now: float) -> str:
    """metav1.Time, e.g. 2026-01-02T03:04:05Z."""
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def k8s_micro_time(now: float) -> str:
    """metav1.MicroTime, e.g. 2026-01-02T03:04:05.123456Z (Lease acquire/renew times)."""
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_k8s_time(raw: object, default: float = 0.0) -> float:
    """Epoch seconds of a metav1.Time/MicroTime; `default` when absent or unreadable."""
    if not isinstance(raw, str) or not raw:
        return default
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return default
