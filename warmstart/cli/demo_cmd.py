"""`warmstart demo`: show what warmstart decides and why, on bundled examples.

The demo is a list of sections, each a function that prints to `out` and
returns an exit code; later parts (the simulator) append theirs to SECTIONS.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO

from warmstart.cli.demo_extender import extender_section
from warmstart.cli.simulate_cmd import demo_section as simulator_section

Section = Callable[[TextIO], int]
SECTIONS: tuple[Section, ...] = (extender_section, simulator_section)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("demo", help="run the bundled demo and explain its decisions")
    parser.add_argument("--no-serve", action="store_true",
                        help="exit after the tables (the default without a terminal on stdin)")
    parser.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    for section in SECTIONS:
        code = section(out)
        if code != 0:
            return code
    if getattr(args, "no_serve", False) or not sys.stdin.isatty():
        return 0
    from warmstart.cli.admin_cmd import serve_demo  # uvicorn only when serving

    return serve_demo(out)
