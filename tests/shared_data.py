"""Skip markers for tests that read the shared data folder beside the repository.

A fresh clone has no `../shared`; its tests that need the public traces skip
and say how to provide them, and every other test still runs.
"""

from __future__ import annotations

import pytest

from warmstart.traces import ENV_DIR, traces_dir

needs_shared_traces = pytest.mark.skipif(
    not traces_dir().is_dir(),
    reason=f"needs the public traces: put them in ../shared/traces or set ${ENV_DIR}",
)
