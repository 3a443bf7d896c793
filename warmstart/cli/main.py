"""Entry point of the `warmstart` console script.

Each subcommand lives in its own module exposing `register(subparsers)`; the
module sets `func` on its parser, which receives the parsed namespace and
returns the exit code. Only the named subcommand's module is imported, so a
service started as `warmstart extender serve` does not carry every other
service's libraries in its memory.

Bad input (a missing kubeconfig or file, a malformed setting, a wrong option)
ends here, for every command alike, as one line on stderr and exit code 2:
`ValueError` and `OSError` always, plus the classes a command module lists in
its `ERRORS` (an API server that refuses us, a YAML syntax error). Anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from pydantic import ValidationError

from warmstart import __version__

COMMANDS: dict[str, str] = {
    "admin": "warmstart.cli.admin_cmd",
    "agent": "warmstart.cli.agent_cmd",
    "demo": "warmstart.cli.demo_cmd",
    "extender": "warmstart.cli.extender_cmd",
    "forecast": "warmstart.cli.forecast_cmd",
    "provisioner": "warmstart.cli.provisioner_cmd",
    "simulate": "warmstart.cli.simulate_cmd",
}


INPUT_ERRORS: tuple[type[Exception], ...] = (ValueError, OSError)
EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error; each command's parser
    records its own name (`warmstart forecast backtest`) for error lines."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")

    def set_defaults(self, **kwargs: Any) -> None:
        if "func" in kwargs:
            kwargs["command_name"] = self.prog
        super().set_defaults(**kwargs)


def one_line(error: BaseException) -> str:
    """An exception's message on one line; pydantic's errors as `field: problem`."""
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or error.title}: {e['msg']}"
                         for e in error.errors())
    return " ".join(str(error).split()) or type(error).__name__


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; with `argv` naming a subcommand, only that one is loaded."""
    parser = _Parser(
        prog="warmstart",
        description="Fast GPU inference starts on Kubernetes after scale-to-zero.",
    )
    parser.add_argument("--version", action="version", version=f"warmstart {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _wanted(argv):
        importlib.import_module(COMMANDS[name]).register(sub)
    return parser


def _wanted(argv: Sequence[str]) -> list[str]:
    named = argv[0] if argv else None
    return [named] if named in COMMANDS else list(COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    expected = INPUT_ERRORS + tuple(
        cls for name in _wanted(argv) for cls in getattr(sys.modules[COMMANDS[name]], "ERRORS", ())
    )
    try:
        code: int = args.func(args)
    except expected as error:
        print(f"{args.command_name}: {one_line(error)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return code


if __name__ == "__main__":
    sys.exit(main())
