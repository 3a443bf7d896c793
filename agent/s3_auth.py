"""Sign requests to S3-compatible endpoints (AWS Signature V4) when credentials are set.

Credentials come from the standard environment variables (`AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`), e.g. from a Secret in
the DaemonSet; without them requests go unsigned (public buckets, anonymous
MinIO). The signing itself is httpx-auth's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx
from httpx_auth import AWS4Auth

DEFAULT_REGION = "us-east-1"  # what MinIO and most S3-compatible stores expect


def s3_auth(region: str | None, env: Mapping[str, str] | None = None) -> httpx.Auth | None:
    env = os.environ if env is None else env
    key, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        return None
    region = region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    return AWS4Auth(key, secret, region, "s3", security_token=env.get("AWS_SESSION_TOKEN"))
