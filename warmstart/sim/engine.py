"""The discrete-event loop on a virtual clock: autoscaler steps over the
replayed demand, with replica-ready, node-idle and spot-reclaim events popped
from a heap in time order between them. Nothing sleeps; one run is one
policy on one trace and cluster.
"""

from __future__ import annotations

import heapq

import numpy as np
from tqdm import tqdm

from warmstart.sim.capacity import AdvisorLink
from warmstart.sim.catalog import ModelSpec, image_sizes
from warmstart.sim.config import ClusterSpec
from warmstart.sim.demand import StepDemand
from warmstart.sim.metrics import ColdStart, RunMetrics
from warmstart.sim.nodes import SimNode
from warmstart.sim.policies import Policy
from warmstart.sim.replicas import Replicas
from warmstart.sim.staging import landed
from warmstart.sim.waits import step_waits


class Simulation:
    def __init__(self, demand: StepDemand, models: list[ModelSpec], spec: ClusterSpec,
                 policy: Policy, seed: int) -> None:
        self.demand, self.models, self.spec, self.policy = demand, models, spec, policy
        self.auto = spec.autoscaler
        self.metrics = RunMetrics()
        self.reps = Replicas(spec, models, policy.placer, image_sizes(spec),
                             np.random.default_rng(seed), self.metrics)
        policy.bind(models)
        n = len(models)
        self.rps = np.array([m.requests_per_s for m in models])
        self.gpus = np.array([m.gpus for m in models])
        self.last_req = np.full(n, -np.inf)
        self.prewarm_at = np.full(n, np.nan)  # nan: none due; inf: done
        self.need = np.zeros(n, dtype="int64")
        self.high_time = np.zeros(n)
        self.link = AdvisorLink(self, policy) if policy.advisor else None

    def run(self, progress: bool = False) -> RunMetrics:
        d, auto = self.demand, self.auto
        t0 = d.origin - auto.warmup_s
        for pool in self.spec.pools:
            for _ in range(pool.min_nodes):
                self.reps.new_node(pool, t0 - pool.boot_seconds[1], reaction_delay=False)
        for m in np.flatnonzero(self.policy.min_replicas > 0).tolist():
            self.reps.scale_up(m, int(self.policy.min_replicas[m]), t0, "min-replicas")
        bar = tqdm(total=d.steps, disable=not progress, unit="step", desc=self.policy.name)
        for k in range(d.steps):
            t = d.origin + k * d.step_s
            self._events_until(t)
            self._settle(self._settling(t), t, with_excess=True)
            if self.link is not None:
                self.link.step(k, t)
            self._arrivals(k, t, t + d.step_s)
            if k % 500 == 499:
                bar.update(500)
        bar.close()
        end = d.origin + d.steps * d.step_s
        self._events_until(end)
        self.reps.cluster.close(end)
        self._account()
        return self.metrics

    def _events_until(self, t: float) -> None:
        reps = self.reps
        while reps.heap and reps.heap[0][0] <= t:
            when, _, kind, item = heapq.heappop(reps.heap)
            self.metrics.events += 1
            if kind == "ready":
                reps.became_ready(item)
            elif kind == "idle":
                node, since = item
                if reps.alive(node) and node.empty_since == since and self._removable(node):
                    reps.remove_node(node, when)
            elif kind == "reclaim" and reps.alive(item):
                reps.remove_node(item, when)
            elif kind == "staged":
                landed(reps, item, when)

    def _removable(self, node: SimNode) -> bool:
        if self.link is not None:
            return self.link.node_removable(node)
        return True

    def _mins(self, ms: np.ndarray, at: np.ndarray | float) -> np.ndarray:
        mins: np.ndarray = self.policy.min_replicas[ms]
        if self.link is not None:
            mins = np.maximum(mins, self.link.min_replicas(ms, at))
        return mins

    def _settling(self, t: float) -> np.ndarray:
        """Models with something to decide: replicas to stop, a pre-warm due, or
        fewer replicas than their floor (after a spot reclaim)."""
        reps = self.reps
        floor = self.policy.min_replicas
        short = reps.n_total < floor
        for m in short.nonzero()[0].tolist():
            reps.scale_up(m, int(floor[m]), t, "min-replicas")
        deciding: np.ndarray = (reps.n_total > 0) | np.isfinite(self.prewarm_at)
        return deciding.nonzero()[0]

    def _settle(self, ms: np.ndarray, at: np.ndarray | float, with_excess: bool) -> None:
        """Apply every idle-time decision due for models `ms` by time `at`."""
        pol, reps, grace = self.policy, self.reps, self.auto.step_s
        last = self.last_req[ms]
        idle = at - last
        mins = self._mins(ms, at)
        pre, keep = pol.windows(ms, idle, grace)
        unload = ((pre > grace) & (idle >= grace) & np.isnan(self.prewarm_at[ms])
                  & (reps.n_total[ms] > mins) & np.isfinite(last))
        for i in unload.nonzero()[0]:
            m = int(ms[i])
            reps.scale_to(m, int(mins[i]), last[i] + grace)
            self.prewarm_at[m] = last[i] + pre[i]
        fire = self.prewarm_at[ms] <= at
        for i in fire.nonzero()[0]:
            m = int(ms[i])
            reps.scale_up(m, 1, float(self.prewarm_at[m]), "prewarm")
            self.prewarm_at[m] = np.inf
        expired = (reps.n_total[ms] > mins) & (idle >= keep + pre)
        for i in expired.nonzero()[0]:
            when = last[i] + keep[i] + pre[i]
            reps.scale_to(int(ms[i]), int(mins[i]), float(when) if np.isfinite(when) else
                          float(np.max(at)))
        if with_excess:
            t = float(np.max(at))
            floor = np.maximum(np.maximum(self.need[ms], mins), 1)
            over = ((reps.n_total[ms] > floor) & (t - self.high_time[ms]
                                                  >= self.auto.scale_down_delay_s) & ~expired)
            for i in over.nonzero()[0]:
                reps.scale_to(int(ms[i]), int(floor[i]), t)
                self.high_time[ms[i]] = t

    def _arrivals(self, k: int, t: float, end: float) -> None:
        ms, count, first, spell = self.demand.at(k)
        if not len(ms):
            return
        self.metrics.events += len(ms)
        known = np.isfinite(self.last_req[ms])
        self.policy.observe_idle(ms[known], np.maximum(first - self.last_req[ms], 0)[known])
        self._settle(ms, first, with_excess=False)
        rate_share = count / (self.demand.step_s * self.rps[ms] * self.auto.target_utilization)
        need = np.maximum(1, np.ceil(rate_share - 1e-9)).astype("int64")
        raised = need >= self.need[ms]
        self.high_time[ms[raised]] = t
        self.need[ms] = need
        slow = (self.reps.n_ready[ms] == 0) | (self.reps.n_total[ms] < need)
        self.metrics.warm_requests += float(count[~slow].sum())
        self.metrics.spell_waits.extend([0.0] * int(np.count_nonzero(spell & ~slow)))
        last = np.where(count <= 1, first, end)
        for i in slow.nonzero()[0]:
            served, wait = self._serve(int(ms[i]), float(first[i]), end, float(count[i]),
                                       int(need[i]))
            last[i] = max(last[i], served)
            if spell[i]:
                self.metrics.spell_wait(wait)
        self.last_req[ms] = last
        self.prewarm_at[ms] = np.nan
        self.metrics.busy_gpu_s += float((count / self.rps[ms] * self.gpus[ms]).sum())
        if self.link is not None:
            self.link.record(k, ms, count)

    def _serve(self, m: int, first: float, end: float, count: float,
               need: int) -> tuple[float, float | None]:
        """Scale up and account for the waits; returns when the last waiting
        request is served (it is in flight until then, so the idle clock starts
        there) and how long the first one waited (None: no replica can start)."""
        reps = self.reps
        trigger = "scale-from-zero" if reps.n_total[m] == 0 else "scale-up"
        reps.scale_up(m, need, first, trigger)
        pending = reps.pending[m]
        first_wait = (0.0 if reps.n_ready[m] else
                      max(0.0, pending[0].ready_at - first) if pending else None)
        w = step_waits(first, end, count, int(reps.n_ready[m]), [r.ready_at for r in pending])
        self.metrics.warm_requests += w.warm
        self.metrics.unserved_requests += w.unserved
        self.metrics.add_slices(w.slices)
        for pos, (_, longest, _) in zip(w.waited_on, w.slices, strict=True):
            replica = pending[pos]
            if not replica.waited:
                replica.waited = True
                self.metrics.cold_starts.append(ColdStart(
                    self.models[m].name, replica.node.name, replica.trigger,
                    replica.started_at, replica.ready_at, replica.stages, longest))
        return max((pending[pos].ready_at for pos in w.waited_on), default=first), first_wait

    def _account(self) -> None:
        metrics, spec = self.metrics, self.spec
        metrics.node_seconds = dict(self.reps.cluster.node_seconds)
        metrics.gpu_seconds = sum(s * spec.pool(p).gpus_per_node
                                  for p, s in metrics.node_seconds.items())
        metrics.cost_usd = sum(s / 3600 * spec.pool(p).price_per_hour
                               for p, s in metrics.node_seconds.items())
