"""`make test` says how many end-to-end tests ran, whatever happened to them."""

from __future__ import annotations

from typing import Literal

import pytest

from tests.conftest import e2e_outcomes

Outcome = Literal["passed", "failed", "skipped"]
When = Literal["setup", "call", "teardown"]


def _report(nodeid: str, when: When, outcome: Outcome, e2e: bool = True) -> pytest.TestReport:
    keywords: dict[str, Literal[1]] = {"e2e": 1} if e2e else {}
    longrepr = ("f.py", 1, "Skipped: no binaries") if outcome == "skipped" else None
    return pytest.TestReport(nodeid, ("f.py", 1, nodeid), keywords, outcome, longrepr, when)


def test_each_e2e_test_counts_once_by_its_worst_phase() -> None:
    reports = [
        _report("a", "setup", "passed"), _report("a", "call", "passed"),
        _report("a", "teardown", "passed"),
        _report("b", "setup", "skipped"),
        _report("c", "setup", "passed"), _report("c", "call", "failed"),
        _report("d", "setup", "failed"),
        _report("e", "setup", "passed"), _report("e", "call", "passed"),
        _report("e", "teardown", "failed"),
        _report("unit", "setup", "passed", e2e=False), _report("unit", "call", "passed", False),
    ]
    assert e2e_outcomes(reports) == {"passed": 1, "skipped": 1, "failed": 1, "error": 2}
