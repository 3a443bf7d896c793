"""`POST /v1/simulate` as background jobs: a what-if replay of a stored or
uploaded trace under a proposed policy, beside baselines.

Bounded three ways: the request's own limits (upload size, hours, models),
`max_running` jobs at once (more are refused, not queued without end), and the
`keep` newest jobs remembered. The proposed policy is the named pool's; every
other pool keeps its stored one. Stored traces are named, never paths: the API
must not read files the caller names.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from warmstart.admin.policy import PolicyLookup, WarmthPolicySpec
from warmstart.admin.policy_store import PolicyStore, policy_or_default
from warmstart.admin.requests import SimulateRequest
from warmstart.admin.schemas import Out
from warmstart.admin.source import UnknownName
from warmstart.sim.config import ClusterSpec
from warmstart.sim.policies import Policy
from warmstart.sim.report import report
from warmstart.sim.run import make_policy, simulate
from warmstart.traces import TraceError, load_trace, trace_names

# (cluster, each pool's policy) -> the `warmstart` policy
PolicyMaker = Callable[[ClusterSpec, PolicyLookup], Policy]


class Busy(RuntimeError):
    """Too many simulations running; the API answers 429."""


class Rejected(ValueError):
    """The request names a trace that cannot be used; `field` says which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class JobOut(Out):
    id: str
    state: Literal["running", "done", "failed"]
    progress: float
    result_url: str
    created_at: float
    finished_at: float | None = None
    error: str = ""
    result: dict[str, Any] | None = None


class SimulateJobs:
    def __init__(self, cluster: ClusterSpec, make: PolicyMaker, policies: PolicyStore, *,
                 traces_dir: Path | None = None, max_running: int = 1, keep: int = 20) -> None:
        self.cluster, self.make, self.policies = cluster, make, policies
        self.traces_dir, self.max_running, self.keep = traces_dir, max_running, keep
        self._jobs: OrderedDict[str, JobOut] = OrderedDict()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def submit(self, req: SimulateRequest) -> JobOut:
        pools = [p.name for p in self.cluster.pools]
        if req.pool is not None and req.pool not in pools:
            raise Rejected("pool", f"the simulated cluster has no pool {req.pool!r} "
                                   f"(it has {', '.join(pools)}; --cluster describes yours)")
        frame = self._trace(req)
        with self._lock:
            if sum(1 for j in self._jobs.values() if j.state == "running") >= self.max_running:
                raise Busy(f"{self.max_running} simulation(s) already running; retry later")
            job_id = f"sim-{next(self._ids)}"
            job = JobOut(id=job_id, state="running", progress=0.0,
                         result_url=f"/v1/simulate/{job_id}", created_at=time.time())
            self._jobs[job_id] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._run, args=(job_id, req, frame), daemon=True,
                         name=job_id).start()
        return job

    def get(self, job_id: str) -> JobOut:
        with self._lock:
            if job_id not in self._jobs:
                raise UnknownName(f"no simulation job {job_id!r}")
            return self._jobs[job_id]

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            if job_id in self._jobs:
                self._jobs[job_id] = self._jobs[job_id].model_copy(update=changes)

    def _trace(self, req: SimulateRequest) -> pd.DataFrame | None:
        """The uploaded CSV parsed now (its errors are the caller's); None for a
        stored trace, which is loaded in the job."""
        if req.trace is not None:
            if req.trace not in trace_names():
                raise Rejected("trace", f"unknown trace {req.trace!r}; choose from "
                                        f"{', '.join(trace_names())}")
            return None
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload.csv"
            path.write_text(req.csv or "")
            try:
                frame = load_trace(path, models=req.models, duration_s=req.hours * 3600)
            except (TraceError, ValueError) as exc:
                raise Rejected("csv", str(exc).replace(str(path), "upload")) from exc
        if frame.empty:
            raise Rejected("csv", "no requests to replay")
        return frame

    def _lookup(self, req: SimulateRequest) -> PolicyLookup:
        pool = req.pool or self.cluster.pools[0].name

        def policy_for(name: str) -> WarmthPolicySpec:
            if name == pool and req.policy is not None:
                return req.policy
            return policy_or_default(self.policies, name)

        return policy_for

    def _run(self, job_id: str, req: SimulateRequest, frame: pd.DataFrame | None) -> None:
        try:
            if frame is None:
                frame = load_trace(str(req.trace), traces_dir=self.traces_dir,
                                   models=req.models, duration_s=req.hours * 3600,
                                   seed=req.seed)
            policies = [make_policy(b, self.cluster) for b in req.baselines]
            policies.append(self.make(self.cluster, self._lookup(req)))
            # one policy per call, so progress moves as each finishes
            result = simulate(frame, self.cluster, policies[:1], seed=req.seed)
            self._update(job_id, progress=1 / len(policies))
            for i, policy in enumerate(policies[1:], start=2):
                result.outcomes += simulate(frame, self.cluster, [policy],
                                            seed=req.seed).outcomes
                self._update(job_id, progress=i / len(policies))
            data = report(result, frame, req.seed)
            self._update(job_id, state="done", progress=1.0, result=data,
                         finished_at=time.time())
        except Exception as exc:  # the job's outcome, reported at its URL
            self._update(job_id, state="failed", error=f"{type(exc).__name__}: {exc}",
                         finished_at=time.time())
