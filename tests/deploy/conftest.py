"""Fixtures for the chart tests: Helm (from PyPI, see tools.py) and rendered objects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.render import helm_template
from tests.deploy.tools import tool

Render = Callable[..., list[dict[str, Any]]]


@pytest.fixture(scope="session")
def helm() -> Path:
    return tool("helm")


@pytest.fixture(scope="session")
def render(helm: Path) -> Render:
    """`render(values, *helm_args)`: the chart's objects for these values."""

    def run(values: dict[str, Any] | None = None, *extra: str) -> list[dict[str, Any]]:
        return helm_template(helm, values or {}, *extra)

    return run
