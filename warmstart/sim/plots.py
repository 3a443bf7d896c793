"""PNG figures of a comparison: where cold-start time went per policy, and
what each policy pays for the cold starts it leaves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from warmstart.sim.metrics import STAGES


def stage_waterfall(data: dict[str, Any], path: Path) -> None:
    names = list(data["policies"])
    fig, ax = plt.subplots(figsize=(8, 4.5))
    left = [0.0] * len(names)
    for stage in STAGES:
        widths = [data["policies"][n]["stage_mean_s"][stage] for n in names]
        ax.barh(names, widths, left=left, label=stage)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlabel("mean seconds per cold start")
    ax.set_title(f"Cold-start waterfall by stage — trace {data['trace']['name']}")
    ax.invert_yaxis()
    ax.legend(ncols=len(STAGES), loc="lower center", bbox_to_anchor=(0.5, -0.32))
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


def cost_vs_cold(data: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    costs = []
    for i, (name, p) in enumerate(data["policies"].items()):
        x, y = 100 * p["cold_start_fraction"], p["cost_usd"]
        costs.append(y)
        ax.scatter([x], [y], s=60)
        # Stagger the labels: policies close on both axes would overprint.
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(6, 4 - 12 * (i % 3)))
    if min(costs) > 0:
        ax.set_yscale("log")  # always-warm can cost 10x the others
    ax.set_xlabel("requests that met a cold start (%)")
    ax.set_ylabel("cluster cost ($)")
    ax.set_title(f"Cost vs cold starts — trace {data['trace']['name']}")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


def write_plots(data: dict[str, Any], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "stage_waterfall.png", directory / "cost_vs_cold_starts.png"]
    stage_waterfall(data, paths[0])
    cost_vs_cold(data, paths[1])
    return paths


def frontier(data: dict[str, Any], key: str, label: str, path: Path) -> None:
    """One curve per policy over GPU-hours; a star on its published default."""
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for name, f in data["policies"].items():
        points = sorted(f["points"], key=lambda p: p["gpu_hours"])
        xs = [p["gpu_hours"] for p in points]
        ys = [p[key] * (100 if key == "cold_start_fraction" else 1) for p in points]
        (line,) = ax.plot(xs, ys, marker="o", ms=4, label=name)
        for x, y, p in zip(xs, ys, points, strict=True):
            if p["published_default"]:
                ax.plot([x], [y], marker="*", ms=15, color=line.get_color(),
                        markeredgecolor="black")
    if any(p[key] > 0 for f in data["policies"].values() for p in f["points"]):
        ax.set_yscale("symlog", linthresh=0.01 if key == "cold_start_fraction" else 1.0)
    xs = [p["gpu_hours"] for f in data["policies"].values() for p in f["points"]]
    if min(xs) > 0 and max(xs) / min(xs) > 20:  # always-warm can cost 10-100x the rest
        ax.set_xscale("log")
    ax.set_xlabel("GPU-hours")
    ax.set_ylabel(label)
    ax.set_title(f"Frontiers on trace {data['trace']['name']}", fontsize=11)
    ax.grid(True, alpha=0.3, which="both")
    ax.plot([], [], marker="*", ms=12, ls="", color="white", markeredgecolor="black",
            label="published default")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


def write_frontiers(data: dict[str, Any], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "frontier_cold_vs_gpu_hours.png",
             directory / "frontier_wait_p99_vs_gpu_hours.png"]
    frontier(data, "cold_start_fraction", "requests that met a cold start (%)", paths[0])
    frontier(data, "spell_wait_p99_s", "idle-spell wait p99 (s)", paths[1])
    return paths
