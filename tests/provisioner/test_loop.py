"""The controller's loop survives a step that fails: it plans again at the next resync."""

from __future__ import annotations

import threading
import time

from provisioner.service import build, informers

from .conftest import Harness


def test_a_failing_step_does_not_stop_the_loop(harness: Harness) -> None:
    calls: list[int] = []

    def forecast() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a forecast source that breaks once")

    settings = harness.settings("karpenter")
    sources = informers(harness.client, settings, harness.clock, optional=False)
    ctl = build(harness.client, settings, harness.clock, log=harness.log, sources=sources,
                forecast=forecast)
    for informer in ctl.informers.required():
        informer.relist()
    stop = threading.Event()
    loop = threading.Thread(target=ctl.run, args=(stop,), daemon=True)
    loop.start()
    deadline = time.monotonic() + 10
    while len(calls) < 2 and time.monotonic() < deadline:
        harness.clock.advance(settings.resync_s)  # each resync plans again
        for informer in ctl.informers.required():
            informer.relist()
        time.sleep(0.05)
    alive = loop.is_alive()
    stop.set()
    loop.join(5)
    assert alive and len(calls) >= 2
