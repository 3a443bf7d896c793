"""Options that several commands take, defined once so they read and behave alike."""

from __future__ import annotations

import argparse
from pathlib import Path

from warmstart.traces import ENV_DIR


def add_traces_dir(parser: argparse.ArgumentParser) -> None:
    """`--traces-dir`: where named traces are read from (see `warmstart.traces`)."""
    parser.add_argument(
        "--traces-dir", type=Path,
        help=f"folder of the shared traces (default: ${ENV_DIR}, else ../shared/traces)",
    )
