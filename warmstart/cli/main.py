"""Entry point of the `warmstart` console script.

Each subcommand lives in its own module exposing `register(subparsers)`; the
module sets `func` on its parser, which receives the parsed namespace and
returns the exit code. Only the named subcommand's module is imported, so a
service started as `warmstart extender serve` does not carry every other
service's libraries in its memory.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from warmstart import __version__

COMMANDS: dict[str, str] = {
    "agent": "warmstart.cli.agent_cmd",
    "demo": "warmstart.cli.demo_cmd",
    "extender": "warmstart.cli.extender_cmd",
    "forecast": "warmstart.cli.forecast_cmd",
    "provisioner": "warmstart.cli.provisioner_cmd",
    "simulate": "warmstart.cli.simulate_cmd",
}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; with `argv` naming a subcommand, only that one is loaded."""
    parser = argparse.ArgumentParser(
        prog="warmstart",
        description="Fast GPU inference starts on Kubernetes after scale-to-zero.",
    )
    parser.add_argument("--version", action="version", version=f"warmstart {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    named = argv[0] if argv else None
    for name, module in COMMANDS.items():
        if named in COMMANDS and name != named:
            continue
        importlib.import_module(module).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
