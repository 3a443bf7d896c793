"""One OpenMP thread per test process: the CI box runs several suites on two cores,
and spinning OpenMP threads fighting for them make the boosting fits several
times slower, not faster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_thread() -> Iterator[None]:
    with threadpool_limits(limits=1):
        yield
