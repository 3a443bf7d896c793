"""Session-wide reporting: how many end-to-end tests ran against the real control plane.

A summary line that says "0 passed" is the only sign, short of reading the
skip reasons, that the e2e tests did not run (no binaries), so `make test`
always prints it.
"""

from __future__ import annotations

from collections import Counter

import pytest
from _pytest.terminal import TerminalReporter

OUTCOMES = ("passed", "failed", "skipped", "error")


def e2e_outcomes(reports: list[pytest.TestReport]) -> Counter[str]:
    """One outcome per e2e test: its call's, or its setup's when setup did not pass
    (a skipped or failed fixture), or `error` for a failed teardown."""
    outcome: dict[str, str] = {}
    for report in reports:  # in run order: setup, call, teardown
        if "e2e" not in report.keywords:
            continue
        if report.when == "call":
            outcome[report.nodeid] = report.outcome
        elif report.failed:  # setup or teardown
            outcome[report.nodeid] = "error"
        elif report.skipped:
            outcome[report.nodeid] = "skipped"
    return Counter(outcome.values())


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    reports = [r for key in OUTCOMES for r in terminalreporter.stats.get(key, [])
               if isinstance(r, pytest.TestReport)]
    counts = e2e_outcomes(reports)
    summary = ", ".join(f"{counts[k]} {k}" for k in OUTCOMES if counts[k] or k == "passed")
    terminalreporter.write_line(f"e2e tests (real kube-apiserver and kube-scheduler): {summary}")
