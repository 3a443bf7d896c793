"""Entry point of the `warmstart` console script.

Each subcommand lives in its own module exposing `register(subparsers)`; the
module sets `func` on its parser, which receives the parsed namespace and
returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from warmstart import __version__

COMMAND_MODULES: tuple[str, ...] = (
    "warmstart.cli.agent_cmd",
    "warmstart.cli.forecast_cmd",
    "warmstart.cli.provisioner_cmd",
    "warmstart.cli.extender_cmd",
    "warmstart.cli.demo_cmd",
    "warmstart.cli.simulate_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warmstart",
        description="Fast GPU inference starts on Kubernetes after scale-to-zero.",
    )
    parser.add_argument("--version", action="version", version=f"warmstart {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
